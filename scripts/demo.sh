#!/usr/bin/env bash
# make demo: the whole platform and a sample anonymized sync, in one command.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/up.sh
API_ADDR=${NEOSYNC_LISTEN_ADDR:-127.0.0.1:8080}
export NEOSYNC_API_URL=http://$API_ADDR
export NEOSYNC_CONFIG_DIR=$PWD/.run/cli
PG=${NEOSYNC_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
base=${PG%/*}
export DEMO_SOURCE_URL="$base/neosync_demo_production?sslmode=disable"
export DEMO_DEST_URL="$base/neosync_demo_staging?sslmode=disable"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

say "seeding a sample production database (10 tables, ~118k rows of PII)"
for db in neosync_demo_production neosync_demo_staging; do
  psql "$PG" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
done
psql "$DEMO_SOURCE_URL" -q -v ON_ERROR_STOP=1 -f demo/seed.sql >/dev/null

say "declaring the connections and the job (neosync apply -f demo/neosync.yaml)"
bin/neosync apply -f demo/neosync.yaml

say "running the job with live progress (neosync jobs trigger demo-anonymize --wait)"
bin/neosync jobs trigger demo-anonymize --wait

say "the same customers before (production) and after (staging)"
sql="SELECT id, first_name || ' ' || last_name AS name, email, phone FROM shop.customers ORDER BY id LIMIT 5"
echo "production:"; psql "$DEMO_SOURCE_URL" -P pager=off -c "$sql"
echo "staging:";    psql "$DEMO_DEST_URL" -P pager=off -c "$sql"
sql="SELECT id, full_name, email, ssn, salary FROM shop.employees ORDER BY id LIMIT 3"
echo "production:"; psql "$DEMO_SOURCE_URL" -P pager=off -c "$sql"
echo "staging:";    psql "$DEMO_DEST_URL" -P pager=off -c "$sql"

say "the run and its verification report"
run=$(bin/neosync runs list --job demo-anonymize -o json | grep -o '"id": *"[^"]*"' | head -n1 | sed 's/.*"\([^"]*\)"$/\1/')
bin/neosync runs get "$run"
echo
echo "Done. The platform is still running (make down stops it)."
