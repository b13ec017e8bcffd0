#!/usr/bin/env bash
# Run a pktgen-dpdk recipe against erdp over memif on this host.
#
#   tools/pktgen/run.sh qinq|dot1q SCRIPT.lua      (from the repository root, as root)
#
# Starts erdp (build/app/erdp/erdp) with tools/pktgen/erdp-ENCAP.conf as the
# memif server of three sockets in /run/erdp-pktgen, waits until it forwards,
# runs pktgen ($PKTGEN, default: pktgen on PATH) as the memif client with
# SCRIPT, then stops erdp and prints its final counters (--stats-json).
# While it runs, erdp's counters are live in DPDK telemetry:
#   dpdk-telemetry.py -f erdp-pktgen   then /erdp/circuits, /erdp/ports, /erdp/workers
#
# Lcores (docs/pktgen.md): erdp's main lcore on CPU 0 and its worker alone on
# CPU 1 (erdp-*.conf: "0@0,1@1"); pktgen's lcores on CPU 0 by default: its main
# lcore and one per port (PKTGEN_LCORES="0@0,1@0,2@0,3@0,4@0", PKTGEN_MAP="1.0 2.1
# 3.2 4.3", one -m each). With more CPUs give pktgen its own, e.g.
# PKTGEN_LCORES="0@2,1@3,2@4,3@5,4@5" PKTGEN_MAP="1.0 2.1 3.2 4.3".
set -euo pipefail

usage() {
	echo "usage: tools/pktgen/run.sh qinq|dot1q SCRIPT.lua" >&2
	exit 2
}
[[ $# -eq 2 ]] || usage
encap=$1
script=$2
[[ $encap == qinq || $encap == dot1q ]] || usage
[[ -f $script ]] || { echo "run.sh: no script $script" >&2; exit 2; }
cd "$(dirname "$0")/../.."
pktgen=${PKTGEN:-pktgen}
command -v "$pktgen" >/dev/null || {
	echo "run.sh: pktgen not found (set PKTGEN=/path/to/pktgen; docs/pktgen.md says how to build it)" >&2
	exit 2
}
erdp=build/app/erdp/erdp
conf=tools/pktgen/erdp-$encap.conf
work=$(mktemp -d /tmp/erdp-pktgen.XXXXXX)
mkdir -p /run/erdp-pktgen

cleanup() {
	[[ -n ${erdp_pid:-} ]] && kill "$erdp_pid" 2>/dev/null && wait "$erdp_pid" 2>/dev/null
	rm -f /run/erdp-pktgen/*.sock
}
trap cleanup EXIT

# memif: the server side (erdp) must be up before the client connects.
"$erdp" -c "$conf" --quiet --stats-json "$work/stats.json" >"$work/erdp.log" 2>&1 &
erdp_pid=$!
for _ in $(seq 100); do
	grep -q "forwarding" "$work/erdp.log" && break
	kill -0 "$erdp_pid" 2>/dev/null || { cat "$work/erdp.log"; exit 1; }
	sleep 0.1
done
grep -q "forwarding" "$work/erdp.log" || { echo "run.sh: erdp did not start"; cat "$work/erdp.log"; exit 1; }

# pktgen wants a terminal (script gives it one) and quits at the end of the
# recipe (every recipe ends with pktgen.quit()). It pairs ports 0-1, 2-3...
# and crashes with an odd number of ports: port 3 is an idle net_null.
# Port MACs are the customer
# MACs erdp-*.conf has as static neighbours (02:cc:00:00:00:01, :02) and
# the first gateway instance (02:cc:00:00:00:03).
maps=""
for m in ${PKTGEN_MAP:-1.0 2.1 3.2 4.3}; do
	maps+=" -m $m"
done
ENCAP=$encap script -qec "$pktgen --lcores '${PKTGEN_LCORES:-0@0,1@0,2@0,3@0,4@0}' --file-prefix pktgen-erdp \
	-m 512 --no-pci \
	--vdev net_memif0,role=client,socket=/run/erdp-pktgen/primary.sock,mac=02:cc:00:00:00:01 \
	--vdev net_memif1,role=client,socket=/run/erdp-pktgen/secondary.sock,mac=02:cc:00:00:00:02 \
	--vdev net_memif2,role=client,socket=/run/erdp-pktgen/gateway.sock,mac=02:cc:00:00:00:03 \
	--vdev net_null0,no-rx=1 \
	-- -T -P$maps -f $script" "$work/pktgen.log" </dev/null >/dev/null || true
grep -E "^==|^port|latency|recipe failed" "$work/pktgen.log" | tr -d '\r' || true

kill "$erdp_pid"
wait "$erdp_pid" || true
erdp_pid=
/usr/bin/python3 - "$work/stats.json" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
print("== erdp (%.1f s)" % st["seconds"])
for p in st["ports"]:
    d = {k: v for k, v in p["drops"].items() if v}
    print("%-13s rx %10d tx %10d  rx %8.0f pps tx %8.0f pps  drops %s" %
          (p["name"], p["rx_packets"], p["tx_packets"], p["rx_pps"], p["tx_pps"], d or "-"))
for c in st["circuits"]:
    if c["rx_packets"] or c["tx_packets"]:
        print("circuit %-5s rx %10d tx %10d" % (c["name"], c["rx_packets"], c["tx_packets"]))
for w in st["workers"]:
    print("worker lcore %d: %d frames, %.0f busy cycles/frame" %
          (w["lcore"], w["rx_packets"], w["busy_cycles_per_packet"]))
PY
echo "logs: $work"
