# SPDX-License-Identifier: BSD-3-Clause
"""The exception path to the host, end to end: Linux customers talk TCP and UDP
to the MSEE addresses, and a process in each peering's namespace answers.

    /usr/bin/python3 test_host.py ERDP_BINARY LINK_ADMIN_BINARY

Topology (names carry this process's pid):

    netns erdp_t_host-er-PID: erdp (started with nsenter: its namespaces must
        be visible to everyone, and `ip netns exec` would give it a private
        mount namespace)
      net_af_packet0 erp0 ==veth (MTU 1600)== p0 \\  netns erdp_t_host-sw-PID:
      net_af_packet1 ers0 ==veth (MTU 1600)== s0 /  qinq_relay.py, one per veth,
      net_af_packet2 egw0 == egw1 (gateway port: unused)   a TAP per circuit and link
    netns erdp_t_host-ca-PID (customer A): ca-p (primary), ca-s (secondary)
    netns erdp_t_host-cb-PID (customer B): cb-p, cb-s
        the SAME link subnets for both: 192.168.100.128/29, 2001:db8:100::/125
        (.129/.133 and ::1/::5 the customers, .130/.134 and ::2/::6 the MSEE)
    netns erdp_t_hostPID-ca-private, erdp_t_hostPID-cb-private: made by erdp
        (bgp.enabled), each with the taps `primary` and `secondary`, and a
        hostpeer.py server answering TCP 179 / UDP 3784 with its circuit's name

Checks, for QinQ (S-tags 100/110, C-tag 200) and then Dot1Q (VLANs 300/310):
  * erdp made the taps: port MAC, MTU 1500, NOARP, up, the link's MSEE
    addresses (IPv4 /30, IPv6 /126);
  * each customer reaches its own peering's host on both links, IPv4 and
    IPv6, TCP and UDP (the answer names the peering: two circuits with the
    same subnets stay apart); the host reaches the customer (TCP from the
    peering's namespace);
  * a UDP flood at an MSEE address is policed (host_rate_limited grows, the
    host gets at most the link's rate plus its burst) while a TCP session on
    port 179 (BGP's) keeps answering every request;
  * a peering link set admin down (over the control channel, as `erdpctl
    link ... down` does) passes nothing either way; up again, it works;
  * kill -9 erdp: the taps stay with their addresses (no carrier); a new
    erdp attaches to them and the conversations work again;
  * counters: /erdp/host telemetry, --stats-json host counters, no
    host_queue_full.

Exit 0 pass, 1 fail, 77 skip (not root, no `ip netns`, no veth, no TUN).
Everything started is stopped and every namespace deleted, also on failure.
ERDP_KEEP=1 keeps the temp dir.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "linux"))

import test_netns  # noqa: E402
from test_netns import (Abort, abort_on_signals, check, failures, ip, log, no_veth,  # noqa: E402
                        offloads_off, run, sysctl)

SKIP = 77
PID = os.getpid()
PREFIX = "erdp_t_host%d" % PID  # EAL file prefix and bgp.namespace_prefix
NS_ER, NS_SW = "erdp_t_host-er-%d" % PID, "erdp_t_host-sw-%d" % PID
CIRCUITS = ("ca", "cb")
NS_CU = {c: "erdp_t_host-%s-%d" % (c, PID) for c in CIRCUITS}
NS_PEER = {c: "%s-%s-private" % (PREFIX, c) for c in CIRCUITS}
LINKS = ("primary", "secondary")
SHORT = {"primary": "p", "secondary": "s"}
PLINK = {(c, l): i * 2 + k for i, c in enumerate(CIRCUITS) for k, l in enumerate(LINKS)}
CUST = {"primary": ("192.168.100.129", "2001:db8:100::1"),
        "secondary": ("192.168.100.133", "2001:db8:100::5")}
MSEE = {"primary": ("192.168.100.130", "2001:db8:100::2"),
        "secondary": ("192.168.100.134", "2001:db8:100::6")}
PORT_MAC = {"primary": "02:ee:00:00:00:01", "secondary": "02:ee:00:00:00:02"}
TAGS = {"qinq": {"ca": (100, 200), "cb": (110, 200)}, "dot1q": {"ca": (300,), "cb": (310,)}}
HOST_RATE, HOST_BURST = 400, 100
SHARED_RATE = HOST_RATE - HOST_RATE // 4  # what a flood can take (slowpath.h)
SHARED_BURST = HOST_BURST - HOST_BURST // 4
FLOOD_PPS, FLOOD_MAX_S = 3000, 60  # the flood runs until the TCP exchange is over
WAIT_S = 60  # deadlines for things to happen; never a pass/fail threshold on speed
PEER = os.path.join(HERE, "hostpeer.py")
RELAY = os.path.join(HERE, "..", "linux", "qinq_relay.py")


# ---------------------------------------------------------------------------
# erdp

class Erdp(test_netns.Erdp):
    """erdp in NS_ER, started with nsenter: the same mount namespace as ours, so the
    namespaces it creates are everyone's (`ip netns exec` would make it a private one)."""

    def __init__(self, binary, conf, tmp, n):
        stats = os.path.join(tmp, "stats-%d.json" % n)
        self.start(["nsenter", "--net=/run/netns/" + NS_ER, binary, "-c", conf, "--stats-json",
                    stats, "--", "--no-huge", "-m", "256", "--file-prefix", PREFIX],
                   os.path.join(tmp, "erdp-%d.log" % n), stats)

    def wait_forwarding(self):
        if self.wait_for(r"\bforwarding\b", WAIT_S) is None:
            raise Abort("erdp did not start forwarding:\n" + self.text())


