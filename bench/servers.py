"""Carts, orders, throttles and jobs across two server processes, one worker, one PostgreSQL database and one
Redis. Not a test; CI runs it.

    python bench/servers.py [--workers 2] [--database-url postgres://postgres@127.0.0.1:5432/ticketshop_servers_bench]
                            [--redis-url redis://127.0.0.1:6391/0]

Recreates the database (its name must contain ``bench``), migrates it and starts two gunicorn
servers (``--workers`` each, 127.0.0.1 only, DEBUG off), all through ``scripts/entrypoint`` (``migrate``,
``web``; with ``--redis-url`` also ``worker`` and ``beat``): the deployment kit's process layout,
which CI runs where containers cannot. Then it sends every request of
a scenario at once, alternating between the two servers, then prints what each
scenario produced against what it must produce:

1. 60 carts at once on a quota of 10, then every cart that was created checked out;
2. 10 carts holding a quota of 10, the quota cut to 5 through the API, all checked out;
3. a double click: two carts at once with the same single-use voucher, then the one
   that holds it checked out;
4. 20 carts and 20 direct orders at once on a quota of 10, then the carts checked out;
5. 20 direct orders at once, each paying 10.00 with one gift card holding 50.00: exactly 5 are
   created (paid), the others answer ``gift_card_empty``, and the card's balance is 0.00;
5b. vouchers that block quota, made in each of four ways, never sell more than the quota: a batch of
   10 on a quota of 5 (refused, naming row 5; a batch of 5 fits), 12 created at once on a quota of 5
   (5 are), a quota of 5 held by 5 of them cut to 2 (409 ``quota_too_small``), and 6 vouchers of a quota
   of 3 made blocking at once (3 are); each followed by orders at once, selling exactly the quota;

and, with ``--redis-url`` (the cache of both servers and the broker of one Celery worker):

6. 24 lookups of unknown codes, alternating between the servers: the miss throttle (10 a minute
   per client address) is one counter for both, so exactly 10 are answered and 14 get 429;
7. a 5,000-coupon generation started on one server answers 202 with a job; the other server
   shows the job until it has succeeded and then the 5,000 coupons.

Exits 1 when a count differs, so that CI fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout import (
    PYTHON,
    ROOT,
    Client,
    env_for,
    recreate_database,
    stop_server,
    wait_until_up,
)  # noqa: E402

SEED = r"""
import json
from datetime import timedelta
from django.utils import timezone
from ticketing.models import Event, Item, Quota, Team
from ticketing.services import organizer_create, team_token_create
from vouchers.models import Voucher

organizer = organizer_create(slug="servers", name="Servers")
event = Event.objects.create(organizer=organizer, slug="conf", name="Two servers", currency="EUR",
                             date_from=timezone.now() + timedelta(days=30), live=True)
ids = {}
for name, size, price in (("sixty", 10, "50.00"), ("cut", 10, "50.00"), ("click", 100, "50.00"),
                          ("mixed", 10, "50.00"), ("gift", 100, "10.00"), ("batch", 5, "50.00"),
                          ("post12", 5, "50.00"), ("shrink", 5, "50.00"), ("patch6", 3, "50.00")):
    item = Item.objects.create(event=event, name=name, default_price=price)
    quota = Quota.objects.create(event=event, name=name, size=size)
    quota.items.set([item])
    ids[name] = {"item": item.pk, "quota": quota.pk}
Voucher.objects.create(event=event, code="ONE-CLICK", max_usages=1, price_mode="percent", value=10)
for n in range(5):  # the quota "shrink" is wholly held by blocking vouchers
    Voucher.objects.create(event=event, code=f"SHRINK-{n}", max_usages=1, block_quota=True,
                           item_id=ids["shrink"]["item"])
