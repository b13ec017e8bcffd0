# SPDX-License-Identifier: BSD-3-Clause
"""Shared helpers of the e2e-l3-* tests (ARP, ND, ICMP, MTU, neighbours, health).

Not a test itself. Builds on erdptest.py (topology, frames, pcap I/O, erdp
runs, counter comparison); adds what the L3 tests need on top:

  * config extras the harness renderer does not write: per-port `mtu`,
    peerings without `customer_mac`, gateway instance `ip` and the
    gateway health keys;
  * builders for ARP, NS/NA, ICMP echo frames;
  * a counter model keyed by port / peering link that also knows
    `local_packets`, filled by the tests frame by frame, and compared with
    every counter of --stats-json (ports, circuits, peerings, links, global).
"""
import ipaddress
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402
from erdptest import LINKS, l2, mac_bytes, mac_str, parse_frame, ip_checksum  # noqa: E402,F401

BCAST = "ff:ff:ff:ff:ff:ff"


# ---------------------------------------------------------------------------
# Topology / config

def l3_topo(encap):
    """The standard topology; QinQ accepts 0x8100 and 0x88a8 outside and sends 0x8100
    (so that replies to 0x88a8 frames must change the outer TPID)."""
    t = et.standard_topo(encap)
    if encap == "qinq":
        t.outer_tpids = [0x88a8, 0x8100]
        t.egress_tpid = 0x8100
    return t


def devices_for(topo, workdir):
    """The device strings et.run_erdp gives each port (same paths)."""
    d = {}
    for i, p in enumerate(topo.ports):
        rx = os.path.join(workdir, "%s-in.pcap" % p["name"])
        tx = os.path.join(workdir, "%s-out.pcap" % p["name"])
        d[p["name"]] = "net_pcap%d,rx_pcap=%s,tx_pcap=%s" % (i, rx, tx)
    return d


def render(topo, workdir, port_mtu=None, no_customer_mac=(), inst_ip=None, gw_health=None):
    """et.render_config plus extras.

    port_mtu: port name -> mtu. no_customer_mac: peering names whose
    customer_mac is left out (MACs learned by ARP/ND). inst_ip: instance MAC
    -> IPv4 address. gw_health: gateway name -> (interval_ms, multiplier).
    """
    text = et.render_config(topo, devices_for(topo, workdir))
    lines = text.split("\n")
    out = []
    drop_macs = {topo.peering_by_name(p)["mac"]["primary"] for p in no_customer_mac}
    for ln in lines:
        m = re.match(r'\s*customer_mac = \[ "([0-9a-f:]+)"', ln)
        if m and m.group(1) in drop_macs:
            continue
        m = re.match(r'(\s*\{ name = "([^"]+)"; role = .*mac = "[0-9a-f:]+";) \}(,?)$', ln)
        if m and port_mtu and m.group(2) in port_mtu:
            ln = "%s mtu = %d; }%s" % (m.group(1), port_mtu[m.group(2)], m.group(3))
        m = re.match(r'(\s*\{ port = "[^"]+"; mac = "([0-9a-f:]+)";.*;) \}(,?)$', ln)
        if m and inst_ip and m.group(2) in inst_ip:
            ln = '%s ip = "%s"; }%s' % (m.group(1), inst_ip[m.group(2)], m.group(3))
        out.append(ln)
        m = re.match(r'    name = "([^"]+)";$', ln)
        if m and gw_health and m.group(1) in gw_health:
            iv, mult = gw_health[m.group(1)]
            out.append("    health_interval_ms = %d;" % iv)
            out.append("    health_multiplier = %d;" % mult)
    text = "\n".join(out)
    # the extras must all have landed
    for p in no_customer_mac:
        assert topo.peering_by_name(p)["mac"]["primary"] not in text, p
    for name, mtu in (port_mtu or {}).items():
        assert "mtu = %d;" % mtu in text, name
    for mac, ip in (inst_ip or {}).items():
        assert 'ip = "%s"' % ip in text, mac
    for g in (gw_health or {}):
        assert "health_interval_ms" in text, g
    return text