def telemetry(cmd):
    """The value of one /erdp/... telemetry command, or None."""
    reply = test_netns.telemetry(cmd, PREFIX)
    return reply.get(cmd.split(",")[0]) if reply is not None else None


def host_links():
    """/erdp/host as {(circuit, link): entry}."""
    t = telemetry("/erdp/host") or {}
    out = {}
    for e in (t.get("links") or {}).values():
        out[(e["peering"].split("/")[0], e["link"])] = e
    return out


def write_config(tmp, encap):
    tags = TAGS[encap]
    peerings = []
    for c in CIRCUITS:
        tag = ("c_tag = %d;" % tags[c][1]) if encap == "qinq" else ("vlan = %d;" % tags[c][0])
        s_tag = ("s_tag = %d; " % tags[c][0]) if encap == "qinq" else ""
        peerings.append(
            '  { name = "%s"; %sbandwidth = "1G"; peerings = ( { type = "private"; %s\n'
            '    vrf = "%s"; ipv4 = "192.168.100.128/29"; ipv6 = "2001:db8:100::/125";\n'
            '    peer_asn = 65001; } ); }' % (c, s_tag, tag, c))
    conf = os.path.join(tmp, "erdp-%s.conf" % encap)
    with open(conf, "w") as f:
        f.write("""# written by tests/app/erdp/host/test_host.py
eal = {{ lcores = "0-1"; huge = false; memory_mb = 256; file_prefix = "{prefix}";
        args = [ "--log-level=lib.eal:notice" ]; }};
dataplane = {{ mbufs = 4095; rx_desc = 256; tx_desc = 256; stats_interval_ms = 0; }};
bgp = {{ enabled = true; host_rate_pps = {rate}; host_burst = {burst}; }};
port_pair = {{ encapsulation = "{encap}"; speed = "10G"; }};
ports = (
  {{ name = "er-primary"; device = "net_af_packet0,iface=erp0"; role = "primary";
    mac = "{mp}"; }},
  {{ name = "er-secondary"; device = "net_af_packet1,iface=ers0"; role = "secondary";
    mac = "{ms}"; }},
  {{ name = "gw"; device = "net_af_packet2,iface=egw0"; role = "gateway";
    mac = "02:ee:00:00:00:10"; }}
);
vrfs = ( {{ name = "ca"; }}, {{ name = "cb"; }} );
circuits = (
{peerings}
);
""".format(prefix=PREFIX, rate=HOST_RATE, burst=HOST_BURST, encap=encap,
           mp=PORT_MAC["primary"], ms=PORT_MAC["secondary"], peerings=",\n".join(peerings)))
    return conf


# ---------------------------------------------------------------------------
# topology

