# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end test with Linux network namespaces: real kernel stacks on both sides of erdp.

    /usr/bin/python3 test_netns.py ERDP_BINARY

Topology (every name carries this process's pid, so parallel runs and
leftovers from a killed run cannot collide):

    netns erdp-er-PID          netns erdp-cu-PID (the customer router)
    erdp (net_af_packet0) erp0 ==veth== veth0
                                          veth0.100       802.1Q S-tag 100
                                            veth0.100.200 802.1Q C-tag 200
                                              192.168.100.129/30, 2001:db8:100::1/126
                                          lo: 10.10.1.1-16/32, fd10:10:1::1-16/128 (on-prem)
         (net_af_packet1) ega0 ==veth== eth0 in netns erdp-ga-PID (gateway instance A)
         (net_af_packet2) egb0 ==veth== eth0 in netns erdp-gb-PID (gateway instance B)
                                          eth0: 10.100.0.1|2/24, fd00:100::1|2/64
                                          lo:   10.100.1.1/32, fd00:100:1::1/128 (anycast VNet host)

Choices:
  * erdp runs in its own namespace, not the root one: the root-side veth
    ends then have no kernel IPv4/IPv6 life that could answer, forward or
    leak frames (the host's ip_forward and default route are out of reach),
    and nothing is left in the root namespace if the test dies.
  * net_af_packet, not net_tap: the veth pair is the "cable", and the
    customer end stays an ordinary kernel interface that VLAN devices
    stack on. The kernel moves a received frame's outer tag into skb
    metadata; DPDK's af_packet PMD puts it back (as TPID 0x8100, hence the
    0x8100 outer tag used here, the TPID Azure documents).
  * Kernels built without CONFIG_VLAN_8021Q (some VM kernels) cannot create
    veth0.100: the test then makes veth0.100.200 a TAP device served by
    qinq_relay.py, which pushes/pops exactly the two tags the kernel's
    stacked VLAN devices would and drops anything else. The kernel's own
    sub-interfaces are always tried first; the log says which one ran.
  * Checksum/VLAN offloads are off on every veth so that frames carry full
    checksums and inline tags.
  * Which instance served a flow is read from the reply's TTL: instance A
    sends with TTL/hop limit 64, instance B with 100, so the customer sees
    63 or 99 (erdp decrements it once, checked too). ICMP flows hash on
    (src, dst, proto) only, so flows differ by source address: 16 on-prem
    addresses per family. The hash is deterministic, so the split is too.
  * Gateway-side pings use the anycast VNet address as source: the reply
    (customer -> VNet) is hashed like the customer's flow, and must come
    back to the instance that owns that flow (flow hashing is symmetric).
  * An instance dies as a VM would: its eth0 goes down. erdp must notice by
    its ARP health probes (100 ms x 3) and move only that instance's flows;
    when it comes back, its flows must return to it (resilient hashing).
  * The customer's MAC is not configured: erdp must learn it from the
    customer's own ARP/ND, and every frame erdp sends to the customer must
    carry S-tag 100 / C-tag 200 (TPID 0x8100) and that MAC. tcpdump on the
    customer's veth0 records the wire; scapy checks it at the end.

Exit status: 0 pass, 1 fail, 77 skip (not root, no `ip netns`, or no veth
support: nothing of erdp is judged then). ERDP_KEEP=1 keeps the temp dir.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
PID = os.getpid()
NS_ER, NS_CU, NS_GA, NS_GB = ("erdp-%s-%d" % (n, PID) for n in ("er", "cu", "ga", "gb"))
PREFIX = "linux%d" % PID
N_FLOWS = 16
TTL = {NS_GA: 64, NS_GB: 100}     # default TTL / hop limit of each instance
INST_NAME = {NS_GA: "A", NS_GB: "B"}
PORT_MAC = {"er-primary": "02:ee:00:00:00:01", "gwa": "02:ee:00:00:00:10",
            "gwb": "02:ee:00:00:00:11"}
S_TAG, C_TAG = 100, 200
CUST4, MSEE4 = "192.168.100.129", "192.168.100.130"
CUST6, MSEE6 = "2001:db8:100::1", "2001:db8:100::2"
VNET4, VNET6 = "10.100.1.1", "fd00:100:1::1"
ONPREM4 = ["10.10.1.%d" % k for k in range(1, N_FLOWS + 1)]
ONPREM6 = ["fd10:10:1::%x" % k for k in range(1, N_FLOWS + 1)]
GW_ADDR = {NS_GA: ("10.100.0.1", "fd00:100::1"), NS_GB: ("10.100.0.2", "fd00:100::2")}