def run(exe, topo, inputs, wd, extra_args=(), **cfg_kw):
    text = render(topo, wd, **cfg_kw)
    return et.run_erdp(exe, topo, inputs, wd, extra_args=extra_args, config_text=text)


# ---------------------------------------------------------------------------
# Addresses

def v4_net(p, link):
    n = ipaddress.ip_network(p["ipv4"], strict=False)
    return n.network_address + 4 * LINKS.index(link)


def customer4(p, link):
    return str(v4_net(p, link) + 1)


def msee4(p, link):
    return str(v4_net(p, link) + 2)


def v6_net(p, link):
    n = ipaddress.ip_network(p["ipv6"], strict=False)
    return n.network_address + 4 * LINKS.index(link)


def customer6(p, link):
    return str(v6_net(p, link) + 1)


def msee6(p, link):
    return str(v6_net(p, link) + 2)


def ip4b(a):
    return ipaddress.IPv4Address(a).packed


def ip6b(a):
    return ipaddress.IPv6Address(a).packed


def solicited_node(a):
    b = ip6b(a)
    return str(ipaddress.IPv6Address(bytes.fromhex("ff0200000000000000000001ff") + b[13:]))


def solicited_mac(a):
    b = ip6b(a)
    return mac_str(b"\x33\x33\xff" + b[13:])


# ---------------------------------------------------------------------------
# Frames

def er_tags(topo, peering, tpid=None, pcp=0, dei=0):
    p = topo.peering_by_name(peering)
    c = topo.circuit_by_name(p["circuit"])
    tpid = topo.outer_tpids[0] if tpid is None else tpid
    if topo.encap == "qinq":
        return [(tpid, c["s_tag"], pcp, dei), (0x8100, p["vlan"], pcp, dei)]
    return [(tpid, p["vlan"], pcp, dei)]


def er_tags_out(topo, peering):
    """Tags erdp puts on frames toward the customer: egress TPID, PCP/DEI 0 (parse_frame form)."""
    p = topo.peering_by_name(peering)
    c = topo.circuit_by_name(p["circuit"])
    if topo.encap == "qinq":
        return [(topo.egress_tpid, 0, 0, c["s_tag"]), (0x8100, 0, 0, p["vlan"])]
    return [(topo.egress_tpid, 0, 0, p["vlan"])]


def arp(op, sha, spa, tha, tpa, hrd=1, pro=0x0800, hln=6, pln=4):
    return (struct.pack("!HHBBH", hrd, pro, hln, pln, op) + mac_bytes(sha) + ip4b(spa)
            + mac_bytes(tha) + ip4b(tpa))


def parse_arp(b):
    if len(b) < 28:
        return None
    hrd, pro, hln, pln, op = struct.unpack_from("!HHBBH", b, 0)
    return dict(hrd=hrd, pro=pro, hln=hln, pln=pln, op=op, sha=mac_str(b[8:14]),
                spa=str(ipaddress.IPv4Address(b[14:18])), tha=mac_str(b[18:24]),
                tpa=str(ipaddress.IPv4Address(b[24:28])))


def icmp6_cksum_fill(l3):
    """Fill the ICMPv6 checksum of an IPv6 packet (bytes) and return it."""
    b = bytearray(l3)
    b[42:44] = b"\0\0"
    plen = struct.unpack_from("!H", b, 4)[0]
    pseudo = bytes(b[8:40]) + struct.pack("!IxxxB", plen, 58)
    b[42:44] = struct.pack("!H", ip_checksum(pseudo + bytes(b[40:40 + plen])))
    return bytes(b)


def icmp6_cksum_ok(l3):
    return et._icmp6_checksum(l3) == 0


def ipv6_hdr(src, dst, plen, nh, hlim, tc=0, fl=0):
    return struct.pack("!IHBB", (6 << 28) | (tc << 20) | fl, plen, nh, hlim) + ip6b(src) + ip6b(dst)


