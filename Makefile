# Benchmarks: bench/README.md. Options for bench/run.py go in ARGS, e.g.
#   make bench-quick ARGS="--only home"     make bench-sqlite SIZE=large
PYTHON ?= .venv/bin/python
RUN = $(PYTHON) bench/run.py
SIZE ?= small

.PHONY: bench bench-quick bench-large bench-sqlite bench-postgresql venv-check

# Small dataset on SQLite and PostgreSQL, 3 runs of 1 s per page: under 5 minutes.
bench-quick: venv-check
	$(RUN) --size small --db both --quick $(ARGS)

# The full benchmark: small, then large (growth = large p50 / small p50), 3 runs of 10 s.
bench: venv-check
	$(RUN) --size small --db both $(ARGS)
	$(RUN) --size large --db both $(ARGS)

# Large only; growth against the newest small results in bench/results/.
bench-large: venv-check
	$(RUN) --size large --db both $(ARGS)

bench-sqlite: venv-check
	$(RUN) --size $(SIZE) --db sqlite $(ARGS)

bench-postgresql: venv-check
	$(RUN) --size $(SIZE) --db postgresql $(ARGS)

venv-check:
	@test -x $(PYTHON) || { echo "No $(PYTHON): do the set-up in bench/README.md first." >&2; exit 1; }
