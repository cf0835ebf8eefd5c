#!/usr/bin/env bash
# Collab's build and test entry point.
#   ./build.sh test    restore, build, start a throwaway PostgreSQL, migrate it, run every test project (the browser
#                      tests drive Debian's chromium), validate docker-compose.yml, and print one summary line:
#                      "tests: N passed, N failed, N skipped".
#   ./build.sh build   restore and build only.
# Works on a fresh Debian machine: installs Node.js/npm (the web client's packages), PostgreSQL, chromium and
# docker-compose with apt when they are missing.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONFIGURATION="${CONFIGURATION:-Release}"
cd "$ROOT"

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi
}

apt_install() {
  log "Installing $* with apt"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq -o Dpkg::Options::=--force-confold "$@" >/dev/null
}

ensure_node() {
  # src/Web's build runs `npm ci` for the web client's browser libraries when node_modules lacks them.
  command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
}

ensure_chromium() {
  # The browser tests (tests/Collab.BrowserTests) drive Debian's chromium through Playwright; nothing is downloaded.
  [ -x /usr/bin/chromium ] || apt_install chromium
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
}

build() {
  ensure_node
  log "Restore and build ($CONFIGURATION)"
  dotnet build Collab.sln -c "$CONFIGURATION" -nologo -clp:ErrorsOnly
}

# --- PostgreSQL: a private server on 127.0.0.1 in a temp folder, never the system one -----------------
PG_DIR=""
PG_BIN=""
PG_RUN=()

find_postgres() {
  local candidate
  candidate=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$candidate" ] && [ -x "$candidate/pg_ctl" ]; then PG_BIN="$candidate"; return 0; fi
  return 1
}

install_postgres() {
  # Keep apt from creating and starting a system-wide cluster: we only want the binaries.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    as_root mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' | as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  apt_install postgresql
}

start_postgres() {
  find_postgres || { install_postgres; find_postgres || die "PostgreSQL binaries not found after apt-get install postgresql"; }
  PG_DIR=$(mktemp -d /tmp/collab-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    # The server refuses to run as root: run it as the postgres user.
    id postgres >/dev/null 2>&1 || die "no 'postgres' user to run PostgreSQL as (apt-get install postgresql creates it)"
    chown postgres "$PG_DIR"
    chmod 755 "$PG_DIR"
    PG_RUN=(runuser -u postgres --)
  fi
  local port
  for port in $(seq 55432 55532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then PG_PORT=$port; break; fi
  done
  [ -n "${PG_PORT:-}" ] || die "no free port for PostgreSQL in 55432-55532"
  log "Starting PostgreSQL ($PG_BIN) on 127.0.0.1:$PG_PORT in $PG_DIR"
  "${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log"; die "initdb failed"; }
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=300 -c fsync=on" start >/dev/null \
    || { cat "$PG_DIR/server.log"; die "PostgreSQL did not start"; }
  "${PG_RUN[@]}" "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE collab;" >/dev/null
  export COLLAB_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=collab"
}

stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if [ -n "$PG_DIR" ]; then rm -rf "$PG_DIR"; fi
}

# --- tests ----------------------------------------------------------------------------------------------
PASSED=0; FAILED=0; SKIPPED=0

count_trx() {
  local trx="$1" counters
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  local total passed failed notexec
  total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  notexec=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  PASSED=$((PASSED + ${passed:-0}))
  FAILED=$((FAILED + ${failed:-0} + ${total:-0} - ${passed:-0} - ${failed:-0} - ${notexec:-0}))
  SKIPPED=$((SKIPPED + ${notexec:-0}))
}

run_tests() {
  local results="$ROOT/TestResults" status=0 project name
  for project in tests/*/*.csproj; do
    name=$(basename "$project" .csproj)
    log "Testing $name"
    if ! dotnet test "$project" -c "$CONFIGURATION" --no-build -nologo \
        --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results" \
        --blame-hang-timeout 10m; then
      status=1
    fi
    if [ -f "$results/$name.trx" ]; then count_trx "$results/$name.trx"; else FAILED=$((FAILED + 1)); status=1; fi
  done
  return $status
}

run_node_tests() {
  ensure_node
  log "Installing JavaScript dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  log "Testing JavaScript (node --test)"
  local out="$ROOT/TestResults/node.tap" status=0
  mkdir -p "$ROOT/TestResults"
  node --test --test-reporter=tap --test-reporter-destination="$out" --test-reporter=spec --test-reporter-destination=stdout tests/js/ || status=1
  local pass fail skip todo cancelled
  pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out" | tail -n 1)
  fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out" | tail -n 1)
  skip=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$out" | tail -n 1)
  todo=$(sed -n 's/^# todo \([0-9]*\)$/\1/p' "$out" | tail -n 1)
  cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$out" | tail -n 1)
  if [ -z "$pass" ]; then FAILED=$((FAILED + 1)); return 1; fi
  PASSED=$((PASSED + pass)); FAILED=$((FAILED + ${fail:-0} + ${cancelled:-0})); SKIPPED=$((SKIPPED + ${skip:-0} + ${todo:-0}))
  return $status
}

list_failures() {
  # CI shows only the end of the output: name every failed test there, with the first line of its message, so a
  # failure can be read without the whole log.
  local trx tap="$ROOT/TestResults/node.tap"
  for trx in "$ROOT"/TestResults/*.trx; do
    [ -f "$trx" ] || continue
    awk '
      /<UnitTestResult / && /outcome="Failed"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); want = 1; next }
      want && /<Message>/ { line = $0; sub(/.*<Message>/, "", line); sub(/<\/Message>.*/, "", line);
                            printf "FAILED %s\n  %s\n", name, substr(line, 1, 400); want = 0 }
    ' "$trx"
  done
  if [ -f "$tap" ]; then grep -E '^ *not ok ' "$tap" | sed 's/^ */FAILED (node) /' || true; fi
}

validate_compose() {
  command -v docker-compose >/dev/null || apt_install docker-compose
  log "Validating docker-compose.yml"
  COLLAB_SIGNING_KEY="$(head -c 32 /dev/urandom | base64)" docker-compose -f docker-compose.yml config -q
}

migrate() {
  log "Applying migrations to the test database"
  dotnet "src/Silo/bin/$CONFIGURATION/net10.0/Collab.Silo.dll" migrate --ConnectionStrings:Collab="$COLLAB_TEST_POSTGRES"
}

cmd_test() {
  local status=0
  trap stop_postgres EXIT
  rm -rf "$ROOT/TestResults"
  build
  start_postgres
  migrate
  validate_compose || status=1
  ensure_chromium
  run_tests || status=1
  run_node_tests || status=1
  echo
  list_failures
  echo "tests: $PASSED passed, $FAILED failed, $SKIPPED skipped"
  if [ "$status" -ne 0 ] || [ "$FAILED" -ne 0 ]; then return 1; fi
  [ "$PASSED" -gt 0 ] || die "no test ran"
}

case "${1:-test}" in
  test) cmd_test ;;
  build) build ;;
  *) die "usage: ./build.sh [test|build]" ;;
esac