class Abort(Exception):
    pass


def abort_on_signals():
    """SIGTERM and SIGINT raise Abort: the test's finally clause then cleans up."""
    def on_signal(sig, _frame):
        raise Abort("killed by signal %d" % sig)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def no_veth(e):
    """Did `ip link add ... type veth` fail for want of veth in the kernel?"""
    return "veth" in str(e) and "Unknown device type" in str(e)


# ---------------------------------------------------------------------------
# Reporting

failures = []
n_checks = 0


def check(cond, msg):
    global n_checks
    n_checks += 1
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg, flush=True)
    return cond


T0 = time.monotonic()


def log(msg):
    print("%8.3f %s" % (time.monotonic() - T0, msg), flush=True)


# ---------------------------------------------------------------------------
# Shell helpers

def run(*cmd, ns=None, check_rc=True, timeout=30):
    cmd = [str(c) for c in cmd]
    if ns is not None:
        cmd = ["ip", "netns", "exec", ns] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check_rc and r.returncode != 0:
        raise Abort("command failed (%d): %s\n%s%s" % (r.returncode, " ".join(cmd), r.stdout,
                                                       r.stderr))
    return r


def ip(ns, *args, check_rc=True):
    return run("ip", "-n", ns, *args, check_rc=check_rc)


def sysctl(ns, *settings):
    run("sysctl", "-qw", *settings, ns=ns)


def offloads_off(ns, dev):
    # Full checksums and inline tags on the wire. Some features are fixed on
    # some kernels: ethtool then fails for those; that is fine.
    if shutil.which("ethtool"):
        for feat in ("tx", "rx", "txvlan", "rxvlan", "tx-vlan-stag-hw-insert",
                     "rx-vlan-stag-hw-parse"):
            run("ethtool", "-K", dev, feat, "off", ns=ns, check_rc=False)


def link_mac(ns, dev):
    return json.loads(ip(ns, "-j", "link", "show", dev).stdout)[0]["address"]


def ping_many(jobs, count=2, deadline=20):
    """Run pings (ns, dst, src) at once; for each, the list of reply TTLs (hop limits).

    Each ping sends until it has `count` replies or `deadline` seconds passed
    (ping -c with -w), so a host that starves the QinQ relay or erdp for a
    while slows a test down instead of failing it; only a path that does not
    answer at all runs into the deadline. Flows are independent (own source
    address, own ICMP id), so running them side by side changes nothing for
    erdp and keeps a failing run short."""
    procs = []
    for ns, dst, src in jobs:
        cmd = ["ip", "netns", "exec", ns, "ping", "-n", "-c", str(count), "-i", "0.2",
               "-w", str(deadline)]
        if ":" in dst:
            cmd.append("-6")
        if src:
            cmd += ["-I", src]
        procs.append(subprocess.Popen(cmd + [dst], stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True))
    out = []
    for p in procs:
        try:
            text = p.communicate(timeout=deadline + 20)[0]
        except subprocess.TimeoutExpired:
            p.kill()
            text = p.communicate()[0]
        # Replies to requests sent while the first ones were on their way also count
        # in ping's output: the first `count` are the answer.
        out.append([int(t) for t in re.findall(r"ttl=(\d+)", text)][:count])
    return out


def ping(ns, dst, src=None, count=2, deadline=20):
    return ping_many([(ns, dst, src)], count, deadline)[0]


# ---------------------------------------------------------------------------
# erdp process and its log

