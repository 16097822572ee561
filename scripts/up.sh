#!/usr/bin/env bash
# make up: start Postgres (if installed but down), the Temporal dev server,
# the API (migrated), the worker and the web app in the background, with logs and pids in
# .run/ (git-ignored). Idempotent: what is already running is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN=$ROOT/.run
mkdir -p "$RUN/logs"

API_ADDR=${NEOSYNC_LISTEN_ADDR:-127.0.0.1:8080}
TEMPORAL_PORT=${NEOSYNC_TEMPORAL_PORT:-7233}
TEMPORAL_UI_PORT=${NEOSYNC_TEMPORAL_UI_PORT:-8233}
PG_URL_ADMIN=${NEOSYNC_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
export NEOSYNC_DB_URL=${NEOSYNC_DB_URL:-postgres://postgres@127.0.0.1:5432/neosync?sslmode=disable}

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

running() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

wait_for() { # name, command, seconds
  local name=$1 cmd=$2 secs=${3:-60}
  for _ in $(seq 1 $((secs * 5))); do
    if eval "$cmd" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "$name did not become ready in ${secs}s; see $RUN/logs/$name.log"
}

# Binaries and tools.
say "building binaries"; make -s build >/dev/null
[[ -x .bin/temporal ]] || { say "installing the Temporal CLI (first time: ~7 minutes)"; make -s temporal-cli; }

# Postgres for the API's state.
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    wait_for postgres "pg_isready -h 127.0.0.1 -p 5432 -q" 30
  else
    die "PostgreSQL is not running on 127.0.0.1:5432 and is not installed here. Install it (apt-get install postgresql) or point NEOSYNC_DB_URL at one."
  fi
fi
psql "$PG_URL_ADMIN" -tAc "SELECT 1 FROM pg_database WHERE datname = 'neosync'" | grep -q 1 \
  || { say "creating database neosync"; psql "$PG_URL_ADMIN" -qc 'CREATE DATABASE neosync'; }

# The encryption key for saved credentials: made once, kept in .run.
if [[ -z "${NEOSYNC_ENCRYPTION_KEY:-}" ]]; then
  [[ -f "$RUN/encryption.key" ]] || { umask 077; openssl rand -hex 32 > "$RUN/encryption.key"; }
  export NEOSYNC_ENCRYPTION_KEY=$(cat "$RUN/encryption.key")
fi

# Temporal dev server (state in a file, so runs survive make down/up).
if ! running temporal; then
  say "starting the Temporal dev server on 127.0.0.1:$TEMPORAL_PORT (UI :$TEMPORAL_UI_PORT)"
  nohup .bin/temporal server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" \
    --db-filename "$RUN/temporal.db" --log-level warn > "$RUN/logs/temporal.log" 2>&1 &
  echo $! > "$RUN/temporal.pid"
fi
wait_for temporal ".bin/temporal operator cluster health --address 127.0.0.1:$TEMPORAL_PORT | grep -q SERVING" 90
running temporal || die "the Temporal dev server exited (is port $TEMPORAL_PORT taken?); see $RUN/logs/temporal.log"
export TEMPORAL_URL=127.0.0.1:$TEMPORAL_PORT

# API.
if ! running api; then
  say "migrating and starting the API on $API_ADDR"
  bin/neosync-api migrate up > "$RUN/logs/migrate.log" 2>&1 || die "migration failed; see $RUN/logs/migrate.log"
  NEOSYNC_LISTEN_ADDR=$API_ADDR nohup bin/neosync-api serve > "$RUN/logs/api.log" 2>&1 &
  echo $! > "$RUN/api.pid"
fi
wait_for api "curl -fsS http://$API_ADDR/healthz" 30
running api || die "the API exited (is $API_ADDR taken?); see $RUN/logs/api.log"
export NEOSYNC_API_URL=http://$API_ADDR

# Worker, with a worker key made once.
if [[ ! -s "$RUN/worker.key" ]]; then
  (umask 077; bin/neosync-api apikey create -worker -name local-worker > "$RUN/worker.key")
fi
if ! running worker; then
  say "starting the worker"
  NEOSYNC_API_KEY=$(cat "$RUN/worker.key") nohup bin/neosync-worker serve > "$RUN/logs/worker.log" 2>&1 &
  echo $! > "$RUN/worker.pid"
  sleep 1
  running worker || die "the worker exited; see $RUN/logs/worker.log"
fi

# Web app (built once; rebuilt when its sources are newer than the build).
WEB_PORT=${NEOSYNC_WEB_PORT:-3000}
if ! running web; then
  if [[ ! -d frontend/node_modules ]]; then say "installing the web app's packages"; (cd frontend && npm ci --no-audit --no-fund >/dev/null); fi
  if [[ ! -f frontend/.next/BUILD_ID ]] || [[ -n "$(find frontend/src -newer frontend/.next/BUILD_ID -print -quit)" ]]; then
    say "building the web app"; (cd frontend && npm run build >"$RUN/logs/web-build.log" 2>&1) || die "web app build failed; see $RUN/logs/web-build.log"
  fi
  say "starting the web app on 127.0.0.1:$WEB_PORT"
  (cd frontend && NEOSYNC_API_URL=http://$API_ADDR nohup node_modules/.bin/next start -p "$WEB_PORT" -H 127.0.0.1 > "$RUN/logs/web.log" 2>&1 & echo $! > "$RUN/web.pid")
fi
wait_for web "curl -fsS -o /dev/null http://127.0.0.1:$WEB_PORT/" 60

cat <<MSG

Neosync is up:
  API          http://$API_ADDR   (Connect, gRPC, gRPC-Web; single-user mode, loopback only)
  Temporal UI  http://127.0.0.1:$TEMPORAL_UI_PORT
  Logs         $RUN/logs/
  CLI          NEOSYNC_API_URL=http://$API_ADDR bin/neosync --help
  Web app      http://127.0.0.1:$WEB_PORT
Stop everything with: make down
MSG
