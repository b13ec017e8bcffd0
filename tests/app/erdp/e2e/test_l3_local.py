#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-l3-local-qinq / -dot1q: what erdp answers itself.

ARP for the MSEE address of a link (reply with the egress TPID, PCP/DEI 0,
port MAC), ARP for other addresses (arp_invalid), ARP that teaches
(gratuitous, reply: local_packets), NS/NA (NA with R|S|O and TLLA; hop limit
!= 255 -> nd_invalid), ICMP echo to MSEE addresses from both sides (v4 and
v6), other traffic to MSEE addresses (local_unhandled), proxy ARP on gateway
ports. Every reply is checked header by header; every counter is compared.

usage: test_l3_local.py ERDP_BINARY qinq|dot1q
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402
import test_l3_common as c  # noqa: E402
from test_l3_common import l2, parse_frame, ip_checksum  # noqa: E402


def main():
    exe = et.erdp_binary()
    encap = sys.argv[2] if len(sys.argv) > 2 else "qinq"
    chk = et.Checker("e2e-l3-local-" + encap)
    t = c.l3_topo(encap)
    qinq = encap == "qinq"
    P, S = t.port_by_role("primary"), t.port_by_role("secondary")
    G0, G1 = t.port_by_name("gw0"), t.port_by_name("gw1")
    ports = {"primary": P, "secondary": S}
    inputs = {p["name"]: [] for p in t.ports}
    ctr = c.Counters(t)
    outs = c.Outs()
    seq = [0]

    def newmac():
        seq[0] += 1
        return "02:aa:00:00:%02x:%02x" % (seq[0] >> 8, seq[0] & 0xff)

    # the customer's tags: an unusual outer TPID and PCP/DEI set where the encapsulation allows
    in_tpid = 0x88a8 if qinq else 0x8100

    def er_frame(peering, link, src_mac, etype, l3, dst=None, pcp=5, dei=1, tpid=None):
        port = ports[link]
        return l2(dst or port["mac"], src_mac, c.er_tags(t, peering, tpid or in_tpid, pcp, dei), etype) + l3

    def send(port, frame):
        inputs[port["name"]].append(frame)

    # ---- checks of replies toward the customer -----------------------------------------------
    def check_er_l2(what, f, peering, link, req_mac, etype):
        chk.eq(f["dst"], req_mac, what + ": dst MAC = requester")
        chk.eq(f["src"], ports[link]["mac"], what + ": src MAC = ER port MAC")
        chk.eq(f["tags"], c.er_tags_out(t, peering), what + ": tags (egress TPID, PCP/DEI 0, same VIDs)")
        chk.eq(f["etype"], etype, what + ": EtherType")

    def check_gw_l2(what, f, port, req_mac, vlan, etype):
        chk.eq(f["dst"], req_mac, what + ": dst MAC = requester")
        chk.eq(f["src"], port["mac"], what + ": src MAC = gateway port MAC")
        chk.eq(f["tags"], [(0x8100, 0, 0, vlan)] if vlan else [], what + ": tags (PCP/DEI 0)")
        chk.eq(f["etype"], etype, what + ": EtherType")

    def check_arp_reply(what, f, sha, spa, tha, tpa):
        a = c.parse_arp(f["l3"])
        if not chk.check(a is not None, what + ": ARP body too short"):
            return
        chk.eq((a["hrd"], a["pro"], a["hln"], a["pln"], a["op"]), (1, 0x0800, 6, 4, 2),
               what + ": ARP hrd/pro/hln/pln/op")
        chk.eq((a["sha"], a["spa"]), (sha, spa), what + ": ARP sender = MSEE/port")
        chk.eq((a["tha"], a["tpa"]), (tha, tpa), what + ": ARP target = requester")

    # ---- ARP on the customer side -------------------------------------------------------------
    def arp_for_msee(peering, link, sender_ip=None, tpid=None, pcp=5, dei=1):
        p = t.peering_by_name(peering)
        port = ports[link]
        m = newmac()
        spa = sender_ip or c.customer4(p, link)
        msee = c.msee4(p, link)
        fr = er_frame(peering, link, m, 0x0806, c.arp(1, m, spa, "00:00:00:00:00:00", msee),
                      dst=c.BCAST, tpid=tpid, pcp=pcp, dei=dei)
        send(port, fr)
        what = "ARP request %s %s %s -> %s" % (peering, link, spa, msee)
        ctr.in_local(port["name"], fr, (peering, link))  # the request: local_packets

        def ck(b):
            f = parse_frame(b)
            check_er_l2(what + ": reply", f, peering, link, m, 0x0806)
            check_arp_reply(what + ": reply", f, port["mac"], msee, m, spa)
            ctr.tx(port["name"], b, (peering, link))
        outs.add(port["name"], m, what, ck)

    arp_for_msee("contoso/private", "primary")
    arp_for_msee("contoso/private", "secondary", tpid=0x8100, pcp=0, dei=0)
    arp_for_msee("fabrikam/private", "secondary")
    arp_for_msee("contoso/microsoft", "primary", tpid=0x8100, pcp=7, dei=0)
    arp_for_msee("woodgrove/private", "primary", sender_ip="0.0.0.0")  # an ARP probe is answered too

    def er_arp_drop(peering, link, arp_body, reason, note, cut=None):
        fr = er_frame(peering, link, newmac(), 0x0806, arp_body, dst=c.BCAST)
        if cut is not None:
            fr = fr[:cut]
        send(ports[link], fr)
        ctr.in_drop(ports[link]["name"], fr, reason, (peering, link))

    cp = t.peering_by_name("contoso/private")
    zero = "00:00:00:00:00:00"
    m = newmac()
    er_arp_drop("contoso/private", "primary", c.arp(1, m, "192.168.100.131", zero, "192.168.100.129"),
                "arp_invalid", "for the customer address, from a stranger")
    m = newmac()
    er_arp_drop("contoso/private", "primary", c.arp(1, m, "192.168.100.200", zero, "192.168.100.134"),
                "arp_invalid", "for the secondary MSEE address on the primary link")
    m = newmac()
    er_arp_drop("contoso/private", "secondary", c.arp(1, m, "192.168.100.200", zero, "192.168.100.130"),
                "arp_invalid", "for the primary MSEE address on the secondary link")
    m = newmac()
    er_arp_drop("fabrikam/private", "primary", c.arp(1, m, "192.168.101.1", zero, "192.168.101.2", hln=8),
                "arp_invalid", "hardware length 8")
    m = newmac()
    er_arp_drop("fabrikam/private", "primary", c.arp(1, m, "192.168.101.1", zero, "192.168.101.2", pro=0x86dd),
                "arp_invalid", "protocol 0x86dd")
    m = newmac()
    l2len = 22 if qinq else 18
    er_arp_drop("contoso/private", "primary", c.arp(1, m, "192.168.100.129", zero, "192.168.100.130"),
                "truncated", "ARP body 20 bytes", cut=l2len + 20)

    # ARP that teaches (static MACs here: consumed all the same)
    for peering, link, op in (("contoso/private", "primary", 1), ("fabrikam/private", "secondary", 2),
                              ("woodgrove/private", "primary", 2)):
        p = t.peering_by_name(peering)
        cust = c.customer4(p, link)
        if op == 1:  # gratuitous request
            body = c.arp(1, p["mac"][link], cust, zero, cust)
            dst = c.BCAST
        else:        # unsolicited reply to the MSEE
            body = c.arp(2, p["mac"][link], cust, ports[link]["mac"], c.msee4(p, link))
            dst = ports[link]["mac"]
        fr = er_frame(peering, link, p["mac"][link], 0x0806, body, dst=dst)
        send(ports[link], fr)
        ctr.in_local(ports[link]["name"], fr, (peering, link))

    # ---- ND on the customer side -------------------------------------------------------------
    def ns_for_msee(link, unicast=False):
        port = ports[link]
        m = newmac()
        cust, msee = c.customer6(cp, link), c.msee6(cp, link)
        dst = msee if unicast else c.solicited_node(msee)
        fr = er_frame("contoso/private", link, m, 0x86dd, c.nd_ns(cust, dst, msee, slla=m),
                      dst=port["mac"] if unicast else c.solicited_mac(msee))
        send(port, fr)
        what = "NS %s %s for %s%s" % ("contoso/private", link, msee, " (unicast)" if unicast else "")
        ctr.in_local(port["name"], fr, ("contoso/private", link))

        def ck(b):
            f = parse_frame(b)
            check_er_l2(what + ": NA", f, "contoso/private", link, m, 0x86dd)
            l3 = f["l3"]
            if not chk.check(len(l3) >= 40 + 32, what + ": NA too short: " + c.dump(b)):
                return
            plen = struct.unpack_from("!H", l3, 4)[0]
            chk.eq(l3[0] >> 4, 6, what + ": NA IPv6 version")
            chk.eq((l3[6], l3[7]), (58, 255), what + ": NA next header / hop limit")
            chk.eq(plen + 40, len(l3), what + ": NA payload length = frame")
            chk.eq(l3[8:24].hex(), c.ip6b(msee).hex(), what + ": NA src = MSEE address")
            chk.eq(l3[24:40].hex(), c.ip6b(cust).hex(), what + ": NA dst = NS source")
            chk.eq((l3[40], l3[41]), (136, 0), what + ": NA type/code")
            chk.check(c.icmp6_cksum_ok(l3), what + ": NA ICMPv6 checksum")
            chk.eq(l3[44] & 0xe0, 0xe0, what + ": NA flags R|S|O")
            chk.eq(l3[48:64].hex(), c.ip6b(msee).hex(), what + ": NA target")
            chk.eq(l3[64:66].hex(), "0201", what + ": NA option TLLA, length 1")
            chk.eq(c.mac_str(l3[66:72]), port["mac"], what + ": NA TLLA = port MAC")
            ctr.tx(port["name"], b, ("contoso/private", link))
        outs.add(port["name"], m, what, ck)

    ns_for_msee("primary")
    ns_for_msee("secondary")
    ns_for_msee("primary", unicast=True)

    def nd_drop(peering, link, l3, reason, dst):
        fr = er_frame(peering, link, newmac(), 0x86dd, l3, dst=dst)
        send(ports[link], fr)
        ctr.in_drop(ports[link]["name"], fr, reason, (peering, link))

    msee_p6 = c.msee6(cp, "primary")
    nd_drop("contoso/private", "primary",
            c.nd_ns(c.customer6(cp, "primary"), c.solicited_node(msee_p6), msee_p6, slla=newmac(), hlim=64),
            "nd_invalid", c.solicited_mac(msee_p6))
    nd_drop("contoso/private", "secondary",
            c.nd_ns(c.customer6(cp, "secondary"), c.solicited_node(msee_p6), msee_p6, slla=newmac(), hlim=254),
            "nd_invalid", c.solicited_mac(msee_p6))
    nd_drop("fabrikam/private", "primary",  # no IPv6 on this peering
            c.nd_ns("fe80::1", "ff02::1:ff00:2", "2001:db8:100::2", slla=newmac()), "nd_invalid", "33:33:ff:00:00:02")
    # NA from the customer: teaches (static here), consumed
    for link in c.LINKS:
        cust = c.customer6(cp, link)
        fr = er_frame("contoso/private", link, cp["mac"][link], 0x86dd,
                      c.nd_na(cust, c.msee6(cp, link), cust, tlla=cp["mac"][link], flags=0x20),
                      dst=ports[link]["mac"])
        send(ports[link], fr)
        ctr.in_local(ports[link]["name"], fr, ("contoso/private", link))

    # ---- echo to MSEE addresses --------------------------------------------------------------
    ident = [0x100]

    def check_echo(what, b, req_l3, v6):
        f = parse_frame(b)
        l3 = f["l3"]
        if not v6:
            ihl = (l3[0] & 0xf) * 4
            tot = struct.unpack_from("!H", l3, 2)[0]
            chk.eq(tot, len(l3), what + ": IPv4 total length = frame")
            chk.eq(ip_checksum(l3[:ihl]), 0, what + ": IPv4 header checksum")
            chk.eq(l3[8], 64, what + ": TTL 64")
            chk.eq(l3[9], 1, what + ": protocol ICMP")
            chk.eq((l3[12:16].hex(), l3[16:20].hex()), (req_l3[16:20].hex(), req_l3[12:16].hex()),
                   what + ": addresses swapped")
            chk.eq((l3[ihl], l3[ihl + 1]), (0, 0), what + ": ICMP type/code echo reply")
            chk.eq(ip_checksum(l3[ihl:tot]), 0, what + ": ICMP checksum")
            chk.eq(l3[ihl + 4:tot].hex(), req_l3[24:].hex(), what + ": id/seq/payload unchanged")
        else:
            plen = struct.unpack_from("!H", l3, 4)[0]
            chk.eq(plen + 40, len(l3), what + ": IPv6 payload length = frame")
            chk.eq((l3[6], l3[7]), (58, 64), what + ": next header ICMPv6 / hop limit 64")
            chk.eq((l3[8:24].hex(), l3[24:40].hex()), (req_l3[24:40].hex(), req_l3[8:24].hex()),
                   what + ": addresses swapped")
            chk.eq((l3[40], l3[41]), (129, 0), what + ": ICMPv6 type/code echo reply")
            chk.check(c.icmp6_cksum_ok(l3), what + ": ICMPv6 checksum")
            chk.eq(l3[44:].hex(), req_l3[44:].hex(), what + ": id/seq/payload unchanged")

    def er_echo(peering, link, src, dst, v6=False, ttl=64, size=32):
        port = ports[link]
        m = newmac()
        ident[0] += 1
        payload = bytes((ident[0] + i) & 0xff for i in range(size))
        l3 = (c.echo6(src, dst, ident[0], 7, payload, hlim=ttl) if v6
              else c.echo4(src, dst, ident[0], 7, payload, ttl=ttl))
        fr = er_frame(peering, link, m, 0x86dd if v6 else 0x0800, l3)
        send(port, fr)
        # The request is addressed to erdp: local; the reply is tx.
        ctr.in_local(port["name"], fr, (peering, link))
        what = "echo %s %s %s -> %s (TTL %d)" % (peering, link, src, dst, ttl)

        def ck(b):
            check_er_l2(what + ": reply", parse_frame(b), peering, link, m, 0x86dd if v6 else 0x0800)
            check_echo(what + ": reply", b, l3, v6)
            ctr.tx(port["name"], b, (peering, link))
        outs.add(port["name"], m, what, ck)

    er_echo("contoso/private", "primary", "192.168.100.129", "192.168.100.130")
    er_echo("contoso/private", "secondary", "10.10.5.5", "192.168.100.134", size=1000)
    er_echo("contoso/private", "primary", "10.10.5.6", "192.168.100.134")  # the other link's MSEE
    er_echo("fabrikam/private", "secondary", "192.168.101.5", "192.168.101.6")
    er_echo("contoso/microsoft", "primary", "198.51.100.1", "198.51.100.2", ttl=1)  # local wins over TTL
    er_echo("contoso/private", "primary", c.customer6(cp, "primary"), c.msee6(cp, "primary"), v6=True)
    er_echo("contoso/private", "secondary", "fd10:10::77", c.msee6(cp, "secondary"), v6=True, size=500)

    def gw_frame(port, vlan, src_mac, etype, l3, dst=None, pcp=0):
        return l2(dst or port["mac"], src_mac, [(0x8100, vlan, pcp)] if vlan else [], etype) + l3

    def gw_echo(port, vlan, src_mac, src, dst, v6=False):
        ident[0] += 1
        payload = bytes((ident[0] * 3 + i) & 0xff for i in range(40))
        l3 = c.echo6(src, dst, ident[0], 9, payload) if v6 else c.echo4(src, dst, ident[0], 9, payload)
        fr = gw_frame(port, vlan, src_mac, 0x86dd if v6 else 0x0800, l3, pcp=3)
        send(port, fr)
        ctr.in_local(port["name"], fr)
        what = "echo %s VLAN %d %s -> %s" % (port["name"], vlan, src, dst)

        def ck(b):
            check_gw_l2(what + ": reply", parse_frame(b), port, src_mac, vlan, 0x86dd if v6 else 0x0800)
            check_echo(what + ": reply", b, l3, v6)
            ctr.tx(port["name"], b)
        outs.add(port["name"], src_mac, what, ck)

    gw_echo(G0, 10, "02:00:00:00:10:01", "10.100.0.9", "192.168.100.130")
    gw_echo(G0, 10, "02:00:00:00:10:02", "fd00:100::9", c.msee6(cp, "secondary"), v6=True)
    gw_echo(G0, 20, "02:00:00:00:20:03", "10.100.3.3", "192.168.101.6")
    gw_echo(G1, 0, "02:00:00:00:30:01", "10.130.0.9", "192.168.102.2")

    # other traffic to MSEE addresses: local_unhandled
    def er_local_drop(peering, link, etype, l3):
        fr = er_frame(peering, link, newmac(), etype, l3)
        send(ports[link], fr)
        ctr.in_drop(ports[link]["name"], fr, "local_unhandled", (peering, link))

    er_local_drop("contoso/private", "primary", 0x0800,
                  c.ipv4("192.168.100.129", "192.168.100.130", 6, c.tcp_syn(40000, 179)))
    er_local_drop("woodgrove/private", "secondary", 0x0800,
                  c.ipv4("192.168.102.5", "192.168.102.6", 17, c.udp_payload(49152, 3784, b"\0" * 24)))
    er_local_drop("contoso/private", "primary", 0x86dd,
                  c.ipv6_hdr(c.customer6(cp, "primary"), msee_p6, 20, 6, 64) + c.tcp_syn(40001, 179))
    rep = bytearray(c.echo4("192.168.100.129", "192.168.100.130", 1, 1, b"x" * 8))
    rep[20] = 0  # an echo reply is not answered
    rep[22:24] = b"\0\0"
    rep[22:24] = struct.pack("!H", ip_checksum(bytes(rep[20:])))
    er_local_drop("contoso/private", "primary", 0x0800, bytes(rep))
    fr = gw_frame(G0, 10, "02:00:00:00:10:01", 0x0800,
                  c.ipv4("10.100.0.9", "192.168.100.130", 6, c.tcp_syn(40002, 179)))
    send(G0, fr)
    ctr.in_drop("gw0", fr, "local_unhandled")

    # ---- gateway side: proxy ARP, gratuitous ARP consumed --------------------------------------
    def proxy_arp(port, vlan, src_mac, spa, tpa):
        fr = gw_frame(port, vlan, src_mac, 0x0806, c.arp(1, src_mac, spa, zero, tpa), dst=c.BCAST, pcp=6)
        send(port, fr)
        ctr.in_local(port["name"], fr)  # the request: local_packets
        what = "proxy ARP %s VLAN %d %s -> %s" % (port["name"], vlan, spa, tpa)

        def ck(b):
            f = parse_frame(b)
            check_gw_l2(what + ": reply", f, port, src_mac, vlan, 0x0806)
            check_arp_reply(what + ": reply", f, port["mac"], tpa, src_mac, spa)
            ctr.tx(port["name"], b)
        outs.add(port["name"], src_mac, what, ck)

    proxy_arp(G0, 10, newmac(), "10.100.0.10", "10.100.0.1")
    proxy_arp(G0, 40, newmac(), "13.107.0.10", "192.168.200.1")
    proxy_arp(G1, 0, newmac(), "10.130.0.10", "10.130.255.254")
    for port, vlan, mac, body in (
            (G0, 20, "02:00:00:00:20:01", c.arp(1, "02:00:00:00:20:01", "10.100.2.1", zero, "10.100.2.1")),
            (G0, 20, "02:00:00:00:20:02", c.arp(2, "02:00:00:00:20:02", "10.100.2.2", c.BCAST, "10.100.2.2")),
            (G1, 0, "02:00:00:00:30:01", c.arp(1, "02:00:00:00:30:01", "0.0.0.0", zero, "10.130.0.77"))):
        fr = gw_frame(port, vlan, mac, 0x0806, body, dst=c.BCAST)
        send(port, fr)
        ctr.in_local(port["name"], fr)
    # Duplicate address detection from a gateway instance (NS from ::) must NOT be
    # answered by the proxy, or Linux marks the instance's own address dadfailed.
    fr = gw_frame(G0, 10, "02:00:00:00:10:01", 0x86dd,
                  c.nd_ns("::", "ff02::1:ffbf:9d7b", "fe80::dc86:7dff:febf:9d7b"), dst="33:33:ff:bf:9d:7b")
    send(G0, fr)
    ctr.in_local("gw0", fr)
    fr = gw_frame(G0, 99, "02:00:00:00:10:01", 0x0806,
                  c.arp(1, "02:00:00:00:10:01", "10.100.0.9", zero, "10.100.0.1"), dst=c.BCAST)
    send(G0, fr)
    ctr.in_drop("gw0", fr, "unknown_vlan")

    n_in = sum(len(v) for v in inputs.values())
    print("%s: %d input frames (%s)" % (chk.name, n_in, ", ".join("%s %d" % (k, len(v)) for k, v in inputs.items())))
    wd = et.Workdir("l3-local-" + encap)
    run = c.run(exe, t, inputs, wd.path)
    if et.check_run_ok(chk, run):
        outs.match(chk, run)
        ctr.check(chk, run.stats)
        c.check_tx_matches_pcaps(chk, run)
        et.print_counters(run)
    rc = chk.finish()
    wd.close(rc != 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
