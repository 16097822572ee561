#!/usr/bin/env bash
# make demo: the whole platform and a sample anonymized sync, in one command.
# The demo owns its two databases (NEOSYNC_DEMO_DB_PREFIX_production and
# _staging, prefix [neosync_demo]), re-created on every run, and its objects in
# the API (connections demo-production and demo-staging, job demo-anonymize),
# updated by `neosync apply`. The API database's encryption key is kept with
# that database (see up.sh), so a removed .run/ or another checkout reuses it;
# when the key file itself was lost, the demo says how to recover.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. scripts/lib.sh
[[ $# -eq 0 ]] || die "usage: make demo (settings come from the environment: see scripts/lib.sh)"
scripts/up.sh
export NEOSYNC_API_URL=http://$API_ADDR
export NEOSYNC_CONFIG_DIR=$RUN/cli
PG=${NEOSYNC_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
PREFIX=${NEOSYNC_DEMO_DB_PREFIX:-neosync_demo}
[[ $PREFIX =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "error: NEOSYNC_DEMO_DB_PREFIX must be a lower-case SQL name, got \"$PREFIX\"" >&2; exit 1; }
base=${PG%%\?*}
base=${base%/*}
export DEMO_SOURCE_URL="$base/${PREFIX}_production?sslmode=disable"
export DEMO_DEST_URL="$base/${PREFIX}_staging?sslmode=disable"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

say "seeding a sample production database (10 tables, ~118k rows of PII)"
for db in "${PREFIX}_production" "${PREFIX}_staging"; do
  psql "$PG" -q -v ON_ERROR_STOP=1 -v db="$db" >/dev/null <<<'DROP DATABASE IF EXISTS :"db" WITH (FORCE);
CREATE DATABASE :"db";'
done
psql "$DEMO_SOURCE_URL" -q -v ON_ERROR_STOP=1 -f demo/seed.sql >/dev/null

say "declaring the connections and the job (neosync apply -f demo/neosync.yaml)"
if ! out=$(bin/neosync apply -f demo/neosync.yaml 2>&1); then
  printf '%s\n' "$out"
  if [[ $out == *"cannot be decrypted"* ]]; then
    read -r server name < <(db_part "$NEOSYNC_DB_URL")
    cat <<MSG

The API database $name on $server holds the demo's connections encrypted with another key than
the API runs with (NEOSYNC_ENCRYPTION_KEY if you set it, else $(keys_dir "$NEOSYNC_DB_URL")/encryption.key,
which was then replaced or removed). Put the original key back, or start from an empty API database:
  make down && psql "${NEOSYNC_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}" -c 'DROP DATABASE "$name"' && make demo
MSG
  fi
  exit 1
fi
printf '%s\n' "$out"

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