def setup_topology():
    for ns in (NS_ER, NS_SW) + tuple(NS_CU.values()):
        run("ip", "netns", "add", ns)
        ip(ns, "link", "set", "lo", "up")
    sysctl(NS_ER, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
    sysctl(NS_SW, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
    for mine, peer in (("erp0", "p0"), ("ers0", "s0")):
        # MTU 1600: the relay adds up to 8 tag bytes to full-size frames (FINDINGS F2)
        ip(NS_ER, "link", "add", mine, "mtu", "1600", "type", "veth", "peer", "name", peer,
           "mtu", "1600", "netns", NS_SW)
        offloads_off(NS_ER, mine)
        offloads_off(NS_SW, peer)
        ip(NS_ER, "link", "set", mine, "up")
        ip(NS_SW, "link", "set", peer, "up")
    ip(NS_ER, "link", "add", "egw0", "type", "veth", "peer", "name", "egw1")
    ip(NS_ER, "link", "set", "egw0", "up")
    ip(NS_ER, "link", "set", "egw1", "up")


def started(cmd, ready, what):
    """Start cmd; return it once it has written its ready file."""
    p = subprocess.Popen(cmd)
    t0 = time.monotonic()
    while not os.path.exists(ready):
        if p.poll() is not None or time.monotonic() - t0 > WAIT_S:
            p.kill()
            raise Abort("%s did not start" % what)
        time.sleep(0.05)
    return p


def start_relays(tmp, encap, procs):
    """A relay per veth with a TAP per circuit; the TAPs move to their customers."""
    for link, parent in (("primary", "p0"), ("secondary", "s0")):
        ready = os.path.join(tmp, "relay-%s-%s.ready" % (encap, parent))
        subs = ["%s-%s:%s" % (c, SHORT[link], ":".join(str(t) for t in TAGS[encap][c]))
                for c in CIRCUITS]
        procs.append(started(["ip", "netns", "exec", NS_SW, sys.executable, RELAY, parent,
                              ready] + subs, ready, "qinq_relay.py on " + parent))
    for c in CIRCUITS:
        ns = NS_CU[c]
        for link in LINKS:
            dev = "%s-%s" % (c, SHORT[link])
            ip(NS_SW, "link", "set", dev, "netns", ns)
            sysctl(ns, "net.ipv6.conf.%s.accept_ra=0" % dev)
            ip(ns, "addr", "add", CUST[link][0] + "/30", "dev", dev)
            ip(ns, "-6", "addr", "add", CUST[link][1] + "/126", "dev", dev, "nodad")
            ip(ns, "link", "set", dev, "up")


def stop_procs(procs):
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    del procs[:]


def start_server(ns, tag, tmp, procs):
    ready = os.path.join(tmp, "server-%s.ready" % tag)
    procs.append(started(["ip", "netns", "exec", ns, sys.executable, PEER, "serve", tag, ready],
                         ready, "hostpeer.py serve in " + ns))


# ---------------------------------------------------------------------------
# conversations

def peer_run(ns, *args, timeout=WAIT_S):
    """hostpeer.py in ns: its JSON line, or {} when it printed none."""
    r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, PEER] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=timeout)
    for line in r.stdout.splitlines():
        try:
            return json.loads(line)
        except ValueError:
            pass
    return {"error": r.stderr.strip()}


