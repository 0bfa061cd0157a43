#!/usr/bin/env bash
# make run: install, start the private database, migrate, load the demo school, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh postgresql gettext z3950
scripts/venv.sh
if [ -z "${DATABASE_URL:-}" ]; then
  port=${PGPORT_DEV:-54329}
  scripts/pg.sh start .pgdata "$port"
  export DATABASE_URL=$(scripts/pg.sh url .pgdata "$port")
  echo "Using the private PostgreSQL cluster in .pgdata (port $port)."
fi
export DEBUG=${DEBUG:-1}
py=.venv/bin/python
$py manage.py compilemessages --ignore=.venv -v 0
$py manage.py migrate --no-input -v 0
$py manage.py load_demo --if-empty
$py manage.py print_demo_logins --url "http://${BIND:-127.0.0.1:8000}/"
exec $py manage.py runserver "${BIND:-127.0.0.1:8000}"