class Erdp:
    """erdp in its namespace; a thread keeps its output lines with arrival times."""

    def __init__(self, binary, conf, tmp):
        stats = os.path.join(tmp, "stats.json")
        self.start(["ip", "netns", "exec", NS_ER, binary, "-c", conf, "--stats-json", stats,
                    "--stats-interval", "0", "--", "--no-huge", "-m", "512", "--file-prefix",
                    PREFIX], os.path.join(tmp, "erdp.log"), stats)

    def start(self, cmd, logpath, stats):
        """Run cmd (erdp, with --stats-json stats), its output kept in logpath too."""
        self.logpath = logpath
        self.stats = stats
        self.lines = []  # (seconds since the test started, line)
        self.pos = 0     # wait_for looks at lines from here on
        log("+ " + " ".join(cmd))
        # `ip netns exec` execs erdp: this pid is erdp's.
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, errors="replace")
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        with open(self.logpath, "w") as f:
            for line in self.proc.stdout:
                t = time.monotonic() - T0
                self.lines.append((t, line.rstrip("\n")))
                f.write("%8.3f %s" % (t, line))
                f.flush()

    def text(self):
        return "\n".join("%8.3f %s" % tl for tl in list(self.lines))

    def mark(self):
        """From now on wait_for only sees new lines."""
        self.pos = len(self.lines)

    def wait_for(self, pattern, timeout):
        """Wait for a new line matching pattern; the seconds it took, or None."""
        t0 = time.monotonic()
        rx = re.compile(pattern)
        while True:
            lines = list(self.lines)
            for i in range(self.pos, len(lines)):
                if rx.search(lines[i][1]):
                    self.pos = i + 1
                    return time.monotonic() - t0
            self.pos = len(lines)
            if time.monotonic() - t0 >= timeout or self.proc.poll() is not None:
                return None
            time.sleep(0.02)

    def down_instances(self):
        last = {}
        for _, line in list(self.lines):
            m = re.search(r"gateway gw-lab instance (\d+)\b.*\b(up|down)\b", line)
            if m:
                last[m.group(1)] = m.group(2)
        return sorted(i for i, st in last.items() if st == "down")

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        self.reader.join(timeout=5)
        return self.proc.returncode


def telemetry(cmd, prefix=PREFIX):
    """One DPDK telemetry request to erdp (EAL file prefix `prefix`); the decoded reply or None."""
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
            s.settimeout(3)
            s.connect(path)
            s.recv(16384)  # greeting
            s.send(cmd.encode())
            return json.loads(s.recv(1 << 20).decode())
    except (OSError, ValueError) as e:
        log("telemetry %s: %s" % (cmd, e))
        return None


# ---------------------------------------------------------------------------
# Topology

def write_config(tmp, mac_a, mac_b):
    conf = os.path.join(tmp, "erdp.conf")
    with open(conf, "w") as f:
        f.write("""# written by tests/linux/test_netns.py
eal = {{ lcores = "0-1"; huge = false; memory_mb = 512; file_prefix = "{prefix}";
        args = [ "--log-level=lib.eal:notice" ]; }};
dataplane = {{ mbufs = 8191; rx_desc = 512; tx_desc = 512; stats_interval_ms = 0; }};
port_pair = {{ encapsulation = "qinq"; speed = "10G"; }};
ports = (
  {{ name = "er-primary"; device = "net_af_packet0,iface=erp0"; role = "primary";
    mac = "{m0}"; }},
  {{ name = "gwa"; device = "net_af_packet1,iface=ega0"; role = "gateway"; mac = "{m1}"; }},
  {{ name = "gwb"; device = "net_af_packet2,iface=egb0"; role = "gateway"; mac = "{m2}"; }}
);
vrfs = ( {{ name = "lab"; routes = (
  {{ prefix = "10.10.0.0/16"; peering = "lab/private"; }},
  {{ prefix = "fd10:10::/32"; peering = "lab/private"; }} ); }} );
circuits = ( {{ name = "lab"; s_tag = {s}; bandwidth = "10G"; peerings = (
  {{ type = "private"; c_tag = {c}; vrf = "lab"; ipv4 = "192.168.100.128/29";
    ipv6 = "2001:db8:100::/125"; peer_asn = 65001; }} ); }} );  # no customer_mac: learned
gateways = ( {{ name = "gw-lab"; vrf = "lab";
  prefixes = [ "10.100.0.0/16", "fd00:100::/48", "fd00:100:1::/48" ];
  health_interval_ms = 100; health_multiplier = 5;
  instances = (
    {{ port = "gwa"; mac = "{ma}"; ip = "10.100.0.1"; zone = "1"; }},
    {{ port = "gwb"; mac = "{mb}"; ip = "10.100.0.2"; zone = "2"; }} ); }} );
""".format(prefix=PREFIX, m0=PORT_MAC["er-primary"], m1=PORT_MAC["gwa"], m2=PORT_MAC["gwb"],
           s=S_TAG, c=C_TAG, ma=mac_a, mb=mac_b))
    return conf


