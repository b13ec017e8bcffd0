#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-l3-icmp-qinq / -dot1q: TTL expiry, MTU, fragmentation, bad headers, ICMP rate limit.

Run 1 (gw0 mtu 1400, ER ports mtu 1480), both directions, IPv4 and IPv6:
  * TTL/hop limit 1 (and 0) -> ICMP time exceeded back out the ingress port,
    sourced from the MSEE address of the ingress link (ER side) or of the
    VRF's first peering primary link (gateway side), quoting the original;
    no error about ICMP errors or non-first fragments; counted ttl_exceeded;
  * above the egress MTU: IPv4 DF -> ICMP 3/4 with the next-hop MTU;
    IPv4 without DF -> fragments (each <= MTU, offsets/MF, TTL-1, checksums,
    reassembled payload = original); IPv6 -> packet too big; exactly the MTU
    -> forwarded whole;
  * bad IPv4 checksum / version / IHL / total length, IPv6 version /
    payload length, truncated headers -> their drop reasons.
Run 2: 200 TTL-1 frames in one pcap -> the token bucket (burst 50,
1000/s) lets about 50 errors out, the rest are icmp_rate_limited; each
frame is counted once.

usage: test_l3_icmp.py ERDP_BINARY qinq|dot1q
"""
import os
import struct
import sys

from scapy.all import IP, IPv6, UDP, ICMP, Raw, defragment  # noqa: E402,F401

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402
import test_l3_common as c  # noqa: E402
from test_l3_common import l2, parse_frame, ip_checksum, LINKS  # noqa: E402

GW_MTU = 1400
ER_MTU = 1480


def udp4(src, dst, fid, size=24, ttl=64, df=False, ip_id=None):
    """IPv4/UDP with the frame id marker; total length = 28 + size."""
    payload = et.marker(fid, size)
    udp = struct.pack("!HHHH", 1000 + fid % 5000, 2000 + fid % 7, 8 + len(payload), 0) + payload
    return _ip4(src, dst, 17, udp, ttl, 0x4000 if df else 0, ip_id if ip_id is not None else fid & 0xffff)


def _ip4(src, dst, proto, payload, ttl, flags, ip_id):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ip_id, flags, ttl, proto, 0,
                      c.ip4b(src), c.ip4b(dst))
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    return hdr + payload


def udp6(src, dst, fid, size=24, hlim=64):
    return et.udp6(src, dst, 1000 + fid % 5000, 2000 + fid % 7, fid, hlim=hlim, size=size)


def set_ipv4(l3, ver=None, ihl=None, tot_len=None, bad_cksum=False):
    h = bytearray(l3)
    if ver is not None or ihl is not None:
        h[0] = ((ver if ver is not None else h[0] >> 4) << 4) | (ihl if ihl is not None else h[0] & 0xf)
    if tot_len is not None:
        h[2:4] = struct.pack("!H", tot_len)
    h[10:12] = b"\0\0"
    h[10:12] = struct.pack("!H", ip_checksum(bytes(h[:20])))
    if bad_cksum:
        h[10] ^= 0x5a
    return bytes(h)


def is_frag(f):
    l3 = f["l3"]
    if f["etype"] != 0x0800 or len(l3) < 20:
        return False
    fo = struct.unpack_from("!H", l3, 6)[0]
    return (fo & 0x2000) != 0 or (fo & 0x1fff) != 0


def out_key(b):
    f = parse_frame(b)
    if f is None or is_frag(f):
        return None
    return et.frame_id(b)


class T:
    """One run's scenario: inputs, expected outputs, counters."""

    def __init__(self, topo):
        self.t = topo
        self.inputs = {p["name"]: [] for p in topo.ports}
        self.ctr = c.Counters(topo)
        self.outs = c.Outs()
        self.frags = {}  # ip id -> dict(what, port, l3, mtu, check(frames))
        self._fid = 1000
        self.P, self.S = topo.port_by_role("primary"), topo.port_by_role("secondary")
        self.ports = {"primary": self.P, "secondary": self.S}

    def fid(self):
        self._fid += 1
        return self._fid


