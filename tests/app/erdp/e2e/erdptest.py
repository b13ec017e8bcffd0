# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end test harness for erdp.

A test describes a topology (ports, circuits, peerings, VRFs, gateways,
routes) as a Python `Topo`, builds input frames, each tagged with what erdp
should do with it (`Expect`), runs erdp on net_pcap ports (rx_pcap files in,
tx_pcap files out, no hugepages), then checks:

  * every output frame, header by header, against its input frame;
  * that no frame came out that should not have;
  * every counter of the --stats-json output (ports, circuits, peerings,
    links, global drops by reason) against the counters the expectations
    imply.

Run under Debian's /usr/bin/python3 (python3-scapy). The erdp binary is the
first argument or $ERDP.
"""
import itertools
import json
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

from scapy.all import IP, IPv6, UDP, Raw  # noqa: F401

_DROP_REASONS_FALLBACK = [
    "truncated", "untagged", "tpid_not_accepted", "wrong_tag_count", "vlan_invalid",
    "unknown_s_tag", "unknown_c_tag", "unknown_vlan", "non_ip", "ipv4_bad_header",
    "ipv4_bad_checksum", "ipv6_bad_header", "ttl_exceeded", "no_route", "blackhole",
    "gateway_all_down", "link_down", "neighbor_unresolved", "mtu_exceeded", "punt_queue_full",
    "local_unhandled", "tx_full", "arp_invalid", "nd_invalid", "icmp_rate_limited",
    "l2_not_for_us", "l2_broadcast_unicast_ip", "ipv4_broadcast", "ipv4_multicast", "ipv4_martian",
    "ipv6_multicast", "ipv6_martian", "icmp_bad_checksum",
]


def _drop_reasons():
    """The reason names, in order, from lib/stats/erdp_drop.h (the source of truth)."""
    import re
    hdr = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "lib", "stats", "erdp_drop.h")
    try:
        with open(hdr) as f:
            names = re.findall(r'X\(\s*\w+\s*,\s*"([a-z0-9_]+)"\s*\)', f.read())
        if names:
            return names
    except OSError:
        pass
    return _DROP_REASONS_FALLBACK


DROP_REASONS = _drop_reasons()
COUNTERS = ["rx_packets", "rx_bytes", "tx_packets", "tx_bytes"]
LINKS = ["primary", "secondary"]
TPIDS = (0x8100, 0x88a8, 0x9100)
MARK = b"\xe5\xd9ERDP"  # followed by a 4-byte frame id, in every frame's payload


WAIT_S = 60  # deadline for anything to happen in a live test; never a pass/fail threshold on speed


def wait_for(cond, what, timeout=WAIT_S, step=0.05):
    """cond()'s first true value, polled until the deadline (then TimeoutError)."""
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > end:
            raise TimeoutError("timed out after %d s waiting for %s" % (timeout, what))
        time.sleep(step)


def telemetry(prefix, cmd):
    """One DPDK telemetry command; the value under its key, or None when erdp is not there."""
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    try:
        s.connect(path)
        s.recv(1 << 16)
        s.send(cmd.encode())
        reply = json.loads(s.recv(1 << 20).decode())
    except (OSError, ValueError):
        return None
    finally:
        s.close()
    return reply.get(cmd.split(",")[0])


# ---------------------------------------------------------------------------
# Reporting

