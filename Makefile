# sslinfo_ext/Makefile
#
# Plain PGXS:   make && make install && make installcheck
# Everything:   make demo | make test | make bench   (install missing packages,
#               build, run on throwaway TLS clusters; see test/README.md)
# Fuzzing:      make fuzz [FUZZ_SECONDS=60]   (libFuzzer targets in fuzz/,
#               clang with ASan+UBSan; see fuzz/README.md)
# Debian:       make deb   (postgresql-N-sslinfo-ext in build/deb)
#               make deb-test PG_MAJOR=N   (as root: build, install, test, purge)
#               make upgrade-test   (as root: pg_upgradecluster 18 -> 19 with the
#               packages, in the sid+experimental root)
# Layout:       make indent   (pgindent: reformat the C files in place)
#               make indent-check   (exit 1 and print the diff if make indent
#               would change anything; .ci/run runs it first)

MODULE_big = sslinfo_ext
OBJS = \
	sslinfo_ext.o \
	src/cert_lifecycle.o \
	src/cipher_catalog.o \
	src/cipher_policy.o \
	src/cipher_policy_parse.o \
	src/client_inventory.o \
	src/client_offer.o \
	src/dry_run.o \
	src/guc_records.o \
	src/refusals.o \
	src/require_ssl.o \
	src/server_settings.o \
	src/session_registry.o \
	src/session_view.o \
	src/sni_hosts.o \
	src/sql_datums.o \
	src/tls_audit.o \
	src/tls_benchmarks.o \
	src/tls_facts.o \
	src/tls_files.o \
	src/tls_groups.o \
	src/x509_render.o

EXTENSION = sslinfo_ext
DATA = sslinfo_ext--1.0.sql sslinfo_ext--1.0--1.1.sql sslinfo_ext--1.1.sql
PGFILEDESC = "sslinfo_ext - TLS session, certificate and policy information"

PG_CPPFLAGS = -I$(srcdir)/src
SHLIB_LINK += -lssl -lcrypto

# installcheck runs pg_regress against a throwaway TLS cluster that
# test/cluster.sh starts from $(bindir) and stops again (see
# pg_regress_installcheck below); the SQL \connects over TLS with the
# certificates test/certs/make-certs.sh generates into build/certs.  As root
# use 'make test'.  Details: test/README.md.
REGRESS = \
	notls \
	tls_functions \
	contrib_compare \
	cipher_policy \
	odd_certificates \
	hostile_arguments \
	search_path \
	field_cache \
	pg_stat_ssl_ext \
	upgrade
REGRESS_OPTS = --outputdir=build/regress
REGRESS_PREP = regress-prep
TAP_TESTS = 1

# Debian installs pg_config per major; prefer the one CI tests.
PG_MAJOR ?= 15
PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/$(PG_MAJOR)/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

.PHONY: demo test test-all bench fuzz deb deb-test upgrade-test indent indent-check
ifeq ($(PGXS),)
all:
	@echo "pg_config not found: run 'make demo' or 'make test' (they install what is missing)," >&2
	@echo "or install postgresql-server-dev-$(PG_MAJOR) libssl-dev libkrb5-dev." >&2
	@exit 1
endif

demo:
	@PG_MAJOR=$(PG_MAJOR) bash test/demo.sh

# COPT given on the command line reaches the build through the environment.
# PG_OPENSSL=1.1 (with PG_MAJOR=18): the OpenSSL 1.1.1 leg (test/roots.sh).
test:
	@PG_MAJOR=$(PG_MAJOR) PG_OPENSSL=$(PG_OPENSSL) bash test/run-tests.sh

# The suite on every supported major (15 17 18 19) and on 18 against
# OpenSSL 1.1.1, each in its own Debian root (test/roots.sh), then the
# OpenSSL 4.0 compile check (test/matrix.sh).
test-all:
	@bash test/matrix.sh

