#!/usr/bin/env bash
#
# run-target.sh NAME SEED_KIND SECONDS CERTDIR BUILD
#
# Run one libFuzzer target (BUILD/bin/fuzz_NAME, built by fuzz/Makefile):
#  1. the regression inputs of fuzz/regressions/NAME/ once each (*.cnf are
#     `openssl asn1parse -genconf` descriptions, made into DER first, *.hex
#     hex digits with # comment lines);
#  2. SECONDS of fuzzing from the corpus kept in BUILD/corpus/NAME, fresh
#     seeds (fuzz/make-seeds.sh SEED_KIND, plus fuzz/seeds/NAME/) and the
#     dictionary fuzz/NAME.dict if there is one.
# Fails on a crash, leak, timeout, out-of-memory or any sanitizer report
# (the input is saved under BUILD/artifacts/NAME/); output goes to
# BUILD/log/NAME.log and a summary to stdout.

set -uo pipefail

name="$1" seed_kind="$2" seconds="$3" certdir="$4" build="$5"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$build/bin/fuzz_$name"
seeds="$build/seeds/$name"
corpus="$build/corpus/$name"
artifacts="$build/artifacts/$name"
regressions="$build/regressions/$name"
log="$build/log/$name.log"

rm -rf "$seeds" "$artifacts" "$regressions"
mkdir -p "$seeds" "$corpus" "$artifacts" "$regressions" "$build/log"
: >"$log"

if ! bash "$here/make-seeds.sh" "$seed_kind" "$certdir" "$seeds" >>"$log" 2>&1; then
	echo "== fuzz $name: FAILED (making the $seed_kind seeds; log $log)"
	exit 1
fi
# checked-in seeds: *.hex are hex digits with "#" comment lines
for f in "$here/seeds/$name"/*; do
	[ -f "$f" ] || continue
	case "$f" in
		*.hex) perl -ne 'next if /^#/; s/\s+//g; print pack("H*", $_)' "$f" >"$seeds/$(basename "$f" .hex).bin" || exit 1 ;;
		*) cp "$f" "$seeds"/ ;;
	esac
done

for f in "$here/regressions/$name"/*; do
	[ -f "$f" ] || continue
	case "$f" in
		*.cnf) openssl asn1parse -genconf "$f" -noout -out "$regressions/$(basename "$f" .cnf).der" >/dev/null || exit 1 ;;
		*.hex) perl -ne 'next if /^#/; s/\s+//g; print pack("H*", $_)' "$f" >"$regressions/$(basename "$f" .hex).bin" || exit 1 ;;
		*.md | *.txt) ;;
		*) cp "$f" "$regressions/" ;;
	esac
done

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# libFuzzer's own limits; a hit counts as a failure
limits=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 -max_len=65536)

failed=0
reason=""
nreg=$(find "$regressions" -type f | wc -l)
if [ "$nreg" -gt 0 ]; then
	echo "== fuzz $name: $nreg regression inputs" | tee -a "$log"
	"$bin" "${limits[@]}" -artifact_prefix="$artifacts/" "$regressions"/* >>"$log" 2>&1 ||
		{ failed=1; reason="a regression input fails"; }
fi

if [ "$failed" -eq 0 ]; then
	dict=()
	[ -f "$here/$name.dict" ] && dict=(-dict="$here/$name.dict")
	echo "== fuzz $name: ${seconds}s, $(find "$seeds" -type f | wc -l) seeds, $(find "$corpus" -type f | wc -l) corpus inputs" | tee -a "$log"
	"$bin" "${limits[@]}" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$artifacts/" "${dict[@]}" "$corpus" "$seeds" >>"$log" 2>&1 ||
		{ rc=$?; failed=1; reason="libFuzzer exit status $rc"; }
fi

if [ -n "$(ls -A "$artifacts")" ]; then
	failed=1
	reason="${reason:-artifacts were saved}"
fi
if grep -aqE '^(==[0-9]+==ERROR|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer)|runtime error:' "$log"; then
	failed=1
	reason="${reason:-a sanitizer report}"
fi

grep -aE '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$log" | sed "s/^/   $name /"
if [ "$failed" -ne 0 ]; then
	echo "== fuzz $name: FAILED ($reason); log $log, inputs in $artifacts/"
	grep -aE 'FUZZ FINDING|ERROR: |runtime error:|pg_runtime_shim:|SUMMARY' "$log" | head -n 20
	exit 1
fi
echo "== fuzz $name: clean"