class Checker:
    """Collects failures; a test ends with `sys.exit(chk.finish())`."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.n_checks = 0

    def check(self, cond, msg):
        self.n_checks += 1
        if not cond:
            self.failures.append(msg)
            if len(self.failures) <= 200:
                print("FAIL: " + msg, flush=True)
        return cond

    def eq(self, got, want, what):
        return self.check(got == want, "%s: got %r, want %r" % (what, got, want))

    def finish(self):
        if len(self.failures) > 200:
            print("... %d more failures not shown" % (len(self.failures) - 200))
        if self.failures:
            print("%s: %d of %d checks FAILED" % (self.name, len(self.failures), self.n_checks))
            return 1
        print("%s: all %d checks passed" % (self.name, self.n_checks))
        return 0


def erdp_binary(argv=None):
    argv = sys.argv if argv is None else argv
    exe = argv[1] if len(argv) > 1 else os.environ.get("ERDP", "")
    if not exe:
        here = os.path.dirname(os.path.abspath(__file__))
        exe = os.path.join(here, "..", "..", "..", "..", "build", "app", "erdp", "erdp")
    if not os.access(exe, os.X_OK):
        print("erdp binary not found or not executable: %r" % exe)
        sys.exit(1)
    return os.path.abspath(exe)


# ---------------------------------------------------------------------------
# Topology and configuration

class Topo:
    """Everything the config says, in a form the tests can use for expectations."""

    def __init__(self, encap="qinq", outer_tpids=(0x8100,), egress_tpid=0x8100):
        self.encap = encap
        self.outer_tpids = list(outer_tpids)
        self.egress_tpid = egress_tpid
        self.ports = []      # dicts: name, role, mac
        self.vrfs = []       # names
        self.circuits = []   # dicts: name, s_tag, bandwidth_mbps
        self.peerings = []   # dicts: name, circuit, type, vlan, vrf, ipv4, ipv6, peer_asn, mac{link}
        self.gateways = []   # dicts: name, vrf, prefixes, instances[{port, mac, vlan, zone}]
        self.routes = []     # dicts: vrf, prefix, peering | blackhole

    def port(self, name, role, mac):
        self.ports.append(dict(name=name, role=role, mac=mac))

    def vrf(self, name):
        self.vrfs.append(name)

    def circuit(self, name, s_tag=0, bandwidth_mbps=1000):
        self.circuits.append(dict(name=name, s_tag=s_tag, bandwidth_mbps=bandwidth_mbps))

    def peering(self, circuit, ptype, vlan, vrf, ipv4, macs, ipv6=None, peer_asn=65001):
        self.peerings.append(dict(name="%s/%s" % (circuit, ptype), circuit=circuit, type=ptype,
                                  vlan=vlan, vrf=vrf, ipv4=ipv4, ipv6=ipv6, peer_asn=peer_asn,
                                  mac=dict(zip(LINKS, macs))))

    def gateway(self, name, vrf, prefixes, instances):
        """instances: list of (port, mac, vlan) with vlan 0 for untagged."""
        self.gateways.append(dict(name=name, vrf=vrf, prefixes=list(prefixes),
                                  instances=[dict(port=p, mac=m, vlan=v, zone=str(i % 3 + 1))
                                             for i, (p, m, v) in enumerate(instances)]))

    def route(self, vrf, prefix, peering=None, blackhole=False):
        self.routes.append(dict(vrf=vrf, prefix=prefix, peering=peering, blackhole=blackhole))

    # lookups
    def port_by_name(self, name):
        return next(p for p in self.ports if p["name"] == name)

    def port_by_role(self, role):
        return next(p for p in self.ports if p["role"] == role)

    def peering_by_name(self, name):
        return next(p for p in self.peerings if p["name"] == name)

    def circuit_by_name(self, name):
        return next(c for c in self.circuits if c["name"] == name)

    def gateway_by_name(self, name):
        return next(g for g in self.gateways if g["name"] == name)


def _q(s):
    return '"%s"' % s


def _bw(mbps):
    return "%dG" % (mbps // 1000) if mbps >= 1000 else "%dM" % mbps


def render_config(topo, port_devices, eal_lcores="0-1"):
    """libconfig text for `topo` (schema: config/erdp.conf). port_devices: name -> device string."""
    out = []
    w = out.append
    w("# generated by tests/e2e/erdptest.py")
    w("eal = {")
    w("  lcores = %s;" % _q(eal_lcores))
    w("  memory_mb = 256;")
    w("  huge = false;")
    w("};")
    w("dataplane = {")
    w("  burst = 32;")
    w("  mbufs = 8191;")
    w("  rx_desc = 512;")
    w("  tx_desc = 512;")
    w("  stats_interval_ms = 0;")
    w("};")
    w("port_pair = {")
    w("  encapsulation = %s;" % _q(topo.encap))
    w("  speed = \"10G\";")
    w("  outer_tpids = [ %s ];" % ", ".join("0x%04x" % t for t in topo.outer_tpids))
    w("  egress_tpid = 0x%04x;" % topo.egress_tpid)
    w("};")
    w("ports = (")
    w(",\n".join("  { name = %s; role = %s; device = %s; mac = %s; }"
                 % (_q(p["name"]), _q(p["role"]), _q(port_devices[p["name"]]), _q(p["mac"]))
                 for p in topo.ports))
    w(");")
    w("vrfs = (")
    vl = []
    for v in topo.vrfs:
        rl = []
        for r in topo.routes:
            if r["vrf"] != v:
                continue
            if r["blackhole"]:
                rl.append("      { prefix = %s; blackhole = true; }" % _q(r["prefix"]))
            else:
                rl.append("      { prefix = %s; peering = %s; }" % (_q(r["prefix"]), _q(r["peering"])))
        if rl:
            vl.append("  {\n    name = %s;\n    ipv4_routes = 1024;\n    ipv6_routes = 256;\n    routes = (\n%s\n    );\n  }"
                      % (_q(v), ",\n".join(rl)))
        else:
            vl.append("  { name = %s; ipv4_routes = 1024; ipv6_routes = 256; }" % _q(v))
    w(",\n".join(vl))
    w(");")
    w("circuits = (")
    circ = []
    qinq = topo.encap == "qinq"
    for c in topo.circuits:
        lines = ["  {", "    name = %s;" % _q(c["name"])]
        if qinq:
            lines.append("    s_tag = %d;" % c["s_tag"])
        lines.append("    bandwidth = %s;" % _q(_bw(c["bandwidth_mbps"])))
        lines.append("    peerings = (")
        pl = []
        for p in topo.peerings:
            if p["circuit"] != c["name"]:
                continue
            s = ["      {", "        type = %s;" % _q(p["type"]),
                 "        %s = %d;" % ("c_tag" if qinq else "vlan", p["vlan"]),
                 "        vrf = %s;" % _q(p["vrf"]), "        ipv4 = %s;" % _q(p["ipv4"])]
            if p["ipv6"]:
                s.append("        ipv6 = %s;" % _q(p["ipv6"]))
            s.append("        peer_asn = %d;" % p["peer_asn"])
            s.append("        customer_mac = [ %s, %s ];" % (_q(p["mac"]["primary"]),
                                                          _q(p["mac"]["secondary"])))
            s.append("      }")
            pl.append("\n".join(s))
        lines.append(",\n".join(pl))
        lines.append("    );")
        lines.append("  }")
        circ.append("\n".join(lines))
    w(",\n".join(circ))
    w(");")
    w("gateways = (")
    gws = []
    for g in topo.gateways:
        inst = ",\n".join("      { port = %s; mac = %s;%s zone = %s; }"
                          % (_q(i["port"]), _q(i["mac"]), " vlan = %d;" % i["vlan"] if i["vlan"] else "",
                             _q(i["zone"]))
                          for i in g["instances"])
        gws.append("  {\n    name = %s;\n    vrf = %s;\n    prefixes = [ %s ];\n    instances = (\n%s\n    );\n  }"
                   % (_q(g["name"]), _q(g["vrf"]), ", ".join(_q(x) for x in g["prefixes"]), inst))
    w(",\n".join(gws))
    w(");")
    return "\n".join(out) + "\n"


def standard_topo(encap="qinq"):
    """The test topology, modelled on config/erdp.conf.

    QinQ: circuits contoso (S 100: private C 200, microsoft C 300), fabrikam
    (S 110: private C 200 - the same C-tag as contoso), woodgrove (S 120:
    private C 210). Dot1Q: the same peerings with VLANs 200, 300, 201, 210.
    Gateway ports gw0 (tagged instances) and gw1 (woodgrove, untagged).
    """
    if encap == "qinq":
        t = Topo("qinq", outer_tpids=(0x8100, 0x88a8), egress_tpid=0x88a8)
    else:
        t = Topo("dot1q", outer_tpids=(0x8100,), egress_tpid=0x8100)
    t.port("er-primary", "primary", "02:ee:00:00:00:01")
    t.port("er-secondary", "secondary", "02:ee:00:00:00:02")
    t.port("gw0", "gateway", "02:ee:00:00:00:10")
    t.port("gw1", "gateway", "02:ee:00:00:00:11")
    for v in ("contoso-private", "contoso-microsoft", "fabrikam-private", "woodgrove-private"):
        t.vrf(v)
    q = encap == "qinq"
    t.circuit("contoso", 100 if q else 0, 1000)
    t.circuit("fabrikam", 110 if q else 0, 1000)
    t.circuit("woodgrove", 120 if q else 0, 2000)
    t.peering("contoso", "private", 200, "contoso-private", "192.168.100.128/29",
              ["02:c0:00:00:01:01", "02:c0:00:00:01:02"], ipv6="2001:db8:100::/125")
    t.peering("contoso", "microsoft", 300, "contoso-microsoft", "198.51.100.0/29",
              ["02:c0:00:00:01:11", "02:c0:00:00:01:12"], peer_asn=64500)
    t.peering("fabrikam", "private", 200 if q else 201, "fabrikam-private", "192.168.101.0/29",
              ["02:c0:00:00:02:01", "02:c0:00:00:02:02"], peer_asn=65002)
    t.peering("woodgrove", "private", 210, "woodgrove-private", "192.168.102.0/29",
              ["02:c0:00:00:03:01", "02:c0:00:00:03:02"], peer_asn=65003)
    t.route("contoso-private", "10.10.0.0/16", peering="contoso/private")
    t.route("contoso-private", "fd10:10::/32", peering="contoso/private")
    t.route("contoso-microsoft", "203.0.113.0/24", peering="contoso/microsoft")
    t.route("fabrikam-private", "10.20.0.0/16", peering="fabrikam/private")
    t.route("fabrikam-private", "192.0.2.0/24", blackhole=True)
    t.route("woodgrove-private", "10.30.0.0/16", peering="woodgrove/private")
    t.gateway("gw-contoso", "contoso-private", ["10.100.0.0/16", "fd00:100::/48"],
              [("gw0", "02:00:00:00:10:01", 10), ("gw0", "02:00:00:00:10:02", 10)])
    t.gateway("gw-fabrikam", "fabrikam-private", ["10.100.0.0/16"],
              [("gw0", "02:00:00:00:20:01", 20), ("gw0", "02:00:00:00:20:02", 20),
               ("gw0", "02:00:00:00:20:03", 20)])
    t.gateway("gw-woodgrove", "woodgrove-private", ["10.130.0.0/16"],
              [("gw1", "02:00:00:00:30:01", 0), ("gw1", "02:00:00:00:30:02", 0)])
    t.gateway("gw-m365", "contoso-microsoft", ["13.107.0.0/16"],
              [("gw0", "02:00:00:00:40:01", 40), ("gw0", "02:00:00:00:40:02", 40)])
    return t


# ---------------------------------------------------------------------------
# Frames

def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def tag(tpid, vid, pcp=0, dei=0):
    return struct.pack("!HH", tpid, (pcp << 13) | (dei << 12) | (vid & 0xfff))


def l2(dst, src, tags, etype):
    """Ethernet header: tags is a list of (tpid, vid[, pcp[, dei]])."""
    return mac_bytes(dst) + mac_bytes(src) + b"".join(tag(*t) for t in tags) + struct.pack("!H", etype)


def ip_checksum(hdr):
    if len(hdr) % 2:
        hdr += b"\0"
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def marker(fid, size=24):
    body = MARK + struct.pack("!I", fid)
    return body + bytes((fid + i) & 0xff for i in range(max(0, size - len(body))))


def udp4(src, dst, sport, dport, fid, ttl=64, size=24, tos=0, ident=1):
    return bytes(IP(src=src, dst=dst, ttl=ttl, tos=tos, id=ident) / UDP(sport=sport, dport=dport)
                 / Raw(marker(fid, size)))


def udp6(src, dst, sport, dport, fid, hlim=64, size=24, tc=0, fl=0):
    return bytes(IPv6(src=src, dst=dst, hlim=hlim, tc=tc, fl=fl) / UDP(sport=sport, dport=dport)
                 / Raw(marker(fid, size)))


def forwarded_l3(l3):
    """What a router does to an IPv4/IPv6 packet it forwards: TTL/hop limit - 1."""
    v = l3[0] >> 4
    if v == 4:
        ihl = (l3[0] & 0xf) * 4
        h = bytearray(l3[:ihl])
        h[8] -= 1
        h[10:12] = b"\0\0"
        h[10:12] = struct.pack("!H", ip_checksum(bytes(h)))
        return bytes(h) + l3[ihl:]
    h = bytearray(l3)
    h[7] -= 1
    return bytes(h)


def flow_key(l3):
    """5-tuple of an IPv4/IPv6 UDP packet (as built by udp4/udp6)."""
    if l3[0] >> 4 == 4:
        ihl = (l3[0] & 0xf) * 4
        return ("4", l3[12:16], l3[16:20], l3[9], l3[ihl:ihl + 4])
    return ("6", l3[8:24], l3[24:40], l3[6], l3[40:44])


def parse_frame(b):
    """-> dict(dst, src, tags=[(tpid, pcp, dei, vid)], etype, l3) or None when too short."""
    if len(b) < 14:
        return None
    off = 12
    tags = []
    etype = struct.unpack_from("!H", b, off)[0]
    while etype in TPIDS and len(b) >= off + 6:
        tci = struct.unpack_from("!H", b, off + 2)[0]
        tags.append((etype, tci >> 13, (tci >> 12) & 1, tci & 0xfff))
        off += 4
        etype = struct.unpack_from("!H", b, off)[0]
    return dict(dst=mac_str(b[0:6]), src=mac_str(b[6:12]), tags=tags, etype=etype, l3=b[off + 2:])


def ip_len(l3):
    """Length of the IPv4/IPv6 packet at the start of l3 by its header, or len(l3)."""
    if len(l3) >= 4 and l3[0] >> 4 == 4:
        return struct.unpack_from("!H", l3, 2)[0]
    if len(l3) >= 6 and l3[0] >> 4 == 6:
        return 40 + struct.unpack_from("!H", l3, 4)[0]
    return len(l3)


def check_padding(chk, what, b, f):
    """erdp's output ports here are virtual: a frame under 60 bytes is zero-padded to 60.
    Returns the L3 packet without the padding."""
    hdr = len(b) - len(f["l3"])
    n = min(ip_len(f["l3"]), len(f["l3"]))
    chk.eq(len(b), max(60, hdr + n), what + ": frame length (60-byte minimum, zero padding)")
    chk.check(all(x == 0 for x in f["l3"][n:]), what + ": padding is not zeros: %s" % f["l3"][n:].hex())
    return f["l3"][:n]


def frame_id(b):
    i = b.find(MARK)
    if i < 0 or i + len(MARK) + 4 > len(b):
        return None
    return struct.unpack_from("!I", b, i + len(MARK))[0]


# ---------------------------------------------------------------------------
# Expectations

class Expect:
    """What erdp should do with one input frame.

    kind "c2g": customer -> gateway, forwarded to one instance of `gateway`.
    kind "g2c": gateway -> customer, forwarded to the customer on `peering`.
    kind "drop": dropped for `reason`, counted on the port and, by `level`,
    on the circuit ("circuit") or circuit + peering + link ("peering").
    `loose` (drops only): the frame may or may not be counted on its
    circuit/peering (gateway-side drops whose order against the route lookup
    the spec leaves open).
    """

    def __init__(self, fid, port, frame, kind, reason=None, level="port", circuit=None, peering=None,
                 gateway=None, loose=False, note=""):
        self.fid, self.port, self.frame, self.kind = fid, port, frame, kind
        self.reason, self.level, self.circuit, self.peering = reason, level, circuit, peering
        self.gateway, self.loose, self.note = gateway, loose, note
        self.out = None  # (port, bytes) once seen
        self.icmp_out = None  # (port, bytes): ICMP error erdp sent back for it


class Scenario:
    """Input frames per port with their expectations, for one erdp run."""

    def __init__(self, topo):
        self.topo = topo
        self.inputs = {p["name"]: [] for p in topo.ports}
        self.expects = {}
        self._next = 1

    def fid(self):
        f = self._next
        self._next += 1
        return f

    def add(self, port, frame, kind, fid=None, **kw):
        if fid is None:
            fid = frame_id(bytes(frame))  # the id in the payload, if any and still free
            if fid is None or fid in self.expects:
                fid = self.fid()
        e = Expect(fid, port, bytes(frame), kind, **kw)
        self.inputs[port].append(e.frame)
        self.expects[fid] = e
        return e

    # Builders for the common cases ------------------------------------------------
    def er_tags(self, peering, tpid=None, pcp=0):
        """Customer-side tags for `peering` (a name)."""
        t = self.topo
        p = t.peering_by_name(peering)
        c = t.circuit_by_name(p["circuit"])
        tpid = t.outer_tpids[0] if tpid is None else tpid
        if t.encap == "qinq":
            return [(tpid, c["s_tag"], pcp), (0x8100, p["vlan"], pcp)]
        return [(tpid, p["vlan"], pcp)]

    def c2g(self, link, peering, gateway, l3, tpid=None, pcp=0):
        """A good customer -> gateway frame; l3 must carry the frame id."""
        t = self.topo
        p = t.peering_by_name(peering)
        port = t.port_by_role(link)
        etype = 0x0800 if l3[0] >> 4 == 4 else 0x86dd
        frame = l2(port["mac"], p["mac"][link], self.er_tags(peering, tpid, pcp), etype) + l3
        return self.add(port["name"], frame, "c2g", fid=frame_id(l3), circuit=p["circuit"],
                        peering=peering, gateway=gateway)

    def g2c(self, gw_port, vlan, src_mac, peering, l3):
        t = self.topo
        port = t.port_by_name(gw_port)
        etype = 0x0800 if l3[0] >> 4 == 4 else 0x86dd
        tags = [(0x8100, vlan)] if vlan else []
        frame = l2(port["mac"], src_mac, tags, etype) + l3
        p = t.peering_by_name(peering)
        return self.add(gw_port, frame, "g2c", fid=frame_id(l3), circuit=p["circuit"], peering=peering)

    def drop(self, port, frame, reason, level="port", peering=None, circuit=None, fid=None,
             loose=False, note=""):
        if peering is not None and circuit is None:
            circuit = self.topo.peering_by_name(peering)["circuit"]
        return self.add(port, frame, "drop", fid=fid, reason=reason, level=level, circuit=circuit,
                        peering=peering, loose=loose, note=note)


# ---------------------------------------------------------------------------
# Running erdp

_run_seq = itertools.count()


class Run:
    def __init__(self, rc, stdout, stats, outputs, workdir):
        self.rc, self.stdout, self.stats, self.outputs, self.workdir = rc, stdout, stats, outputs, workdir


def write_pcap(path, frames):
    """Classic pcap, Ethernet link type, frames written byte for byte (any length)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000000, i % 1000000, len(fr), len(fr)))
            f.write(fr)


