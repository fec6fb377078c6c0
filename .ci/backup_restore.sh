#!/usr/bin/env bash
# CI: a backup is only as good as its restore. On a small database (migrated, `manage.py demo`):
#
#   1. pg_dump -Fc of ticketshop_backup_src (the format docs/operations.md prescribes);
#   2. pg_restore --no-owner into a fresh ticketshop_backup_restored;
#   3. the row counts of every table of the public schema must be the same in both (the main tables
#      are printed: organizers, events, items, quotas, vouchers, coupons, orders, order positions);
#   4. `manage.py migrate --check` on the restored database: no migration missing or unapplied;
#   5. a query through Django on the restored database (the demo organizer and its orders).
#
# Exits non-zero on any mismatch or failure; both databases and the dump are removed at the end.
# Needs a running PostgreSQL reachable as PG_USER without a password (as .ci/run sets it up) and
# pg_dump/pg_restore of a version not older than the server's.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
SRC_DB=ticketshop_backup_src
DST_DB=ticketshop_backup_restored
PYTHON=.venv/bin/python
[ -x "$PYTHON" ] || PYTHON=python

WORK="$(mktemp -d)"
DUMP="$WORK/ticketshop.dump"
PG=(-h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -w)

url_of() {
    printf 'postgres://%s@%s:%s/%s' "$PG_USER" "$PG_HOST" "$PG_PORT" "$1"
}

drop_databases() {
    for db in "$SRC_DB" "$DST_DB"; do
        PGOPTIONS='-c client_min_messages=warning' psql "${PG[@]}" -d postgres -q -Atc \
            "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true
    done
}

# shellcheck disable=SC2317  # called by the trap
cleanup() {
    drop_databases
    rm -rf "$WORK"
}
trap cleanup EXIT

manage() {
    # Production settings (DEBUG off) on the given database.
    local db="$1"
    shift
    DATABASE_URL="$(url_of "$db")" DEBUG=0 SECRET_KEY=backup-restore-check-only ALLOWED_HOSTS=localhost \
        LOG_LEVEL=WARNING CELERY_BROKER_URL='' "$PYTHON" manage.py "$@"
}

# "table count" lines of every table in the public schema, sorted by table name.
table_counts() {
    local db="$1"
    local tables
    tables="$(psql "${PG[@]}" -d "$db" -Atc \
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")"
    [ -n "$tables" ] || { echo "no tables in $db" >&2; return 1; }
    local query=""
    local table
    for table in $tables; do
        [ -z "$query" ] || query+=" UNION ALL "
        query+="SELECT '$table', count(*) FROM public.\"$table\""
    done
    psql "${PG[@]}" -d "$db" -At -F ' ' -c "$query ORDER BY 1"
}

echo "== creating $SRC_DB, migrating, loading the demo data"
drop_databases
createdb "${PG[@]}" "$SRC_DB"
manage "$SRC_DB" migrate --noinput -v 0
manage "$SRC_DB" demo >/dev/null

echo "== pg_dump -Fc $SRC_DB"
pg_dump "${PG[@]}" -Fc -d "$SRC_DB" -f "$DUMP"
echo "dump: $(wc -c <"$DUMP") bytes; $(pg_restore -l "$DUMP" | grep -c ' TABLE DATA ') tables with data"

echo "== pg_restore --no-owner into a fresh $DST_DB"
createdb "${PG[@]}" "$DST_DB"
pg_restore "${PG[@]}" --no-owner --exit-on-error -d "$DST_DB" "$DUMP"

echo "== row counts"
src_counts="$(table_counts "$SRC_DB")"
dst_counts="$(table_counts "$DST_DB")"

status=0
declare -A main_tables=(
    [organizers]=ticketing_organizer
    [events]=ticketing_event
    [items]=ticketing_item
    [quotas]=ticketing_quota
    [vouchers]=vouchers_voucher
    [coupons]=vouchers_coupon
    [orders]=orders_order
    [order_positions]=orders_orderposition
)
printf '%-16s %-24s %8s %8s\n' what table source restored
for what in organizers events items quotas vouchers coupons orders order_positions; do
    table="${main_tables[$what]}"
    src="$(awk -v t="$table" '$1 == t {print $2}' <<<"$src_counts")"
    dst="$(awk -v t="$table" '$1 == t {print $2}' <<<"$dst_counts")"
    mark=""
    if [ -z "$src" ] || [ "$src" != "$dst" ]; then
        mark="   <-- MISMATCH"
        status=1
    elif [ "$src" -eq 0 ]; then
        mark="   <-- EMPTY (the demo data should fill it)"
        status=1
    fi
    printf '%-16s %-24s %8s %8s%s\n' "$what" "$table" "${src:-missing}" "${dst:-missing}" "$mark"
done
if [ "$src_counts" != "$dst_counts" ]; then
    echo "row counts differ (table source/restored):"
    diff <(echo "$src_counts") <(echo "$dst_counts") || true
    status=1
else
    echo "all $(wc -l <<<"$src_counts") tables of the public schema have the same row counts"
fi

echo "== manage.py migrate --check on $DST_DB"
if manage "$DST_DB" migrate --check; then
    echo "no migration missing"
else
    echo "migrate --check failed on the restored database"
    status=1
fi

echo "== reading the restored database through Django"
if ! manage "$DST_DB" shell -v 0 -c "
from orders.models import Order
from ticketing.models import Organizer
demo = Organizer.objects.get(slug='demo')
orders = Order.objects.filter(event__organizer=demo).count()
assert orders > 0, 'no orders of the demo organizer'
print(f'organizer {demo.slug}: {demo.events.count()} events, {orders} orders')
"; then
    echo "reading the restored database failed"
    status=1
fi

if [ "$status" -eq 0 ]; then
    echo "== backup and restore: OK"
else
    echo "== backup and restore: FAILED"
fi
exit "$status"