ids["patch6"]["vouchers"] = [  # plain vouchers of the quota "patch6" (3), to be made blocking at once
    Voucher.objects.create(event=event, code=f"PATCH-{n}", max_usages=1, item_id=ids["patch6"]["item"]).pk
    for n in range(6)
]
team = Team.objects.create(organizer=organizer, name="Servers", all_events=True,
                           **{p: True for p in Team.PERMISSIONS})
print(json.dumps({"token": team_token_create(team=team, name="servers").raw, "ids": ids}))
"""

EVENT = "/api/v1/organizers/servers/events/conf/"


def flush_redis(url: str) -> None:
    """Empty the Redis database of ``url`` so that no counter or task of an earlier run is left."""
    import redis

    redis.Redis.from_url(url).flushdb()


def at_once(clients: list[Client], count: int, request) -> list[tuple[int, dict]]:
    """``request(client, index) -> (status, body)`` in ``count`` threads released together,
    thread ``i`` on server ``i % 2``."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        client = clients[index]
        barrier.wait(timeout=30)
        results[index] = request(client, index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def call(client: Client, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    status, payload = client.request(method, path, json.dumps(body or {}).encode())
    try:
        return status, json.loads(payload or b"{}")
    except json.JSONDecodeError:
        return status, {"raw": payload[:200].decode(errors="replace")}


def new_cart(client: Client, item: int, **position) -> tuple[int, dict]:
    return call(client, "POST", EVENT + "carts/", {"positions": [{"item": item, **position}]})


def checkout(client: Client, cart_id: str) -> tuple[int, dict]:
    return call(client, "POST", EVENT + f"carts/{cart_id}/checkout/", {"email": "buyer@example.com"})


def order(client: Client, item: int) -> tuple[int, dict]:
    body = {"email": "buyer@example.com", "positions": [{"item": item}]}
    return call(client, "POST", EVENT + "orders/", body)


def outcome(results) -> Counter:
    return Counter((status, body.get("code") if status >= 400 else None) for status, body in results)


def sold(client: Client, quota: int) -> int:
    """Positions of pending and paid orders in the quota, as its availability counts them."""
    status, body = call(client, "GET", EVENT + f"quotas/{quota}/availability/")
    assert status == 200, body
    return body["pending_orders"] + body["paid_orders"]


ORGANIZER = "/api/v1/organizers/servers/"


ENTRYPOINT = str(ROOT / "scripts" / "entrypoint")


def voucher_order(client: Client, item: int, code: str) -> tuple[int, dict]:
    body = {"email": "buyer@example.com", "positions": [{"item": item, "voucher": code}]}
    return call(client, "POST", EVENT + "orders/", body)


def blocking_vouchers(pool: list[Client], ids: dict) -> list[tuple[str, str, str]]:
    """Vouchers that block quota never sell more than the quota, by any of the four ways of making them."""
    rows = []
    # 1. One batch of 10 single-use blocking vouchers on a quota of 5: refused whole; 5 fit.
    item, quota = ids["batch"]["item"], ids["batch"]["quota"]
    ten = [{"code": f"BATCH-{n}", "item": item, "block_quota": True} for n in range(10)]
    status, body = call(pool[0], "POST", EVENT + "vouchers/batch_create/", ten)
    refused_row = next((i for i, e in enumerate(body.get("errors", [])) if e), None)
    rows.append(("batch of 10 blocking vouchers, quota 5: answered", "400", str(status)))
    rows.append(("  ... the first row that does not fit", "5", str(refused_row)))
    status, _ = call(pool[1], "POST", EVENT + "vouchers/batch_create/", ten[:5])
    rows.append(("  ... a batch of 5: answered", "201", str(status)))
    mixed = at_once(pool, 10, lambda c, i: voucher_order(c, item, f"BATCH-{i}") if i < 5 else order(c, item))
    seen = outcome(mixed)
    rows.append(("  ... 5 voucher orders + 5 plain ones at once: created", "5", str(seen[(201, None)])))
    rows.append(("  ... sold", "5", str(sold(pool[0], quota))))

    # 2. 12 creates of one blocking voucher each, at once, on a quota of 5.
    item, quota = ids["post12"]["item"], ids["post12"]["quota"]
    created = at_once(pool, 12, lambda c, i: call(c, "POST", EVENT + "vouchers/", {
        "code": f"POST12-{i}", "item": item, "block_quota": True}))  # fmt: skip
    made = [body["code"] for status, body in created if status == 201]
    rows.append(("12 blocking vouchers created at once, quota 5: created", "5", str(len(made))))
    refused = sum(1 for status, body in created if status == 400 and "block_quota" in body)
    rows.append(("  ... refused (400 block_quota)", "7", str(refused)))
    at_once(pool, 12, lambda c, i: voucher_order(c, item, made[i]) if i < len(made) else order(c, item))
    rows.append(("  ... their orders and 7 plain ones at once: sold", "5", str(sold(pool[0], quota))))

    # 3. A quota of 5 held by 5 blocking vouchers cannot be cut to 2; the vouchers still sell.
    item, quota = ids["shrink"]["item"], ids["shrink"]["quota"]
    status, body = call(pool[0], "PATCH", EVENT + f"quotas/{quota}/", {"size": 2})
    rows.append(("quota 5 held by 5 blocking vouchers, cut to 2: answered", "409", str(status)))
    rows.append(("  ... its code", "quota_too_small", str(body.get("code"))))
    at_once(pool, 5, lambda c, i: voucher_order(c, item, f"SHRINK-{i}"))
    rows.append(("  ... the 5 vouchers' orders at once: sold", "5", str(sold(pool[0], quota))))

    # 4. 6 vouchers of a quota of 3 made blocking at once: 3 are; only theirs sell.
    item, quota = ids["patch6"]["item"], ids["patch6"]["quota"]
    patched = at_once(pool, 6, lambda c, i: call(
        c, "PATCH", EVENT + f"vouchers/{ids['patch6']['vouchers'][i]}/", {"block_quota": True}))  # fmt: skip
    made = outcome(patched)[(200, None)]
    rows.append(("6 vouchers of quota 3 made blocking at once: made", "3", str(made)))
    at_once(pool, 6, lambda c, i: voucher_order(c, item, f"PATCH-{i}"))
    rows.append(("  ... all 6 vouchers' orders at once: sold", "3", str(sold(pool[0], quota))))
    return rows


def entrypoint(role: str, *args: str, env: dict[str, str], **extra_env: str) -> subprocess.Popen:
    """``scripts/entrypoint <role>``: the image's entrypoint, so that CI runs the deployment kit's
    process layout (web servers, a worker, beat) where containers cannot run."""
    return subprocess.Popen(
        [ENTRYPOINT, role, *args], cwd=ROOT, env={**env, **extra_env}, start_new_session=True
    )


def start_web(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    return entrypoint(
        "web", env=env, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=str(workers),
        GUNICORN_ACCESS_LOG="", GUNICORN_TIMEOUT="60",
    )  # fmt: skip


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    """One Celery worker on the broker of ``env`` (two processes)."""
    return entrypoint("worker", "-l", "warning", "--concurrency", "2", env=env)


def start_beat(env: dict[str, str], schedule: str) -> subprocess.Popen:
    return entrypoint("beat", "-l", "warning", env=env, CELERY_BEAT_SCHEDULE_FILE=schedule)


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def gift_card_race(pool: list[Client], item: int) -> tuple[Counter, dict]:
    """20 orders at once over both servers, each paying its 10.00 with the same 50.00 card."""
    status, card = call(pool[0], "POST", ORGANIZER + "giftcards/", {
        "code": "SERVERS-GIFT", "currency": "EUR", "initial_value": "50.00",
    })  # fmt: skip
    assert status == 201, card
    body = {"email": "buyer@example.com", "positions": [{"item": item}], "gift_cards": ["SERVERS-GIFT"]}
    results = at_once(pool, 20, lambda c, i: call(c, "POST", EVENT + "orders/", body))
    _, after = call(pool[1], "GET", ORGANIZER + f"giftcards/{card['id']}/")
    return outcome(results), after


def shared_throttle(pool: list[Client]) -> Counter:
    """24 lookups of codes that do not exist, one after the other, alternating between the servers."""
    answers = [call(pool[i % 2], "GET", ORGANIZER + f"code-info/NO-SUCH-{i}/")[0] for i in range(24)]
    return Counter(answers)


def job_across_servers(pool: list[Client], count: int) -> dict:
    """Start a generation on server A; follow the job on server B until it ends. Returns its figures."""
    status, series = call(pool[0], "POST", ORGANIZER + "coupon-series/", {
        "name": "Jobs", "discount_type": "percent", "discount_value": "10", "can_be_combined": True,
    })  # fmt: skip
    assert status == 201, series
    started = time.perf_counter()
    generate = ORGANIZER + f"coupon-series/{series['id']}/generate/"
    status, job = call(pool[0], "POST", generate, {"count": count})
    answered = time.perf_counter() - started
    figures = {"status": status, "answered_s": answered, "state": None, "done": None, "coupons": None}
    if status != 202:
        return figures
    seen_on_b = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        got, seen_on_b = call(pool[1], "GET", ORGANIZER + f"jobs/{job['id']}/")
        if got == 200 and seen_on_b["state"] in ("succeeded", "failed"):
            break
        time.sleep(0.2)
    figures["finished_s"] = time.perf_counter() - started
    figures["state"] = seen_on_b and seen_on_b.get("state")
    figures["done"] = seen_on_b and (seen_on_b.get("progress") or {}).get("done")
    _, listing = call(pool[1], "GET", ORGANIZER + f"coupons/?series={series['id']}&page_size=1")
    figures["coupons"] = listing.get("count")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--ports", type=int, nargs=2, default=[8771, 8772])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/ticketshop_servers_bench"
    )
    parser.add_argument(
        "--redis-url", default="", help="Redis for both servers' cache and a worker's broker (scenarios 6, 7)"
    )
    args = parser.parse_args()

    env = env_for(args.database_url)
    if args.redis_url:
        env.update({"REDIS_URL": args.redis_url, "CELERY_BROKER_URL": args.redis_url})
        flush_redis(args.redis_url)
    recreate_database(args.database_url)
    subprocess.run([ENTRYPOINT, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", SEED], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    seed = json.loads(out.strip().splitlines()[-1])
    token, ids = seed["token"], seed["ids"]
    servers = [start_web(env, port, args.workers) for port in args.ports]
    worker = start_worker(env) if args.redis_url else None
    schedule = str(Path(tempfile.mkdtemp(prefix="servers-beat-")) / "schedule")
    beat = start_beat(env, schedule) if args.redis_url else None
    rows: list[tuple[str, str, str]] = []
    timings: list[tuple[str, float]] = []
    try:
        for port, server in zip(args.ports, servers, strict=True):
            wait_until_up(port, token, server, organizer="servers")
        pool = [Client(args.ports[i % 2], token) for i in range(60)]

        item = ids["sixty"]["item"]
        carts = at_once(pool, 60, lambda c, i: new_cart(c, item))
        held = [body["id"] for status, body in carts if status == 201]
        at_once(pool, len(held), lambda c, i: checkout(c, held[i]))
        rows.append(("60 carts at once, quota 10: carts created", "10", str(len(held))))
        rows.append(
            ("  ... the others answered quota_exceeded", "50", str(outcome(carts)[(409, "quota_exceeded")]))
        )
        rows.append(("  ... then all checked out: sold", "10", str(sold(pool[0], ids["sixty"]["quota"]))))

        item, quota = ids["cut"]["item"], ids["cut"]["quota"]
        carts = at_once(pool, 10, lambda c, i: new_cart(c, item))
        held = [body["id"] for status, body in carts if status == 201]
        status, _ = call(pool[0], "PATCH", EVENT + f"quotas/{quota}/", {"size": 5})
        assert status == 200, status
        at_once(pool, len(held), lambda c, i: checkout(c, held[i]))
        rows.append(("10 carts hold quota 10, cut to 5: carts", "10", str(len(held))))
        rows.append(("  ... all checked out: sold", "5", str(sold(pool[0], quota))))

        item = ids["click"]["item"]
        clicks = at_once(pool, 2, lambda c, i: new_cart(c, item, voucher="ONE-CLICK"))
        seen = outcome(clicks)
        rows.append(("double click, single-use voucher: carts", "1", str(seen[(201, None)])))
        rows.append(
            ("  ... the other answered held_in_other_cart", "1", str(seen[(400, "held_in_other_cart")]))
        )
        held = [body["id"] for status, body in clicks if status == 201]
        for cart_id in held:
            checkout(pool[1], cart_id)
        rows.append(("  ... the holder checked out: sold", "1", str(sold(pool[0], ids["click"]["quota"]))))

        item = ids["mixed"]["item"]
        first = at_once(pool, 40, lambda c, i: new_cart(c, item) if i % 2 == 0 else order(c, item))
        held = [body["id"] for status, body in first if status == 201 and "id" in body]  # the carts
        at_once(pool, len(held), lambda c, i: checkout(c, held[i]))
        rows.append(
            ("20 carts + 20 orders at once, quota 10: sold", "10", str(sold(pool[0], ids["mixed"]["quota"])))
        )

        seen, card = gift_card_race(pool, ids["gift"]["item"])
        rows.append(("20 orders at once pay 10.00 from one 50.00 card: created", "5", str(seen[(201, None)])))
        rows.append(("  ... the others answered gift_card_empty", "15", str(seen[(400, "gift_card_empty")])))
        rows.append(("  ... the card's balance afterwards", "0.00", str(card.get("balance"))))

        rows += blocking_vouchers(pool, ids)

        if args.redis_url:
            answers = shared_throttle(pool)
            rows.append(("24 unknown codes over both servers: answered 404", "10", str(answers[404])))
            rows.append(("  ... refused 429 by the one shared counter", "14", str(answers[429])))

            figures = job_across_servers(pool, 5000)
            rows.append(("5,000 coupons on server A: answered", "202", str(figures["status"])))
            rows.append(("  ... the job, seen on server B", "succeeded", str(figures["state"])))
            rows.append(("  ... its progress, seen on server B", "5000", str(figures["done"])))
            rows.append(("  ... the coupons, counted on server B", "5000", str(figures["coupons"])))
            timings.append(("202 answer of the 5,000-coupon generation (ms)", figures["answered_s"] * 1e3))
            if "finished_s" in figures:
                timings.append(("start to succeeded, seen on server B (ms)", figures["finished_s"] * 1e3))
    finally:
        for server in servers:
            stop_server(server)
        if worker is not None:
            stop_worker(worker)
        if beat is not None:
            running = "yes" if beat.poll() is None else "no"
            rows.append(("celery beat still running at the end", "yes", running))
            stop_worker(beat)
        shutil.rmtree(Path(schedule).parent, ignore_errors=True)

    width = max(len(name) for name, _, _ in rows)
    layout = ", one Celery worker and one Redis" if args.redis_url else ""
    print(f"\ntwo gunicorn servers x {args.workers} workers, one PostgreSQL database{layout}")
    print(f"{'scenario':<{width}} {'must be':>8} {'got':>6}")
    for name, expected, got in rows:
        print(f"{name:<{width}} {expected:>8} {got:>6}{'' if expected == got else '   <-- WRONG'}")
    for name, milliseconds in timings:
        print(f"{name:<{width}} {milliseconds:>15.0f}")
    wrong = [row for row in rows if row[1] != row[2]]
    print("all counts as they must be" if not wrong else f"{len(wrong)} count(s) wrong")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