def read_pcap(path):
    """Frames of a classic pcap (either byte order, us or ns); [] when missing or empty."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        e = ">"
    else:
        raise ValueError("%s: not a pcap file" % path)
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack_from(e + "IIII", data, off)
        off += 16
        out.append(data[off:off + incl])
        off += incl
    return out


def run_erdp(exe, topo, inputs, workdir, extra_args=(), timeout=90, config_text=None,
             eal_lcores="0-1", eal_args=()):
    """Write pcaps + config into workdir, run erdp, return a Run.

    inputs: port name -> list of frames (bytes). Each port gets an rx_pcap
    (without infinite_rx) and a tx_pcap. eal_lcores goes into the config's
    eal.lcores; eal_args after "--" on erdp's command line.
    """
    os.makedirs(workdir, exist_ok=True)
    devices = {}
    for i, p in enumerate(topo.ports):
        rx = os.path.join(workdir, "%s-in.pcap" % p["name"])
        tx = os.path.join(workdir, "%s-out.pcap" % p["name"])
        write_pcap(rx, inputs.get(p["name"], []))
        if os.path.exists(tx):
            os.unlink(tx)
        devices[p["name"]] = "net_pcap%d,rx_pcap=%s,tx_pcap=%s" % (i, rx, tx)
    cfg = os.path.join(workdir, "erdp.conf")
    with open(cfg, "w") as f:
        f.write(config_text if config_text is not None else render_config(topo, devices, eal_lcores))
    stats_path = os.path.join(workdir, "stats.json")
    if os.path.exists(stats_path):
        os.unlink(stats_path)
    prefix = "erdp-e2e-%d-%d" % (os.getpid(), next(_run_seq))
    cmd = [exe, "-c", cfg, "--exit-when-idle", "300", "--duration", "20", "--stats-json", stats_path,
           "--quiet"] + list(extra_args) + ["--", "--no-huge", "-m", "256", "--file-prefix", prefix] + \
        list(eal_args)
    print("+ " + " ".join(cmd), flush=True)
    try:
        cp = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                            stdin=subprocess.DEVNULL)
        rc, out = cp.returncode, cp.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        rc, out = "timeout", (e.stdout or b"").decode(errors="replace")
    stats = None
    if os.path.exists(stats_path):
        with open(stats_path) as f:
            try:
                stats = json.load(f)
            except ValueError as e:
                out += "\n[harness] stats json does not parse: %s" % e
    outputs = {p["name"]: read_pcap(os.path.join(workdir, "%s-out.pcap" % p["name"])) for p in topo.ports}
    return Run(rc, out, stats, outputs, workdir)


def check_run_ok(chk, run):
    ok = chk.check(run.rc == 0, "erdp exited with %r; output tail:\n%s" % (run.rc, run.stdout[-3000:]))
    ok &= chk.check(run.stats is not None, "erdp wrote no (valid) --stats-json file")
    if run.stats is not None:
        ok &= check_stats_rates(chk, run.stats)
    return ok


def check_stats_rates(chk, st):
    """--stats-json's run length, per-port average rates and per-worker figures agree with its counters."""
    secs = st.get("seconds", 0)
    ok = chk.check(secs > 0 and st.get("tsc_hz", 0) > 0, "stats: seconds %r tsc_hz %r" % (secs, st.get("tsc_hz")))
    for p in st["ports"]:
        for d in ("rx", "tx"):
            want = p[d + "_packets"] / secs if secs else 0
            ok &= chk.check(abs(p.get(d + "_pps", -1) - want) <= max(1, want * 1e-4), "port %s %s_pps %r, counters say %.1f"
                            % (p["name"], d, p.get(d + "_pps"), want))
            want = p[d + "_bytes"] * 8 / secs if secs else 0
            ok &= chk.check(abs(p.get(d + "_bps", -1) - want) <= max(1, want * 1e-4), "port %s %s_bps %r, counters say %.1f"
                            % (p["name"], d, p.get(d + "_bps"), want))
    workers = st.get("workers", [])
    ok &= chk.check(len(workers) >= 1, "stats: no workers")
    ok &= chk.eq(sum(w["rx_packets"] for w in workers), sum(p["rx_packets"] for p in st["ports"]),
                 "frames received by the workers vs by the ports")
    for w in workers:
        if w["rx_packets"]:
            ok &= chk.check(w["busy_cycles"] > 0 and abs(w["busy_cycles_per_packet"] - w["busy_cycles"] /
                                                         w["rx_packets"]) < 0.1,
                            "worker %r: busy cycles per packet" % w)
    return ok


