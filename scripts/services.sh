#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis servers the integration tests use are running.
# Starts this machine's own servers when they are installed but stopped; never installs any.
set -euo pipefail
PG_URL="${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"

postgres_up() { python -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$PG_URL" 2>/dev/null; }
redis_up() { python -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()" "$REDIS_URL" 2>/dev/null; }

wait_for() {  # wait_for NAME CHECK
    for _ in $(seq 1 30); do "$2" && return 0; sleep 1; done
    echo "services: $1 did not come up" >&2
    return 1
}

if ! postgres_up; then
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
        echo "services: starting PostgreSQL" >&2
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    fi
    wait_for PostgreSQL postgres_up
fi
if ! redis_up; then
    if command -v redis-server >/dev/null; then
        echo "services: starting Redis" >&2
        redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    fi
    wait_for Redis redis_up
fi
