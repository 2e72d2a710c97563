#!/usr/bin/env bash
# Checks the example migrations in sql/ against a real PostgreSQL server.
#
#  1. Static checks: file names and up/down pairs, UTF-8, LF line endings,
#     a leading `--` header comment, no psql meta-commands, no BEGIN/COMMIT.
#  2. For each environment (development, production), in a throwaway database:
#     - before every up: pg_dump --schema-only and a data snapshot;
#     - apply every up in version order (psql -v ON_ERROR_STOP=1 -1 -f);
#     - dump the fully migrated state (S_all);
#     - run every down in reverse order, checking after each that schema and
#       data equal the snapshot taken just before its up;
#     - re-apply every up and check schema and data equal S_all again.
#     The data snapshot is the row count of every table in public, plus the
#     full contents of the seeded reference table property_kinds.
#  3. Drop the databases (also on failure, via trap).
#
# Connection: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres).
# Usage: scripts/check-examples.sh [MIGRATIONS_DIR]   (default: sql/)
set -euo pipefail

export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-postgres}"
unset PGDATABASE PGOPTIONS

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${1:-$ROOT/sql}"
WORK="$(mktemp -d)"
DBS=()
FAILURES=0

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

cleanup() {
  local db
  for db in "${DBS[@]}"; do
    psql_q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL $*"; FAILURES=$((FAILURES + 1)); }

# ---------------------------------------------------------------- 1. static
echo "== static checks: $DIR"
mapfile -t FILES < <(cd "$DIR" && find . -type f -name '*.sql' | sed 's|^\./||' | sort)
declare -A UP DOWN NAME
for f in "${FILES[@]}"; do
  base="$(basename "$f")"
  if [[ ! "$base" =~ ^([0-9]{3})_([A-Za-z0-9_]+)\.(up|down)\.sql$ ]]; then
    fail "$f: name does not match NNN_name.(up|down).sql"; continue
  fi
  v="${BASH_REMATCH[1]}"; n="${BASH_REMATCH[2]}"; kind="${BASH_REMATCH[3]}"
  if [[ "$kind" == up ]]; then
    if [[ -n "${UP[$v]:-}" ]]; then fail "$f: duplicate up for version $v"; fi
    UP[$v]="$f"
  else
    if [[ -n "${DOWN[$v]:-}" ]]; then fail "$f: duplicate down for version $v"; fi
    DOWN[$v]="$f"
  fi
  if [[ -n "${NAME[$v]:-}" && "${NAME[$v]}" != "$n" ]]; then
    fail "$f: name differs from its pair (${NAME[$v]})"
  fi
  NAME[$v]="$n"

  path="$DIR/$f"
  if ! iconv -f UTF-8 -t UTF-8 "$path" >/dev/null 2>&1; then fail "$f: not valid UTF-8"; fi
  if head -c3 "$path" | grep -q $'^\xef\xbb\xbf'; then fail "$f: starts with a BOM"; fi
  if grep -q $'\r' "$path"; then fail "$f: CR (non-LF) line endings"; fi
  if [[ -n "$(tail -c1 "$path")" ]]; then fail "$f: no final newline"; fi
  if ! head -n1 "$path" | grep -Eq '^-- [^ ]'; then fail "$f: does not start with a '-- ' header comment"; fi
  if head -n1 "$path" | grep -Eq '^--[[:space:]]*tidemark:'; then fail "$f: unexpected directive on line 1"; fi
  if grep -nE '^[[:space:]]*\\' "$path"; then fail "$f: psql meta-command"; fi
  if grep -nE '^[[:space:]]*(BEGIN|COMMIT|ROLLBACK|ABORT|START[[:space:]]+TRANSACTION)([[:space:]]+(WORK|TRANSACTION))?[[:space:]]*;' \
       -i "$path"; then
    fail "$f: transaction control statement"
  fi
  # A bare `END;` is COMMIT at top level; allow it only in files with a $$ body.
  if grep -qiE '^[[:space:]]*END[[:space:]]*;' "$path" && ! grep -qF '$$' "$path"; then
    fail "$f: END; outside a function body"
  fi
done
mapfile -t VERSIONS < <(printf '%s\n' "${!UP[@]}" "${!DOWN[@]}" | sort -un)
for v in "${VERSIONS[@]}"; do
  [[ -n "${UP[$v]:-}" ]] || fail "version $v: down without up"
  [[ -n "${DOWN[$v]:-}" ]] || fail "version $v: up without down"
done
echo "   ${#FILES[@]} files, ${#VERSIONS[@]} migrations: ${VERSIONS[*]}"
if ((FAILURES)); then echo "static checks failed ($FAILURES)"; exit 1; fi
echo "ok  static checks"

# ---------------------------------------------------------------- 2. database
snapshot() { # db out-prefix
  # pg_dump >= 17.6/16.10/15.14 wraps the dump in \restrict/\unrestrict with a
  # random key; drop those lines so two dumps of one schema compare equal.
  pg_dump --schema-only -d "$1" | grep -Ev '^\\(un)?restrict ' >"$2.schema"
  psql_q -d "$1" -At -F ' ' >"$2.data" <<'SQL'
SELECT 'rows ' || c.relname || ' ' ||
       (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname),
                           false, true, '')))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