class Workdir:
    """Temporary directory, kept when the test fails or $ERDP_KEEP is set."""

    def __init__(self, name):
        self.path = tempfile.mkdtemp(prefix="erdp-%s-" % name)

    def close(self, failed):
        if failed or os.environ.get("ERDP_KEEP"):
            print("work files kept in %s" % self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)


# ---------------------------------------------------------------------------
# Checking output frames

def check_outputs(chk, sc, run):
    """Frame-by-frame check of every output pcap against the scenario."""
    t = sc.topo
    seen = set()
    for pname, frames in run.outputs.items():
        for b in frames:
            fid = frame_id(b)
            e = sc.expects.get(fid) if fid is not None else None
            if e is None:
                chk.check(False, "unexpected frame out of %s (no known id): %s" % (pname, b[:64].hex()))
                continue
            if fid in seen:
                chk.check(False, "frame %d (%s) came out more than once (again on %s)" % (fid, e.note, pname))
                continue
            seen.add(fid)
            e.out = (pname, b)
            if e.kind == "drop" and e.reason == "ttl_exceeded" and _is_icmp_error(b):
                e.out = None
                e.icmp_out = (pname, b)
                _check_icmp_time_exceeded(chk, t, e, pname, b)
            elif e.kind == "drop":
                chk.check(False, "frame %d should be dropped (%s, %s) but came out of %s"
                          % (fid, e.reason, e.note, pname))
            elif e.kind == "c2g":
                _check_c2g(chk, t, e, pname, b)
            elif e.kind == "g2c":
                _check_g2c(chk, t, e, pname, b)
    for e in sc.expects.values():
        if e.kind in ("c2g", "g2c") and e.out is None:
            chk.check(False, "frame %d (%s %s -> %s, in on %s) was not forwarded"
                      % (e.fid, e.kind, e.peering, e.gateway or "customer", e.port))


