# SPDX-License-Identifier: BSD-3-Clause
"""Harness for erdp-cp's BGP end-to-end tests (test_bgp_*.py).

The customer is BIRD 2 (a different implementation than the MSEE side's
FRR) in its own network namespace. Wiring ("frr lab"): each peering link is
a veth pair, `primary` / `secondary` in the peering's namespace (the names
erdp gives its taps there) with the MSEE's addresses, the other end in the
customer's namespace with the customer's. erdp-cp runs FRR in the peering
namespace, exactly as with erdp, and takes the routes from FPM into its RIB;
erdp itself is not started: these tests judge the control plane, what
erdp does with the routes is judged by the cp tests and the erdp wiring
(test_bgp_erdp.py).

Every name carries this process's pid, so parallel runs and leftovers of a
killed run never collide: instance and namespace prefix "erdp_t_bgpPID",
peering namespaces "erdp_t_bgpPID-<circuit>-<type>", customer
"erdp_t_bgpPID-cust". Everything started is stopped and every namespace
deleted at the end, also on failure or SIGTERM (meson's timeout).

Nothing here asserts on wall time: waits poll a condition with a generous
deadline. Times are measured and printed for docs/bgp.md.

Exit status: 0 pass, 1 fail, 77 skip (not root, or no `ip netns`).
"""
import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "erdp", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "erdp", "linux"))

import cptest  # noqa: E402
import test_netns as netns  # noqa: E402  (shell helpers of the Linux namespace tests)
from cptest import telemetry, wait_for  # noqa: E402,F401
from erdptest import Checker  # noqa: E402,F401

SKIP = 77
T0 = time.monotonic()


def log(msg):
    print("%8.3f %s" % (time.monotonic() - T0, msg), flush=True)


def run(*cmd, ns=None, check=True, timeout=30):
    """A command (in namespace ns); its CompletedProcess. Failing with check: an exception."""
    return netns.run(*cmd, ns=ns, check_rc=check, timeout=timeout)


def tails(paths, n):
    """The last n lines of each log, under its name."""
    out = []
    for p in paths:
        with open(p, errors="replace") as f:
            out.append("---- %s\n%s" % (os.path.basename(p), "".join(f.readlines()[-n:])))
    return "\n".join(out)


