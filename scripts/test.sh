#!/usr/bin/env bash
# make test: install everything, start a throwaway PostgreSQL (unless DATABASE_URL is set),
# run lint, migration check, the whole pytest suite (browser tests included), then the
# production-configuration stage. With arguments, one pytest run with those arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh postgresql gettext chromium z3950
scripts/venv.sh
py=.venv/bin/python
started=""
if [ -z "${DATABASE_URL:-}" ]; then
  dir=$(mktemp -d /tmp/library-test-pg.XXXXXX)
  chmod 755 "$dir"
  port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  scripts/pg.sh start "$dir/data" "$port"
  export DATABASE_URL=$(scripts/pg.sh url "$dir/data" "$port")
  started="$dir"
  cleanup() { scripts/pg.sh stop "$started/data"; rm -rf "$started"; }
  trap cleanup EXIT
fi
export DJANGO_TEST=1
.venv/bin/ruff check .
$py manage.py compilemessages --ignore=.venv -v 0
$py manage.py makemigrations --check --dry-run -v 0
if [ $# -gt 0 ]; then
  .venv/bin/pytest "$@"
else
  # Stage 1: unit, integration and browser tests, on two workers (pytest-xdist; each worker has its
  # own test database and live server).
  .venv/bin/pytest -n 2 --ignore=tests/production --ignore=tests/security
  # Stages 2 and 3, each one process of its own so each prints how many requests it sent (and the
  # production stage's session fixtures never reorder into the corpus): the hostile-input corpus,
  # and the production configuration (DEBUG off, collectstatic + manifest storage, check --deploy,
  # the URL walk as every role, gunicorn and a browser). They run side by side, one a core, each
  # on a test database of its own (the corpus's is named after "library_corpus"); the corpus's
  # output is printed when both have ended.
  corpus_log=$(mktemp /tmp/library-corpus.XXXXXX.log)
  base_url="${DATABASE_URL%%\?*}"
  corpus_url="${base_url%/*}/library_corpus${DATABASE_URL#"$base_url"}"
  DATABASE_URL="$corpus_url" .venv/bin/pytest tests/security >"$corpus_log" 2>&1 &
  corpus_pid=$!
  # If this script is stopped (Ctrl-C, a failing step), the corpus is stopped with it.
  trap 'kill "$corpus_pid" 2>/dev/null || true; if [ -n "$started" ]; then cleanup; fi' EXIT
  production_rc=0
  .venv/bin/pytest tests/production || production_rc=$?
  corpus_rc=0
  wait "$corpus_pid" || corpus_rc=$?
  echo "---- hostile-input corpus (tests/security) ----"
  cat "$corpus_log"
  rm -f "$corpus_log"
  if [ "$production_rc" != 0 ] || [ "$corpus_rc" != 0 ]; then
    echo "production stage exit $production_rc, hostile-input corpus exit $corpus_rc" >&2
    exit 1
  fi
fi