def _is_icmp_error(b):
    f = parse_frame(b)
    if f is None or len(f["l3"]) < 48:
        return False
    l3 = f["l3"]
    if f["etype"] == 0x0800 and l3[0] >> 4 == 4:
        ihl = (l3[0] & 0xf) * 4
        return l3[9] == 1 and l3[ihl] in (3, 11, 12)
    if f["etype"] == 0x86dd and l3[0] >> 4 == 6:
        return l3[6] == 58 and l3[40] in (1, 2, 3, 4)
    return False


def _icmp6_checksum(l3):
    import ipaddress  # noqa: F401
    plen = struct.unpack_from("!H", l3, 4)[0]
    body = l3[40:40 + plen]
    pseudo = l3[8:24] + l3[24:40] + struct.pack("!IxxxB", len(body), 58)
    return ip_checksum(pseudo + body)


def _msee_addr(p, link, v6):
    import ipaddress
    i = LINKS.index(link)
    if v6:
        base = ipaddress.ip_network(p["ipv6"], strict=False).network_address
        return (base + 4 * i + 2).packed
    base = ipaddress.ip_network(p["ipv4"], strict=False).network_address
    return (base + 4 * i + 2).packed


def _check_icmp_time_exceeded(chk, t, e, pname, b):
    """An ICMP time exceeded sent back for a TTL/hop-limit expired frame."""
    what = "frame %d (%s): ICMP time exceeded" % (e.fid, e.note)
    src = parse_frame(e.frame)
    f = parse_frame(b)
    port = t.port_by_name(pname)
    chk.eq(pname, e.port, what + ": leaves by the port the frame came in on")
    chk.eq(f["dst"], src["src"], what + ": dst MAC = sender's MAC")
    chk.eq(f["src"], port["mac"], what + ": src MAC")
    if port["role"] in LINKS:
        p = t.peering_by_name(e.peering)
        c = t.circuit_by_name(p["circuit"])
        want = ([(t.egress_tpid, 0, 0, c["s_tag"]), (0x8100, 0, 0, p["vlan"])] if t.encap == "qinq"
                else [(t.egress_tpid, 0, 0, p["vlan"])])
    else:
        want = [(0x8100, 0, 0, tg[3]) for tg in src["tags"]]
    chk.eq(f["tags"], want, what + ": tags (tpid, pcp, dei, vid)")
    o, l3 = src["l3"], f["l3"]
    if o[0] >> 4 == 4:
        chk.eq(f["etype"], 0x0800, what + ": EtherType")
        ihl = (l3[0] & 0xf) * 4
        chk.eq((l3[9], l3[ihl], l3[ihl + 1]), (1, 11, 0), what + ": proto/type/code")
        chk.eq(ip_checksum(l3[:ihl]), 0, what + ": IPv4 header checksum")
        tot = struct.unpack_from("!H", l3, 2)[0]
        chk.eq(tot, len(l3), what + ": IPv4 total length = frame")
        chk.eq(ip_checksum(l3[ihl:tot]), 0, what + ": ICMP checksum")
        chk.eq(l3[16:20].hex(), o[12:16].hex(), what + ": dst = original src")
        if port["role"] in LINKS:
            chk.eq(l3[12:16].hex(), _msee_addr(t.peering_by_name(e.peering), port["role"], False).hex(),
                   what + ": src = MSEE address of the link")
        q = l3[ihl + 8:tot]
        chk.check(len(q) >= 28 and o.startswith(q), what + ": quotes the original header + 8 bytes or more")
    else:
        chk.eq(f["etype"], 0x86dd, what + ": EtherType")
        chk.eq((l3[6], l3[40], l3[41]), (58, 3, 0), what + ": next header/type/code")
        plen = struct.unpack_from("!H", l3, 4)[0]
        chk.eq(plen + 40, len(l3), what + ": IPv6 payload length = frame")
        chk.eq(_icmp6_checksum(l3), 0, what + ": ICMPv6 checksum")
        chk.eq(l3[24:40].hex(), o[8:24].hex(), what + ": dst = original src")
        if port["role"] in LINKS:
            chk.eq(l3[8:24].hex(), _msee_addr(t.peering_by_name(e.peering), port["role"], True).hex(),
                   what + ": src = MSEE address of the link")
        q = l3[48:]
        chk.check(len(q) >= 48 and o.startswith(q), what + ": quotes the original packet")