def stop_proc(p, timeout, sig=signal.SIGTERM):
    """Signal a process we started and reap it; SIGKILL if it takes longer than timeout."""
    if p is None or p.poll() is not None:
        return
    p.send_signal(sig)
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def free_port():
    """A TCP port nobody listens on at the moment (for erdp-cp's metrics endpoint)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def skip_unless_possible():
    if os.geteuid() != 0:
        log("SKIP: needs root (network namespaces, FRR)")
        sys.exit(SKIP)
    if not shutil.which("ip") or run("ip", "netns", "list", check=False).returncode != 0:
        log("SKIP: no usable `ip netns` (iproute2)")
        sys.exit(SKIP)


# The addresses of the test peering: /29 and /125 split into one /30 and /126 per link;
# customer = first usable, MSEE = second.
LINKS = ("primary", "secondary")
CUST4 = {"primary": "192.168.100.129", "secondary": "192.168.100.133"}
MSEE4 = {"primary": "192.168.100.130", "secondary": "192.168.100.134"}
CUST6 = {"primary": "2001:db8:100::1", "secondary": "2001:db8:100::5"}
MSEE6 = {"primary": "2001:db8:100::2", "secondary": "2001:db8:100::6"}
PEER_AS = 65001
MD5 = "s3cret-key"


class Lab:
    """One peering ("lab/<type>") with FRR under erdp-cp and BIRD as the customer."""

    def __init__(self, name, argv, ptype="private", v6=True, md5=True, encap="qinq",
                 advertise=(), communities=(), premium=False, onprem4=("10.10.0.0/16",
                 "10.20.0.0/16"), onprem6=("fd10:10::/32",), extra4=(), extra6=(), bulk=0,
                 vnet4=("10.100.0.0/16", "10.101.0.0/16"), vnet6=("fd00:100::/48",), bgp_extra="",
                 metrics=False):
        skip_unless_possible()
        if len(argv) < 2:
            print("usage: %s ERDP_CP ERDPCTL" % sys.argv[0])
            sys.exit(1)
        self.cp_exe, self.ctl_exe = [os.path.abspath(a) for a in argv[:2]]
        for tool, pkg in (("bird", "bird2"), ("birdc", "bird2"), ("nft", "nftables")):
            if not shutil.which(tool):
                print("%s is not installed: tools/install-deps.sh installs %s" % (tool, pkg))
                sys.exit(1)
        if not os.access("/usr/lib/frr/bgpd", os.X_OK):
            print("FRR is not installed: tools/install-deps.sh installs Debian's frr")
            sys.exit(1)
        self.name = name
        self.ptype = ptype
        self.v6 = v6
        self.prefix = "erdp_t_bgp%d" % os.getpid()
        self.peering = "lab/%s" % ptype
        self.ns = "%s-lab-%s" % (self.prefix, ptype)
        self.cust = "%s-cust" % self.prefix
        self.dir = tempfile.mkdtemp(prefix="erdp-bgp-%s-" % name)
        os.chmod(self.dir, 0o755)  # FRR's daemons (user frr) read their files below it
        self.sock = os.path.join(self.dir, "cp.sock")
        self.config = os.path.join(self.dir, "erdp.conf")
        self.state_dir = os.path.join(self.dir, "frr")
        self.bird_sock = os.path.join(self.dir, "bird.ctl")
        self.cp = None
        self.bird = None
        self.cp_logs = []
        self.cuts = set()
        self.closed = False
        atexit.register(self.cleanup)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
        self.bgp_extra = bgp_extra
        self.metrics_port = free_port() if metrics else None
        self.write_config(ptype, v6, md5, encap, advertise, communities, premium, vnet4, vnet6)
        self.write_bird(md5, onprem4, onprem6, extra4, extra6, bulk)
        self.wire()

    # ---- files --------------------------------------------------------------------
    def write_config(self, ptype, v6, md5, encap, advertise, communities, premium, vnet4,
                     vnet6):
        tags = "s_tag = 100;" if encap == "qinq" else ""
        peer_tag = "c_tag = 200;" if encap == "qinq" else "vlan = 300;"
        extra = ""
        if md5:
            extra += ' md5_key = "%s";' % MD5
        if advertise:
            extra += " advertise = [ %s ];" % ", ".join('"%s"' % a for a in advertise)
        if communities:
            extra += " communities = [ %s ];" % ", ".join('"%s"' % c for c in communities)
        if v6:
            extra += ' ipv6 = "2001:db8:100::/125";'
        prefixes = ", ".join('"%s"' % p for p in tuple(vnet4) + tuple(vnet6))
        text = """# written by tests/app/erdp-cp/e2e/bgptest.py
eal = {{ lcores = "0"; huge = false; memory_mb = 256; file_prefix = "{prefix}"; }};
dataplane = {{ mbufs = 8191; rx_desc = 512; tx_desc = 512; stats_interval_ms = 0; }};
port_pair = {{ encapsulation = "{encap}"; speed = "10G"; }};
ports = (
  {{ name = "er-primary"; device = "net_null0"; role = "primary"; mac = "02:ee:00:00:00:01"; }},
  {{ name = "er-secondary"; device = "net_null1"; role = "secondary"; mac = "02:ee:00:00:00:02"; }},
  {{ name = "gwa"; device = "net_null2"; role = "gateway"; mac = "02:ee:00:00:00:10"; }}
);
bgp = {{ enabled = true; namespace_prefix = "{prefix}"; state_dir = "{state}"; fpm_port = 2620;
        {bgp_extra} }};
vrfs = ( {{ name = "lab"; }} );
circuits = ( {{ name = "lab"; {tags} bandwidth = "10G"; premium = {premium}; peerings = (
  {{ type = "{ptype}"; {peer_tag} vrf = "lab"; ipv4 = "192.168.100.128/29";
    peer_asn = {asn};{extra} }} ); }} );