def check_icmp_error(chk, what, b, in_frame, v6, typ, code, src_ip, rest, want_tags, out_src_mac):
    f = parse_frame(b)
    o = parse_frame(in_frame)
    chk.eq(f["dst"], o["src"], what + ": dst MAC = sender's MAC")
    chk.eq(f["src"], out_src_mac, what + ": src MAC = port MAC")
    chk.eq(f["tags"], want_tags, what + ": tags (tpid, pcp, dei, vid)")
    l3, ol3 = f["l3"], o["l3"]
    if not v6:
        chk.eq(f["etype"], 0x0800, what + ": EtherType")
        ihl = (l3[0] & 0xf) * 4
        tot = struct.unpack_from("!H", l3, 2)[0]
        chk.eq(tot, len(l3), what + ": IPv4 total length = frame")
        chk.eq(ip_checksum(l3[:ihl]), 0, what + ": IPv4 header checksum")
        chk.eq((l3[9], l3[ihl], l3[ihl + 1]), (1, typ, code), what + ": proto/type/code")
        chk.eq(ip_checksum(l3[ihl:tot]), 0, what + ": ICMP checksum")
        chk.check(l3[8] > 1, what + ": TTL %d" % l3[8])
        chk.eq(l3[12:16].hex(), c.ip4b(src_ip).hex(), what + ": src = %s" % src_ip)
        chk.eq(l3[16:20].hex(), ol3[12:16].hex(), what + ": dst = original src")
        chk.eq(l3[ihl + 4:ihl + 8].hex(), rest.hex(), what + ": ICMP word 2 (unused / next-hop MTU)")
        otot = struct.unpack_from("!H", ol3, 2)[0]
        q = l3[ihl + 8:tot]
        chk.eq(len(q), min(otot, 576 - 28), what + ": quote length")
        chk.check(ol3.startswith(q), what + ": quote = the original packet as received")
    else:
        chk.eq(f["etype"], 0x86dd, what + ": EtherType")
        plen = struct.unpack_from("!H", l3, 4)[0]
        chk.eq(plen + 40, len(l3), what + ": IPv6 payload length = frame")
        chk.eq((l3[6], l3[40], l3[41]), (58, typ, code), what + ": next header/type/code")
        chk.check(c.icmp6_cksum_ok(l3), what + ": ICMPv6 checksum")
        chk.check(l3[7] > 1, what + ": hop limit %d" % l3[7])
        chk.eq(l3[8:24].hex(), c.ip6b(src_ip).hex(), what + ": src = %s" % src_ip)
        chk.eq(l3[24:40].hex(), ol3[8:24].hex(), what + ": dst = original src")
        chk.eq(l3[44:48].hex(), rest.hex(), what + ": ICMPv6 word 2 (unused / MTU)")
        q = l3[48:]
        chk.eq(len(q), min(len(ol3), 1280 - 48), what + ": quote length")
        chk.check(ol3.startswith(q), what + ": quote = the original packet")


