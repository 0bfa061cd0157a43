.PHONY: run test lint messages bench reset-db
run:        ## start the system with the demo school on http://127.0.0.1:8000
	scripts/run.sh
test:       ## install everything and run the whole test suite
	scripts/test.sh
lint:
	scripts/venv.sh && .venv/bin/ruff check . && .venv/bin/ruff format --check .
messages:   ## refresh the English catalogue after changing UI strings
	.venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=bench --ignore=tests
	.venv/bin/python manage.py compilemessages --ignore=.venv
bench:      ## build a large dataset in a private cluster and print timings
	scripts/bench.sh
reset-db:   ## throw away the private development database
	scripts/pg.sh stop .pgdata; rm -rf .pgdata
