#!/usr/bin/env bash
# make up: start Postgres (if installed but down), the Temporal dev server,
# the API (migrated), the worker and the web app in the background, with logs
# and pids in .run/ (git-ignored). Idempotent: what is already running is left
# alone. Settings: see scripts/lib.sh.
#
# Keys live with the database they belong to, not with the checkout: each API
# database (server + name) has a directory under NEOSYNC_KEYS_DIR holding the
# encryption key its connections were saved with and the worker's key, so a
# `git clean`, a second checkout or a switch between databases keeps working.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. scripts/lib.sh
[[ $# -eq 0 ]] || die "usage: make up (settings come from the environment: see scripts/lib.sh)"
mkdir -p "$RUN/logs"

# wait_for NAME COMMAND SECONDS: until COMMAND succeeds; fails early when the
# process make up started as NAME has exited.
wait_for() {
  local name=$1 cmd=$2 secs=${3:-60}
  for _ in $(seq 1 $((secs * 5))); do
    if eval "$cmd" >/dev/null 2>&1; then return 0; fi
    if [[ -f "$RUN/$name.pid" ]] && ! running "$name"; then
      tail -n 5 "$RUN/logs/$name.log" >&2 || true
      die "$name exited; see $RUN/logs/$name.log"
    fi
    sleep 0.2
  done
  die "$name did not become ready in ${secs}s; see $RUN/logs/$name.log"
}

# need_port PORT WHAT VARIABLE: fail now, naming the holder, when PORT is taken.
need_port() {
  local holder hint=""
  holder=$(port_holder "$1") || return 0
  if [[ $holder =~ \(pid\ ([0-9]+): ]] && [[ $holder == *"$ROOT"* || "$(readlink "/proc/${BASH_REMATCH[1]}/cwd" 2>/dev/null)" == "$ROOT"* ]]; then
    hint=" It runs from this checkout (a make up whose pid files in $RUN are gone?): stop it with kill ${BASH_REMATCH[1]}."
  fi
  die "port $1 ($2) is taken by $holder. Stop it, or choose another port with $3.$hint"
}

# Binaries and tools.
# Stamped with the commit's date rather than the clock, so an unchanged tree
# is not relinked on every make up.
build_date=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
say "building binaries"; make -s build DATE="$build_date" >/dev/null
[[ -x .bin/temporal ]] || { say "installing the Temporal CLI (first time: ~7 minutes)"; make -s temporal-cli; }

# Every port we are about to listen on must be free: say now who holds one.
if ! running temporal; then
  need_port "$TEMPORAL_PORT" Temporal NEOSYNC_TEMPORAL_PORT
  need_port "$TEMPORAL_UI_PORT" "the Temporal UI" NEOSYNC_TEMPORAL_UI_PORT
fi
running api || need_port "$API_PORT" "the API" NEOSYNC_LISTEN_ADDR
[[ $WEB == off ]] || running web || need_port "$WEB_PORT" "the web app" NEOSYNC_WEB_PORT

# Postgres for the API's state.
read -r DB_SERVER DB_NAME < <(db_part "$NEOSYNC_DB_URL")
[[ -n $DB_NAME ]] || die "NEOSYNC_DB_URL names no database: $DB_SERVER"
PG_HOST=${DB_SERVER%:*} PG_PORT=5432
[[ $DB_SERVER == *:* ]] && PG_PORT=${DB_SERVER##*:}
if ! pg_isready -h "$PG_HOST" -p "$PG_PORT" -q 2>/dev/null; then
  if [[ $PG_HOST =~ ^(127\.0\.0\.1|localhost)$ ]] && command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 150); do pg_isready -h "$PG_HOST" -p "$PG_PORT" -q && break; sleep 0.2; done
    pg_isready -h "$PG_HOST" -p "$PG_PORT" -q || die "PostgreSQL did not start on $DB_SERVER"
  else
    die "PostgreSQL is not running on $DB_SERVER. Install it (apt-get install postgresql), start it, or point NEOSYNC_DB_URL at one."
  fi
fi
PG_ADMIN=${NEOSYNC_PG_ADMIN_URL:-$(printf '%s' "$NEOSYNC_DB_URL" | sed -E 's#^([^/]*//[^/]*)/[^?]*#\1/postgres#')}
if [[ -z $(psql "$PG_ADMIN" -v ON_ERROR_STOP=1 -v db="$DB_NAME" -tA <<<"SELECT 1 FROM pg_database WHERE datname = :'db'") ]]; then
  say "creating database $DB_NAME"
  psql "$PG_ADMIN" -q -v ON_ERROR_STOP=1 -v db="$DB_NAME" <<<'CREATE DATABASE :"db"'
fi

# This database's keys.
KEYS=$(keys_dir "$NEOSYNC_DB_URL")
(umask 077; mkdir -p "$KEYS")
for f in encryption.key worker.key; do
  # Before keys were kept per database, make up kept them in .run for the database "neosync".
  if [[ -s "$RUN/$f" && ! -s "$KEYS/$f" && $DB_NAME == neosync ]]; then
    mv "$RUN/$f" "$KEYS/$f"; say "moved $RUN/$f to $KEYS/$f"
  fi
done
if [[ -z "${NEOSYNC_ENCRYPTION_KEY:-}" ]]; then
  [[ -s "$KEYS/encryption.key" ]] || (umask 077; openssl rand -hex 32 > "$KEYS/encryption.key")
  NEOSYNC_ENCRYPTION_KEY=$(cat "$KEYS/encryption.key")
  export NEOSYNC_ENCRYPTION_KEY
  say "database $DB_NAME on $DB_SERVER: its encryption key is $KEYS/encryption.key"
fi

# Temporal dev server (state in a file, so runs survive make down/up).
if ! running temporal; then
  say "starting the Temporal dev server on 127.0.0.1:$TEMPORAL_PORT (UI :$TEMPORAL_UI_PORT)"
  start_bg temporal "$TEMPORAL_PORT $TEMPORAL_UI_PORT" \
    .bin/temporal server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" --db-filename "$RUN/temporal.db" --log-level warn
fi
wait_for temporal ".bin/temporal operator cluster health --address 127.0.0.1:$TEMPORAL_PORT | grep -q SERVING" 90
export TEMPORAL_URL=127.0.0.1:$TEMPORAL_PORT

# API.
if running api && [[ -s "$RUN/api.db" && "$(cat "$RUN/api.db")" != "$NEOSYNC_DB_URL" ]]; then
  die "the API make up started (pid $(cat "$RUN/api.pid")) serves another database ($(db_part "$(cat "$RUN/api.db")" | tr ' ' /)); run make down first"
fi
if ! running api; then
  say "migrating and starting the API on $API_ADDR"
  bin/neosync-api migrate up > "$RUN/logs/migrate.log" 2>&1 || die "migration failed; see $RUN/logs/migrate.log"
  NEOSYNC_LISTEN_ADDR=$API_ADDR start_bg api "$API_PORT" bin/neosync-api serve
  printf '%s\n' "$NEOSYNC_DB_URL" > "$RUN/api.db"
fi
wait_for api "curl -fsS http://$API_ADDR/healthz" 30
export NEOSYNC_API_URL=http://$API_ADDR

# Worker key: made once per database, checked against the API just started
# (a database dropped and re-created no longer holds it).
new_worker_key() { (umask 077; bin/neosync-api apikey create -worker -name local-worker > "$KEYS/worker.key.new") && mv "$KEYS/worker.key.new" "$KEYS/worker.key"; }
[[ -s "$KEYS/worker.key" ]] || new_worker_key
set +e
check=$(NEOSYNC_API_KEY=$(cat "$KEYS/worker.key") bin/neosync-worker check 2>&1)
rc=$?
set -e
case $rc in
  0) ;;
  3)
    new_worker_key
    say "the stored worker key ($KEYS/worker.key) was rejected by the API (database $DB_NAME does not hold it): made a new one"
    if running worker; then say "restarting the worker with the new key"; stop_tree "$(cat "$RUN/worker.pid")"; rm -f "$RUN/worker.pid"; fi
    ;;
  *) die "checking the worker key: $check" ;;
