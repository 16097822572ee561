# shellcheck shell=bash disable=SC2034  # settings are read by the scripts that source this file
# Sourced by up.sh, down.sh and demo.sh (never run): the settings they share,
# read once from the environment, and the helpers that start, find and stop
# the processes make up owns. The caller has cd'ed to the repository root.
#
# Settings (defaults in brackets):
#   NEOSYNC_RUN_DIR            pids, logs and the Temporal state [.run]
#   NEOSYNC_DB_URL             the API's database, created when missing
#                              [postgres://postgres@127.0.0.1:5432/neosync?sslmode=disable]
#   NEOSYNC_PG_ADMIN_URL       a role that may create databases [NEOSYNC_DB_URL's server, database postgres]
#   NEOSYNC_KEYS_DIR           where each API database's encryption key and worker key live, one
#                              directory per database [${XDG_STATE_HOME:-~/.local/state}/neosync/databases]
#   NEOSYNC_LISTEN_ADDR        the API [127.0.0.1:8080]
#   NEOSYNC_TEMPORAL_PORT      Temporal gRPC [7233] (its HTTP and metrics ports are picked free)
#   NEOSYNC_TEMPORAL_UI_PORT   the Temporal Web UI [8233]
#   NEOSYNC_WEB_PORT           the web app [3000]
#   NEOSYNC_WEB                on | off: start the web app [on]

ROOT=${ROOT:-$PWD}
RUN=${NEOSYNC_RUN_DIR:-$ROOT/.run}
case $RUN in /*) ;; *) RUN=$ROOT/$RUN ;; esac

API_ADDR=${NEOSYNC_LISTEN_ADDR:-127.0.0.1:8080}
API_PORT=${API_ADDR##*:}
TEMPORAL_PORT=${NEOSYNC_TEMPORAL_PORT:-7233}
TEMPORAL_UI_PORT=${NEOSYNC_TEMPORAL_UI_PORT:-8233}
WEB_PORT=${NEOSYNC_WEB_PORT:-3000}
WEB=${NEOSYNC_WEB:-on}

export NEOSYNC_DB_URL=${NEOSYNC_DB_URL:-postgres://postgres@127.0.0.1:5432/neosync?sslmode=disable}

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# db_part URL: the URL's server (host_port) and database name, without user,
# password or parameters, e.g. "127.0.0.1:5432 neosync".
db_part() {
  local u=${1#*://}
  u=${u%%\?*}
  u=${u##*@}
  local server=${u%%/*} name=
  [[ $u == */* ]] && name=${u#*/}
  printf '%s %s\n' "${server:-localhost}" "$name"
}

# db_id URL: a file-name-safe identity of the database (server and name), so
# each database keeps its own keys, e.g. 127.0.0.1_5432_neosync.
db_id() {
  local server name
  read -r server name < <(db_part "$1")
  printf '%s_%s\n' "$server" "$name" | tr -c 'A-Za-z0-9._\n-' '_'
}

# keys_dir URL: the directory holding that database's encryption key and
# worker key.
keys_dir() {
  printf '%s/%s\n' "${NEOSYNC_KEYS_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/neosync/databases}" "$(db_id "$1")"
}

# running NAME: the process make up started as NAME is alive.
running() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

# start_bg NAME PORTS COMMAND...: start COMMAND in its own session (so
# make down can stop it with every child it spawns), log to logs/NAME.log and
# record its pid and the ports it will listen on.
start_bg() {
  local name=$1 ports=$2
  shift 2
  setsid "$@" > "$RUN/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
  echo "$ports" > "$RUN/$name.ports"
}

# port_holder PORT: prints who listens on PORT (name, pid, command line);
# fails when nobody does.
port_holder() {
  local port=$1 line
  if command -v ss >/dev/null; then
    line=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n1)
    [[ -n $line ]] || return 1
    if [[ $line =~ users:\(\(\"([^\"]*)\",pid=([0-9]+) ]]; then
      local name=${BASH_REMATCH[1]} pid=${BASH_REMATCH[2]} args
      args=$(ps -o args= -p "$pid" 2>/dev/null | cut -c1-160)
      printf '%s (pid %s: %s)\n' "$name" "$pid" "${args:-?}"
    else
      printf 'a process this user may not see (sudo ss -ltnp "sport = :%s" names it)\n' "$port"
    fi
    return 0
  fi
  # No ss: a connection tells that the port is taken, not by whom.
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 1
  printf 'a process (install iproute2 for ss to name it)\n'
}

# descendants PID: every process below PID, children first-level first.
descendants() {
  local c
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$c"
    descendants "$c"
  done
}

# stop_tree PID: stop PID, its process group and every descendant; TERM,
# then KILL after 10 s. The tree is listed before the first signal, since
# orphans are re-parented and could no longer be found from PID.
stop_tree() {
  local pid=$1 pgid pids p
  pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')
  pids="$pid $(descendants "$pid" | tr '\n' ' ')"
  [[ $pgid == "$pid" ]] && kill -TERM -- "-$pid" 2>/dev/null
  # shellcheck disable=SC2086  # a list of pids
  kill -TERM $pids 2>/dev/null
  for _ in $(seq 1 50); do
    local alive=
    for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ -z $alive ]] && return 0
    sleep 0.2
  done
  [[ $pgid == "$pid" ]] && kill -KILL -- "-$pid" 2>/dev/null
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null
  return 0
}
