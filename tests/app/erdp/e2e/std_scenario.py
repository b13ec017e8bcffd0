# SPDX-License-Identifier: BSD-3-Clause
"""The standard e2e scenario on erdptest.standard_topo(): good frames both ways
(IPv4 + IPv6, both links, both outer TPIDs where accepted) and one or more
bad frames for every drop reason that applies to the encapsulation."""
import random
import struct

from erdptest import (Scenario, l2, udp4, udp6, marker, ip_checksum, LINKS)

# peering -> (gateway, customer v4 net, gateway v4 net, customer v6 net, gateway v6 net)
C2G = {
    "contoso/private": ("gw-contoso", "10.10.{}.{}", "10.100.{}.{}", "fd10:10::{:x}:{:x}", "fd00:100::{:x}:{:x}"),
    "contoso/microsoft": ("gw-m365", "203.0.113.{1}", "13.107.{}.{}", None, None),
    "fabrikam/private": ("gw-fabrikam", "10.20.{}.{}", "10.100.{}.{}", None, None),
    "woodgrove/private": ("gw-woodgrove", "10.30.{}.{}", "10.130.{}.{}", None, None),
}


def _addr(rng, fmt):
    return fmt.format(rng.randrange(1, 255), rng.randrange(1, 255))


def _set_ipv4(l3, **kw):
    """Patch an IPv4 header: ver, ihl, tot_len, ttl; checksum recomputed unless bad_cksum."""
    h = bytearray(l3)
    if "ver" in kw or "ihl" in kw:
        ver = kw.get("ver", h[0] >> 4)
        ihl = kw.get("ihl", h[0] & 0xf)
        h[0] = (ver << 4) | ihl
    if "tot_len" in kw:
        h[2:4] = struct.pack("!H", kw["tot_len"])
    h[10:12] = b"\0\0"
    h[10:12] = struct.pack("!H", ip_checksum(bytes(h[:20])))
    if kw.get("bad_cksum"):
        h[10] ^= 0x5a
    return bytes(h)