def _l3_of(e):
    return parse_frame(e.frame)["l3"]


def _check_c2g(chk, t, e, pname, b):
    g = t.gateway_by_name(e.gateway)
    f = parse_frame(b)
    what = "frame %d c2g %s -> %s" % (e.fid, e.peering, e.gateway)
    inst = [i for i in g["instances"] if i["mac"] == f["dst"]]
    if not chk.check(len(inst) == 1, "%s: dst MAC %s is not an instance of %s (%s)"
                     % (what, f["dst"], e.gateway, [i["mac"] for i in g["instances"]])):
        return
    i = inst[0]
    chk.eq(pname, i["port"], what + ": output port")
    chk.eq(f["src"], t.port_by_name(i["port"])["mac"], what + ": src MAC")
    want_tags = [(0x8100, 0, 0, i["vlan"])] if i["vlan"] else []
    chk.eq(f["tags"], want_tags, what + ": tags (tpid, pcp, dei, vid)")
    src = parse_frame(e.frame)
    chk.eq(f["etype"], src["etype"], what + ": EtherType")
    l3 = check_padding(chk, what, b, f)
    chk.eq(l3.hex(), forwarded_l3(src["l3"]).hex(), what + ": L3 packet (TTL-1, checksum, payload)")


def _check_g2c(chk, t, e, pname, b):
    p = t.peering_by_name(e.peering)
    c = t.circuit_by_name(p["circuit"])
    f = parse_frame(b)
    what = "frame %d g2c -> %s" % (e.fid, e.peering)
    port = t.port_by_name(pname)
    if not chk.check(port["role"] in LINKS, "%s: left on %s, not an ExpressRoute port" % (what, pname)):
        return
    link = port["role"]
    chk.eq(f["dst"], p["mac"][link], what + ": dst MAC (customer MAC of the %s link)" % link)
    chk.eq(f["src"], port["mac"], what + ": src MAC")
    if t.encap == "qinq":
        want = [(t.egress_tpid, 0, 0, c["s_tag"]), (0x8100, 0, 0, p["vlan"])]
    else:
        want = [(t.egress_tpid, 0, 0, p["vlan"])]
    chk.eq(f["tags"], want, what + ": tags (tpid, pcp, dei, vid)")
    src = parse_frame(e.frame)
    chk.eq(f["etype"], src["etype"], what + ": EtherType")
    l3 = check_padding(chk, what, b, f)
    chk.eq(l3.hex(), forwarded_l3(src["l3"]).hex(), what + ": L3 packet (TTL-1, checksum, payload)")


