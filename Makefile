# sslinfo_ext/Makefile
#
# Plain PGXS:   make && make install && make installcheck
# Everything:   make demo | make test   (install missing packages, build,
#               run on throwaway TLS clusters; see test/README.md)
# Fuzzing:      make fuzz [FUZZ_SECONDS=60]   (libFuzzer targets in fuzz/,
#               clang with ASan+UBSan; see fuzz/README.md)

MODULE_big = sslinfo_ext
OBJS = \
	sslinfo_ext.o \
	src/tls_facts.o \
	src/x509_render.o

EXTENSION = sslinfo_ext
DATA = sslinfo_ext--1.0.sql
PGFILEDESC = "sslinfo_ext - TLS session, certificate and policy information"

PG_CPPFLAGS = -I$(srcdir)/src
SHLIB_LINK += -lssl -lcrypto

# pg_regress runs against its own TLS-enabled temporary instance; the
# certificates and the configuration it needs are generated into build/ by
# test/regress-setup.sh (a prerequisite of installcheck below).
REGRESS = \
	notls \
	tls_functions \
	contrib_compare
REGRESS_OPTS = \
	--temp-instance=build/regress-instance \
	--temp-config=build/regress.conf \
	--outputdir=build/regress \
	--port=$(shell cat build/regress.port 2>/dev/null || echo 55432)
TAP_TESTS = 1

# Debian installs pg_config per major; prefer the one CI tests.
PG_MAJOR ?= 15
PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/$(PG_MAJOR)/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

.PHONY: demo test fuzz
ifeq ($(PGXS),)
all:
	@echo "pg_config not found: run 'make demo' or 'make test' (they install what is missing)," >&2
	@echo "or install postgresql-server-dev-$(PG_MAJOR) libssl-dev libkrb5-dev." >&2
	@exit 1
endif

demo:
	@PG_MAJOR=$(PG_MAJOR) bash test/demo.sh

test:
	@PG_MAJOR=$(PG_MAJOR) bash test/run-tests.sh

fuzz:
	@$(MAKE) --no-print-directory -C fuzz

ifneq ($(PGXS),)
include $(PGXS)

installcheck: build/regress.conf
build/regress.conf:
	bash test/regress-setup.sh
endif

.DEFAULT_GOAL := all