esac

if ! running worker; then
  say "starting the worker"
  NEOSYNC_API_KEY=$(cat "$KEYS/worker.key") start_bg worker "" bin/neosync-worker serve
fi
wait_for worker "grep -q 'neosync-worker polling' '$RUN/logs/worker.log'" 60

# Web app (built once; rebuilt when its sources are newer than the build).
if [[ $WEB != off ]]; then
  if ! running web; then
    if [[ ! -d frontend/node_modules ]]; then say "installing the web app's packages"; (cd frontend && npm ci --no-audit --no-fund >/dev/null); fi
    if [[ ! -f frontend/.next/BUILD_ID ]] || [[ -n "$(find frontend/src -newer frontend/.next/BUILD_ID -print -quit)" ]]; then
      say "building the web app"; (cd frontend && npm run build >"$RUN/logs/web-build.log" 2>&1) || die "web app build failed; see $RUN/logs/web-build.log"
    fi
    say "starting the web app on 127.0.0.1:$WEB_PORT"
    start_bg web "$WEB_PORT" env -C frontend NEOSYNC_API_URL="http://$API_ADDR" node_modules/.bin/next start -p "$WEB_PORT" -H 127.0.0.1
  fi
  wait_for web "curl -fsS -o /dev/null http://127.0.0.1:$WEB_PORT/" 60
fi

cat <<MSG

Neosync is up:
  API          http://$API_ADDR   (Connect, gRPC, gRPC-Web; single-user mode, loopback only)
  Temporal UI  http://127.0.0.1:$TEMPORAL_UI_PORT
  Database     $DB_NAME on $DB_SERVER (keys in $KEYS)
  Logs         $RUN/logs/
  CLI          NEOSYNC_API_URL=http://$API_ADDR bin/neosync --help
MSG
[[ $WEB == off ]] && echo "  Web app      not started (NEOSYNC_WEB=off)" || echo "  Web app      http://127.0.0.1:$WEB_PORT"
echo "Stop everything with: make down"
