"""The app as production serves it, in subprocesses on loopback: ``scripts/entrypoint web`` (gunicorn)
and, in front of it, nginx with ``deploy/nginx.conf.template`` rendered as the official nginx image
renders it. Plus raw HTTP/1.1 on sockets, for what ``http.client`` will not send (chunked bodies, foreign
``Host`` headers, bodies a byte a second).

Every process started here is stopped through its own process id (a process group of its own).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "scripts" / "entrypoint"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
NGINX = Path(os.environ.get("NGINX", "/usr/sbin/nginx"))
HOST = "127.0.0.1"
SECRET_KEY = "served-by-the-tests-only-" + "x" * 40
#: Variables the official nginx image passes to envsubst: ``${NAME}`` of its environment.
TEMPLATE_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def app_environment(directory: Path, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off, JSON logs at WARNING) on an SQLite file of ``directory``; nothing
    from the caller's environment that would point the app at another database, cache or broker."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "CELERY_", "GUNICORN_", "LOG_", "DJANGO_", "SENTRY_"))
        and key not in {"DEBUG", "TESTING", "HTTPS", "ALLOWED_HOSTS", "TRUSTED_PROXIES", "SECRET_KEY"}
    }
    environment.update(
        {
            "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "STATIC_ROOT": str(directory / "static"),
            "DATABASE_WAIT_SECONDS": "10",
            **extra,
        }
    )
    (directory / "static").mkdir(exist_ok=True)
    return environment


def prepare_demo(directory: Path) -> None:
    """Migrates the SQLite database of ``directory`` and loads the demo organizer (``manage.py demo``)."""
    environment = app_environment(directory)
    for command in (["migrate", "-v0"], ["demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
            timeout=300,
        )


@dataclass
class Served:
    """A process listening on ``port``; what it wrote to stdout and stderr goes to ``log``."""

    process: subprocess.Popen
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group the process leads (gunicorn's or nginx's workers with it), then
    SIGKILL if it is still there after 20 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_until_answering(served: Served, what: str, only_200: bool) -> None:
    """Until ``GET /healthz`` answers through ``served``: with a 200 (gunicorn's workers have booted), or
    with anything (nginx listens, whether or not its upstream does)."""
    probe = request("GET", "/healthz", {"Host": "localhost"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"{what} exited at start:\n{served.output()}")
        try:
            if exchange(served.port, probe, timeout=2).status == 200 or not only_200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{what} did not answer /healthz on {served.port} within 60 s:\n{served.output()}")


@contextmanager
def gunicorn(directory: Path, workers: int = 2, **environment: str):
    """``scripts/entrypoint web`` on a free loopback port, with ``workers`` sync workers (the default
    worker class) and no control socket (it would be shared with every other gunicorn of the machine)."""
    port = free_port()
    log = directory / f"gunicorn-{port}.log"
    env = app_environment(
        directory,
        GUNICORN_BIND=f"{HOST}:{port}",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_ACCESS_LOG="",
        GUNICORN_CMD_ARGS="--no-control-socket",
        **environment,
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ENTRYPOINT), "web"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    served = Served(process, port, log)
    try:
        wait_until_answering(served, "gunicorn", only_200=True)
        yield served
    finally:
        stop(process)


def render_template(values: dict[str, str]) -> str:
    """``deploy/nginx.conf.template`` with its ``${NAME}`` replaced as the image's envsubst does; a name
    the caller does not give fails here rather than reaching nginx as text."""
    text = NGINX_TEMPLATE.read_text()
    missing = set(TEMPLATE_VARIABLE.findall(text)) - set(values)
    assert not missing, f"no value for {sorted(missing)}"
    assert not re.search(r"\$[A-Z]", text), "envsubst would replace $NAME too: write ${NAME}"
    return TEMPLATE_VARIABLE.sub(lambda match: values[match.group(1)], text)


#: What the official image's own nginx.conf gives around conf.d/*.conf, with this run's writable paths.
NGINX_MAIN = """\
daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/default.conf;
}}
"""


@contextmanager
def nginx(upstream_port: int):
    """nginx on a free loopback port in front of ``127.0.0.1:upstream_port``, configured by the template
    the compose file mounts. Its files are in a directory of its own that its workers (``nobody`` when
    started as root) can read, removed afterwards."""
    if not NGINX.is_file():
        raise AssertionError(f"{NGINX} is missing: apt-get install nginx-light (or set NGINX=/path/to/nginx)")
    directory = Path(tempfile.mkdtemp(prefix="ticketshop-nginx-"))
    directory.chmod(0o755)
    port = free_port()
    values = {
        "TICKETSHOP_LISTEN": f"{HOST}:{port}",
        "TICKETSHOP_UPSTREAM": f"{HOST}:{upstream_port}",
        "TICKETSHOP_RESOLVER": HOST,  # never asked: the upstream is an address
    }
    (directory / "default.conf").write_text(render_template(values))
    (directory / "nginx.conf").write_text(NGINX_MAIN.format(directory=directory))
    log = directory / "nginx.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(NGINX), "-p", str(directory), "-c", str(directory / "nginx.conf"), "-e", "stderr"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    served = Served(process, port, log)
    try:
        wait_until_answering(served, "nginx", only_200=False)
        yield served
    finally:
        stop(process)
        shutil.rmtree(directory, ignore_errors=True)


# --- raw HTTP ---------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def exchange(port: int, request: bytes, timeout: float = 10) -> Answer:
    """Sends ``request`` as it is (it should say ``Connection: close``) and reads the answer: up to its
    ``Content-Length``, else to the end (nginx may linger on a connection whose body it refused)."""
    with socket.create_connection((HOST, port), timeout=timeout) as connection:
        connection.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received and (chunk := connection.recv(65536)):
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", -1))
        while (length < 0 or len(body) < length) and (chunk := connection.recv(65536)):
            body += chunk
    if headers.get("transfer-encoding") == "chunked":
        body = dechunk(body)
    return Answer(int(status_line.split()[1]), headers, body)


def dechunk(body: bytes) -> bytes:
    data = b""
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        data, body = data + body[:size], body[size + 2 :]
    return data


def chunked(*pieces: bytes) -> bytes:
    """A chunked body of ``pieces``, one chunk each."""
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    return head.encode("latin-1") + b"Connection: close\r\n\r\n" + body


# --- slow clients and a prober -----------------------------------------------------------------------

PREVIEW_PATH = "/api/v1/organizers/demo/events/conference/price-preview/"


class SlowClients:
    """Connections that send their request a byte a second, each on a thread of its own: ``bodies`` send
    their headers at once, then a body of 1,000 bytes (``Content-Length``) at a byte a second; ``headers``
    send their headers at a byte a second. They keep going until :meth:`stop`."""

    def __init__(self, port: int, bodies: int, headers: int) -> None:
        self.port, self.bodies, self.headers = port, bodies, headers
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.bytes_sent = 0
        self.lock = threading.Lock()

    def __enter__(self) -> SlowClients:
        whole_head = request(
            "POST",
            PREVIEW_PATH,
            {"Host": "localhost", "Content-Type": "application/json", "Content-Length": "1000"},
        )
        for _ in range(self.bodies):
            self.start(at_once=whole_head, trickled=b" " * 1000)
        for _ in range(self.headers):
            self.start(at_once=b"", trickled=whole_head)
        time.sleep(0.5)  # every connection is open and has sent something
        return self

    def start(self, at_once: bytes, trickled: bytes) -> None:
        connection = socket.create_connection((HOST, self.port), timeout=5)
        thread = threading.Thread(target=self.send, args=(connection, at_once, trickled), daemon=True)
        thread.start()
        self.threads.append(thread)

    def send(self, connection: socket.socket, at_once: bytes, trickled: bytes) -> None:
        try:
            if at_once:
                connection.sendall(at_once)
            for index in range(len(trickled)):
                connection.sendall(trickled[index : index + 1])
                with self.lock:
                    self.bytes_sent += 1
                if self.stopping.wait(1.0):
                    break
        except OSError:
            pass  # closed by the server: what a timeout does to a slow client
        finally:
            connection.close()

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)


@dataclass
class Polls:
    """``GET /healthz`` once every ``interval`` for a while, each a new connection allowed ``bound``
    seconds for its whole answer; an answer is good when it is a 200 within the bound."""

    bound: float
    latencies: list[float] = field(default_factory=list)
    statuses: list[int | None] = field(default_factory=list)

    @property
    def good(self) -> int:
        return sum(status == 200 for status in self.statuses)

    def figures(self) -> str:
        answered = sorted(
            latency for latency, status in zip(self.latencies, self.statuses, strict=True) if status == 200
        )
        polls = f"{len(self.statuses)} polls of /healthz, {self.good} answered 200 within {self.bound:g} s"
        if not answered:
            return polls
        p50, most = statistics.median(answered) * 1000, answered[-1] * 1000
        return f"{polls}; latency p50 {p50:.1f} ms, max {most:.1f} ms"


def poll_healthz(port: int, duration: float, interval: float = 0.1, bound: float = 1.0) -> Polls:
    polls = Polls(bound)
    probe = request("GET", "/healthz", {"Host": "localhost"})
    end = time.monotonic() + duration
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            status: int | None = exchange(port, probe, timeout=bound).status
        except OSError:  # timed out: the server did not answer within the bound
            status = None
        elapsed = time.monotonic() - started
        polls.statuses.append(status if elapsed <= bound else None)
        polls.latencies.append(elapsed)
        time.sleep(max(0.0, interval - elapsed))
    return polls
