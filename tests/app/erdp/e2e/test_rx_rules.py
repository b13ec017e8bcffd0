#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-rx-rules-qinq / -dot1q: what a router must not forward or answer
(app/erdp/datapath/receive.h), end to end over net_pcap.

The standard topology, with a default route (0.0.0.0/0, ::/0) to gw-contoso
so that every destination has a route: what erdp refuses, it refuses by rule,
not for want of a route. Each frame below must be dropped under its reason,
counted on its port and peering link (or port only, from a gateway), never
forwarded and never answered with an ICMP error or an echo reply:

  l2_not_for_us            unicast to another MAC (IPv4, ARP; both sides)
  l2_broadcast_unicast_ip  unicast IPv4/IPv6 in a broadcast or multicast frame
  ipv4_broadcast           255.255.255.255 (DHCP-like, TTL 1); the network and
                           broadcast addresses of link /30s, both sides, TTL 1
  ipv4_multicast           224.0.0.5 (TTL 1: no time exceeded), 239.1.2.3
  ipv4_martian             dst 127/8, 0/8, 240/4; src 127/8, 0/8, 224/4, 255.255.255.255
  ipv6_multicast           ff02::1, ff0e::1 (hop limit 1), echo to ff02::1, MLD report
  ipv6_martian             dst ::1, ::, ::ffff:a.b.c.d; src ::1, ::, ff02::1
  icmp_bad_checksum        echo / ICMPv6 echo / NS to an MSEE address, checksum wrong

Controls in the same run are forwarded exactly (default route, a link's
customer address). Run 2: er-primary has `promiscuous = true`; frames to
another MAC and unicast IP in a broadcast frame are forwarded there, the L3
rules still hold, and er-secondary (not promiscuous) still drops them.

usage: test_rx_rules.py ERDP_BINARY qinq|dot1q
"""
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402
import test_l3_common as c  # noqa: E402
from test_l3_common import l2, parse_frame  # noqa: E402

OTHER_MAC = "02:ee:00:00:00:99"
MC4_MAC = "01:00:5e:00:00:05"
MC6_MAC = "33:33:00:00:00:01"


def topo(encap):
    t = c.l3_topo(encap)
    t.gateway_by_name("gw-contoso")["prefixes"] += ["0.0.0.0/0", "::/0"]
    return t


class Run:
    """Inputs, expected counters and outputs of one erdp run."""

    def __init__(self, chk, t):
        self.chk, self.t = chk, t
        self.inputs = {p["name"]: [] for p in t.ports}
        self.ctr = c.Counters(t)
        self.outs = c.Outs()
        self._fid = 5000
        self.ports = {"primary": t.port_by_role("primary"), "secondary": t.port_by_role("secondary")}
        self.G0 = t.port_by_name("gw0")

    def fid(self):
        self._fid += 1
        return self._fid

    def er_frame(self, dst_mac, l3, etype=None, link="primary", peering="contoso/private"):
        p = self.t.peering_by_name(peering)
        etype = etype or (0x0800 if l3[0] >> 4 == 4 else 0x86dd)
        return l2(dst_mac or self.ports[link]["mac"], p["mac"][link], c.er_tags(self.t, peering), etype) + l3

    def gw_frame(self, dst_mac, vlan, l3, etype=None):
        etype = etype or (0x0800 if l3[0] >> 4 == 4 else 0x86dd)
        return l2(dst_mac or self.G0["mac"], "02:00:00:00:10:01", [(0x8100, vlan)], etype) + l3

    def er_drop(self, reason, dst_mac, l3, etype=None, link="primary", peering="contoso/private"):
        fr = self.er_frame(dst_mac, l3, etype, link, peering)
        port = self.ports[link]["name"]
        self.inputs[port].append(fr)
        self.ctr.in_drop(port, fr, reason, (peering, link))

    def gw_drop(self, reason, dst_mac, vlan, l3, etype=None):
        fr = self.gw_frame(dst_mac, vlan, l3, etype)
        self.inputs["gw0"].append(fr)
        self.ctr.in_drop("gw0", fr, reason)

    def er_forward(self, what, dst_mac, l3, link="primary"):
        """A customer frame that must reach gw-contoso with TTL - 1."""
        fr = self.er_frame(dst_mac, l3, link=link)
        port = self.ports[link]["name"]
        self.inputs[port].append(fr)
        self.ctr.rx(port, fr, ("contoso/private", link))
        insts = [i["mac"] for i in self.t.gateway_by_name("gw-contoso")["instances"]]

        def ck(b):
            f = parse_frame(b)
            self.chk.check(f["dst"] in insts, what + ": to a gw-contoso instance, got %s" % f["dst"])
            self.chk.eq(f["tags"], [(0x8100, 0, 0, 10)], what + ": gateway VLAN")
            self.chk.eq(f["l3"].hex(), et.forwarded_l3(l3).hex(), what + ": L3 with TTL - 1")
            self.ctr.tx("gw0", b)
        self.outs.add("gw0", et.frame_id(l3), what, ck)

    def gw_forward(self, what, l3, link):
        """A gateway frame to contoso/private's customer address on `link`."""
        fr = self.gw_frame(None, 10, l3)
        self.inputs["gw0"].append(fr)
        self.ctr.rx("gw0", fr)
        port = self.ports[link]

        def ck(b):
            f = parse_frame(b)
            self.chk.eq(f["dst"], self.t.peering_by_name("contoso/private")["mac"][link], what + ": customer MAC")
            self.chk.eq(f["l3"].hex(), et.forwarded_l3(l3).hex(), what + ": L3 with TTL - 1")
            self.ctr.tx(port["name"], b, ("contoso/private", link))
        self.outs.add(port["name"], et.frame_id(l3), what, ck)

    def finish(self, exe, wd, config_edit=None):
        text = c.render(self.t, wd)
        if config_edit is not None:
            text = config_edit(text)
        n = sum(len(v) for v in self.inputs.values())
        print("%s: %d input frames" % (self.chk.name, n))
        run = et.run_erdp(exe, self.t, self.inputs, wd, config_text=text)
        if et.check_run_ok(self.chk, run):
            self.outs.match(self.chk, run, key=et.frame_id)
            self.ctr.check(self.chk, run.stats)
            c.check_tx_matches_pcaps(self.chk, run)
            et.print_counters(run)