def setup_namespaces():
    for ns in (NS_ER, NS_CU, NS_GA, NS_GB):
        run("ip", "netns", "add", ns)
        ip(ns, "link", "set", "lo", "up")
    # erdp's namespace: no IPv6 (no RS/MLD/DAD of its own on the wires), no forwarding.
    sysctl(NS_ER, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
           "net.ipv4.conf.all.forwarding=0")
    for mine, peer_ns, peer in (("erp0", NS_CU, "veth0"), ("ega0", NS_GA, "eth0"),
                                ("egb0", NS_GB, "eth0")):
        ip(NS_ER, "link", "add", mine, "mtu", "1600", "type", "veth", "peer", "name", peer,
           "mtu", "1600", "netns", peer_ns)
        offloads_off(NS_ER, mine)
        offloads_off(peer_ns, peer)
        ip(NS_ER, "link", "set", mine, "up")


def setup_customer(tmp):
    """veth0.100.200 with kernel VLANs, else the TAP relay. Returns (mode, relay proc)."""
    sysctl(NS_CU, "net.ipv6.conf.veth0.disable_ipv6=1", "net.ipv4.conf.all.rp_filter=0")
    ip(NS_CU, "link", "set", "veth0", "up")
    relay = None
    r = ip(NS_CU, "link", "add", "link", "veth0", "name", "veth0.100", "type", "vlan",
           "proto", "802.1Q", "id", S_TAG, check_rc=False)
    if r.returncode == 0:
        mode = "kernel 802.1Q sub-interfaces"
        ip(NS_CU, "link", "add", "link", "veth0.100", "name", "veth0.100.200", "type", "vlan",
           "proto", "802.1Q", "id", C_TAG)
        # the S-tag-only device sends nothing of its own
        sysctl(NS_CU, "net.ipv6.conf.veth0/100.disable_ipv6=1")
        ip(NS_CU, "link", "set", "veth0.100", "up")
    else:
        mode = "TAP + qinq_relay.py (kernel has no 802.1Q: %s)" % r.stderr.strip()
        ready = os.path.join(tmp, "relay.ready")
        relay = subprocess.Popen(["ip", "netns", "exec", NS_CU, sys.executable,
                                  os.path.join(HERE, "qinq_relay.py"), "veth0", ready,
                                  "veth0.100.200:%d:%d" % (S_TAG, C_TAG)])
        t0 = time.monotonic()
        while not os.path.exists(ready):
            if relay.poll() is not None or time.monotonic() - t0 > 10:
                raise Abort("qinq_relay.py did not start")
            time.sleep(0.05)
        ip(NS_CU, "link", "set", "veth0.100.200", "mtu", "1500")
    dev = "veth0.100.200"
    sysctl(NS_CU, "net.ipv6.conf.veth0/100/200.accept_ra=0")
    ip(NS_CU, "link", "set", dev, "up")
    ip(NS_CU, "addr", "add", CUST4 + "/30", "dev", dev)
    ip(NS_CU, "-6", "addr", "add", CUST6 + "/126", "dev", dev, "nodad")
    for a in ONPREM4:
        ip(NS_CU, "addr", "add", a + "/32", "dev", "lo")
    for a in ONPREM6:
        ip(NS_CU, "-6", "addr", "add", a + "/128", "dev", "lo", "nodad")
    ip(NS_CU, "route", "add", "10.100.0.0/16", "via", MSEE4)
    for p in ("fd00:100::/48", "fd00:100:1::/48"):
        ip(NS_CU, "-6", "route", "add", p, "via", MSEE6)
    return mode, relay


def gateway_routes(ns):
    # Any next hop on the link works: erdp proxy-answers ARP/NS on gateway ports.
    for p in ("192.168.100.128/29", "10.10.0.0/16"):
        ip(ns, "route", "replace", p, "via", "10.100.0.254", "dev", "eth0")
    for p in ("2001:db8:100::/125", "fd10:10::/32"):
        ip(ns, "-6", "route", "replace", p, "via", "fd00:100::fe", "dev", "eth0")


def setup_gateway(ns):
    a4, a6 = GW_ADDR[ns]
    t = TTL[ns]
    sysctl(ns, "net.ipv4.ip_default_ttl=%d" % t, "net.ipv6.conf.all.hop_limit=%d" % t,
           "net.ipv6.conf.default.hop_limit=%d" % t, "net.ipv6.conf.eth0.hop_limit=%d" % t,
           "net.ipv6.conf.eth0.keep_addr_on_down=1", "net.ipv6.conf.eth0.accept_ra=0",
           "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.eth0.rp_filter=0")
    # eth0 stays down until erdp forwards (see gateways_up)
    ip(ns, "addr", "add", a4 + "/24", "dev", "eth0")
    ip(ns, "-6", "addr", "add", a6 + "/64", "dev", "eth0", "nodad")
    ip(ns, "addr", "add", VNET4 + "/32", "dev", "lo")
    ip(ns, "-6", "addr", "add", VNET6 + "/128", "dev", "lo", "nodad")