def build(topo, flows_per_peering=24, seed=7):
    rng = random.Random(seed)
    sc = Scenario(topo)
    t = topo
    qinq = t.encap == "qinq"
    tpids = t.outer_tpids

    # ---- customer -> gateway: good ------------------------------------------------
    for pname, (gw, cnet, gnet, c6, g6) in C2G.items():
        for i in range(flows_per_peering):
            v6 = c6 is not None and i % 3 == 2
            src = _addr(rng, c6 if v6 else cnet)
            dst = _addr(rng, g6 if v6 else gnet)
            sport, dport = rng.randrange(1024, 65535), rng.choice([53, 443, 8080, rng.randrange(1, 65535)])
            # the same flow on both links: the instance must not depend on the link
            for j, link in enumerate(LINKS):
                fid = sc.fid()
                size = rng.randrange(8, 120)
                l3 = (udp6(src, dst, sport, dport, fid, size=size, tc=rng.randrange(256))
                      if v6 else udp4(src, dst, sport, dport, fid, size=size, tos=rng.randrange(256),
                                      ident=rng.randrange(65536)))
                tpid = tpids[(i + j) % len(tpids)]
                pcp = 5 if i % 4 == 3 else 0  # PCP is ignored and not copied
                sc.c2g(link, pname, gw, l3, tpid=tpid, pcp=pcp)

    # ---- gateway -> customer: good ------------------------------------------------
    g2c = [("gw0", 10, "02:00:00:00:10:01", "contoso/private", "10.100.{}.{}", "10.10.{}.{}",
            "fd00:100::{:x}:{:x}", "fd10:10::{:x}:{:x}"),
           ("gw0", 20, "02:00:00:00:20:02", "fabrikam/private", "10.100.{}.{}", "10.20.{}.{}", None, None),
           ("gw1", 0, "02:00:00:00:30:01", "woodgrove/private", "10.130.{}.{}", "10.30.{}.{}", None, None),
           ("gw0", 40, "02:00:00:00:40:02", "contoso/microsoft", "13.107.{}.{}", "203.0.113.{1}", None, None)]
    for gwport, vlan, smac, pname, gnet, cnet, g6, c6 in g2c:
        for i in range(flows_per_peering):
            v6 = c6 is not None and i % 3 == 1
            src = _addr(rng, g6 if v6 else gnet)
            dst = _addr(rng, c6 if v6 else cnet)
            sport, dport = rng.choice([53, 443, 8080]), rng.randrange(1024, 65535)
            for _ in range(2):  # each flow twice: same link both times
                fid = sc.fid()
                l3 = udp6(src, dst, sport, dport, fid) if v6 else udp4(src, dst, sport, dport, fid,
                                                                      ident=rng.randrange(65536))
                sc.g2c(gwport, vlan, smac, pname, l3)

    # ---- customer side: bad -------------------------------------------------------
    P = t.port_by_role("primary")
    S = t.port_by_role("secondary")
    cmac = t.peering_by_name("contoso/private")["mac"]["primary"]
    good_l3 = lambda fid, **kw: udp4("10.10.1.1", "10.100.1.1", 1000 + fid % 1000, 2000, fid, **kw)  # noqa

    def er(frame_tags, etype, l3, link_port=P, src=cmac):
        return l2(link_port["mac"], src, frame_tags, etype) + l3

    def pdrop(reason, frame, note, port=P):
        sc.drop(port["name"], frame, reason, note=note)

    T0 = tpids[0]
    if qinq:
        ok_tags = [(T0, 100), (0x8100, 200)]
        f = sc.fid(); pdrop("untagged", er([], 0x0800, good_l3(f)), "untagged")
        f = sc.fid(); pdrop("untagged", er([(0x8100, 0, 3), (0x8100, 200)], 0x0800, good_l3(f)), "priority tag outermost")
        f = sc.fid(); pdrop("untagged", er([(0x8100, 0, 3)], 0x0800, good_l3(f)), "priority tag only")
        f = sc.fid(); pdrop("wrong_tag_count", er([(T0, 100)], 0x0800, good_l3(f)), "one tag in QinQ")
        f = sc.fid(); pdrop("wrong_tag_count", er([(T0, 100)], 0x86dd, udp6("fd10:10::1", "fd00:100::1", 1, 2, f)), "one tag, IPv6")
        f = sc.fid(); pdrop("wrong_tag_count", er([(T0, 100), (0x8100, 200), (0x8100, 5)], 0x0800, good_l3(f)), "three tags")
        f = sc.fid(); pdrop("unknown_s_tag", er([(T0, 999), (0x8100, 200)], 0x0800, good_l3(f)), "unknown S-tag 999")
        f = sc.fid(); pdrop("unknown_s_tag", er([(T0, 200), (0x8100, 200)], 0x0800, good_l3(f)), "S-tag 200 (a C-tag value)", S)
        f = sc.fid(); pdrop("tpid_not_accepted", er([(0x9100, 100), (0x8100, 200)], 0x0800, good_l3(f)), "outer TPID 0x9100")
        f = sc.fid(); pdrop("tpid_not_accepted", er([(T0, 100), (0x88a8, 200)], 0x0800, good_l3(f)), "inner TPID 0x88a8")
        f = sc.fid(); pdrop("vlan_invalid", er([(T0, 4095), (0x8100, 200)], 0x0800, good_l3(f)), "S-tag 4095")
        f = sc.fid(); pdrop("vlan_invalid", er([(T0, 100), (0x8100, 4095)], 0x0800, good_l3(f)), "C-tag 4095")
        f = sc.fid(); pdrop("vlan_invalid", er([(T0, 100), (0x8100, 0)], 0x0800, good_l3(f)), "C-tag 0")
        full = er(ok_tags, 0x0800, good_l3(0))
        for n in (10, 13, 16, 19, 21):  # before the peering is known
            pdrop("truncated", full[:n], "truncated to %d bytes (mid L2)" % n)
        # circuit known, peering not
        f = sc.fid(); sc.drop(P["name"], er([(T0, 100), (0x8100, 777)], 0x0800, good_l3(f)), "unknown_c_tag", level="circuit", circuit="contoso", note="C-tag 777")
        f = sc.fid(); sc.drop(S["name"], l2(S["mac"], cmac, [(T0, 100), (0x8100, 210)], 0x0800) + good_l3(f), "unknown_c_tag", level="circuit", circuit="contoso", note="C-tag 210 is woodgrove's")
        f = sc.fid(); sc.drop(P["name"], er([(T0, 120), (0x8100, 200)], 0x0800, good_l3(f)), "unknown_c_tag", level="circuit", circuit="woodgrove", note="C-tag 200 in woodgrove")
        tags_for = lambda pname: sc.er_tags(pname)  # noqa
        l2len = 22
    else:
        ok_tags = [(T0, 200)]
        f = sc.fid(); pdrop("untagged", er([], 0x0800, good_l3(f)), "untagged")
        f = sc.fid(); pdrop("untagged", er([(0x8100, 0, 3)], 0x0800, good_l3(f)), "priority tag only")
        f = sc.fid(); pdrop("wrong_tag_count", er([(T0, 200), (0x8100, 200)], 0x0800, good_l3(f)), "two tags in Dot1Q")
        f = sc.fid(); pdrop("wrong_tag_count", er([(T0, 200), (0x88a8, 300)], 0x0800, good_l3(f)), "two tags, inner 0x88a8")
        f = sc.fid(); pdrop("wrong_tag_count", er([(T0, 200), (0x8100, 200), (0x8100, 5)], 0x0800, good_l3(f)), "three tags")
        f = sc.fid(); pdrop("unknown_vlan", er([(T0, 999)], 0x0800, good_l3(f)), "unknown VLAN 999")
        f = sc.fid(); pdrop("unknown_vlan", er([(T0, 100)], 0x0800, good_l3(f)), "VLAN 100", S)
        f = sc.fid(); pdrop("tpid_not_accepted", er([(0x88a8, 200)], 0x0800, good_l3(f)), "TPID 0x88a8 not configured")
        f = sc.fid(); pdrop("tpid_not_accepted", er([(0x9100, 200)], 0x0800, good_l3(f)), "TPID 0x9100 not configured")
        f = sc.fid(); pdrop("vlan_invalid", er([(T0, 4095)], 0x0800, good_l3(f)), "VLAN 4095")
        full = er(ok_tags, 0x0800, good_l3(0))
        for n in (10, 13, 15, 17):
            pdrop("truncated", full[:n], "truncated to %d bytes (mid L2)" % n)
        tags_for = lambda pname: sc.er_tags(pname)  # noqa
        l2len = 18

    # peering known: L3 problems. Counted on port + circuit + peering link.
    def peer_drop(reason, pname, etype, l3, note, link="primary", cut=None):
        p = t.peering_by_name(pname)
        port = t.port_by_role(link)
        frame = l2(port["mac"], p["mac"][link], tags_for(pname), etype) + l3
        if cut is not None:
            frame = frame[:cut]
        sc.drop(port["name"], frame, reason, level="peering", peering=pname, note=note)

    f = sc.fid(); peer_drop("non_ip", "contoso/private", 0x88cc, marker(f, 40), "LLDP EtherType")
    f = sc.fid(); peer_drop("non_ip", "fabrikam/private", 0x1234, marker(f, 40), "EtherType 0x1234", link="secondary")
    f = sc.fid(); peer_drop("truncated", "contoso/private", 0x0800, b"", "tags, IPv4 EtherType, no IP header")
    f = sc.fid(); peer_drop("truncated", "contoso/private", 0x0800, good_l3(f), "mid IPv4 header", cut=l2len + 10)
    f = sc.fid(); peer_drop("truncated", "contoso/private", 0x0800, good_l3(f), "IPv4 header one byte short", cut=l2len + 19, link="secondary")
    f = sc.fid(); peer_drop("truncated", "contoso/private", 0x86dd, udp6("fd10:10::1", "fd00:100::1", 5, 6, f), "mid IPv6 header", cut=l2len + 20)
    f = sc.fid(); peer_drop("ipv4_bad_header", "contoso/private", 0x0800, _set_ipv4(good_l3(f), ver=5), "IPv4 version 5")
    f = sc.fid(); peer_drop("ipv4_bad_header", "contoso/private", 0x0800, _set_ipv4(good_l3(f), ver=6), "IPv4 EtherType, version 6")
    f = sc.fid(); peer_drop("ipv4_bad_header", "fabrikam/private", 0x0800, _set_ipv4(udp4("10.20.1.1", "10.100.1.1", 7, 8, f), ihl=4), "IHL 4")
    f = sc.fid(); peer_drop("ipv4_bad_header", "contoso/microsoft", 0x0800, _set_ipv4(udp4("203.0.113.9", "13.107.1.1", 7, 8, f), tot_len=19), "total length 19 < header")
    f = sc.fid(); peer_drop("ipv4_bad_checksum", "contoso/private", 0x0800, _set_ipv4(good_l3(f), bad_cksum=True), "bad checksum")
    f = sc.fid(); peer_drop("ipv4_bad_checksum", "woodgrove/private", 0x0800, _set_ipv4(udp4("10.30.1.1", "10.130.1.1", 7, 8, f), bad_cksum=True), "bad checksum", link="secondary")
    bad6 = bytearray(udp6("fd10:10::1", "fd00:100::1", 5, 6, sc.fid()))
    bad6[0] = (4 << 4) | (bad6[0] & 0xf)
    peer_drop("ipv6_bad_header", "contoso/private", 0x86dd, bytes(bad6), "IPv6 EtherType, version 4")
    f = sc.fid(); peer_drop("no_route", "contoso/private", 0x0800, udp4("10.10.1.1", "172.16.0.1", 9, 9, f), "no route 172.16.0.1")
    f = sc.fid(); peer_drop("no_route", "contoso/private", 0x86dd, udp6("fd10:10::1", "2001:db8:ffff::1", 9, 9, f), "no route 2001:db8:ffff::1")
    f = sc.fid(); peer_drop("no_route", "woodgrove/private", 0x0800, udp4("10.30.1.1", "13.107.1.1", 9, 9, f), "13.107/16 is in another VRF")
    f = sc.fid(); peer_drop("no_route", "contoso/microsoft", 0x0800, udp4("203.0.113.5", "10.100.1.1", 9, 9, f), "10.100/16 is not in contoso-microsoft", link="secondary")
    f = sc.fid(); peer_drop("blackhole", "fabrikam/private", 0x0800, udp4("10.20.1.1", "192.0.2.5", 9, 9, f), "blackhole 192.0.2.0/24")
    f = sc.fid(); peer_drop("ttl_exceeded", "contoso/private", 0x0800, good_l3(f, ttl=1), "TTL 1")
    f = sc.fid(); peer_drop("ttl_exceeded", "fabrikam/private", 0x0800, udp4("10.20.1.1", "10.100.1.1", 7, 8, f, ttl=0), "TTL 0", link="secondary")
    f = sc.fid(); peer_drop("ttl_exceeded", "contoso/private", 0x86dd, udp6("fd10:10::1", "fd00:100::1", 5, 6, f, hlim=1), "hop limit 1")

    # ---- gateway side: bad (the circuit is not known before the route lookup) ------
    G0 = t.port_by_name("gw0")
    G1 = t.port_by_name("gw1")
    gmac = "02:00:00:00:10:01"

    def gw(port, tags, etype, l3):
        return l2(port["mac"], gmac, tags, etype) + l3

    def gdrop(reason, frame, note, port=G0, **kw):
        sc.drop(port["name"], frame, reason, note=note, **kw)

    g4 = lambda fid, dst="10.10.1.1", **kw: udp4("10.100.1.1", dst, 443, 3000 + fid % 1000, fid, **kw)  # noqa
    f = sc.fid(); gdrop("unknown_vlan", gw(G0, [(0x8100, 99)], 0x0800, g4(f)), "gw0 VLAN 99")
    f = sc.fid(); gdrop("unknown_vlan", gw(G0, [], 0x0800, g4(f)), "gw0 untagged (no untagged instance)")
    f = sc.fid(); gdrop("unknown_vlan", gw(G1, [(0x8100, 10)], 0x0800, g4(f)), "gw1 VLAN 10 (VLAN 10 is on gw0)", G1)
    f = sc.fid(); gdrop("wrong_tag_count", gw(G0, [(0x8100, 10), (0x8100, 200)], 0x0800, g4(f)), "two tags on a gateway port")
    f = sc.fid(); gdrop("vlan_invalid", gw(G0, [(0x8100, 4095)], 0x0800, g4(f)), "gw0 VLAN 4095")
    f = sc.fid(); gdrop("tpid_not_accepted", gw(G0, [(0x88a8, 10)], 0x0800, g4(f)), "gw0 TPID 0x88a8")
    full = gw(G0, [(0x8100, 10)], 0x0800, g4(0))
    for n in (12, 13, 16):
        gdrop("truncated", full[:n], "gw0 truncated to %d bytes" % n)
    f = sc.fid(); gdrop("truncated", gw(G0, [(0x8100, 10)], 0x0800, g4(f))[:18 + 12], "gw0 mid IPv4 header")
    f = sc.fid(); gdrop("non_ip", gw(G0, [(0x8100, 10)], 0x88cc, marker(f, 40)), "gw0 LLDP")
    f = sc.fid(); gdrop("ipv4_bad_checksum", gw(G0, [(0x8100, 10)], 0x0800, _set_ipv4(g4(f), bad_cksum=True)), "gw0 bad checksum")
    f = sc.fid(); gdrop("ipv4_bad_header", gw(G1, [], 0x0800, _set_ipv4(g4(f, "10.30.1.1"), ihl=3)), "gw1 IHL 3", G1)
    bad6 = bytearray(udp6("fd00:100::1", "fd10:10::1", 5, 6, sc.fid()))
    bad6[0] = (5 << 4) | (bad6[0] & 0xf)
    gdrop("ipv6_bad_header", gw(G0, [(0x8100, 10)], 0x86dd, bytes(bad6)), "gw0 IPv6 version 5")
    f = sc.fid(); gdrop("blackhole", gw(G0, [(0x8100, 20)], 0x0800, g4(f, "192.0.2.9")), "gw0 VLAN 20 blackhole")
    f = sc.fid(); gdrop("no_route", gw(G0, [(0x8100, 20)], 0x0800, g4(f, "172.16.1.1")), "gw0 VLAN 20 no route")
    f = sc.fid(); gdrop("no_route", gw(G0, [(0x8100, 40)], 0x0800, g4(f, "10.10.1.1")), "VLAN 40 VRF has no 10.10/16")
    f = sc.fid(); gdrop("no_route", gw(G0, [(0x8100, 20)], 0x0800, g4(f, "10.10.1.1")), "VLAN 20 VRF has no 10.10/16")
    f = sc.fid(); gdrop("ttl_exceeded", gw(G0, [(0x8100, 10)], 0x0800, g4(f, ttl=1)), "gw0 TTL 1",
                        loose=True, peering="contoso/private")
    f = sc.fid(); gdrop("ttl_exceeded", gw(G0, [(0x8100, 10)], 0x86dd, udp6("fd00:100::1", "fd10:10::1", 5, 6, f, hlim=1)),
                        "gw0 hop limit 1", loose=True, peering="contoso/private")
    return sc