def build_run1(chk, topo):
    t = topo
    s = T(t)
    P, S = s.P, s.S
    G0, G1 = t.port_by_name("gw0"), t.port_by_name("gw1")
    ctr, outs = s.ctr, s.outs
    qinq = t.encap == "qinq"
    cp = t.peering_by_name("contoso/private")
    in_tpid = t.outer_tpids[0]

    def er_frame(peering, link, l3, etype=None):
        p = t.peering_by_name(peering)
        etype = etype or (0x0800 if l3[0] >> 4 == 4 else 0x86dd)
        return l2(s.ports[link]["mac"], p["mac"][link], c.er_tags(t, peering, in_tpid, 3, 1), etype) + l3

    def gw_frame(port, vlan, mac, l3, etype=None):
        etype = etype or (0x0800 if l3[0] >> 4 == 4 else 0x86dd)
        return l2(port["mac"], mac, [(0x8100, vlan, 2)] if vlan else [], etype) + l3

    # ---- errors back to the customer --------------------------------------------------------
    def er_error(peering, link, l3, reason, typ, code, rest=b"\0\0\0\0", src=None, note=""):
        p = t.peering_by_name(peering)
        fr = er_frame(peering, link, l3)
        port = s.ports[link]
        s.inputs[port["name"]].append(fr)
        v6 = l3[0] >> 4 == 6
        ctr.in_drop(port["name"], fr, reason, (peering, link))
        src = src or (c.msee6(p, link) if v6 else c.msee4(p, link))
        what = "%s %s %s: ICMP %d/%d" % (note, peering, link, typ, code)

        def ck(b):
            check_icmp_error(chk, what, b, fr, v6, typ, code, src, rest, c.er_tags_out(t, peering), port["mac"])
            ctr.tx(port["name"], b, (peering, link))
        outs.add(port["name"], et.frame_id(l3), what, ck)

    def gw_error(port, vlan, mac, l3, reason, typ, code, src, loose_peering, rest=b"\0\0\0\0", note=""):
        fr = gw_frame(port, vlan, mac, l3)
        s.inputs[port["name"]].append(fr)
        v6 = l3[0] >> 4 == 6
        ctr.in_drop(port["name"], fr, reason, loose_peering=loose_peering)
        what = "%s %s VLAN %d: ICMP %d/%d" % (note, port["name"], vlan, typ, code)

        def ck(b):
            check_icmp_error(chk, what, b, fr, v6, typ, code, src, rest,
                             [(0x8100, 0, 0, vlan)] if vlan else [], port["mac"])
            ctr.tx(port["name"], b)
        outs.add(port["name"], et.frame_id(l3), what, ck)

    f = s.fid(); er_error("contoso/private", "primary", udp4("10.10.1.1", "10.100.1.1", f, ttl=1), "ttl_exceeded", 11, 0, note="TTL 1")
    f = s.fid(); er_error("fabrikam/private", "secondary", udp4("10.20.1.1", "10.100.7.1", f, ttl=1, size=700), "ttl_exceeded", 11, 0, note="TTL 1, long quote")
    f = s.fid(); er_error("woodgrove/private", "primary", udp4("10.30.1.1", "10.130.1.1", f, ttl=0), "ttl_exceeded", 11, 0, note="TTL 0")
    f = s.fid(); er_error("contoso/microsoft", "secondary", udp4("203.0.113.7", "13.107.1.1", f, ttl=1), "ttl_exceeded", 11, 0, note="TTL 1")
    f = s.fid(); er_error("contoso/private", "secondary", udp6("fd10:10::1", "fd00:100::1", f, hlim=1), "ttl_exceeded", 3, 0, note="hop limit 1")
    f = s.fid(); er_error("contoso/private", "primary", udp6("fd10:10::2", "fd00:100::2", f, hlim=1, size=1300), "ttl_exceeded", 3, 0, note="hop limit 1, long quote")
    # too big toward gw0 (mtu 1400)
    mtu_gw = struct.pack("!HH", 0, GW_MTU)
    f = s.fid(); er_error("contoso/private", "primary", udp4("10.10.2.1", "10.100.2.1", f, size=1450 - 28, df=True), "mtu_exceeded", 3, 4, mtu_gw, note="DF 1450 > 1400")
    f = s.fid(); er_error("fabrikam/private", "secondary", udp4("10.20.2.1", "10.100.2.9", f, size=1401 - 28, df=True), "mtu_exceeded", 3, 4, mtu_gw, note="DF 1401 > 1400")
    f = s.fid(); er_error("contoso/private", "primary", udp6("fd10:10::3", "fd00:100::3", f, size=1450 - 48), "mtu_exceeded", 2, 0, struct.pack("!I", GW_MTU), note="IPv6 1450 > 1400")

    # no error about ICMP errors or non-first fragments: counted, nothing sent
    def er_silent(peering, link, l3, reason):
        fr = er_frame(peering, link, l3)
        s.inputs[s.ports[link]["name"]].append(fr)
        ctr.in_drop(s.ports[link]["name"], fr, reason, (peering, link))

    f = s.fid()
    icmp_err = struct.pack("!BBHI", 3, 1, 0, 0) + udp4("10.100.9.9", "10.10.9.9", f)[:28]
    icmp_err = icmp_err[:2] + struct.pack("!H", ip_checksum(icmp_err)) + icmp_err[4:]
    er_silent("contoso/private", "primary", _ip4("10.10.3.1", "10.100.3.1", 1, icmp_err, 1, 0, 77), "ttl_exceeded")
    f = s.fid()
    er_silent("contoso/private", "secondary", _ip4("10.10.3.2", "10.100.3.2", 17, et.marker(f, 40), 1, 0x2000 | 100, 78), "ttl_exceeded")

    # ---- errors back to the gateway side ----------------------------------------------------
    src_cp4, src_cp6 = c.msee4(cp, "primary"), c.msee6(cp, "primary")
    fp = t.peering_by_name("fabrikam/private")
    wp = t.peering_by_name("woodgrove/private")
    f = s.fid(); gw_error(G0, 10, "02:00:00:00:10:01", udp4("10.100.1.1", "10.10.1.1", f, ttl=1), "ttl_exceeded", 11, 0, src_cp4, "contoso/private", note="TTL 1")
    f = s.fid(); gw_error(G0, 10, "02:00:00:00:10:02", udp6("fd00:100::1", "fd10:10::1", f, hlim=1), "ttl_exceeded", 3, 0, src_cp6, "contoso/private", note="hop limit 1")
    f = s.fid(); gw_error(G0, 20, "02:00:00:00:20:01", udp4("10.100.1.2", "10.20.1.1", f, ttl=1), "ttl_exceeded", 11, 0, c.msee4(fp, "primary"), "fabrikam/private", note="TTL 1")
    f = s.fid(); gw_error(G1, 0, "02:00:00:00:30:02", udp4("10.130.1.2", "10.30.1.1", f, ttl=1), "ttl_exceeded", 11, 0, c.msee4(wp, "primary"), "woodgrove/private", note="TTL 1 untagged")
    mtu_er = struct.pack("!HH", 0, ER_MTU)
    f = s.fid(); gw_error(G0, 10, "02:00:00:00:10:01", udp4("10.100.4.1", "10.10.4.1", f, size=1490 - 28, df=True), "mtu_exceeded", 3, 4, src_cp4, "contoso/private", mtu_er, note="DF 1490 > 1480")
    f = s.fid(); gw_error(G0, 10, "02:00:00:00:10:02", udp6("fd00:100::4", "fd10:10::4", f, size=1490 - 48), "mtu_exceeded", 2, 0, src_cp6, "contoso/private", struct.pack("!I", ER_MTU), note="IPv6 1490 > 1480")

    # ---- forwarded whole at exactly the MTU; fragmented without DF -------------------------------
    def c2g_whole(peering, link, gateway, l3):
        fr = er_frame(peering, link, l3)
        port = s.ports[link]
        s.inputs[port["name"]].append(fr)
        ctr.rx(port["name"], fr, (peering, link))
        e = et.Expect(et.frame_id(l3), port["name"], fr, "c2g", circuit=t.peering_by_name(peering)["circuit"],
                      peering=peering, gateway=gateway)

        def ck(b):
            for pn, frames in s.run.outputs.items():
                if any(x is b for x in frames):
                    et._check_c2g(chk, t, e, pn, b)
                    ctr.tx(pn, b)
        for g in ("gw0",):
            outs.add(g, e.fid, "c2g %s whole at the MTU" % peering, ck)

    def g2c_whole(vlan, mac, peering, l3):
        fr = gw_frame(G0, vlan, mac, l3)
        s.inputs["gw0"].append(fr)
        ctr.rx("gw0", fr)
        e = et.Expect(et.frame_id(l3), "gw0", fr, "g2c", circuit=t.peering_by_name(peering)["circuit"], peering=peering)
        s.g2c_whole.append((e, fr))

    s.g2c_whole = []
    f = s.fid(); c2g_whole("contoso/private", "secondary", "gw-contoso", udp4("10.10.5.1", "10.100.5.1", f, size=GW_MTU - 28, df=True))
    f = s.fid(); c2g_whole("contoso/private", "primary", "gw-contoso", udp6("fd10:10::5", "fd00:100::5", f, size=GW_MTU - 48))
    f = s.fid(); g2c_whole(10, "02:00:00:00:10:01", "contoso/private", udp4("10.100.5.2", "10.10.5.2", f, size=ER_MTU - 28, df=True))
    f = s.fid(); g2c_whole(10, "02:00:00:00:10:02", "contoso/private", udp6("fd00:100::6", "fd10:10::6", f, size=ER_MTU - 48))

    def frag_case(in_port, fr, l3, mtu, what, kind, peering=None, gateway=None):
        s.inputs[in_port].append(fr)
        ip_id = struct.unpack_from("!H", l3, 4)[0]
        s.frags[ip_id] = dict(what=what, l3=l3, mtu=mtu, kind=kind, peering=peering, gateway=gateway, fr=fr)

    for i, (peering, link, gw, src, dst, tot) in enumerate((
            ("contoso/private", "secondary", "gw-contoso", "10.10.6.1", "10.100.6.1", 1480),
            ("fabrikam/private", "primary", "gw-fabrikam", "10.20.6.1", "10.100.6.2", 1403),
            ("contoso/microsoft", "primary", "gw-m365", "203.0.113.6", "13.107.6.1", 1401))):
        f = s.fid()
        l3 = udp4(src, dst, f, size=tot - 28, ip_id=0x7000 + i)
        fr = er_frame(peering, link, l3)
        ctr.rx(s.ports[link]["name"], fr, (peering, link))
        frag_case(s.ports[link]["name"], fr, l3, GW_MTU, "c2g %s %d bytes, no DF" % (peering, tot), "c2g",
                  peering=peering, gateway=gw)
    for i, (vlan, mac, peering, src, dst, tot) in enumerate((
            (10, "02:00:00:00:10:01", "contoso/private", "10.100.7.1", "10.10.7.1", 1500),
            (20, "02:00:00:00:20:02", "fabrikam/private", "10.100.7.2", "10.20.7.1", 1481))):
        f = s.fid()
        l3 = udp4(src, dst, f, size=tot - 28, ip_id=0x7100 + i)
        fr = gw_frame(G0, vlan, mac, l3)
        ctr.rx("gw0", fr)
        frag_case("gw0", fr, l3, ER_MTU, "g2c %s %d bytes, no DF" % (peering, tot), "g2c", peering=peering)

    # ---- bad headers -------------------------------------------------------------------------
    l2len = 22 if qinq else 18

    def er_bad(peering, link, l3, reason, cut=None, etype=None):
        fr = er_frame(peering, link, l3, etype)
        if cut is not None:
            fr = fr[:cut]
        s.inputs[s.ports[link]["name"]].append(fr)
        ctr.in_drop(s.ports[link]["name"], fr, reason, (peering, link))

    g = lambda fid, **kw: udp4("10.10.8.1", "10.100.8.1", fid, **kw)  # noqa: E731
    f = s.fid(); er_bad("contoso/private", "primary", set_ipv4(g(f), bad_cksum=True), "ipv4_bad_checksum")
    f = s.fid(); er_bad("contoso/private", "secondary", set_ipv4(g(f, ttl=1), bad_cksum=True), "ipv4_bad_checksum")
    f = s.fid(); er_bad("contoso/private", "primary", set_ipv4(g(f), ver=5), "ipv4_bad_header", etype=0x0800)
    f = s.fid(); er_bad("contoso/private", "primary", set_ipv4(g(f), ihl=4), "ipv4_bad_header")
    f = s.fid(); er_bad("contoso/private", "primary", set_ipv4(g(f), tot_len=19), "ipv4_bad_header")
    f = s.fid(); er_bad("contoso/private", "secondary", set_ipv4(g(f), tot_len=len(g(f)) + 1), "ipv4_bad_header")
    f = s.fid(); er_bad("contoso/private", "primary", set_ipv4(g(f), ihl=15), "ipv4_bad_header")
    f = s.fid(); er_bad("contoso/private", "primary", g(f), "truncated", cut=l2len + 19)
    b6 = bytearray(udp6("fd10:10::8", "fd00:100::8", s.fid())); b6[0] = 0x40 | (b6[0] & 0xf)
    er_bad("contoso/private", "primary", bytes(b6), "ipv6_bad_header", etype=0x86dd)
    b6 = bytearray(udp6("fd10:10::8", "fd00:100::8", s.fid())); b6[4:6] = struct.pack("!H", len(b6) - 40 + 1)
    er_bad("contoso/private", "secondary", bytes(b6), "ipv6_bad_header")
    f = s.fid(); er_bad("contoso/private", "primary", udp6("fd10:10::9", "fd00:100::9", f), "truncated", cut=l2len + 39)

    def gw_bad(port, vlan, l3, reason, cut=None, etype=None):
        fr = gw_frame(port, vlan, "02:00:00:00:10:01", l3, etype)
        if cut is not None:
            fr = fr[:cut]
        s.inputs[port["name"]].append(fr)
        ctr.in_drop(port["name"], fr, reason)

    h = lambda fid, **kw: udp4("10.100.8.1", "10.10.8.1", fid, **kw)  # noqa: E731
    f = s.fid(); gw_bad(G0, 10, set_ipv4(h(f), bad_cksum=True), "ipv4_bad_checksum")
    f = s.fid(); gw_bad(G0, 10, set_ipv4(h(f, ttl=1), ver=6), "ipv4_bad_header", etype=0x0800)
    f = s.fid(); gw_bad(G1, 0, set_ipv4(udp4("10.130.8.1", "10.30.8.1", f), ihl=3), "ipv4_bad_header")
    f = s.fid(); gw_bad(G1, 0, set_ipv4(udp4("10.130.8.1", "10.30.8.1", f), tot_len=2000), "ipv4_bad_header")
    f = s.fid(); gw_bad(G0, 20, udp4("10.100.8.2", "10.20.8.1", f), "truncated", cut=18 + 10)
    b6 = bytearray(udp6("fd00:100::8", "fd10:10::8", s.fid())); b6[0] = 0x50 | (b6[0] & 0xf)
    gw_bad(G0, 10, bytes(b6), "ipv6_bad_header", etype=0x86dd)
    b6 = bytearray(udp6("fd00:100::8", "fd10:10::8", s.fid())); b6[4:6] = struct.pack("!H", 500)
    gw_bad(G0, 10, bytes(b6), "ipv6_bad_header")
    f = s.fid(); gw_bad(G0, 10, udp6("fd00:100::9", "fd10:10::9", f), "truncated", cut=18 + 30)
    return s