def nd_ns(src, dst, target, slla=None, hlim=255):
    body = struct.pack("!BBHI", 135, 0, 0, 0) + ip6b(target)
    if slla:
        body += b"\x01\x01" + mac_bytes(slla)
    return icmp6_cksum_fill(ipv6_hdr(src, dst, len(body), 58, hlim) + body)


def nd_na(src, dst, target, tlla=None, flags=0x20, hlim=255):
    body = struct.pack("!BBHB3x", 136, 0, 0, flags) + ip6b(target)
    if tlla:
        body += b"\x02\x01" + mac_bytes(tlla)
    return icmp6_cksum_fill(ipv6_hdr(src, dst, len(body), 58, hlim) + body)


def echo4(src, dst, ident, seq, payload, ttl=64, df=False, ip_id=0x1234):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", ip_checksum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), ip_id, 0x4000 if df else 0, ttl, 1, 0,
                      ip4b(src), ip4b(dst))
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    return hdr + icmp


def echo6(src, dst, ident, seq, payload, hlim=64):
    body = struct.pack("!BBHHH", 128, 0, 0, ident, seq) + payload
    return icmp6_cksum_fill(ipv6_hdr(src, dst, len(body), 58, hlim) + body)


def ipv4(src, dst, proto, payload, ttl=64, df=False, ip_id=0x4321, tos=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), ip_id, 0x4000 if df else 0, ttl,
                      proto, 0, ip4b(src), ip4b(dst))
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    return hdr + payload


def tcp_syn(sport, dport):
    # checksum not validated by erdp for local traffic; keep it simple
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 65535, 0, 0)


