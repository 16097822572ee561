#!/usr/bin/env bash
# make down: stop exactly what make up started, by pid.
set -uo pipefail
cd "$(dirname "$0")/.."
RUN=.run
for name in web worker api temporal; do
  f=$RUN/$name.pid
  [[ -f $f ]] || continue
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    echo "stopping $name (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$f"
done