def link_local_state(ns):
    """'ok', 'tentative' or 'dadfailed': the state of eth0's IPv6 link-local address."""
    out = ip(ns, "-6", "addr", "show", "dev", "eth0", "scope", "link").stdout
    return "dadfailed" if "dadfailed" in out else "tentative" if "tentative" in out else "ok"


def gateways_up(stage, which=(NS_GA, NS_GB)):
    """Bring the instances' eth0 up (as VMs booting behind a running MSEE) and
    wait for their IPv6 duplicate address detection to finish (< 2 s with
    Linux's defaults). erdp must not answer a DAD probe: it would make the
    instance give up its link-local address, and Linux then cannot even send
    the neighbour solicitation for its next hop (no usable source address)."""
    for ns in which:
        ip(ns, "link", "set", "eth0", "up")
        gateway_routes(ns)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 4:
        states = {ns: link_local_state(ns) for ns in which}
        if "tentative" not in states.values():
            break
        time.sleep(0.1)
    for ns, st in states.items():
        check(st == "ok", "%s: instance %s's IPv6 link-local address on eth0 is %s after "
              "%.1f s: erdp answered its duplicate address detection probe (NS from ::) "
              "on the gateway port" % (stage, INST_NAME[ns], st, time.monotonic() - t0))


def start_capture(tmp):
    if not shutil.which("tcpdump"):
        log("note: no tcpdump: the wire checks are skipped")
        return None, None
    path = os.path.join(tmp, "customer-wire.pcap")
    errpath = os.path.join(tmp, "tcpdump.err")
    p = subprocess.Popen(["ip", "netns", "exec", NS_CU, "tcpdump", "-i", "veth0", "-n", "-U",
                          "-s", "256", "-Z", "root", "-w", path],
                         stdout=subprocess.DEVNULL, stderr=open(errpath, "w"))
    t0 = time.monotonic()
    while time.monotonic() - t0 < 10:
        with open(errpath) as f:
            if "listening" in f.read():
                return p, path
        if p.poll() is not None:
            break
        time.sleep(0.05)
    log("note: tcpdump did not start: the wire checks are skipped")
    return None, None


# ---------------------------------------------------------------------------
# The checks

def flows(v6):
    """(source, destination) of each customer flow toward the VNet host, link address last."""
    if v6:
        return [(s, VNET6) for s in ONPREM6] + [(CUST6, VNET6)]
    return [(s, VNET4) for s in ONPREM4] + [(CUST4, VNET4)]


def instance_of(ttls):
    """The instance a customer saw replies from, by TTL; None when unclear."""
    owners = {ns for t in ttls for ns in TTL if t == TTL[ns] - 1}
    return owners.pop() if len(owners) == 1 and len(ttls) > 0 else None


def ping_flows(v6, stage, expect=None):
    """Ping every flow from the customer; check replies; returns {src: instance ns}."""
    fam = "IPv6" if v6 else "IPv4"
    got = {}
    fl = flows(v6)
    for (src, dst), ttls in zip(fl, ping_many([(NS_CU, dst, src) for src, dst in fl])):
        inst = instance_of(ttls)
        got[src] = inst
        if not check(len(ttls) == 2, "%s: %s ping %s -> %s: %d of 2 replies" %
                     (stage, fam, src, dst, len(ttls))):
            continue
        want_ttls = sorted({TTL[n] - 1 for n in TTL})
        check(inst is not None, "%s: %s %s -> %s: reply TTLs %s, want all one of %s (instance "
              "TTL minus the one hop erdp is)" % (stage, fam, src, dst, ttls, want_ttls))
        if expect is not None and inst is not None:
            want = expect(src)
            check(inst == want, "%s: %s flow %s -> %s served by instance %s, want %s" %
                  (stage, fam, src, dst, INST_NAME[inst], INST_NAME.get(want, want)))
    split = {INST_NAME[n]: sum(1 for v in got.values() if v == n) for n in TTL}
    log("%s: %s flows per instance: %s" % (stage, fam, split))
    return got


