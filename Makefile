# Two commands for a newcomer: `make run` and `make test`. Everything else is their plumbing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app training_app
HOST ?= 127.0.0.1
PORT ?= 5000
# Two workers: the suite runs on SQLite and PostgreSQL, in a browser too; 2 cores here.
PYTEST_ARGS ?= -ra -n 2
# Debian packages: CJK fonts and HarfBuzz subsetting for WeasyPrint PDFs (without
# libharfbuzz-subset0 WeasyPrint falls back to pure-Python subsetting, ~75x slower per CJK page);
# poppler-utils (pdftotext, pdffonts) and Chromium for the tests.
RUNTIME_DEBS := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
TEST_DEBS := $(RUNTIME_DEBS) poppler-utils chromium chromium-driver redis-server

.PHONY: run test system-deps system-deps-test translations compile-translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.runtime-installed

# Installs missing Debian packages when running as root; otherwise says the one command to run.
define ensure_debs
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing"; \
	    echo "Install them with: sudo apt-get install -y$$missing"; \
	  fi; \
	fi
endef

system-deps:
	$(call ensure_debs,$(RUNTIME_DEBS))

system-deps-test:
	$(call ensure_debs,$(TEST_DEBS))

compile-translations: $(VENV)/.runtime-installed
	$(BIN)/pybabel -q compile -d translations

translations: $(VENV)/.dev-installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching

instance/secret_key:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@
	@chmod 600 $@

# Serves plain HTTP on loopback, so the session cookie cannot be Secure here (browsers drop
# Secure cookies sent over http://127.0.0.1); deployments behind HTTPS keep the default (Secure).
run: $(VENV)/.runtime-installed system-deps compile-translations instance/secret_key
	SECRET_KEY=$$(cat instance/secret_key) $(FLASK) init-db
	SECRET_KEY=$$(cat instance/secret_key) $(FLASK) seed-demo --refresh-stale
	@echo "Serving on http://$(HOST):$(PORT)  (demo logins in README.md)"
	SECRET_KEY=$$(cat instance/secret_key) TRAINING_APP_SESSION_COOKIE_SECURE=false \
	  $(BIN)/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) --access-logfile - 'training_app:create_app()'

test: $(VENV)/.dev-installed system-deps-test compile-translations
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