ORDER BY c.relname;
SQL
  if [[ "$(psql_q -d "$1" -At -c "SELECT to_regclass('public.property_kinds') IS NOT NULL")" == t ]]; then
    psql_q -d "$1" -At >>"$2.data" \
      -c "SELECT 'property_kinds ' || row_to_json(k)::text FROM property_kinds k ORDER BY k.code"
  fi
}

same() { # label expected-prefix actual-prefix
  local ok=1 part
  for part in schema data; do
    if ! diff -u "$2.$part" "$3.$part" >"$WORK/diff" 2>&1; then
      fail "$1: $part differs"; head -n 60 "$WORK/diff" | sed 's/^/     /'; ok=0
    fi
  done
  ((ok)) && echo "ok  $1"
  return 0
}

seeded() { # prefix -> "property_kinds=N molecules=N ..." summary of nonzero counts
  awk '$1 == "rows" && $3 != "0" { printf "%s%s=%s", sep, $2, $3; sep=" " }' "$1.data"
}

run_file() { # db env file
  PGOPTIONS="-c tidemark.environment=$2" psql_q -1 -d "$1" -f "$DIR/$3" >/dev/null
}

for env in development production; do
  db="tidemark_examples_$$_$env"
  DBS+=("$db")
  echo "== environment '$env', database $db"
  psql_q -d postgres -c "CREATE DATABASE \"$db\" TEMPLATE template0" >/dev/null
  S="$WORK/$env"; mkdir -p "$S"

  snapshot "$db" "$S/S0"
  for v in "${VERSIONS[@]}"; do
    snapshot "$db" "$S/pre_$v"
    if run_file "$db" "$env" "${UP[$v]}"; then
      echo "ok  up   ${UP[$v]}"
    else
      fail "up ${UP[$v]}"; continue 2
    fi
  done
  snapshot "$db" "$S/S_all"
  echo "    seeded rows: $(seeded "$S/S_all")"

  for ((i = ${#VERSIONS[@]} - 1; i >= 0; i--)); do
    v="${VERSIONS[$i]}"
    if run_file "$db" "$env" "${DOWN[$v]}"; then
      snapshot "$db" "$S/post_down_$v"
      same "down ${DOWN[$v]} restores the state before its up" "$S/pre_$v" "$S/post_down_$v"
    else
      fail "down ${DOWN[$v]}"; continue 2
    fi
  done
  same "all downs restore S0" "$S/S0" "$S/post_down_${VERSIONS[0]}"

  for v in "${VERSIONS[@]}"; do
    run_file "$db" "$env" "${UP[$v]}" || { fail "re-apply ${UP[$v]}"; continue 2; }
  done
  snapshot "$db" "$S/S_again"
  same "re-applying all ups gives S_all again ($(seeded "$S/S_again"))" "$S/S_all" "$S/S_again"

  psql_q -d postgres -c "DROP DATABASE \"$db\" WITH (FORCE)" >/dev/null
done

if ((FAILURES)); then
  echo "FAILED: $FAILURES check(s)"
  exit 1
fi
echo "PASSED: every down undoes its up exactly, in every environment"