def ask_many(jobs, n=3, timeout=8):
    """Run (ns, proto, addr, port) asks side by side; their results in order."""
    procs = [subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, PEER, "ask", proto,
                               addr, str(port), str(n), str(timeout)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for ns, proto, addr, port in jobs]
    out = []
    for p in procs:
        try:
            text = p.communicate(timeout=n * timeout + 30)[0]
        except subprocess.TimeoutExpired:
            p.kill()
            text = p.communicate()[0]
        try:
            out.append(json.loads(text.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            out.append({"ok": 0, "tags": [], "error": "no output"})
    return out


def conversations(stage, circuits=CIRCUITS, links=LINKS, expect_ok=True, n=3, timeout=8):
    """Every customer to its own peering's host (TCP 179, UDP 3784, IPv4 and IPv6), and
    each host back to its customer (TCP). expect_ok False: each must fail instead."""
    jobs, what = [], []
    for c in circuits:
        for link in links:
            for fam in (0, 1):
                for proto, port in (("tcp", 179), ("udp", 3784)):
                    jobs.append((NS_CU[c], proto, MSEE[link][fam], port))
                    what.append(("%s -> host %s %s %s" % (c, link, "v6" if fam else "v4", proto),
                                 c))
                jobs.append((NS_PEER[c], "tcp", CUST[link][fam], 179))
                what.append(("host %s -> customer %s %s tcp" % (c, link, "v6" if fam else "v4"),
                             "cust-" + c))
    for (label, tag), res in zip(what, ask_many(jobs, n, timeout)):
        if expect_ok:
            check(res.get("ok") == n and res.get("tags") == [tag],
                  "%s: %s: %s of %d answered, by %s (want %s); %s" %
                  (stage, label, res.get("ok"), n, res.get("tags"), tag, res.get("error")))
        else:
            check(res.get("ok") == 0, "%s: %s: %s answered, want none" %
                  (stage, label, res.get("ok")))
    log("%s: %d conversations %s" % (stage, len(jobs), "checked" if expect_ok else
                                     "checked silent"))


# ---------------------------------------------------------------------------
# checks

def check_taps(stage):
    for c in CIRCUITS:
        links = json.loads(ip(NS_PEER[c], "-j", "addr", "show").stdout)
        by_name = {x["ifname"]: x for x in links}
        for link in LINKS:
            x = by_name.get(link)
            if not check(x is not None, "%s: no interface %s in %s" % (stage, link, NS_PEER[c])):
                continue
            addrs = {"%s/%d" % (a["local"], a["prefixlen"]) for a in x.get("addr_info", [])}
            want = {MSEE[link][0] + "/30", MSEE[link][1] + "/126"}
            check(want <= addrs, "%s: %s %s addresses %s, want %s" %
                  (stage, NS_PEER[c], link, sorted(addrs), sorted(want)))
            check(x["address"] == PORT_MAC[link], "%s: %s %s MAC %s, want the port's %s" %
                  (stage, NS_PEER[c], link, x["address"], PORT_MAC[link]))
            check(x["mtu"] == 1500, "%s: %s %s MTU %s" % (stage, NS_PEER[c], link, x["mtu"]))
            check("NOARP" in x["flags"] and "UP" in x["flags"],
                  "%s: %s %s flags %s, want NOARP and UP" % (stage, NS_PEER[c], link, x["flags"]))
    # nothing of that name in erdp's own namespace (net_tap's queue set-up pitfall)
    own = ip(NS_ER, "-br", "link").stdout
    check(not re.search(r"^(primary|secondary)\b", own, re.M),
          "%s: a tap interface appeared in erdp's namespace:\n%s" % (stage, own))


def check_host_telemetry(stage):
    links = host_links()
    for c in CIRCUITS:
        for link in LINKS:
            e = links.get((c, link))
            if not check(e is not None, "%s: /erdp/host has no %s %s" % (stage, c, link)):
                continue
            check(e["namespace"] == NS_PEER[c] and e["interface"] == link,
                  "%s: /erdp/host %s %s: %s/%s" % (stage, c, link, e["namespace"],
                                                    e["interface"]))
            check(e["state"] == "up", "%s: /erdp/host %s %s state %s" % (stage, c, link,
                                                                        e["state"]))
            check(e.get("host_rx_packets", 0) > 0 and e.get("host_tx_packets", 0) > 0,
                  "%s: /erdp/host %s %s host_rx %s host_tx %s, want both > 0" %
                  (stage, c, link, e.get("host_rx_packets"), e.get("host_tx_packets")))
            check(e.get("host_queue_full") == 0, "%s: %s %s host_queue_full %s" %
                  (stage, c, link, e.get("host_queue_full")))


def flood(stage):
    """A UDP flood at customer A's primary MSEE address while TCP 179 keeps talking: the
    exchange must be over while the flood still runs (without the reserved share, TCP
    would lose 9 segments of 10 and back off for minutes)."""
    key = ("ca", "primary")
    before = host_links().get(key, {}).get("host_rate_limited", 0)
    base = peer_run(NS_CU["ca"], "count", MSEE["primary"][0]).get("count", 0)
    p = subprocess.Popen(["ip", "netns", "exec", NS_CU["ca"], sys.executable, PEER, "flood",
                          MSEE["primary"][0], "9", str(FLOOD_PPS), str(FLOOD_MAX_S)],
                         stdout=subprocess.PIPE, text=True)
    time.sleep(2.0)  # the flood is on: buckets empty
    bgp = ask_many([(NS_CU["ca"], "tcp", MSEE["primary"][0], 179)], n=30, timeout=10)[0]
    flooding = p.poll() is None
    p.send_signal(signal.SIGTERM)
    sent = json.loads((p.communicate(timeout=WAIT_S)[0].strip() or "{}").splitlines()[-1])
    time.sleep(1.0)
    got = peer_run(NS_CU["ca"], "count", MSEE["primary"][0])
    after = host_links().get(key, {}).get("host_rate_limited", 0)
    n = got.get("count", 0) - base
    limit = SHARED_RATE * (got.get("seconds", 0) + 1) + SHARED_BURST
    log("%s: flood sent %s, host got %d in %.1f s, host_rate_limited +%d; TCP 179 during it: "
        "%s of 30 in %.1f s" % (stage, sent.get("sent"), n, got.get("seconds", 0),
                                after - before, bgp.get("ok"), bgp.get("seconds", 0)))
    check(bgp.get("ok") == 30 and flooding,
          "%s: TCP 179 during the flood: %s of 30 answered (%s), flood %s: the reserved "
          "share did not protect it" % (stage, bgp.get("ok"), bgp.get("error"),
                                        "still on" if flooding else "over before the end"))
    check(after - before > 0, "%s: host_rate_limited did not grow during the flood" % stage)
    check(0 < n <= limit, "%s: the host got %d flood datagrams, want 1..%d (%d/s over %.1f s "
          "+ 1 s, burst %d)" % (stage, n, limit, SHARED_RATE, got.get("seconds", 0),
                                SHARED_BURST))


def link_admin(link_admin_bin, circuit, link, state):
    r = subprocess.run([link_admin_bin, PREFIX, str(PLINK[(circuit, link)]), state],
                       capture_output=True, text=True, timeout=WAIT_S)
    if r.returncode != 0:
        raise Abort("link_admin %s %s %s: %s" % (circuit, link, state, r.stderr.strip()))


def admin_down(stage, link_admin_bin):
    key = ("ca", "primary")
    link_admin(link_admin_bin, "ca", "primary", "down")
    before = host_links().get(key, {})
    conversations(stage + ", ca primary down", circuits=("ca",), links=("primary",),
                  expect_ok=False, n=1, timeout=2)
    conversations(stage + ", ca secondary", circuits=("ca",), links=("secondary",))
    after = host_links().get(key, {})
    check(after.get("link_down", 0) > before.get("link_down", 0),
          "%s: link_down on ca primary did not grow (%s -> %s)" %
          (stage, before.get("link_down"), after.get("link_down")))
    # nothing reached the host (what the host sent is in link_down too: its answers to
    # the customer's TCP and its own connection attempts)
    check("host_tx_packets" in after and after["host_tx_packets"] == before["host_tx_packets"],
          "%s: ca primary host_tx_packets %s -> %s while the link was down" %
          (stage, before.get("host_tx_packets"), after.get("host_tx_packets")))
    check(after.get("admin") == "down", "%s: /erdp/host admin %s" % (stage, after.get("admin")))
    link_admin(link_admin_bin, "ca", "primary", "up")
    conversations(stage + ", ca primary up again", circuits=("ca",), links=("primary",))


def check_persisted(stage):
    """After kill -9: the taps are there with their addresses, without carrier (once the
    kernel has closed the dead process's queues)."""
    t0 = time.monotonic()
    while True:
        links = {c: {x["ifname"]: x for x in json.loads(ip(NS_PEER[c], "-j", "addr").stdout)}
                 for c in CIRCUITS}
        carrier = [(c, link) for c in CIRCUITS for link in LINKS
                   if "LOWER_UP" in links[c].get(link, {}).get("flags", [])]
        if not carrier or time.monotonic() - t0 > WAIT_S:
            break
        time.sleep(0.1)
    for c in CIRCUITS:
        for link in LINKS:
            x = links[c].get(link)
            if not check(x is not None, "%s: %s %s gone after erdp died" % (stage, c, link)):
                continue
            addrs = {a["local"] for a in x.get("addr_info", [])}
            check(set(MSEE[link]) <= addrs, "%s: %s %s lost its addresses: %s" %
                  (stage, c, link, sorted(addrs)))
            check((c, link) not in carrier, "%s: %s %s still has carrier: %s" %
                  (stage, c, link, x["flags"]))


def check_stats(path, stage):
    try:
        with open(path) as f:
            st = json.load(f)
    except (OSError, ValueError) as e:
        check(False, "%s: stats JSON %s: %s" % (stage, path, e))
        return
    for pe in st["peerings"]:
        for link in LINKS:
            h = pe["links"][link].get("host")
            if check(h is not None, "%s: stats JSON: %s %s has no host counters" %
                     (stage, pe["name"], link)):
                check(h["rx_packets"] > 0 and h["tx_packets"] > 0,
                      "%s: stats JSON %s %s host %s" % (stage, pe["name"], link, h))
    check(st["drops"].get("host_queue_full", 0) == 0, "%s: host_queue_full %s" %
          (stage, st["drops"].get("host_queue_full")))


# ---------------------------------------------------------------------------

def main():
    if len(sys.argv) < 3:
        print("usage: test_host.py ERDP_BINARY LINK_ADMIN_BINARY", file=sys.stderr)
        return 2
    binary, link_admin_bin = (os.path.abspath(a) for a in sys.argv[1:3])
    if os.geteuid() != 0:
        log("SKIP: needs root (network namespaces, taps)")
        return SKIP
    for tool in ("ip", "nsenter"):
        if not shutil.which(tool):
            log("SKIP: %s not installed" % tool)
            return SKIP
    if not os.path.exists("/dev/net/tun"):
        log("SKIP: no /dev/net/tun")
        return SKIP
    tmp = tempfile.mkdtemp(prefix="erdp-host-")
    relays, servers = [], []
    erdp = None

    abort_on_signals()
    try:
        try:
            setup_topology()
        except Abort as e:
            if no_veth(e):
                log("SKIP: kernel has no veth support")
                return SKIP
            raise
        # ---- QinQ ----
        start_relays(tmp, "qinq", relays)
        for c in CIRCUITS:
            start_server(NS_CU[c], "cust-" + c, tmp, servers)
        erdp = Erdp(binary, write_config(tmp, "qinq"), tmp, 1)
        erdp.wait_forwarding()
        check_taps("qinq")
        for c in CIRCUITS:
            start_server(NS_PEER[c], c, tmp, servers)
        conversations("qinq")
        flood("qinq")
        admin_down("qinq", link_admin_bin)
        check_host_telemetry("qinq")

        # ---- kill -9, restart ----
        erdp.stop(signal.SIGKILL)
        check_persisted("after kill -9")
        erdp = Erdp(binary, write_config(tmp, "qinq"), tmp, 2)
        erdp.wait_forwarding()
        check_taps("restarted")
        conversations("restarted")
        check(erdp.stop() == 0, "erdp did not exit cleanly on SIGTERM")
        check_stats(erdp.stats, "restarted")

        # ---- Dot1Q: the same taps, other tags ----
        stop_procs(relays)
        start_relays(tmp, "dot1q", relays)
        erdp = Erdp(binary, write_config(tmp, "dot1q"), tmp, 3)
        erdp.wait_forwarding()
        check_taps("dot1q")
        conversations("dot1q")
        check_host_telemetry("dot1q")
        check(erdp.stop() == 0, "erdp did not exit cleanly on SIGTERM (dot1q)")
        check_stats(erdp.stats, "dot1q")
    except Abort as e:
        check(False, "aborted: %s" % e)
    except (subprocess.TimeoutExpired, OSError, ValueError) as e:
        check(False, "aborted: %r" % e)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if erdp is not None:
            erdp.stop()
            if failures:
                log("---- erdp log (last 40 lines) ----\n" +
                    "\n".join(erdp.text().splitlines()[-40:]))
        stop_procs(servers)
        stop_procs(relays)
        for ns in (NS_ER, NS_SW) + tuple(NS_CU.values()) + tuple(NS_PEER.values()):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree("/var/run/dpdk/" + PREFIX, ignore_errors=True)
        try:
            os.unlink("/dev/shm/erdp-%s.ctl" % PREFIX)
        except OSError:
            pass
        if os.environ.get("ERDP_KEEP"):
            log("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return test_netns.verdict()


if __name__ == "__main__":
    sys.exit(main())
