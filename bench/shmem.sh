#!/usr/bin/env bash
#
# shmem.sh CLUSTER_DIR: shared memory sslinfo_ext adds, for max_connections
# 100, 1,000 and 10,000, measured on the data directory of a test/cluster.sh
# cluster (stopped here first: postgres -C cannot compute
# shared_memory_size of a running server).  Two figures per size:
#   exact   the bytes of the extension's own allocations (every
#           ShmemInitStruct/ShmemInitHash name starting "sslinfo_ext"), from
#           pg_shmem_allocations in a single-user backend with the library
#           preloaded;
#   total   shared_memory_size (whole MB, as PostgreSQL rounds it) without
#           and with shared_preload_libraries = 'sslinfo_ext'.
# The per-connection row has issue 13's target: at most 1 kB per slot.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
source bench/common.sh

data="$1/data"
EXACT_SQL="SELECT coalesce(sum(allocated_size), 0) AS bytes, string_agg(name, ', ' ORDER BY name) AS areas FROM pg_shmem_allocations WHERE name LIKE 'sslinfo_ext%'"

if [ -f "$data/postmaster.pid" ]; then
	pg_ctl -D "$data" -m fast -w -t 60 stop >/dev/null || exit 1
fi

# shared_memory_size in MB for max_connections $1 and preload list $2
shmem_size_mb()
{
	postgres -D "$data" -C shared_memory_size -c max_connections="$1" \
		-c shared_preload_libraries="$2" 2>>"$BENCH_OUT/shmem.log"
}

# bytes of the extension's allocations for max_connections $1; sets
# EXACT_BYTES and AREAS (their names)
exact_bytes()
{
	local out
	out="$(echo "$EXACT_SQL" |
		postgres --single -D "$data" -c max_connections="$1" \
			-c shared_preload_libraries=sslinfo_ext postgres 2>>"$BENCH_OUT/shmem.log")"
	EXACT_BYTES="$(sed -n 's/.*bytes = "\([0-9]*\)".*/\1/p' <<<"$out" | head -n 1)"
	AREAS="$(sed -n 's/.*areas = "\([^"]*\)".*/\1/p' <<<"$out" | head -n 1)"
}

human()
{
	awk -v b="$1" 'BEGIN {
		if (b >= 1048576) printf "%.2f MB", b / 1048576
		else if (b >= 1024) printf "%.1f kB", b / 1024
		else printf "%d B", b
	}'
}

bench_say "shared memory at max_connections 100, 1000, 10000 ($(bench_load))"
failed=0
declare -A exact=()
id=a
for n in 100 1000 10000; do
	without="$(shmem_size_mb "$n" "")"
	with="$(shmem_size_mb "$n" sslinfo_ext)"
	exact_bytes "$n"
	exact[$n]="$EXACT_BYTES"
	if [ -z "$without" ] || [ -z "$with" ] || [ -z "${exact[$n]}" ]; then
		bench_row "4$id" "shared memory added, max_connections = $n" "failed" "" "" "" "" "" \
			"see $BENCH_OUT/shmem.log"
		failed=1
	else
		bench_row "4$id" "shared memory added, max_connections = $n (areas: ${AREAS:-none})" \
			"$(human "${exact[$n]}") (${exact[$n]} bytes)" \
			"shared_memory_size $without MB → $with MB" \
			"$(fmt '+%.2f%%' "$(awk -v e="${exact[$n]}" -v t="$without" 'BEGIN { print 100 * e / (t * 1048576) }')")" \
			"" "" "" \
			"postgres --single -D DATA -c max_connections=$n -c shared_preload_libraries=sslinfo_ext postgres <<<\"$EXACT_SQL\"; postgres -D DATA -C shared_memory_size -c max_connections=$n [-c shared_preload_libraries=sslinfo_ext]"
	fi
	id=$(echo "$id" | tr a-y b-z)
done
if [ -n "${exact[100]:-}" ] && [ -n "${exact[10000]:-}" ]; then
	per="$(awk -v a="${exact[100]}" -v b="${exact[10000]}" 'BEGIN { print (b - a) / 9900 }')"
	bench_row "4$id" "shared memory per additional connection (max_connections 100 → 10,000; a slot, its owner index entry and its share of the text pool, default settings)" \
		"$(fmt '%.0f bytes' "$per")" \
		"3972 bytes before the text pool (issue 13)" \
		"$(fmt '%.2f× less' "$(awk -v p="$per" 'BEGIN { print 3972 / p }')")" \
		"" "≤ 1024 bytes" "$(check "$(fmt '%.0f' "$per") <= 1024")" "(bytes at 10,000 − bytes at 100) / 9,900"
fi
exit $failed