def ping_back(owner, v6, stage, only=None):
    """From the instance owning each flow, ping the customer with the anycast VNet source."""
    fam = "IPv6" if v6 else "IPv4"
    vnet = VNET6 if v6 else VNET4
    jobs = [(owner.get(src) if only is None else only, src) for src, _ in flows(v6)]
    jobs = [(ns, src) for ns, src in jobs if ns is not None]
    for (ns, src), ttls in zip(jobs, ping_many([(ns, src, vnet) for ns, src in jobs])):
        if check(len(ttls) == 2, "%s: %s ping from gateway instance %s (%s) -> customer %s: "
                 "%d of 2 replies" % (stage, fam, INST_NAME[ns], vnet, src, len(ttls))):
            check(all(t == 63 for t in ttls), "%s: %s customer %s replied with TTL %s, want 63 "
                  "(64 - erdp's hop)" % (stage, fam, src, ttls))
    log("%s: %s pings from the gateway side: %d flows" % (stage, fam, len(jobs)))


def check_wire(pcap, cust_mac):
    """Every frame erdp sent to the customer: S/C tags, TPID 0x8100, the learned MAC."""
    try:
        from scapy.all import Dot1Q, Ether, rdpcap, ARP  # noqa: F401
    except ImportError:
        log("note: no scapy: the wire checks are skipped")
        return
    frames = rdpcap(pcap)
    mine = [f for f in frames if Ether in f and f[Ether].src == PORT_MAC["er-primary"]]
    theirs = [f for f in frames if Ether in f and f[Ether].src == cust_mac]
    log("wire (customer veth0): %d frames, %d from erdp, %d from the customer" %
        (len(frames), len(mine), len(theirs)))
    check(len(mine) > 0, "no frame from erdp's port MAC %s on the customer wire" %
          PORT_MAC["er-primary"])
    bad = []
    unicast_ok = 0
    for f in mine:
        e = f[Ether]
        ok = (e.type == 0x8100 and Dot1Q in f and f[Dot1Q].vlan == S_TAG and
              f[Dot1Q].type == 0x8100 and Dot1Q in f[Dot1Q].payload and
              f[Dot1Q].payload[Dot1Q].vlan == C_TAG and
              f[Dot1Q].payload[Dot1Q].type not in (0x8100, 0x88a8, 0x9100))
        dst_ok = e.dst == cust_mac or int(e.dst.split(":")[0], 16) & 1
        unicast_ok += e.dst == cust_mac
        if not (ok and dst_ok):
            bad.append(f)
    check(unicast_ok > 0, "erdp never sent a unicast frame to the learned customer MAC %s" %
          cust_mac)
    if check(not bad, "%d frames from erdp to the customer with wrong tags or destination "
             "MAC (want outer 0x8100 vid %d, inner 0x8100 vid %d, dst %s):" %
             (len(bad), S_TAG, C_TAG, cust_mac)) is False:
        for f in bad[:10]:
            log("  " + f.summary() + "  " + bytes(f)[:26].hex())


def check_stats(path, relay_mode):
    try:
        with open(path) as f:
            st = json.load(f)
    except (OSError, ValueError) as e:
        check(False, "stats JSON %s unreadable: %s" % (path, e))
        return
    pe = [p for p in st["peerings"] if p["name"] == "lab/private"]
    if not check(len(pe) == 1, "stats JSON has no peering lab/private"):
        return
    link = pe[0]["links"]["primary"]
    log("stats: peering lab/private primary rx=%d tx=%d local=%d; drops: %s" %
        (link["rx_packets"], link["tx_packets"], link.get("local_packets", 0),
         {k: v for k, v in st["drops"].items() if v}))
    check(link["rx_packets"] > 0, "peering lab/private primary rx_packets is 0")
    check(link["tx_packets"] > 0, "peering lab/private primary tx_packets is 0")
    ports = {p["name"]: p for p in st["ports"]}
    for name in ("er-primary", "gwa", "gwb"):
        check(ports.get(name, {}).get("rx_packets", 0) > 0, "port %s rx_packets is 0" % name)
        check(ports.get(name, {}).get("tx_packets", 0) > 0, "port %s tx_packets is 0" % name)
    # Real kernels send well-formed frames on the tags we configured: any of
    # these means erdp misparsed them (or a tag was lost on the way).
    for reason in ("truncated", "untagged", "tpid_not_accepted", "wrong_tag_count",
                   "vlan_invalid", "unknown_s_tag", "unknown_c_tag", "unknown_vlan",
                   "ipv4_bad_header", "ipv4_bad_checksum", "ipv6_bad_header", "arp_invalid",
                   "punt_queue_full", "mtu_exceeded", "ttl_exceeded"):
        check(st["drops"].get(reason, 0) == 0, "drops.%s = %d, want 0" %
              (reason, st["drops"].get(reason, 0)))
    # tx_full: not on gwa, whose veth peer was down for a while (the af_packet
    # PMD then reports its ring full: the health probes go nowhere).
    for name in ("er-primary", "gwb"):
        n = ports.get(name, {}).get("drops", {}).get("tx_full", 0)
        check(n == 0, "port %s drops.tx_full = %d, want 0" % (name, n))