def check_flow_spread(chk, sc, min_flows=8):
    """Same flow -> same instance / link; many flows -> more than one."""
    by_gw = {}
    by_peering = {}
    for e in sc.expects.values():
        if e.out is None or e.kind == "drop":
            continue
        f = parse_frame(e.out[1])
        key = flow_key(_l3_of(e))
        if e.kind == "c2g":
            by_gw.setdefault(e.gateway, {}).setdefault(key, set()).add(f["dst"])
        else:
            by_peering.setdefault(e.peering, {}).setdefault(key, set()).add(e.out[0])
    for name, flows in sorted(by_gw.items()):
        for key, members in flows.items():
            chk.check(len(members) == 1, "gateway %s: one flow went to several instances %s (flow %r)"
                      % (name, sorted(members), key))
        used = set().union(*flows.values())
        if len(flows) >= min_flows:
            chk.check(len(used) > 1, "gateway %s: %d flows all went to one instance %s"
                      % (name, len(flows), sorted(used)))
    for name, flows in sorted(by_peering.items()):
        for key, ports in flows.items():
            chk.check(len(ports) == 1, "peering %s: one flow left by both links (flow %r)" % (name, key))
        used = set().union(*flows.values())
        if len(flows) >= min_flows:
            chk.check(len(used) > 1, "peering %s: %d flows all left by %s" % (name, len(flows), sorted(used)))


# ---------------------------------------------------------------------------
# Counters

def _zero():
    d = {k: 0 for k in COUNTERS}
    d["drops"] = {r: 0 for r in DROP_REASONS}
    return d


class Model:
    """Expected counters. Values are [low, high] ranges (equal unless loose)."""

    def __init__(self, topo):
        self.t = topo
        self.ports = {p["name"]: _zero() for p in topo.ports}
        self.circuits = {c["name"]: _zero() for c in topo.circuits}
        self.peerings = {p["name"]: _zero() for p in topo.peerings}
        self.links = {(p["name"], l): _zero() for p in topo.peerings for l in LINKS}
        self.loose = []  # (circuit, peering, reason, n) gateway-side drops that may count on the peering

    @staticmethod
    def _add(d, key, n=1, reason=None):
        if reason is None:
            d[key] += n
        else:
            d["drops"][reason] += n

    def account(self, sc):
        t = self.t
        for e in sc.expects.values():
            L = len(e.frame)
            port = t.port_by_name(e.port)
            self._add(self.ports[e.port], "rx_packets")
            self._add(self.ports[e.port], "rx_bytes", L)
            if e.icmp_out is not None:  # an ICMP error sent back: tx on the port (and link)
                opname, ob = e.icmp_out
                self._add(self.ports[opname], "tx_packets")
                self._add(self.ports[opname], "tx_bytes", len(ob))
                if port["role"] in LINKS:
                    for d in (self.circuits[e.circuit], self.peerings[e.peering],
                              self.links[(e.peering, port["role"])]):
                        self._add(d, "tx_packets")
                        self._add(d, "tx_bytes", len(ob))
            if e.kind == "drop":
                self._add(self.ports[e.port], None, reason=e.reason)
                if e.loose:
                    self.loose.append((e.circuit, e.peering, e.reason))
                    continue
                if e.level in ("circuit", "peering"):
                    c = self.circuits[e.circuit]
                    self._add(c, "rx_packets")
                    self._add(c, "rx_bytes", L)
                    self._add(c, None, reason=e.reason)
                if e.level == "peering":
                    for d in (self.peerings[e.peering], self.links[(e.peering, port["role"])]):
                        self._add(d, "rx_packets")
                        self._add(d, "rx_bytes", L)
                        self._add(d, None, reason=e.reason)
                continue
            if e.out is None:
                continue  # already reported as not forwarded
            opname, ob = e.out
            self._add(self.ports[opname], "tx_packets")
            self._add(self.ports[opname], "tx_bytes", len(ob))
            if e.kind == "c2g":
                for d in (self.circuits[e.circuit], self.peerings[e.peering],
                          self.links[(e.peering, port["role"])]):
                    self._add(d, "rx_packets")
                    self._add(d, "rx_bytes", L)
            else:
                orole = t.port_by_name(opname)["role"]
                if orole not in LINKS:
                    continue
                for d in (self.circuits[e.circuit], self.peerings[e.peering], self.links[(e.peering, orole)]):
                    self._add(d, "tx_packets")
                    self._add(d, "tx_bytes", len(ob))

    def global_drops(self):
        g = {r: 0 for r in DROP_REASONS}
        for d in self.ports.values():
            for r, n in d["drops"].items():
                g[r] += n
        return g


def _by_name(lst, what, chk):
    out = {}
    for x in lst or []:
        name = x.get("name")
        chk.check(name not in out, "stats: %s %r listed twice" % (what, name))
        out[name] = x
    return out