def udp4(src, dst, fid, ttl=64):
    return et.udp4(src, dst, 1000 + fid % 1000, 2000, fid, ttl=ttl)


def udp6(src, dst, fid, hlim=64):
    return et.udp6(src, dst, 1000 + fid % 1000, 2000, fid, hlim=hlim)


def bad_cksum(l3, off):
    """l3 with the 16-bit checksum at `off` off by one bit."""
    b = bytearray(l3)
    b[off] ^= 0x01
    return bytes(b)


def mld_report(src, fid):
    """An MLDv2 report to ff02::16 behind a hop-by-hop header (router alert), as Linux sends."""
    body = struct.pack("!BBHHH", 143, 0, 0, 0, 0) + et.marker(fid, 16)
    hbh = struct.pack("!BB", 58, 0) + b"\x05\x02\x00\x00\x01\x00"
    return c.ipv6_hdr(src, "ff02::16", len(hbh) + len(body), 0, 1) + hbh + body


def build_main(r):
    t = r.t
    cp = t.peering_by_name("contoso/private")
    BC = c.BCAST
    f = r.fid

    # Controls: forwarded by the default route, and to a link's customer address.
    r.er_forward("control: 8.8.8.8 by the default route", None, udp4("10.10.1.1", "8.8.8.8", f()))
    r.er_forward("control: 2001:4860::8888 by ::/0", None, udp6("fd10:10::1", "2001:4860::8888", f()))
    r.gw_forward("control: the primary /30's customer address", udp4("10.100.1.1", "192.168.100.129", f()),
                 "primary")

    # Link layer.
    r.er_drop("l2_not_for_us", OTHER_MAC, udp4("10.10.1.1", "10.100.1.1", f()))
    r.er_drop("l2_not_for_us", t.port_by_role("secondary")["mac"], udp4("10.10.1.1", "10.100.1.1", f()))
    r.er_drop("l2_not_for_us", OTHER_MAC, c.arp(1, cp["mac"]["primary"], c.customer4(cp, "primary"),
                                                "00:00:00:00:00:00", c.msee4(cp, "primary")), etype=0x0806)
    r.gw_drop("l2_not_for_us", OTHER_MAC, 10, udp4("10.100.1.1", "10.10.1.1", f()))
    r.er_drop("l2_broadcast_unicast_ip", BC, udp4("10.10.1.1", "10.100.1.1", f()))
    r.er_drop("l2_broadcast_unicast_ip", MC4_MAC, udp4("10.10.1.1", "8.8.4.4", f()), link="secondary")
    r.er_drop("l2_broadcast_unicast_ip", MC6_MAC, udp6("fd10:10::1", "fd00:100::1", f()))
    r.gw_drop("l2_broadcast_unicast_ip", BC, 10, udp4("10.100.1.1", "10.10.1.1", f()))

    # IPv4 broadcast: limited, and the directed broadcast of link /30s (network and broadcast).
    r.er_drop("ipv4_broadcast", BC, udp4("0.0.0.0", "255.255.255.255", f()))
    r.er_drop("ipv4_broadcast", None, udp4("10.10.1.1", "255.255.255.255", f(), ttl=1))
    r.er_drop("ipv4_broadcast", None, udp4("10.10.1.1", "192.168.100.131", f()))
    r.er_drop("ipv4_broadcast", None, udp4("10.10.1.1", "192.168.100.128", f()))
    r.er_drop("ipv4_broadcast", None, udp4("10.10.1.1", "192.168.100.135", f(), ttl=1), link="secondary")
    r.gw_drop("ipv4_broadcast", None, 10, udp4("10.100.1.1", "192.168.100.131", f()))
    r.gw_drop("ipv4_broadcast", None, 10, udp4("10.100.1.1", "192.168.100.132", f(), ttl=1))
    r.gw_drop("ipv4_broadcast", None, 40, udp4("13.107.1.1", "198.51.100.3", f()))

    # IPv4 multicast (no multicast routing; TTL 1 must not bring a time exceeded).
    r.er_drop("ipv4_multicast", MC4_MAC, c.ipv4("192.168.100.129", "224.0.0.5", 89, et.marker(f(), 40), ttl=1))
    r.er_drop("ipv4_multicast", None, udp4("10.10.1.1", "239.1.2.3", f()))
    r.gw_drop("ipv4_multicast", None, 10, udp4("10.100.1.1", "232.1.1.1", f(), ttl=1))

    # IPv4 martians (RFC 1812 5.3.7).
    for src, dst in (("10.10.1.1", "127.0.0.1"), ("10.10.1.1", "0.0.0.5"), ("10.10.1.1", "240.0.0.1"),
                     ("127.0.0.1", "8.8.8.8"), ("0.0.0.0", "8.8.8.8"), ("224.0.0.1", "8.8.8.8"),
                     ("255.255.255.255", "8.8.8.8")):
        r.er_drop("ipv4_martian", None, udp4(src, dst, f(), ttl=1))
    r.gw_drop("ipv4_martian", None, 10, udp4("127.0.0.1", "10.10.1.1", f()))

    # IPv6 multicast other than neighbour discovery.
    r.er_drop("ipv6_multicast", MC6_MAC, udp6("fd10:10::1", "ff02::1", f()))
    r.er_drop("ipv6_multicast", None, udp6("fd10:10::1", "ff0e::1", f(), hlim=1))
    r.er_drop("ipv6_multicast", MC6_MAC, c.echo6(c.customer6(cp, "primary"), "ff02::1", 7, 1, et.marker(f(), 16)))
    r.er_drop("ipv6_multicast", "33:33:00:00:00:16", mld_report("fe80::1", f()))

    # IPv6 martians (RFC 4291).
    for src, dst in (("fd10:10::1", "::1"), ("fd10:10::1", "::"), ("fd10:10::1", "::ffff:10.100.1.1"),
                     ("::1", "fd00:100::1"), ("::", "fd00:100::1"), ("ff02::1", "fd00:100::1")):
        r.er_drop("ipv6_martian", None, udp6(src, dst, f(), hlim=1))

    # To an MSEE address with a wrong checksum: not answered.
    cust4, msee4 = c.customer4(cp, "primary"), c.msee4(cp, "primary")
    cust6, msee6 = c.customer6(cp, "primary"), c.msee6(cp, "primary")
    r.er_drop("icmp_bad_checksum", None, bad_cksum(c.echo4(cust4, msee4, 9, 1, et.marker(f(), 24)), 22))
    r.er_drop("icmp_bad_checksum", None, bad_cksum(c.echo6(cust6, msee6, 9, 2, et.marker(f(), 24)), 42))
    r.er_drop("icmp_bad_checksum", c.solicited_mac(msee6),
              bad_cksum(c.nd_ns(cust6, c.solicited_node(msee6), msee6, slla=cp["mac"]["primary"]), 42))