def udp_payload(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def marked(fid, size):
    return et.marker(fid, size)


# ---------------------------------------------------------------------------
# Counters

def _zero():
    d = {k: 0 for k in et.COUNTERS}
    d["local_packets"] = 0
    d["drops"] = {r: 0 for r in et.DROP_REASONS}
    return d


class Counters:
    """Expected counters, filled per frame by the test.

    plink = (peering name, link) or None. circuit-only counters (drops of
    frames whose circuit is known but not the peering) go to `circ`.
    loose[peering][reason]: gateway-side drops that erdp may also count on
    the peering they were routed to (the harness allows either, see
    erdptest.Expect.loose).
    """

    def __init__(self, topo):
        self.t = topo
        self.port = {p["name"]: _zero() for p in topo.ports}
        self.link = {(p["name"], l): _zero() for p in topo.peerings for l in LINKS}
        self.circ = {c["name"]: _zero() for c in topo.circuits}
        self.loose = {}

    def _targets(self, port, plink):
        out = [self.port[port]] if port is not None else []
        if plink is not None:
            out.append(self.link[plink])
        return out

    def rx(self, port, frame, plink=None, circuit=None):
        for d in self._targets(port, plink):
            d["rx_packets"] += 1
            d["rx_bytes"] += len(frame)
        if circuit is not None and plink is None:
            self.circ[circuit]["rx_packets"] += 1
            self.circ[circuit]["rx_bytes"] += len(frame)

    def tx(self, port, frame, plink=None):
        for d in self._targets(port, plink):
            d["tx_packets"] += 1
            d["tx_bytes"] += len(frame)

    def local(self, port, plink=None):
        for d in self._targets(port, plink):
            d["local_packets"] += 1

    def drop(self, port, reason, plink=None, circuit=None, loose_peering=None):
        assert reason in et.DROP_REASONS, reason
        for d in self._targets(port, plink):
            d["drops"][reason] += 1
        if circuit is not None and plink is None:
            self.circ[circuit]["drops"][reason] += 1
        if loose_peering is not None:
            self.loose.setdefault(loose_peering, {}).setdefault(reason, 0)
            self.loose[loose_peering][reason] += 1

    # input frame helpers: rx + one outcome
    def in_drop(self, port, frame, reason, plink=None, circuit=None, loose_peering=None):
        self.rx(port, frame, plink, circuit)
        self.drop(port, reason, plink, circuit, loose_peering)

    def in_local(self, port, frame, plink=None):
        self.rx(port, frame, plink)
        self.local(port, plink)

    def check(self, chk, stats):
        s = stats or {}
        ports = {p.get("name"): p for p in s.get("ports", [])}
        circuits = {c.get("name"): c for c in s.get("circuits", [])}
        peerings = {p.get("name"): p for p in s.get("peerings", [])}

        def obj(got, want, what, loose=None):
            lz = loose or {}
            et._check_obj(chk, got, want, what, lz, sum(lz.values()))
            if isinstance(got, dict):
                chk.eq(got.get("local_packets"), want["local_packets"], what + ": local_packets")

        for p in self.t.ports:
            obj(ports.get(p["name"]), self.port[p["name"]], "port %s" % p["name"])
        for c in self.t.circuits:
            want = _zero()
            lz = {}
            for pe in self.t.peerings:
                if pe["circuit"] != c["name"]:
                    continue
                for r, n in self.loose.get(pe["name"], {}).items():
                    lz[r] = lz.get(r, 0) + n
                for l in LINKS:
                    _add(want, self.link[(pe["name"], l)])
            _add(want, self.circ[c["name"]])
            obj(circuits.get(c["name"]), want, "circuit %s" % c["name"], lz)
        for pe in self.t.peerings:
            want = _zero()
            for l in LINKS:
                _add(want, self.link[(pe["name"], l)])
            got = peerings.get(pe["name"])
            lz = self.loose.get(pe["name"])
            obj(got, want, "peering %s" % pe["name"], lz)
            links = (got or {}).get("links") or {}
            for l in LINKS:
                obj(links.get(l), self.link[(pe["name"], l)], "peering %s link %s" % (pe["name"], l), lz)
        g = s.get("drops") or {}
        for r in et.DROP_REASONS:
            chk.eq(g.get(r), sum(d["drops"][r] for d in self.port.values()), "global drops.%s" % r)


def _add(a, b):
    for k in et.COUNTERS + ["local_packets"]:
        a[k] += b[k]
    for r in et.DROP_REASONS:
        a["drops"][r] += b["drops"][r]


def check_tx_matches_pcaps(chk, run):
    """Every port's tx counters equal what its tx_pcap holds."""
    ports = {p.get("name"): p for p in (run.stats or {}).get("ports", [])}
    for name, frames in run.outputs.items():
        got = ports.get(name, {})
        chk.eq(got.get("tx_packets"), len(frames), "port %s: tx_packets = frames in its tx pcap" % name)
        chk.eq(got.get("tx_bytes"), sum(len(f) for f in frames), "port %s: tx_bytes = bytes in its tx pcap" % name)


def dump(b, n=96):
    return b[:n].hex()


# ---------------------------------------------------------------------------
# Expected output frames, matched by (port, key(frame))

class Outs:
    """Expected output frames. Each is found by a key computed from the output
    frame (default: its destination MAC, which the tests keep unique per
    expected reply) and checked by its own function."""

    def __init__(self):
        self.exp = {}   # (port, key) -> [name, checker, seen frame or None]

    def add(self, port, key, name, checker):
        assert (port, key) not in self.exp, (port, key)
        self.exp[(port, key)] = [name, checker, None]

    def match(self, chk, run, key=lambda f: parse_frame(f)["dst"], other=None):
        """other(port, frame) -> True when the frame is accounted for elsewhere."""
        for port, frames in run.outputs.items():
            for b in frames:
                f = parse_frame(b)
                k = key(b) if f is not None else None
                e = self.exp.get((port, k))
                if e is None:
                    if other is not None and other(port, b):
                        continue
                    chk.check(False, "unexpected frame out of %s: %s" % (port, dump(b)))
                    continue
                if e[2] is not None:
                    chk.check(False, "%s: came out twice (again on %s): %s" % (e[0], port, dump(b)))
                    continue
                e[2] = b
                e[1](b)
        for (port, k), (name, _, seen) in self.exp.items():
            chk.check(seen is not None, "%s: no frame out of %s" % (name, port))

    def seen(self):
        return [(p, e[2]) for (p, _), e in self.exp.items() if e[2] is not None]