def _check_obj(chk, got, want, what, loose_drops=None, loose_rx=0):
    """Compare one counter object. loose_drops: reason -> extra allowed (0..n)."""
    if not chk.check(isinstance(got, dict), "%s: missing from stats" % what):
        return
    for k in COUNTERS:
        g = got.get(k)
        w = want[k]
        if k == "rx_packets" and loose_rx:
            chk.check(isinstance(g, int) and w <= g <= w + loose_rx,
                      "%s: %s = %r, want %d..%d" % (what, k, g, w, w + loose_rx))
        elif k == "rx_bytes" and loose_rx:
            chk.check(isinstance(g, int) and g >= w, "%s: %s = %r, want >= %d" % (what, k, g, w))
        else:
            chk.check(g == w, "%s: %s = %r, want %d" % (what, k, g, w))
    drops = got.get("drops")
    if not chk.check(isinstance(drops, dict), "%s: no drops object" % what):
        return
    missing = [r for r in DROP_REASONS if r not in drops]
    chk.check(not missing, "%s: drops object lacks reasons %s" % (what, missing))
    extra = [r for r in drops if r not in DROP_REASONS]
    chk.check(not extra, "%s: drops object has unknown reasons %s" % (what, extra))
    for r in DROP_REASONS:
        g = drops.get(r, 0)
        w = want["drops"][r]
        extra_ok = (loose_drops or {}).get(r, 0)
        if extra_ok:
            chk.check(w <= g <= w + extra_ok, "%s: drops.%s = %r, want %d..%d" % (what, r, g, w, w + extra_ok))
        else:
            chk.check(g == w, "%s: drops.%s = %r, want %d" % (what, r, g, w))


def check_counters(chk, sc, run, model=None):
    """Compare every counter in run.stats with the counters the scenario implies."""
    t = sc.topo
    m = model or Model(t)
    if model is None:
        m.account(sc)
    s = run.stats or {}
    for k in ("ports", "circuits", "peerings", "drops"):
        chk.check(k in s, "stats: no %r key" % k)
    ports = _by_name(s.get("ports"), "port", chk)
    circuits = _by_name(s.get("circuits"), "circuit", chk)
    peerings = _by_name(s.get("peerings"), "peering", chk)
    chk.eq(sorted(ports), sorted(m.ports), "stats: port names")
    chk.eq(sorted(circuits), sorted(m.circuits), "stats: circuit names")
    chk.eq(sorted(peerings), sorted(m.peerings), "stats: peering names")

    loose_c, loose_p = {}, {}
    for (c, p, r) in m.loose:
        loose_c.setdefault(c, {}).setdefault(r, 0)
        loose_c[c][r] += 1
        loose_p.setdefault(p, {}).setdefault(r, 0)
        loose_p[p][r] += 1

    for p in t.ports:
        got = ports.get(p["name"])
        if got is not None:
            chk.eq(got.get("role"), p["role"], "port %s: role" % p["name"])
        _check_obj(chk, got, m.ports[p["name"]], "port %s" % p["name"])
    for c in t.circuits:
        got = circuits.get(c["name"])
        if got is not None and t.encap == "qinq":
            chk.eq(got.get("s_tag"), c["s_tag"], "circuit %s: s_tag" % c["name"])
        lc = loose_c.get(c["name"], {})
        _check_obj(chk, got, m.circuits[c["name"]], "circuit %s" % c["name"], lc, sum(lc.values()))
    for p in t.peerings:
        got = peerings.get(p["name"])
        what = "peering %s" % p["name"]
        lp = loose_p.get(p["name"], {})
        _check_obj(chk, got, m.peerings[p["name"]], what, lp, sum(lp.values()))
        if got is None:
            continue
        chk.eq(got.get("circuit"), p["circuit"], what + ": circuit")
        chk.eq(got.get("type"), p["type"], what + ": type")
        chk.eq(got.get("vlan"), p["vlan"], what + ": vlan")
        chk.eq(got.get("vrf"), p["vrf"], what + ": vrf")
        links = got.get("links") or {}
        for l in LINKS:
            _check_obj(chk, links.get(l), m.links[(p["name"], l)], "%s link %s" % (what, l), lp, sum(lp.values()))
        # A peering is the sum of its links.
        if all(isinstance(links.get(l), dict) for l in LINKS):
            for k in COUNTERS:
                chk.eq(got.get(k), sum(links[l].get(k, 0) for l in LINKS), "%s: %s = sum of links" % (what, k))
            for r in DROP_REASONS:
                chk.eq(got.get("drops", {}).get(r), sum(links[l].get("drops", {}).get(r, 0) for l in LINKS),
                       "%s: drops.%s = sum of links" % (what, r))
    g = s.get("drops") or {}
    want = m.global_drops()
    for r in DROP_REASONS:
        chk.eq(g.get(r), want[r], "global drops.%s" % r)
    return m


def print_counters(run):
    s = run.stats or {}
    for p in s.get("ports", []):
        d = {k: v for k, v in p.get("drops", {}).items() if v}
        print("  port %-12s rx %5s tx %5s drops %s" % (p.get("name"), p.get("rx_packets"), p.get("tx_packets"), d))
    for c in s.get("circuits", []):
        d = {k: v for k, v in c.get("drops", {}).items() if v}
        print("  circuit %-10s rx %5s tx %5s drops %s" % (c.get("name"), c.get("rx_packets"), c.get("tx_packets"), d))
    for p in s.get("peerings", []):
        d = {k: v for k, v in p.get("drops", {}).items() if v}
        print("  peering %-18s rx %5s tx %5s drops %s" % (p.get("name"), p.get("rx_packets"), p.get("tx_packets"), d))


def rnd_flows(rng, n, src_net, dst_net, v6=False):
    """n distinct (src, dst, sport, dport) tuples in the given /16-ish nets (format strings)."""
    out = set()
    while len(out) < n:
        a = src_net.format(rng.randrange(1, 255), rng.randrange(1, 255))
        b = dst_net.format(rng.randrange(1, 255), rng.randrange(1, 255))
        out.add((a, b, rng.randrange(1024, 65535), rng.randrange(1, 65535)))
    return sorted(out)
