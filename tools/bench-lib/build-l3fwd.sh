#!/usr/bin/env bash
# Build DPDK's l3fwd example out of tree, from Debian's copy of its source
# (/usr/share/dpdk/examples/l3fwd), into DIR (default build/bench/l3fwd), with
# the changes a benchmark on virtual devices and a full table needs:
#  - no RX checksum offload request (net_pcap/net_null reject it: -22);
#  - LPM sized for millions of IPv4 rules (the example allows 1,024);
#  - at least 65,536 mbufs (net_pcap infinite_rx holds the whole pcap in mbufs).
# Nothing of DPDK is copied into the repository: only into the build folder.
set -euo pipefail
dir=${1:-build/bench/l3fwd}
src=${L3FWD_SRC:-/usr/share/dpdk/examples/l3fwd}
[[ -f $src/main.c ]] || { echo "build-l3fwd: no l3fwd source in $src (package dpdk-doc/dpdk-dev)" >&2; exit 1; }
if [[ -x $dir/build/l3fwd && $dir/build/l3fwd -nt $src/main.c && $dir/build/l3fwd -nt $0 ]]; then
	echo "build-l3fwd: $dir/build/l3fwd is up to date"
	exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
cp -r "$src"/. "$dir"/
[[ -d $src/../common ]] && cp -r "$src/../common" "$dir/../common"
sed -i 's/\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,/.offloads = 0,/' "$dir/main.c"
sed -i 's/(unsigned)8192)/(unsigned)65536)/' "$dir/main.c"
sed -i -e 's/^#define IPV4_L3FWD_LPM_MAX_RULES .*/#define IPV4_L3FWD_LPM_MAX_RULES 4194304/' \
	-e 's/^#define IPV4_L3FWD_LPM_NUMBER_TBL8S .*/#define IPV4_L3FWD_LPM_NUMBER_TBL8S (1 << 16)/' \
	"$dir/l3fwd_lpm.c"
grep -q '\.offloads = 0,' "$dir/main.c" || { echo "build-l3fwd: could not patch the checksum offload" >&2; exit 1; }
grep -q 'LPM_MAX_RULES 4194304' "$dir/l3fwd_lpm.c" || { echo "build-l3fwd: could not patch LPM size" >&2; exit 1; }
make -C "$dir" -j2 >"$dir/make.log" 2>&1 || { tail -20 "$dir/make.log" >&2; exit 1; }
echo "build-l3fwd: built $dir/build/l3fwd"