def check_frags(chk, t, s, run):
    """Group the fragments of each original by IP id and check them."""
    got = {}
    for pn, frames in run.outputs.items():
        for b in frames:
            f = parse_frame(b)
            if f is None or not is_frag(f):
                continue
            ip_id = struct.unpack_from("!H", f["l3"], 4)[0]
            if not chk.check(ip_id in s.frags, "fragment with unknown IP id 0x%04x out of %s: %s" % (ip_id, pn, c.dump(b))):
                continue
            got.setdefault(ip_id, []).append((pn, b, f))
    for ip_id, x in s.frags.items():
        what = "%s (id 0x%04x)" % (x["what"], ip_id)
        frs = got.get(ip_id, [])
        o = x["l3"]
        ihl = 20
        data = len(o) - ihl
        chunk = (x["mtu"] - ihl) & ~7
        want_n = (data + chunk - 1) // chunk
        if not chk.eq(len(frs), want_n, what + ": number of fragments"):
            for pn, b, f in frs:
                print("   fragment out of %s: %s" % (pn, c.dump(b, 64)))
            continue
        pns = {pn for pn, _, _ in frs}
        chk.eq(len(pns), 1, what + ": all fragments leave by one port")
        pieces = []
        for pn, b, f in frs:
            l3 = et.check_padding(chk, what + ": fragment", b, f)
            tot = struct.unpack_from("!H", l3, 2)[0]
            fo = struct.unpack_from("!H", l3, 6)[0]
            chk.eq(tot, len(l3), what + ": fragment total length = frame")
            chk.check(tot <= x["mtu"], what + ": fragment of %d bytes > MTU %d" % (tot, x["mtu"]))
            chk.eq(ip_checksum(l3[:20]), 0, what + ": fragment header checksum")
            chk.eq(l3[8], o[8] - 1, what + ": fragment TTL = original - 1")
            chk.eq((l3[0], l3[1], l3[9], l3[12:20]), (o[0], o[1], o[9], o[12:20]), what + ": ver/tos/proto/addresses kept")
            chk.eq(fo & 0x4000, 0, what + ": DF clear")
            pieces.append(((fo & 0x1fff) * 8, bool(fo & 0x2000), l3[20:tot], pn, b, f))
            # L2 of the fragment
            if x["kind"] == "c2g":
                g = t.gateway_by_name(x["gateway"])
                inst = [i for i in g["instances"] if i["mac"] == f["dst"]]
                if chk.check(len(inst) == 1, what + ": dst MAC %s is not an instance of %s" % (f["dst"], x["gateway"])):
                    chk.eq(pn, inst[0]["port"], what + ": port of the instance")
                    chk.eq(f["tags"], [(0x8100, 0, 0, inst[0]["vlan"])] if inst[0]["vlan"] else [], what + ": tags")
                chk.eq(f["src"], t.port_by_name(pn)["mac"], what + ": src MAC")
            else:
                p = t.peering_by_name(x["peering"])
                role = t.port_by_name(pn)["role"]
                if chk.check(role in LINKS, what + ": fragment left by %s, not an ER port" % pn):
                    chk.eq(f["dst"], p["mac"][role], what + ": dst MAC = customer MAC of the %s link" % role)
                    chk.eq(f["tags"], c.er_tags_out(t, x["peering"]), what + ": tags")
                chk.eq(f["src"], t.port_by_name(pn)["mac"], what + ": src MAC")
        pieces.sort(key=lambda p: p[0])
        off = 0
        for k, (o_, mf, d, pn, b, f) in enumerate(pieces):
            chk.eq(o_, off, what + ": fragment %d offset" % k)
            chk.eq(mf, k != len(pieces) - 1, what + ": fragment %d MF" % k)
            if k != len(pieces) - 1:
                chk.eq(len(d) % 8, 0, what + ": non-last fragment data is a multiple of 8")
            off += len(d)
        chk.eq(b"".join(p[2] for p in pieces).hex(), o[20:].hex(), what + ": reassembled data = original payload")
        # and scapy agrees
        try:
            re = defragment([IP(p[5]["l3"]) for p in pieces])
            whole = [bytes(p) for p in re if not (p.flags.MF or p.frag)]
            chk.check(len(whole) == 1 and bytes(IP(whole[0]).payload) == o[20:],
                      what + ": scapy reassembles the original payload")
        except Exception as ex:  # noqa: BLE001
            chk.check(False, what + ": scapy defragment failed: %r" % ex)
        for _, _, _, pn, b, f in pieces:
            plink = None
            if x["kind"] == "g2c":
                role = t.port_by_name(pn)["role"]
                plink = (x["peering"], role) if role in LINKS else None
            s.ctr.tx(pn, b, plink)


