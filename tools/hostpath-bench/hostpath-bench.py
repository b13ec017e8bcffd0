#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Measure erdp's exception path to the host: packets per second each way and
the round trip through it, on this machine (root, network namespaces).

    tools/hostpath-bench/hostpath-bench.py [--build build] [--seconds 5] [--rounds 3]

    erdp (nsenter into hpb-er-PID): net_af_packet0 on veth erp0 (primary port)
        erp0 ==veth== p0 in hpb-sw-PID: hostbench sends and counts tagged frames there
        (QinQ S-tag 100, C-tag 200; no relay in the way)
    hpb-PID-c1-private (erdp's): tap `primary`, 192.168.100.130/30; hostbench there

Three measurements per round, each SECONDS long:
  to-host   customer frames (60 bytes untagged, UDP to the MSEE address) as fast as a
            packet socket sends them; what a UDP socket on the tap receives per second
  from-host UDP from the tap's namespace to the customer address as fast as sendmmsg
            goes; what arrives tagged on the customer's veth per second
  rtt       one UDP datagram at a time from the customer's veth to an echo server on
            the tap: round trip through erdp twice (worker, main lcore, tap, kernel)
The policer is set out of the way (bgp.host_rate_pps 1,000,000). Prints a table and
one JSON line. Everything started is removed at the end.
"""
import argparse
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

PID = os.getpid()
PREFIX = "hpb%d" % PID
NS_ER, NS_SW = "hpb-er-%d" % PID, "hpb-sw-%d" % PID
NS_PEER = "%s-c1-private" % PREFIX
PORT_MAC, CUST_MAC = "02:ee:00:00:00:01", "02:c0:00:00:00:01"
CUST, MSEE = "192.168.100.129", "192.168.100.130"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

CONFIG = """eal = {{ lcores = "0-1"; huge = false; memory_mb = 256; file_prefix = "{prefix}";
        args = [ "--log-level=lib.eal:notice" ]; }};
dataplane = {{ mbufs = 16383; stats_interval_ms = 0; }};
bgp = {{ enabled = true; host_rate_pps = 1000000; host_burst = 100000; }};
port_pair = {{ encapsulation = "qinq"; speed = "10G"; }};
ports = (
  {{ name = "er-primary"; device = "net_af_packet0,iface=erp0"; role = "primary";
    mac = "{port_mac}"; }},
  {{ name = "gw"; device = "net_af_packet1,iface=egw0"; role = "gateway"; }}
);
vrfs = ( {{ name = "v1"; }} );
circuits = ( {{ name = "c1"; s_tag = 100; bandwidth = "1G"; peerings = (
  {{ type = "private"; c_tag = 200; vrf = "v1"; ipv4 = "192.168.100.128/29";
    peer_asn = 65001; customer_mac = [ "{cust_mac}" ]; }} ); }} );
"""


def sh(*cmd, ns=None, timeout=120):
    cmd = [str(c) for c in cmd]
    if ns:
        cmd = ["ip", "netns", "exec", ns] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError("%s: %s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return r.stdout


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def checksum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(sport, dport):
    """Customer -> MSEE UDP, QinQ 100/200, 18 bytes of payload (60 bytes untagged)."""
    payload = b"\0" * 18
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + len(payload), 0, 0x4000, 64, 17, 0,
                     bytes(map(int, CUST.split("."))), bytes(map(int, MSEE.split("."))))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    tags = struct.pack("!HHHH", 0x8100, 100, 0x8100, 200)
    return (mac(PORT_MAC) + mac(CUST_MAC) + tags + struct.pack("!H", 0x0800) + ip + udp +
            payload).hex()


def topology():
    for ns in (NS_ER, NS_SW):
        sh("ip", "netns", "add", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", ns=ns)
    sh("ip", "-n", NS_ER, "link", "add", "erp0", "mtu", "1600", "type", "veth", "peer", "name",
       "p0", "mtu", "1600", "netns", NS_SW)
    sh("ip", "-n", NS_ER, "link", "add", "egw0", "type", "veth", "peer", "name", "egw1")
    for ns, dev in ((NS_ER, "erp0"), (NS_SW, "p0"), (NS_ER, "egw0"), (NS_ER, "egw1")):
        for feat in ("tx", "rx", "txvlan", "rxvlan"):
            subprocess.run(["ip", "netns", "exec", ns, "ethtool", "-K", dev, feat, "off"],
                           capture_output=True)
        sh("ip", "-n", ns, "link", "set", dev, "up")


def parallel(a, b, pause=0.3):
    """Start a (the receiver), then b; both JSON results."""
    pa = subprocess.Popen(a, stdout=subprocess.PIPE, text=True)
    time.sleep(pause)
    rb = subprocess.run(b, stdout=subprocess.PIPE, text=True)
    ra = pa.communicate()[0]
    return json.loads(ra.strip().splitlines()[-1]), json.loads(rb.stdout.strip().splitlines()[-1])


def inns(ns, *cmd):
    return ["ip", "netns", "exec", ns] + [str(c) for c in cmd]


def measure(hb, seconds, rounds):
    rows = []
    for r in range(rounds):
        got, sent = parallel(inns(NS_PEER, hb, "udp-count", 9, seconds + 1),
                             inns(NS_SW, hb, "wire-send", "p0", seconds, frame(40000, 9)))
        to_host = (got["count"] / got["seconds"] if got["seconds"] else 0,
                   sent["sent"] / sent["seconds"])
        got, sent = parallel(inns(NS_SW, hb, "wire-count", "p0", seconds + 1, CUST_MAC),
                             inns(NS_PEER, hb, "udp-send", CUST, 9, seconds))
        from_host = (got["count"] / got["seconds"] if got["seconds"] else 0,
                     sent["sent"] / sent["seconds"])
        echo = subprocess.Popen(inns(NS_PEER, hb, "udp-echo", 7, seconds * 4 + 10),
                                stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)
        rtt = json.loads(sh(*inns(NS_SW, hb, "wire-rtt", "p0", 1000, frame(40001, 7)), timeout=600)
                         .strip().splitlines()[-1])
        echo.send_signal(signal.SIGTERM)
        echo.communicate()
        rows.append({"round": r + 1, "to_host_pps": round(to_host[0]),
                     "to_host_offered_pps": round(to_host[1]),
                     "from_host_pps": round(from_host[0]),
                     "from_host_offered_pps": round(from_host[1]), "rtt": rtt})
        print("round %d: to host %8.0f pps (offered %8.0f) | from host %8.0f pps (offered "
              "%8.0f) | RTT min %.0f p50 %.0f p90 %.0f p99 %.0f us (%d lost)" %
              (r + 1, to_host[0], to_host[1], from_host[0], from_host[1], rtt["min_us"],
               rtt["p50_us"], rtt["p90_us"], rtt["p99_us"], rtt["lost"]), flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("hostpath-bench: needs root")
    erdp_bin = os.path.join(a.build, "app", "erdp", "erdp")
    hb = os.path.join(a.build, "tools", "hostbench")
    tmp = tempfile.mkdtemp(prefix="hostpath-bench-")
    erdp = None

    def on_signal(sig, _frame):
        raise KeyboardInterrupt("signal %d" % sig)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        topology()
        conf = os.path.join(tmp, "erdp.conf")
        with open(conf, "w") as f:
            f.write(CONFIG.format(prefix=PREFIX, port_mac=PORT_MAC, cust_mac=CUST_MAC))
        log = open(os.path.join(tmp, "erdp.log"), "w")
        erdp = subprocess.Popen(["nsenter", "--net=/run/netns/" + NS_ER, erdp_bin, "-c", conf,
                                 "--quiet", "--", "--no-huge", "-m", "256", "--file-prefix",
                                 PREFIX], stdout=log, stderr=subprocess.STDOUT)
        t0 = time.monotonic()
        while "forwarding" not in open(log.name).read():
            if erdp.poll() is not None or time.monotonic() - t0 > 60:
                raise RuntimeError("erdp did not start:\n" + open(log.name).read())
            time.sleep(0.1)
        print("erdp forwarding; %g s per measurement" % a.seconds, flush=True)
        load = os.getloadavg()[0]
        rows = measure(hb, a.seconds, a.rounds)
        print(json.dumps({"load_avg_1m_at_start": load, "cpus": os.cpu_count(),
                          "seconds": a.seconds, "rounds": rows}))
    finally:
        if erdp is not None and erdp.poll() is None:
            erdp.send_signal(signal.SIGTERM)
            erdp.wait(timeout=30)
        for ns in (NS_ER, NS_SW, NS_PEER):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree("/var/run/dpdk/" + PREFIX, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