gateways = ( {{ name = "gw-lab"; vrf = "lab"; prefixes = [ {prefixes} ];
  instances = (
    {{ port = "gwa"; mac = "02:00:00:00:00:0a"; zone = "1"; }},
    {{ port = "gwa"; mac = "02:00:00:00:00:0b"; zone = "2"; }} ); }} );
""".format(prefix=self.prefix, encap=encap, state=self.state_dir, tags=tags,
           premium="true" if premium else "false", ptype=ptype, peer_tag=peer_tag,
           asn=PEER_AS, extra=extra, prefixes=prefixes, bgp_extra=self.bgp_extra)
        with open(self.config, "w") as f:
            f.write(text)

    def write_bird(self, md5, onprem4, onprem6, extra4, extra6, bulk):
        """BIRD: sessions per link and family, BFD 300 ms x 3, statics to advertise.
        'onprem'/'onprem6' are on; 'extra4'/'extra6' (a route may carry a community:
        'PREFIX community A:B') and 'bulk' (N /24s in 11.0.0.0/8) start disabled."""
        def statics(name, fam, routes, disabled):
            lines = ["protocol static %s {%s %s;" % (name, " disabled;" if disabled else "", fam)]
            for r in routes:
                pfx, _, comm = r.partition(" community ")
                if comm:
                    a, b = comm.split(":")
                    lines.append("  route %s blackhole { bgp_community.add((%s,%s)); };"
                                 % (pfx, a, b))
                else:
                    lines.append("  route %s blackhole;" % pfx)
            lines.append("}")
            return "\n".join(lines) + "\n"

        pw = 'password "%s";' % MD5 if md5 else ""
        text = """# written by bgptest.py: the customer's edge router
router id {c1};
log "{dir}/bird.log" all;
protocol device {{ scan time 5; }}
""".format(c1=CUST4["primary"], dir=self.dir)
        text += statics("onprem", "ipv4", onprem4, False)
        text += statics("extra4", "ipv4", extra4, True)
        text += statics("onprem6", "ipv6", onprem6, False)
        text += statics("extra6", "ipv6", extra6, True)
        text += statics("bulk", "ipv4", ["11.%d.%d.0/24" % (i // 256, i % 256)
                                         for i in range(bulk)], True)
        text += """protocol bfd {{ debug {{ states }}; interface "c*" {{ min rx interval 300 ms; min tx interval 300 ms; multiplier 3; }}; }}
