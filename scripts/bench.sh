#!/usr/bin/env bash
# make bench: build the large dataset once in a private cluster (.pgbench/, port 54339; or the
# database in BENCH_DATABASE_URL) and run every benchmark under bench/, printing their figures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh postgresql gettext
scripts/venv.sh
if [ -z "${BENCH_DATABASE_URL:-}" ]; then
  scripts/pg.sh start .pgbench 54339
  BENCH_DATABASE_URL=$(scripts/pg.sh url .pgbench 54339)
fi
export BENCH_DATABASE_URL
export DATABASE_URL=$BENCH_DATABASE_URL DJANGO_TEST=1
py=.venv/bin/python
$py manage.py compilemessages --ignore=.venv -v 0
# The first script builds the shared dataset (bench/common.py): 3,000 students, 60,000 titles,
# 100,000 copies, 6 terms of loans; the others reuse it. `make bench REBUILD=1` builds it anew.
# bench/sip2_bench.py starts its own `manage.py sip2_server` on a free loopback port.
first=1
for script in bench/*_bench.py; do
  echo "== $script"
  if [ -n "${REBUILD:-}" ] && [ -n "$first" ]; then $py "$script" --rebuild; else $py "$script"; fi
  first=""
done
