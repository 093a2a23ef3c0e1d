# shellcheck shell=bash
# checks.sh: the ok/FAIL lines of the scripts that check a Debian system as
# root (test/deb-test.sh, test/upgrade-test.sh).  Source it after
# test/lib.sh; the caller sets passed=0 and failed=0 and prints the totals.
#
#   pass WHAT          "ok   - WHAT", one more passed
#   fail WHAT          "FAIL - WHAT", one more failed
#   check WHAT CMD...  pass or fail WHAT by CMD's exit status

pass() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { local what="$1"; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
