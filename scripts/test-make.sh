#!/usr/bin/env bash
# make test-scripts: make up, make down and make demo as a user who has run
# the project before meets them. Each check fails with the output it got.
#
#   0. make bench, from a checkout without .bin/, installs the Temporal CLI;
#   1. a taken port is reported with the process that holds it;
#   2. make demo (which runs make up, here with the web app) then make down
#      leaves no listener and no process of ours;
#   2b. the same for a service whose listener is a child process;
#   3. rm -rf .run, make demo again: the database's encryption key was kept;
#   4. make up against database A, make down, make up against a fresh database
#      B, then make demo succeeds;
#   5. B loses its keys (the worker key deleted from the database, as a
#      re-created database would; the encryption key file replaced): make up
#      says the stored worker key was rejected, makes a new one and the worker
#      starts; make demo names the key file its connections do not match.
#
# It runs on free ports with its own run dir, key dir and databases, so a
# `make up` of the user's keeps running, and removes all of them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. scripts/lib.sh

T=$(mktemp -d "${TMPDIR:-/tmp}/neosync-make-test.XXXXXX")
ID=$(openssl rand -hex 4)
PG_ADMIN=${NEOSYNC_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
pg_base=${PG_ADMIN%%\?*}
pg_base=${pg_base%/*}
DB_A=neosync_mk_${ID}_a DB_B=neosync_mk_${ID}_b DEMO=neosync_mk_${ID}_demo
URL_A="$pg_base/$DB_A?sslmode=disable" URL_B="$pg_base/$DB_B?sslmode=disable"

USED=""
pick_port() { # sets PORT to a free port not picked before
  while :; do
    PORT=$((20000 + RANDOM % 40000))
    [[ " $USED " == *" $PORT "* ]] && continue
    port_holder "$PORT" >/dev/null && continue
    USED="$USED $PORT"
    return 0
  done
}
pick_port; P_API=$PORT
pick_port; P_TEMPORAL=$PORT
pick_port; P_UI=$PORT
pick_port; P_WEB=$PORT

unset NEOSYNC_ENCRYPTION_KEY NEOSYNC_API_KEY NEOSYNC_API_URL NEOSYNC_CONFIG_DIR TEMPORAL_URL TEMPORAL_TASK_QUEUE XDG_STATE_HOME
export NEOSYNC_RUN_DIR=$T/run NEOSYNC_KEYS_DIR=$T/keys NEOSYNC_PG_ADMIN_URL=$PG_ADMIN NEOSYNC_DEMO_DB_PREFIX=$DEMO \
  NEOSYNC_LISTEN_ADDR=127.0.0.1:$P_API NEOSYNC_TEMPORAL_PORT=$P_TEMPORAL NEOSYNC_TEMPORAL_UI_PORT=$P_UI \
  NEOSYNC_WEB_PORT=$P_WEB NEOSYNC_WEB=off
RUN=$NEOSYNC_RUN_DIR

SQUATTER=""
cleanup() {
  local rc=$?
  [[ -n $SQUATTER ]] && kill "$SQUATTER" 2>/dev/null
  scripts/down.sh >/dev/null 2>&1 || true
  for db in "$DB_A" "$DB_B" "${DEMO}_production" "${DEMO}_staging"; do
    psql "$PG_ADMIN" -q -v db="$db" >/dev/null 2>&1 <<<'DROP DATABASE IF EXISTS :"db" WITH (FORCE)' || true
  done
  rm -rf "$T"
  exit $rc
}
trap cleanup EXIT

step() { printf '\n\033[1m--- make test-scripts: %s\033[0m\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
# mk OUTVAR TARGET [VAR=value…]: run make TARGET, its output in OUTVAR; fails
# the test, showing the output, unless make succeeds.
mk() {
  local __out=$1 target=$2 o
  shift 2
  if ! o=$(env "$@" make -s --no-print-directory "$target" 2>&1); then
    printf '%s\n' "$o" >&2
    fail "make $target ($*) failed"
  fi
  printf -v "$__out" '%s' "$o"
}
contains() { [[ $1 == *"$2"* ]] || { printf '%s\n' "$1" >&2; fail "$3: the output above does not contain \"$2\""; }; }
lacks() { [[ $1 != *"$2"* ]] || { printf '%s\n' "$1" >&2; fail "$3: the output above contains \"$2\""; }; }

# ours: every process of the sessions make up started, and their descendants.
ours() {
  local f pid
  for f in "$RUN"/*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    echo "$pid"
    pgrep -s "$pid" || true
    descendants "$pid"
  done | sort -u
}

step "0. make bench installs the Temporal CLI its integration packages start"
out=$(make -n --no-print-directory bench TOOLS_BIN="$T/no-tools" 2>&1) || { printf '%s\n' "$out"; fail "make -n bench"; }
contains "$out" "go install github.com/temporalio/cli/cmd/temporal@" "make -n bench without .bin/"
echo ok

step "1. a taken port is named with its holder"
node -e 'require("net").createServer().listen(+process.argv[1], "127.0.0.1")' "$P_API" &
SQUATTER=$!
for _ in $(seq 1 50); do port_holder "$P_API" >/dev/null && break; sleep 0.1; done
out=$(NEOSYNC_DB_URL=$URL_A make -s --no-print-directory up 2>&1) && { printf '%s\n' "$out"; fail "make up succeeded with port $P_API taken"; }
contains "$out" "port $P_API (the API) is taken by node (pid $SQUATTER" "make up with the API's port taken"
contains "$out" "NEOSYNC_LISTEN_ADDR" "make up with the API's port taken"
kill "$SQUATTER"; wait "$SQUATTER" 2>/dev/null || true; SQUATTER=""
[[ ! -f $RUN/temporal.pid ]] || fail "make up started Temporal although a port was taken"
echo ok

step "2. make demo (with the web app) && make down leaves no listener and no process of ours"
mk out demo NEOSYNC_DB_URL="$URL_A" NEOSYNC_WEB=on
contains "$out" "Web app      http://127.0.0.1:$P_WEB" "make demo with the web app"
contains "$out" "Done." "first make demo"
pids=$(ours)
echo "processes of ours: $(tr "\n" " " <<<"$pids")"
[[ $(wc -w <<<"$pids") -ge 4 ]] || fail "expected Temporal, the API, the worker and the web app, got: $pids"
mk out down
for p in $pids; do
  kill -0 "$p" 2>/dev/null && fail "process $p ($(ps -o args= -p "$p")) survived make down"
done
for p in $P_API $P_TEMPORAL $P_UI $P_WEB; do
  if h=$(port_holder "$p"); then fail "port $p is still held after make down by $h"; fi
done
echo ok

step "2b. make down stops a service's children too (a web app whose listener is a child, as next-server was)"
mkdir -p "$RUN/logs"
cat > "$T/web-with-child.sh" <<'SH'
node -e 'require("net").createServer().listen(+process.argv[1], "127.0.0.1")' "$1" &
wait
SH
start_bg web "$P_WEB" bash "$T/web-with-child.sh" "$P_WEB"
for _ in $(seq 1 50); do port_holder "$P_WEB" >/dev/null && break; sleep 0.1; done
pids=$(ours)
[[ $(wc -w <<<"$pids") -ge 2 ]] || fail "expected the stand-in web app and its child, got: $pids"
mk out down
for p in $pids; do
  kill -0 "$p" 2>/dev/null && fail "process $p ($(ps -o args= -p "$p")) survived make down"
done
if h=$(port_holder "$P_WEB"); then fail "port $P_WEB is still held after make down by $h"; fi
echo ok

step "3. rm -rf .run, make demo again: the database's encryption key was kept"
rm -rf "$RUN"
mk out demo NEOSYNC_DB_URL="$URL_A"
contains "$out" "Done." "make demo after rm -rf .run"
lacks "$out" "re-creating" "make demo after rm -rf .run (the key must have been kept)"
echo ok

step "4. make up against A, make down, make up against a fresh B, make demo"
mk out down
mk out up NEOSYNC_DB_URL="$URL_B"
contains "$out" "creating database $DB_B" "make up against B"
mk out demo NEOSYNC_DB_URL="$URL_B"
contains "$out" "Done." "make demo against B"
echo ok

step "5. B loses its keys (worker key gone from the database, encryption key file replaced)"
mk out down
psql "$URL_B" -q -v ON_ERROR_STOP=1 -c 'DELETE FROM api_keys' >/dev/null
openssl rand -hex 32 > "$(keys_dir "$URL_B")/encryption.key"
out=$(NEOSYNC_DB_URL=$URL_B make -s --no-print-directory demo 2>&1) && { printf '%s\n' "$out"; fail "make demo succeeded with B's connections under another key"; }
contains "$out" "the stored worker key ($(keys_dir "$URL_B")/worker.key) was rejected by the API" "make demo against B without its worker key"
contains "$out" "made a new one" "make demo against B without its worker key"
grep -q "neosync-worker polling" "$RUN/logs/worker.log" || fail "the worker did not start with the new key: $(cat "$RUN/logs/worker.log")"
contains "$out" "holds the demo's connections encrypted with another key than" "make demo against B with another encryption key"
contains "$out" "$(keys_dir "$URL_B")/encryption.key" "make demo against B with another encryption key"
mk out down
echo ok

printf '\nmake test-scripts: all checks passed\n'