def neighbor_entries(obj):
    """Every dict with ip/mac/state keys in a telemetry reply (whatever its nesting)."""
    if isinstance(obj, dict):
        if {"ip", "mac", "state"} <= obj.keys():
            yield obj
        for v in obj.values():
            yield from neighbor_entries(v)


def check_neighbors(cust_mac):
    t = telemetry("/erdp/neighbors")
    if not check(t is not None, "telemetry /erdp/neighbors did not answer"):
        return
    entries = list(neighbor_entries(t))
    log("erdp neighbors: %s" % entries)
    for fam, addr in (("ipv4", CUST4), ("ipv6", CUST6)):
        e = [x for x in entries if x["ip"] == addr and x.get("link", "primary") == "primary"]
        check(len(e) == 1 and e[0]["mac"].lower() == cust_mac and e[0]["state"] == "reachable",
              "erdp's %s neighbour on the primary link: %s, want %s at %s, reachable" %
              (fam, e, addr, cust_mac))


def check_no_flaps(erdp, since):
    """After start-up, instance A went down once (we did it) and B never."""
    ev = [(t, l) for t, l in erdp.lines[since:] if re.search(r"gateway gw-lab instance", l)]
    for i, want in (("0", 1), ("1", 0)):
        downs = [t for t, l in ev if re.search(r"instance %s\b.*\bdown\b" % i, l)]
        check(len(downs) == want, "erdp took instance %s down %d times (at %s s), want %d: "
              "a live instance's probe replies went unprocessed for 3 x 100 ms" %
              ("AB"[int(i)], len(downs), ["%.2f" % t for t in downs], want))