template bgp msee {{
  debug {{ states, events }};
  local as {asn}; hold time 90; keepalive time 30;
  error wait time 1, 10;   # any flap costs 1 s, not BIRD's default 60 s (FINDINGS F1)
  bfd on; {pw}
  ipv4 {{ import all; export where proto = "onprem" || proto = "extra4" || proto = "bulk"; }};
  ipv6 {{ import all; export where proto = "onprem6" || proto = "extra6"; }};
}}
""".format(asn=PEER_AS, pw=pw)
        for link, tag in (("primary", "pri"), ("secondary", "sec")):
            text += ("protocol bgp link_%s from msee { neighbor %s as 12076; source address %s; "
                     "ipv6 { import none; export none; }; }\n" % (tag, MSEE4[link], CUST4[link]))
            if self.v6:
                text += ("protocol bgp link_%s6 from msee { neighbor %s as 12076; source address "
                         "%s; ipv4 { import none; export none; }; }\n"
                         % (tag, MSEE6[link], CUST6[link]))
        with open(os.path.join(self.dir, "bird.conf"), "w") as f:
            f.write(text)

    # ---- namespaces ---------------------------------------------------------------
    def wire(self):
        """The peering namespace (erdp-cp would make it too) with veths to the customer's."""
        for ns in (self.ns, self.cust):
            run("ip", "netns", "add", ns)
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0", ns=ns)
        for k, link in enumerate(LINKS):
            run("ip", "link", "add", link, "netns", self.ns, "type", "veth", "peer", "name",
                "c%d" % (k + 1), "netns", self.cust)
            run("ip", "-n", self.ns, "addr", "add", MSEE4[link] + "/30", "dev", link)
            run("ip", "-n", self.cust, "addr", "add", CUST4[link] + "/30", "dev", "c%d" % (k + 1))
            if self.v6:
                run("ip", "-n", self.ns, "addr", "add", MSEE6[link] + "/126", "dev", link, "nodad")
                run("ip", "-n", self.cust, "addr", "add", CUST6[link] + "/126", "dev",
                    "c%d" % (k + 1), "nodad")
            run("ip", "-n", self.ns, "link", "set", link, "up")
            run("ip", "-n", self.cust, "link", "set", "c%d" % (k + 1), "up")

    def cut(self, link, on=True):
        """Cut (or mend) a link without losing carrier, as a fibre cut behind a switch would:
        nft drops everything on both ends' ingress; only BFD (or the hold timer) can tell."""
        for ns, dev in ((self.ns, link), (self.cust, "c%d" % (LINKS.index(link) + 1))):
            table = "erdp_cut_%s" % dev
            if on:
                run("nft", "add table netdev %s { chain in { type filter hook ingress device %s "
                    "priority 0; policy drop; }; }" % (table, dev), ns=ns)
            else:
                run("nft", "delete table netdev %s" % table, ns=ns, check=False)
        (self.cuts.add if on else self.cuts.discard)(link)

    # ---- processes ----------------------------------------------------------------
    def start_bird(self):
        cmd = ["ip", "netns", "exec", self.cust, "bird", "-f", "-c",
               os.path.join(self.dir, "bird.conf"), "-s", self.bird_sock]
        log("+ " + " ".join(cmd))
        self.bird = subprocess.Popen(cmd, stdout=open(os.path.join(self.dir, "bird.out"), "w"),
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(self.bird_sock) or self.bird.poll() is not None,
                 "BIRD's control socket")
        if self.bird.poll() is not None:
            raise RuntimeError("BIRD exited: %s" % open(os.path.join(self.dir, "bird.out")).read())

    def start_cp(self, wait=True):
        path = os.path.join(self.dir, "erdp-cp-%d.log" % len(self.cp_logs))
        self.cp_logs.append(path)
        cmd = [self.cp_exe, "-c", self.config, "--instance", self.prefix, "--socket", self.sock,
               "--state", os.path.join(self.dir, "state.db"), "--bgp-on-exit", "stop",
               "--metrics", "127.0.0.1:%d" % self.metrics_port if self.metrics_port else "off"]
        log("+ " + " ".join(cmd))
        self.cp = subprocess.Popen(cmd, stdout=open(path, "w"), stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        if wait:
            wait_for(lambda: self.cp.poll() is not None or self.ctl_json("status")[0] == 0,
                     "erdp-cp's socket")
            if self.cp.poll() is not None:
                raise RuntimeError("erdp-cp exited with %s:\n%s" % (self.cp.returncode,
                                                                   self.cp_log()))
        return self.cp

    def kill_cp(self, sig=signal.SIGKILL):
        self.cp.send_signal(sig)
        self.cp.wait(30)

    def cp_log(self, n=60):
        return tails(self.cp_logs, n)

    def frr_pids(self):
        """daemon -> pid of the peering's FRR, from its pid files (live ones only)."""
        out = {}
        for d in ("zebra", "bfdd", "bgpd"):
            try:
                with open("/var/run/frr/%s/%s.pid" % (self.ns, d)) as f:
                    pid = int(f.read().strip())
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    if self.ns.encode() in f.read():
                        out[d] = pid
            except (OSError, ValueError):
                pass
        return out

    # ---- erdpctl ------------------------------------------------------------------
    def ctl(self, *args, timeout=60):
        cmd = [self.ctl_exe, "--socket", self.sock, "--timeout", str(timeout)] + [str(a) for a in args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 10)
        return r.returncode, r.stdout, r.stderr

    ctl_json = cptest.Env.ctl_json  # (rc, reply, stderr) of ctl("--json", ...)

    def result(self, *args):
        rc, j, err = self.ctl_json(*args)
        if rc != 0 or not j:
            raise RuntimeError("erdpctl %s: rc %d: %s" % (" ".join(args), rc, err))
        return j["result"]

    def bgp(self):
        """show bgp: the test peering's entry."""
        return self.result("show", "bgp")["peerings"][0]

    def sessions(self):
        """(link, family) -> session of show bgp."""
        return {(s["link"], s["family"]): s for s in self.bgp()["sessions"]}

    def n_sessions(self):
        return 4 if self.v6 else 2

    def all_established(self):
        s = self.sessions()
        return len(s) == self.n_sessions() and all(x["established"] for x in s.values()) and s

    def routes(self, origin=None):
        """prefix -> (target, origin) of the VRF, all pages."""
        out, after = {}, None
        while True:
            args = ["show", "routes", "lab", "--limit", "100000"]
            if after:
                args += ["--after", after]
            r = self.result(*args)
            for x in r["routes"]:
                if origin is None or x["origin"] == origin:
                    out[x["prefix"]] = (x["target"], x["origin"])
            after = r.get("next")
            if not after:
                return out

    def metrics(self):
        """erdp-cp's metrics page (OpenMetrics text)."""
        import urllib.request
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.metrics_port,
                                    timeout=10) as r:
            return r.read().decode()

    def bgp_routes(self):
        return self.routes("bgp")

    # ---- the customer (BIRD) ------------------------------------------------------
    def birdc(self, *args, check=True):
        return run("birdc", "-s", self.bird_sock, *args, check=check).stdout

    def bird_protocols(self):
        """protocol name -> (state, since, info) of BIRD's BGP protocols."""
        out = {}
        for line in self.birdc("show", "protocols").splitlines():
            f = line.split(None, 5)
            if len(f) >= 5 and f[1] == "BGP":
                out[f[0]] = (f[3], f[4], f[5].strip() if len(f) > 5 else "")
        return out

    def bird_paths(self, prefix):
        """BIRD's routes for prefix: [{proto, as_path, communities, best}]."""
        out = []
        cur = None
        for line in self.birdc("show", "route", "all", prefix, check=False).splitlines():
            m = re.match(r"^\S*\s+(?:unicast|blackhole|unreachable) \[(\S+) [^\]]*\](\s+\*)?",
                         line)
            if m:
                cur = {"proto": m.group(1), "best": bool(m.group(2)), "as_path": "",
                       "communities": ""}
                out.append(cur)
            elif cur is not None and "BGP.as_path:" in line:
                cur["as_path"] = line.split("BGP.as_path:", 1)[1].strip()
            elif cur is not None and "BGP.community:" in line:
                cur["communities"] = line.split("BGP.community:", 1)[1].strip()
        return out

    def bird_log_since(self, mark):
        with open(os.path.join(self.dir, "bird.log"), errors="replace") as f:
            return f.read()[mark:]

    def bird_log_mark(self):
        try:
            return os.path.getsize(os.path.join(self.dir, "bird.log"))
        except OSError:
            return 0

    # ---- the MSEE side, straight from FRR (for what erdp-cp does not show) -------
    def vtysh(self, daemon, *cmds):
        """Commands on a daemon's vty socket (the protocol vtysh speaks); the last one's output."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect("/var/run/frr/%s/%s.vty" % (self.ns, daemon))
        out = b""
        for c in ("enable",) + cmds:
            s.sendall(c.encode() + b"\0")
            out = b""
            while not (len(out) >= 4 and out[-4:-1] == b"\0\0\0"):
                d = s.recv(1 << 20)
                if not d:
                    break
                out += d
        s.close()
        return out[:-4].decode(errors="replace")

    # ---- end ----------------------------------------------------------------------
    def cleanup(self):
        if self.closed:
            return
        self.closed = True
        stop_proc(self.cp, 30)  # --bgp-on-exit stop: FRR goes too
        for d, pid in self.frr_pids().items():  # erdp-cp killed: its FRR runs on
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        stop_proc(self.bird, 10)
        for ns in (self.ns, self.cust):
            run("ip", "netns", "del", ns, check=False)
        shutil.rmtree("/var/run/frr/%s" % self.ns, ignore_errors=True)

    def close(self, chk):
        failed = bool(chk.failures)
        if failed or os.environ.get("ERDP_KEEP"):
            print(self.cp_log())
        self.cleanup()
        rc = chk.finish()
        if rc != 0 or os.environ.get("ERDP_KEEP"):
            print("work files kept in %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return rc

    def start_all(self):
        self.start_cp()
        self.start_bird()

    def run(self, chk, *steps):
        """Start erdp-cp and BIRD, wait for the sessions, run step(chk, lab) in turn."""
        try:
            self.start_all()
            t = time.monotonic()
            wait_for(self.all_established, "every session Established")
            log("all %d sessions Established %.1f s after BIRD started" %
                (self.n_sessions(), time.monotonic() - t))
            for step in steps:
                log("---- %s" % step.__name__)
                step(chk, self)
        except Exception as e:  # noqa: BLE001 - a harness failure is a test failure
            import traceback
            traceback.print_exc()
            chk.check(False, "harness: %r" % e)
        return self.close(chk)


# ---------------------------------------------------------------------------------------
# The erdp wiring: the customer behind erdp's ports, FRR behind erdp's taps.

GW_MAC = "02:00:00:00:00:0a"
GW4, GW6 = "10.100.0.1", "fd00:100::1"
VNET_HOST4, VNET_HOST6 = "10.100.1.1", "fd00:100:0:1::1"  # in the VNet prefixes
ONPREM_HOST4, ONPREM_HOST6 = "10.10.1.1", "fd10:10::1"
PORT_MAC = {"primary": "02:ee:00:00:00:01", "secondary": "02:ee:00:00:00:02"}
RELAY = os.path.join(HERE, "..", "..", "erdp", "linux", "qinq_relay.py")


class ErdpLab(Lab):
    """Lab with erdp in the path (issue 12's exception path):

      netns PREFIX-er: erdp (nsenter: its namespaces must be visible to all), ports
        net_af_packet0 erp0 ==veth (MTU 1600)== p0 \\  netns PREFIX-sw: qinq_relay.py per
        net_af_packet1 ers0 ==veth (MTU 1600)== s0 /  veth, one TAP each: c1 / c2, moved
        net_af_packet2 egw0 ==veth== eth0 in PREFIX-gw     to the customer's namespace
      netns PREFIX-cust: BIRD on c1 (primary) and c2 (secondary), an on-premises host
        address 10.10.1.1 / fd10:10::1 on lo, BIRD's routes in its kernel (ECMP)
      netns PREFIX-gw: a gateway instance (10.100.0.1) with a VNet host 10.100.1.1 on lo
      netns PREFIX-lab-private: made by erdp (taps `primary`, `secondary`), FRR by erdp-cp
    Traffic from the VNet host to the on-premises host goes gateway -> erdp -> the
    customer over the BGP route, and back over the route the customer learned.
    """

    def __init__(self, name, argv, encap="qinq", **kw):
        if len(argv) < 3:
            print("usage: %s ERDP_CP ERDPCTL ERDP" % sys.argv[0])
            sys.exit(1)
        self.erdp_exe = os.path.abspath(argv[2])
        self.encap_ = encap
        self.erdp = None
        self.relays = []
        self.erdp_logs = []
        kw.setdefault("onprem4", ("10.10.0.0/16", "10.20.0.0/16"))
        kw.setdefault("onprem6", ("fd10:10::/32",))
        super().__init__(name, argv[:2], encap=encap, **kw)

    def names(self):
        p = self.prefix
        return {"er": p + "-er", "sw": p + "-sw", "gw": p + "-gw"}

    def write_config(self, ptype, v6, md5, encap, advertise, communities, premium, vnet4, vnet6):
        super().write_config(ptype, v6, md5, encap, advertise, communities, premium, vnet4,
                             vnet6)
        with open(self.config) as f:
            text = f.read()
        text = text.replace('device = "net_null0"', 'device = "net_af_packet0,iface=erp0"')
        text = text.replace('device = "net_null1"', 'device = "net_af_packet1,iface=ers0"')
        text = text.replace('device = "net_null2"', 'device = "net_af_packet2,iface=egw0"')
        text = text.replace('lcores = "0"; huge = false; memory_mb = 256;',
                            'lcores = "0-1"; huge = false; memory_mb = 256; '
                            'args = [ "--log-level=lib.eal:notice", '
                            '"--log-level=pmd.net.tap:error" ];')
        # one live gateway instance (probed), the second configured down
        text = text.replace('{ port = "gwa"; mac = "02:00:00:00:00:0a"; zone = "1"; }',
                            '{ port = "gwa"; mac = "%s"; zone = "1"; ip = "%s"; }'
                            % (GW_MAC, GW4))
        text = text.replace('{ port = "gwa"; mac = "02:00:00:00:00:0b"; zone = "2"; }',
                            '{ port = "gwa"; mac = "02:00:00:00:00:0b"; zone = "2"; '
                            'up = false; }')
        with open(self.config, "w") as f:
            f.write(text)

    def write_bird(self, md5, onprem4, onprem6, extra4, extra6, bulk):
        super().write_bird(md5, onprem4, onprem6, extra4, extra6, bulk)
        with open(os.path.join(self.dir, "bird.conf"), "a") as f:
            f.write("# the customer forwards over what it learned from the MSEE (ECMP)\n"
                    "protocol kernel { ipv4 { import none; export where source = RTS_BGP; }; "
                    "merge paths on; }\n"
                    "protocol kernel { ipv6 { import none; export where source = RTS_BGP; }; "
                    "merge paths on; }\n")

    def wire(self):
        n = self.names()
        for ns in (n["er"], n["sw"], n["gw"], self.cust):
            run("ip", "netns", "add", ns)
            run("ip", "-n", ns, "link", "set", "lo", "up")
        for ns in (n["er"], n["sw"]):
            run("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1", ns=ns)
        run("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0", ns=self.cust)
        for mine, peer in (("erp0", "p0"), ("ers0", "s0")):
            # MTU 1600: the relay adds up to 8 tag bytes to full-size frames (FINDINGS F2)
            run("ip", "-n", n["er"], "link", "add", mine, "mtu", "1600", "type", "veth", "peer",
                "name", peer, "mtu", "1600", "netns", n["sw"])
            netns.offloads_off(n["er"], mine)
            netns.offloads_off(n["sw"], peer)
            run("ip", "-n", n["er"], "link", "set", mine, "up")
            run("ip", "-n", n["sw"], "link", "set", peer, "up")
        run("ip", "-n", n["er"], "link", "add", "egw0", "type", "veth", "peer", "name", "eth0",
            "netns", n["gw"])
        netns.offloads_off(n["er"], "egw0")
        netns.offloads_off(n["gw"], "eth0")
        run("ip", "-n", n["er"], "link", "set", "egw0", "up")
        gw = n["gw"]
        run("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0", "net.ipv4.conf.all.rp_filter=0", ns=gw)
        run("ip", "-n", gw, "link", "set", "eth0", "address", GW_MAC)
        run("ip", "-n", gw, "addr", "add", GW4 + "/24", "dev", "eth0")
        run("ip", "-n", gw, "addr", "add", GW6 + "/64", "dev", "eth0", "nodad")
        run("ip", "-n", gw, "addr", "add", VNET_HOST4 + "/32", "dev", "lo")
        run("ip", "-n", gw, "addr", "add", VNET_HOST6 + "/128", "dev", "lo", "nodad")
        run("ip", "-n", gw, "link", "set", "eth0", "up")
        for p in ("10.0.0.0/8", "11.0.0.0/8"):  # any next hop: erdp proxy-answers ARP there
            run("ip", "-n", gw, "route", "add", p, "via", "10.100.0.254", "dev", "eth0")
        run("ip", "-n", gw, "-6", "route", "add", "fd10::/16", "via", "fd00:100::fe", "dev",
            "eth0")
        run("ip", "-n", self.cust, "addr", "add", ONPREM_HOST4 + "/32", "dev", "lo")
        run("ip", "-n", self.cust, "addr", "add", ONPREM_HOST6 + "/128", "dev", "lo", "nodad")
        self.start_relays()

    def start_relays(self):
        n = self.names()
        tags = {"qinq": ("100:200",), "dot1q": ("300",)}[self.encap_][0]
        for k, (link, parent) in enumerate((("primary", "p0"), ("secondary", "s0"))):
            dev = "c%d" % (k + 1)
            ready = os.path.join(self.dir, "relay-%s.ready" % parent)
            p = subprocess.Popen(["ip", "netns", "exec", n["sw"], sys.executable, RELAY,
                                  parent, ready, "%s:%s" % (dev, tags)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            self.relays.append(p)
            wait_for(lambda: os.path.exists(ready) or p.poll() is not None,
                     "qinq_relay.py on %s" % parent)
            run("ip", "-n", n["sw"], "link", "set", dev, "netns", self.cust)
            run("sysctl", "-qw", "net.ipv6.conf.%s.accept_ra=0" % dev, ns=self.cust)
            run("ip", "-n", self.cust, "addr", "add", CUST4[link] + "/30", "dev", dev)
            if self.v6:
                run("ip", "-n", self.cust, "addr", "add", CUST6[link] + "/126", "dev", dev,
                    "nodad")
            run("ip", "-n", self.cust, "link", "set", dev, "up")

    def cut(self, link, on=True):
        """Cut (or mend) a link at the customer's sub-interface, both ways, carrier kept."""
        dev = "c%d" % (LINKS.index(link) + 1)
        table = "erdp_cut_%s" % dev
        if on:
            run("nft", "add table netdev %s { chain in { type filter hook ingress device %s "
                "priority 0; policy drop; }; chain out { type filter hook egress device %s "
                "priority 0; policy drop; }; }" % (table, dev, dev), ns=self.cust)
        else:
            run("nft", "delete table netdev %s" % table, ns=self.cust, check=False)
        (self.cuts.add if on else self.cuts.discard)(link)

    def start_erdp(self):
        path = os.path.join(self.dir, "erdp-%d.log" % len(self.erdp_logs))
        self.erdp_logs.append(path)
        cmd = ["nsenter", "--net=/run/netns/" + self.names()["er"], self.erdp_exe, "-c",
               self.config, "--", "--no-huge", "-m", "256", "--file-prefix", self.prefix]
        log("+ " + " ".join(cmd))
        self.erdp = subprocess.Popen(cmd, stdout=open(path, "w"), stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        wait_for(lambda: self.erdp.poll() is not None or self.tel("/erdp/ctl") is not None,
                 "erdp's telemetry")
        if self.erdp.poll() is not None:
            raise RuntimeError("erdp exited: %s" % open(path).read()[-3000:])
        # erdp leaves room for its tags in its devices' MTU (setup/ports.c): the customer's
        # full-size QinQ frames (1522 bytes) reach it through the veth, which the 4,000-prefix
        # UPDATE needs.

    def tel(self, cmd):
        return telemetry(self.prefix, cmd)

    def erdp_routes(self):
        c = self.tel("/erdp/ctl") or {}
        return c.get("routes", -1)

    def drops(self):
        return self.tel("/erdp/drops") or {}

    def synced(self):
        s = self.result("status")
        return (s["dataplane"] == "connected" and not s["sync_in_progress"] and
                s["messages_queued"] == 0 and s["messages_in_flight"] == 0) and s

    def ping(self, dst, src, count=3, interval=0.2, ns=None):
        """Replies to count pings (from the VNet host to the customer by default)."""
        cmd = ["ping", "-n", "-c", str(count), "-i", str(interval), "-W", "2", "-I", src, dst]
        if ":" in dst:
            cmd.insert(1, "-6")
        r = run(*cmd, ns=ns or self.names()["gw"], check=False, timeout=count * interval + 30)
        return len(re.findall(r"bytes from", r.stdout))

    def cp_log(self, n=60):
        return tails(self.cp_logs + self.erdp_logs, n)

    def cleanup(self):
        if self.closed:
            return
        super().cleanup()  # erdp-cp, FRR, BIRD, the peering and customer namespaces
        stop_proc(self.erdp, 30)
        for p in self.relays:
            stop_proc(p, 10)
        for ns in self.names().values():
            run("ip", "netns", "del", ns, check=False)
        shutil.rmtree("/var/run/dpdk/%s" % self.prefix, ignore_errors=True)
        try:
            os.unlink("/dev/shm/erdp-%s.ctl" % self.prefix)
        except OSError:
            pass

    def start_all(self):
        self.start_erdp()
        self.start_cp()
        wait_for(self.synced, "erdp-cp synced with erdp")
        self.start_bird()
