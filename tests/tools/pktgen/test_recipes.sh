#!/usr/bin/env bash
# The pktgen-dpdk recipes (tools/pktgen) without pktgen, which CI cannot build:
# erdp accepts their configs, every Lua script compiles (luac -p), run.sh parses.
# usage: test_recipes.sh ERDP_BINARY RECIPES_DIR
set -u
erdp=$1
dir=$2
failed=0
n=0
check() { # what, command...
	local what=$1
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok: $what"
	else
		echo "FAIL: $what: $out"
		failed=$((failed + 1))
	fi
}
for c in "$dir"/*.conf; do
	check "erdp --check-config $(basename "$c")" "$erdp" --check-config "$c"
done
for l in "$dir"/*.lua; do
	check "luac -p $(basename "$l")" luac5.3 -p "$l"
done
check "bash -n run.sh" bash -n "$dir/run.sh"
# The configs accept pktgen's fixed 802.1ad outer tag (QinQ) and name pktgen's
# port MACs as static customer MACs (pktgen does not answer ARP).
check "qinq config accepts 0x88a8" grep -q "outer_tpids = \[ 0x8100, 0x88a8 \]" "$dir/erdp-qinq.conf"
check "static customer MACs" grep -q 'customer_mac = \[ "02:cc:00:00:00:01", "02:cc:00:00:00:02" \]' \
	"$dir/erdp-dot1q.conf"
[[ $n -gt 0 ]] || { echo "FAIL: nothing checked"; exit 1; }
echo "$n checks, $failed failed"
[[ $failed -eq 0 ]]