def main():
    if len(sys.argv) < 2:
        print("usage: test_netns.py ERDP_BINARY", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        log("SKIP: needs root (network namespaces)")
        return SKIP
    if not shutil.which("ip") or run("ip", "netns", "list", check_rc=False).returncode != 0:
        log("SKIP: no usable `ip netns` (iproute2)")
        return SKIP
    for tool in ("ping",):
        if not shutil.which(tool):
            check(False, "%s not installed (tools/install-deps.sh installs it)" % tool)
            return 1

    tmp = tempfile.mkdtemp(prefix="erdp-linux-")
    procs = {}
    erdp = None

    abort_on_signals()
    try:
        try:
            setup_namespaces()
        except Abort as e:
            if no_veth(e):
                log("SKIP: kernel has no veth support")
                return SKIP
            raise
        mode, procs["relay"] = setup_customer(tmp)
        log("customer QinQ sub-interface: " + mode)
        for ns in (NS_GA, NS_GB):
            setup_gateway(ns)
        cust_mac = link_mac(NS_CU, "veth0.100.200")
        mac_a, mac_b = link_mac(NS_GA, "eth0"), link_mac(NS_GB, "eth0")
        log("customer MAC %s, instance A %s, instance B %s" % (cust_mac, mac_a, mac_b))
        procs["tcpdump"], pcap = start_capture(tmp)
        conf = write_config(tmp, mac_a, mac_b)

        erdp = Erdp(binary, conf, tmp)
        if erdp.wait_for(r"\bforwarding\b", 30) is None:
            raise Abort("erdp did not start forwarding:\n" + erdp.text())
        gateways_up("start")
        time.sleep(1.0)  # > 3 probe periods: erdp has had its say on every instance
        # Probes went unanswered until eth0 came up: wait until erdp has both
        # instances up (its last word on each).
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5 and erdp.down_instances():
            time.sleep(0.05)
        check(not erdp.down_instances(), "instances %s still down in erdp 5 s after their "
              "eth0 came up" % erdp.down_instances())
        erdp.mark()
        settled = len(erdp.lines)

        # 1. The MSEE addresses: ARP/ND then echo, answered by erdp (TTL 64).
        for dst in (MSEE4, MSEE6):
            ttls = ping(NS_CU, dst, count=3)
            if check(len(ttls) == 3, "customer ping MSEE %s: %d of 3 replies" % (dst, len(ttls))):
                check(all(t == 64 for t in ttls), "MSEE %s replied with TTL %s, want 64" %
                      (dst, ttls))
        check_neighbors(cust_mac)

        # 2. Hosts behind the gateway, per flow; both instances must take some.
        owner4 = ping_flows(False, "both instances up")
        owner6 = ping_flows(True, "both instances up")
        for fam, owner in (("IPv4", owner4), ("IPv6", owner6)):
            used = {n for n in owner.values() if n}
            check(used == set(TTL), "%s: flows reached instances %s, want both A and B" %
                  (fam, sorted(INST_NAME[n] for n in used)))

        # 3. The gateway side pings back, each flow from the instance that owns it.
        ping_back(owner4, False, "both instances up")
        ping_back(owner6, True, "both instances up")

        # 4. Instance A dies: erdp's probes notice; every flow goes through B.
        erdp.mark()
        ip(NS_GA, "link", "set", "eth0", "down")
        dt = erdp.wait_for(r"gateway gw-lab instance 0\b.*\bdown\b", 5)
        if check(dt is not None, "erdp did not report instance A down within 5 s of its eth0 "
                 "going down (health 100 ms x 3)"):
            log("instance A down noticed after %.2f s" % dt)
        ping_flows(False, "instance A down", expect=lambda s: NS_GB)
        ping_flows(True, "instance A down", expect=lambda s: NS_GB)
        ping_back(owner4, False, "instance A down", only=NS_GB)
        ping_back(owner6, True, "instance A down", only=NS_GB)

        # 5. A comes back: erdp notices, and A's flows return to it.
        # (gateways_up re-adds the routes: the kernel flushed those through the downed eth0)
        erdp.mark()
        gateways_up("instance A back", (NS_GA,))
        dt = erdp.wait_for(r"gateway gw-lab instance 0\b.*\bup\b", 5)
        if check(dt is not None, "erdp did not report instance A up within 5 s"):
            log("instance A up noticed after %.2f s" % dt)
        ping_flows(False, "instance A back", expect=lambda s: owner4[s])
        ping_flows(True, "instance A back", expect=lambda s: owner6[s])
        check(telemetry("/erdp/ports") is not None, "telemetry /erdp/ports did not answer")

        # 6. Stop erdp; counters; the wire.
        rc = erdp.stop()
        check(rc == 0, "erdp exit status %s on SIGTERM, want 0" % rc)
        check_no_flaps(erdp, settled)
        check_stats(erdp.stats, procs.get("relay") is not None)
        if procs.get("tcpdump") is not None:
            procs.pop("tcpdump").send_signal(signal.SIGTERM)
            time.sleep(0.3)
            check_wire(pcap, cust_mac)
    except Abort as e:
        check(False, "aborted: %s" % e)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if erdp is not None and erdp.proc.poll() is None:
            erdp.stop()
        for p in procs.values():
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
        if failures:
            for ns in (NS_GA, NS_GB, NS_CU):
                for what in (("-6", "addr"), ("-6", "neigh"), ("neigh",)):
                    r = ip(ns, *what, check_rc=False)
                    log("---- %s: ip %s ----\n%s" % (ns, " ".join(what), r.stdout.strip()))
        if os.environ.get("ERDP_HOLD"):
            log("holding the namespaces for %s s" % os.environ["ERDP_HOLD"])
            time.sleep(float(os.environ["ERDP_HOLD"]))
        if failures and erdp is not None:
            log("---- erdp log (last 60 lines) ----\n" +
                "\n".join(erdp.text().splitlines()[-60:]))
        for ns in (NS_ER, NS_CU, NS_GA, NS_GB):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree("/var/run/dpdk/" + PREFIX, ignore_errors=True)
        if os.environ.get("ERDP_KEEP"):
            log("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    return verdict()


def verdict():
    """Log the count of checks and failures; the exit status: 0 pass, 1 fail."""
    log("%d checks, %d failed" % (n_checks, len(failures)))
    log("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
