#!/usr/bin/env bash
# make down: stop exactly what make up started — each process with its whole
# process group and every descendant (the web app's next-server is a child of
# `next start`) — then check that none of the ports make up listened on is
# still held. Exits non-zero, naming the holder, when one is.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
. scripts/lib.sh
[[ $# -eq 0 ]] || die "usage: make down (settings come from the environment: see scripts/lib.sh)"

ports=""
for name in web worker api temporal; do
  f=$RUN/$name.pid
  [[ -f $f ]] || continue
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    echo "stopping $name (pid $pid)"
    stop_tree "$pid"
  fi
  [[ -f $RUN/$name.ports ]] && ports="$ports $(cat "$RUN/$name.ports")"
  rm -f "$f" "$RUN/$name.ports"
done
rm -f "$RUN/api.db"

status=0
for port in $ports; do
  # A socket can outlive its process for a moment while the kernel closes it.
  for _ in $(seq 1 25); do port_holder "$port" >/dev/null || break; sleep 0.2; done
  if holder=$(port_holder "$port"); then
    echo "error: port $port is still held by $holder" >&2
    status=1
  fi
done
exit $status