# Benchmarks against contrib sslinfo and core PostgreSQL (bench/run.sh).
bench:
	@PG_MAJOR=$(PG_MAJOR) bash bench/run.sh

fuzz:
	@$(MAKE) --no-print-directory -C fuzz

# Debian packages postgresql-N-sslinfo-ext for every installed
# postgresql-server-dev-N, built in build/deb (test/deb-build.sh), and
# (as root) their install, installcheck, upgrade and purge for one major.
deb:
	@bash test/deb-build.sh

deb-test:
	@bash test/deb-test.sh $(PG_MAJOR)

# (As root) the major upgrade of a cluster with sslinfo_ext preloaded, from
# 18 to 19 with Debian's pg_upgradecluster and both packages
# (test/upgrade-test.sh), in the sid+experimental root where 19 comes from
# (test/roots.sh), or here when this system carries 19.
upgrade-test:
	@if bash test/roots.sh native 19; then bash test/upgrade-test.sh 18 19; \
	else bash test/roots.sh run 19 -- bash test/upgrade-test.sh 18 19; fi

# PostgreSQL's pgindent over our C files (tools/pgindent.sh says how it is
# obtained): Debian's pg-bsd-indent 2.1.1 and the pgindent script that asks
# for that version, PostgreSQL 15's, taken from the postgresql-15 source
# package into build/pgindent (PostgreSQL's code is never committed).
#
# tools/typedefs.list is committed and is the whole list pgindent gets: the
# typedefs our files define, plus those of PostgreSQL's buildfarm list
# (build/pgindent/typedefs.list, from the same tarball) and of OpenSSL's
# headers that our files use -- about 120 names rather than PostgreSQL's
# 3,900, so a review sees when a type comes or goes, the layout does not
# change with the release the list was fetched from, and PostgreSQL's names
# that we use otherwise (a member called "text") cannot misformat our code.
# tools/typedefs.pl makes it; 'make indent' rewrites it before formatting,
# 'make indent-check' fails when it is not current.
INDENT_FILES = $(wildcard sslinfo_ext.c src/*.c src/*.h fuzz/*.c fuzz/*.h test/*.c bench/*.c)

indent:
	@bash tools/pgindent.sh indent $(INDENT_FILES)

indent-check:
	@bash tools/pgindent.sh check $(INDENT_FILES)

ifneq ($(PGXS),)
include $(PGXS)

# PGXS tracks no header dependencies: every object is rebuilt when any of
# the units' headers changes (a struct's layout, say).
$(OBJS) $(OBJS:.o=.bc): $(wildcard $(srcdir)/src/*.h)

# PGXS passes COPT to the compiler but not to clang's bitcode step
# (with_llvm): warnings must fail both.
ifdef COPT
BITCODE_CFLAGS += $(COPT)
endif

# pg_regress (installcheck mode, database contrib_regression) inside a
# throwaway TLS cluster; PGHOST/PGPORT point at it.
pg_regress_installcheck = \
	echo "+++ regress install-check in a throwaway TLS cluster +++" && \
	bash $(srcdir)/test/cluster.sh run --bindir '$(bindir)' \
		--certdir build/certs --dir build/regress-cluster -- \
	$(top_builddir)/src/test/regress/pg_regress \
	--inputdir=$(srcdir) \
	--bindir='$(bindir)' \
	$(pg_regress_locale_flags) $(EXTRA_REGRESS_OPTS)

# TAP tests find test/perl/SslinfoExtTest.pm.
PG_PROVE_FLAGS += -I $(srcdir)/test/perl

.PHONY: regress-prep
regress-prep:
	@if [ "$$(id -u)" = 0 ]; then \
		echo "make installcheck cannot run as root (initdb refuses root); use 'make test'," >&2; \
		echo "which runs the suite as the OS user postgres." >&2; \
		exit 1; \
	fi
	@bash $(srcdir)/test/certs/make-certs.sh build/certs
endif

.DEFAULT_GOAL := all
