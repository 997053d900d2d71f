#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on localhost; start them if installed but stopped.
set -uo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}

pg_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

if ! command -v pg_isready >/dev/null 2>&1; then
  echo "PostgreSQL is not installed. Install it (Debian: apt-get install postgresql) and run make test again." >&2
  exit 1
fi
if ! pg_up; then
  echo "PostgreSQL is not answering on $PGHOST:$PGPORT; starting it."
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
    done
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  if ! pg_up; then
    echo "PostgreSQL could not be started. Start it yourself, then run make test again." >&2
    exit 1
  fi
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "Redis is not installed. Install it (Debian: apt-get install redis-server) and run make test again." >&2
  exit 1
fi
if ! redis_up; then
  echo "Redis is not answering on 127.0.0.1:$REDIS_PORT; starting it."
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/qsg.log >/dev/null 2>&1 || true
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  if ! redis_up; then
    echo "Redis could not be started. Start it yourself, then run make test again." >&2
    exit 1
  fi
fi
echo "PostgreSQL and Redis are up."