def build_promiscuous(r):
    f = r.fid
    r.er_forward("promiscuous: to another MAC", OTHER_MAC, udp4("10.10.1.1", "10.100.1.1", f()))
    r.er_forward("promiscuous: unicast IP in a broadcast frame", c.BCAST, udp4("10.10.1.1", "10.100.1.2", f()))
    r.er_drop("ipv4_multicast", MC4_MAC, udp4("10.10.1.1", "224.0.0.5", f()))
    r.er_drop("ipv4_martian", OTHER_MAC, udp4("10.10.1.1", "127.0.0.1", f()))
    r.er_drop("l2_not_for_us", OTHER_MAC, udp4("10.10.1.1", "10.100.1.1", f()), link="secondary")


def promiscuous_primary(text):
    out, n = re.subn(r'(\{ name = "er-primary";[^\n]*?) \}', r'\1 promiscuous = true; }', text, count=1)
    assert n == 1, "the er-primary port line was not found in the config"
    return out


def main():
    exe = et.erdp_binary()
    encap = sys.argv[2] if len(sys.argv) > 2 else "qinq"
    rc = 0
    for name, build, edit in (("main", build_main, None), ("promiscuous", build_promiscuous, promiscuous_primary)):
        chk = et.Checker("e2e-rx-rules-%s-%s" % (encap, name))
        r = Run(chk, topo(encap))
        build(r)
        wd = et.Workdir("rx-rules-%s-%s" % (encap, name))
        r.finish(exe, wd.path, edit)
        failed = chk.finish()
        wd.close(failed != 0)
        rc |= failed
    return rc


if __name__ == "__main__":
    sys.exit(main())
