# The two commands: `make demo` and `make test`. Both build .venv from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lint format sample clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "perfkit needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/perfkit demo --data data/sample --out reports
	$(BIN)/perfkit run parameters/schedules/annual.yaml
	$(BIN)/perfkit report annual --data data/sample --year 2024 --out reports/annual-2024/2024年度预算绩效管理工作情况.pdf
	@echo "department documents: reports/annual-2024/<year>-<dept>/report.docx, report.pdf (links in index.html)"
	$(BIN)/perfkit run parameters/schedules/key_evaluation.yaml
	@echo "key evaluations (重点评价): reports/key-evaluation-2024/index.html (report.docx, report.pdf per object)"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scoring.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_forms.py --forms 1000
	$(BIN)/python benchmarks/bench_compare.py
	$(BIN)/python benchmarks/bench_explorer.py
	$(BIN)/python benchmarks/bench_cli.py

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

sample: $(STAMP)
	$(BIN)/perfkit sample-data --out data/sample
	$(BIN)/python -m perfkit.samples.verifications data/sample
	$(BIN)/python -m perfkit.samples.keyeval data/sample

clean:
	rm -rf $(VENV) reports .pytest_cache .mypy_cache