def run1(exe, encap, chk):
    t = c.l3_topo(encap)
    s = build_run1(chk, t)
    n_in = sum(len(v) for v in s.inputs.values())
    print("%s run 1: %d input frames (%s)" % (chk.name, n_in, ", ".join("%s %d" % (k, len(v)) for k, v in s.inputs.items())))
    wd = et.Workdir("l3-icmp-" + encap)
    run = c.run(exe, t, s.inputs, wd.path, port_mtu={"gw0": GW_MTU, "er-primary": ER_MTU, "er-secondary": ER_MTU})
    s.run = run
    ok = et.check_run_ok(chk, run)
    if ok:
        g2c_ids = {e.fid: (e, fr) for e, fr in s.g2c_whole}

        def other(pn, b):
            f = parse_frame(b)
            if is_frag(f):
                return True
            fid = et.frame_id(b)
            if fid in g2c_ids:
                e, fr = g2c_ids.pop(fid)
                et._check_g2c(chk, t, e, pn, b)
                role = t.port_by_name(pn)["role"]
                s.ctr.tx(pn, b, (e.peering, role) if role in LINKS else None)
                return True
            return False
        s.outs.match(chk, run, key=out_key, other=other)
        for fid, (e, fr) in g2c_ids.items():
            chk.check(False, "g2c frame %d (%s) at the MTU was not forwarded" % (fid, e.peering))
        check_frags(chk, t, s, run)
        s.ctr.check(chk, run.stats)
        c.check_tx_matches_pcaps(chk, run)
        et.print_counters(run)
    return wd, ok


def run2(exe, encap, chk, n=200):
    """Rate limit: n TTL-1 frames at once."""
    t = c.l3_topo(encap)
    P = t.port_by_role("primary")
    p = t.peering_by_name("contoso/private")
    frames = []
    for i in range(n):
        l3 = udp4("10.10.%d.%d" % (i // 250, i % 250 + 1), "10.100.9.9", 5000 + i, ttl=1)
        frames.append(l2(P["mac"], p["mac"]["primary"], c.er_tags(t, "contoso/private"), 0x0800) + l3)
    wd = et.Workdir("l3-icmp-rl-" + encap)
    run = c.run(exe, t, {"er-primary": frames}, wd.path)
    if not et.check_run_ok(chk, run):
        return wd
    errs = run.outputs.get("er-primary", [])
    for pn, fr in run.outputs.items():
        if pn != "er-primary":
            chk.eq(len(fr), 0, "rate limit run: frames out of %s" % pn)
    by_id = {}
    for b in errs:
        fid = et.frame_id(b)
        if chk.check(fid is not None and 5000 <= fid < 5000 + n, "rate limit run: unexpected frame %s" % c.dump(b)):
            chk.check(fid not in by_id, "rate limit run: two errors for frame %d" % fid)
            by_id[fid] = b
    for fid, b in sorted(by_id.items()):
        check_icmp_error(chk, "rate limit run: frame %d: time exceeded" % fid, b, frames[fid - 5000], False, 11, 0,
                         c.msee4(p, "primary"), b"\0\0\0\0", c.er_tags_out(t, "contoso/private"), P["mac"])
    st = {x["name"]: x for x in run.stats.get("ports", [])}.get("er-primary", {})
    d = st.get("drops", {})
    te, rl = d.get("ttl_exceeded"), d.get("icmp_rate_limited")
    print("rate limit run: %d TTL-1 frames -> %d ICMP errors, ttl_exceeded %s, icmp_rate_limited %s"
          % (n, len(errs), te, rl))
    chk.eq(st.get("rx_packets"), n, "rate limit run: rx_packets")
    chk.eq(te, len(errs), "rate limit run: ttl_exceeded = ICMP errors sent")
    chk.eq((te or 0) + (rl or 0), n, "rate limit run: ttl_exceeded + icmp_rate_limited = frames")
    chk.check(len(errs) >= 50, "rate limit run: %d ICMP errors, want at least the burst of 50" % len(errs))
    chk.check(len(errs) <= 100, "rate limit run: %d ICMP errors, want about 50 (burst + refill of a few ms)" % len(errs))
    chk.eq(sum(v for k, v in d.items() if k not in ("ttl_exceeded", "icmp_rate_limited")), 0, "rate limit run: other drops")
    chk.eq(st.get("local_packets"), 0, "rate limit run: local_packets")
    pe = {x["name"]: x for x in run.stats.get("peerings", [])}.get("contoso/private", {})
    lk = (pe.get("links") or {}).get("primary", {})
    chk.eq((lk.get("drops", {}).get("ttl_exceeded"), lk.get("drops", {}).get("icmp_rate_limited")), (te, rl),
           "rate limit run: the primary link counts the same")
    chk.eq(lk.get("tx_packets"), len(errs), "rate limit run: link tx = ICMP errors")
    c.check_tx_matches_pcaps(chk, run)
    return wd


def main():
    exe = et.erdp_binary()
    encap = sys.argv[2] if len(sys.argv) > 2 else "qinq"
    chk = et.Checker("e2e-l3-icmp-" + encap)
    wd1, _ = run1(exe, encap, chk)
    wd2 = run2(exe, encap, chk)
    rc = chk.finish()
    wd1.close(rc != 0)
    wd2.close(rc != 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
