#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-l3-neigh-qinq / -dot1q: customer neighbour resolution (contoso/private
has no customer_mac in this config).

Run A (nobody answers), twice: once ending when idle (held frames dropped at
exit) and once running 4 s (dropped by the 3 s hold timeout). Gateway ->
customer frames are held (at most 8 per peering and family), erdp sends
ARP requests / NS out both links (broadcast / solicited-node multicast, the
peering's tags, sender = MSEE address, target = customer address), and
every frame ends as neighbor_unresolved; nothing reaches the customer.

Run B (the customer speaks): a gratuitous ARP and an unsolicited NA on the
primary link, an ARP request and an NS from the customer on the secondary
link teach erdp the customer's MACs (different per link and family); every
gateway -> customer frame that goes out carries the learned MAC of its
link and family, and forwarded + neighbor_unresolved = sent, whatever the
interleaving of the port reads.

usage: test_l3_neigh.py ERDP_BINARY qinq|dot1q
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402
import test_l3_common as c  # noqa: E402
from test_l3_common import l2, parse_frame, LINKS  # noqa: E402

PEER = "contoso/private"
ZERO = "00:00:00:00:00:00"


def gw_traffic(t, n4, n6, fid0):
    """gw0 VLAN 10 -> contoso/private frames: n4 IPv4, n6 IPv6, distinct flows."""
    G0 = t.port_by_name("gw0")
    out = []
    for i in range(n4 + n6):
        fid = fid0 + i
        if i < n4:
            l3 = et.udp4("10.100.1.%d" % (i + 1), "10.10.%d.%d" % (i % 7 + 1, i + 1), 443, 3000 + i, fid,
                         ident=fid)
            et_ = 0x0800
        else:
            l3 = et.udp6("fd00:100::%x" % (i + 1), "fd10:10::%x" % (i + 1), 443, 3000 + i, fid)
            et_ = 0x86dd
        out.append((fid, l3, l2(G0["mac"], "02:00:00:00:10:01", [(0x8100, 10)], et_) + l3))
    return out


def check_probe(chk, t, port, b, seen):
    """An ARP request or NS erdp sent to resolve the customer; returns True if it is one."""
    f = parse_frame(b)
    role = port["role"]
    p = t.peering_by_name(PEER)
    if f is None or role not in LINKS:
        return False
    if f["etype"] == 0x0806:
        a = c.parse_arp(f["l3"])
        if a is None or a["op"] != 1:
            return False
        what = "ARP request out %s" % port["name"]
        chk.eq(f["dst"], c.BCAST, what + ": broadcast")
        chk.eq(f["src"], port["mac"], what + ": src MAC = port MAC")
        chk.eq(f["tags"], c.er_tags_out(t, PEER), what + ": the peering's tags")
        chk.eq((a["hrd"], a["pro"], a["hln"], a["pln"]), (1, 0x0800, 6, 4), what + ": hrd/pro/hln/pln")
        chk.eq((a["sha"], a["spa"]), (port["mac"], c.msee4(p, role)), what + ": sender = port MAC / MSEE address")
        chk.eq((a["tha"], a["tpa"]), (ZERO, c.customer4(p, role)), what + ": target = customer address")
        seen[(role, False)] = seen.get((role, False), 0) + 1
        return True
    l3 = f["l3"]
    if f["etype"] == 0x86dd and len(l3) >= 64 and l3[6] == 58 and l3[40] == 135:
        what = "NS out %s" % port["name"]
        cust = c.customer6(p, role)
        chk.eq(f["dst"], c.solicited_mac(cust), what + ": dst MAC = solicited-node multicast")
        chk.eq(f["src"], port["mac"], what + ": src MAC = port MAC")
        chk.eq(f["tags"], c.er_tags_out(t, PEER), what + ": the peering's tags")
        chk.eq(l3[7], 255, what + ": hop limit 255")
        chk.eq(l3[8:24].hex(), c.ip6b(c.msee6(p, role)).hex(), what + ": src = MSEE address")
        chk.eq(l3[24:40].hex(), c.ip6b(c.solicited_node(cust)).hex(), what + ": dst = solicited-node group")
        chk.eq(struct.unpack_from("!H", l3, 4)[0] + 40, len(l3), what + ": payload length")
        chk.check(c.icmp6_cksum_ok(l3), what + ": ICMPv6 checksum")
        chk.eq(l3[48:64].hex(), c.ip6b(cust).hex(), what + ": target = customer address")
        chk.eq((l3[64:66].hex(), c.mac_str(l3[66:72])), ("0101", port["mac"]), what + ": SLLA option = port MAC")
        seen[(role, True)] = seen.get((role, True), 0) + 1
        return True
    return False


def run_a(exe, encap, chk, timeout_variant):
    t = c.l3_topo(encap)
    name = "run A (%s)" % ("hold timeout, 4 s" if timeout_variant else "dropped at exit")
    traffic = gw_traffic(t, 12, 3, 100)
    ctr = c.Counters(t)
    for fid, l3, fr in traffic:
        ctr.in_drop("gw0", fr, "neighbor_unresolved", loose_peering=PEER)
    wd = et.Workdir("l3-neigh-a-" + encap)
    extra = ["--exit-when-idle", "20000", "--duration", "4"] if timeout_variant else []
    run = c.run(exe, t, {"gw0": [fr for _, _, fr in traffic]}, wd.path, extra_args=extra, no_customer_mac=[PEER])
    if et.check_run_ok(chk, run):
        seen = {}
        for pn, frames in run.outputs.items():
            port = t.port_by_name(pn)
            for b in frames:
                if check_probe(chk, t, port, b, seen):
                    ctr.tx(pn, b, (PEER, port["role"]))
                else:
                    chk.check(False, "%s: unexpected frame out of %s: %s" % (name, pn, c.dump(b)))
        for role in LINKS:
            for v6 in (False, True):
                n = seen.get((role, v6), 0)
                chk.check(1 <= n <= 2 + (3 if timeout_variant else 0),
                          "%s: %d %s out of the %s link, want 1 (at most one a second)"
                          % (name, n, "NS" if v6 else "ARP requests", role))
        ctr.check(chk, run.stats)
        c.check_tx_matches_pcaps(chk, run)
        et.print_counters(run)
    return wd


def run_b(exe, encap, chk, n_fill):
    t = c.l3_topo(encap)
    p = t.peering_by_name(PEER)
    P, S = t.port_by_role("primary"), t.port_by_role("secondary")
    ports = {"primary": P, "secondary": S}
    learned = {("primary", False): "02:cc:00:00:04:01", ("primary", True): "02:cc:00:00:06:01",
               ("secondary", False): "02:cc:00:00:04:02", ("secondary", True): "02:cc:00:00:06:02"}
    ctr = c.Counters(t)
    outs = c.Outs()
    inputs = {x["name"]: [] for x in t.ports}

    def er(link, src_mac, dst_mac, etype, l3):
        fr = l2(dst_mac, src_mac, c.er_tags(t, PEER, pcp=1), etype) + l3
        inputs[ports[link]["name"]].append(fr)
        return fr

    # Fillers first on the ER ports (dropped, unknown S-tag / VLAN), so that some gateway frames
    # are likely to arrive before the customer speaks: held, then released or neighbor_unresolved.
    qinq = t.encap == "qinq"
    for link in LINKS:
        for i in range(n_fill):
            tags = [(t.outer_tpids[0], 999), (0x8100, 200)] if qinq else [(0x8100, 999)]
            fr = l2(ports[link]["mac"], "02:cc:00:00:00:99", tags, 0x0800) + et.udp4("10.10.0.1", "10.100.0.1", 1, 2, 90000 + i)
            inputs[ports[link]["name"]].append(fr)
            ctr.in_drop(ports[link]["name"], fr, "unknown_s_tag" if qinq else "unknown_vlan")
    # primary: gratuitous ARP (v4), unsolicited NA (v6): consumed
    m4, m6 = learned[("primary", False)], learned[("primary", True)]
    cust4, cust6 = c.customer4(p, "primary"), c.customer6(p, "primary")
    fr = er("primary", m4, c.BCAST, 0x0806, c.arp(1, m4, cust4, ZERO, cust4))
    ctr.in_local("er-primary", fr, (PEER, "primary"))
    fr = er("primary", m6, "33:33:00:00:00:01", 0x86dd, c.nd_na(cust6, "ff02::1", cust6, tlla=m6, flags=0x20))
    ctr.in_local("er-primary", fr, (PEER, "primary"))
    # secondary: ARP request and NS from the customer, for the MSEE: answered, and they teach
    m4, m6 = learned[("secondary", False)], learned[("secondary", True)]
    cust4, cust6 = c.customer4(p, "secondary"), c.customer6(p, "secondary")
    msee4, msee6 = c.msee4(p, "secondary"), c.msee6(p, "secondary")
    fr = er("secondary", m4, c.BCAST, 0x0806, c.arp(1, m4, cust4, ZERO, msee4))
    ctr.in_local("er-secondary", fr, (PEER, "secondary"))

    def ck_arp(b):
        f = parse_frame(b)
        a = c.parse_arp(f["l3"])
        chk.eq((f["src"], f["tags"], a and a["op"], a and a["spa"], a and a["tpa"]),
               (S["mac"], c.er_tags_out(t, PEER), 2, msee4, cust4), "ARP reply to the customer on the secondary link")
        ctr.tx("er-secondary", b, (PEER, "secondary"))
    outs.add("er-secondary", m4, "ARP reply to the customer (secondary)", ck_arp)
    fr = er("secondary", m6, c.solicited_mac(msee6), 0x86dd, c.nd_ns(cust6, c.solicited_node(msee6), msee6, slla=m6))
    ctr.in_local("er-secondary", fr, (PEER, "secondary"))

    def ck_na(b):
        f = parse_frame(b)
        l3 = f["l3"]
        chk.eq((f["src"], f["tags"], l3[40], l3[24:40].hex(), l3[48:64].hex()),
               (S["mac"], c.er_tags_out(t, PEER), 136, c.ip6b(cust6).hex(), c.ip6b(msee6).hex()),
               "NA to the customer on the secondary link")
        ctr.tx("er-secondary", b, (PEER, "secondary"))
    outs.add("er-secondary", m6, "NA to the customer (secondary)", ck_na)

    traffic = gw_traffic(t, 40, 16, 500)
    by_fid = {}
    for fid, l3, fr in traffic:
        inputs["gw0"].append(fr)
        ctr.rx("gw0", fr)
        by_fid[fid] = (l3, fr)

    wd = et.Workdir("l3-neigh-b-" + encap)
    run = c.run(exe, t, inputs, wd.path, no_customer_mac=[PEER])
    if et.check_run_ok(chk, run):
        seen_probes = {}
        fwd = {}

        def other(pn, b):
            port = t.port_by_name(pn)
            fid = et.frame_id(b)
            if fid in by_fid:
                if fid in fwd:
                    chk.check(False, "frame %d forwarded twice" % fid)
                    return True
                fwd[fid] = b
                f = parse_frame(b)
                l3, fr = by_fid[fid]
                v6 = l3[0] >> 4 == 6
                what = "g2c frame %d (%s)" % (fid, "IPv6" if v6 else "IPv4")
                if not chk.check(port["role"] in LINKS, what + ": left by %s" % pn):
                    return True
                chk.eq(f["dst"], learned[(port["role"], v6)],
                       what + ": dst MAC = the MAC learned on the %s link for IPv%d" % (port["role"], 6 if v6 else 4))
                chk.eq(f["src"], port["mac"], what + ": src MAC")
                chk.eq(f["tags"], c.er_tags_out(t, PEER), what + ": tags")
                chk.eq(f["l3"].hex(), et.forwarded_l3(l3).hex(), what + ": L3 (TTL-1)")
                ctr.tx(pn, b, (PEER, port["role"]))
                return True
            if check_probe(chk, t, port, b, seen_probes):
                ctr.tx(pn, b, (PEER, port["role"]))
                return True
            return False
        outs.match(chk, run, key=lambda b: None if et.frame_id(b) is not None else parse_frame(b)["dst"],
                   other=other)
        st = {x["name"]: x for x in run.stats.get("ports", [])}
        unres = st.get("gw0", {}).get("drops", {}).get("neighbor_unresolved")
        print("run B (%d fillers): %d of %d gateway -> customer frames forwarded, neighbor_unresolved %s, probes %s"
              % (n_fill, len(fwd), len(traffic), unres, seen_probes))
        chk.eq(len(fwd) + (unres or 0), len(traffic), "run B: forwarded + neighbor_unresolved = frames sent")
        chk.check(len(fwd) > 0, "run B: nothing forwarded after the customer's MACs were learned")
        for fid, (l3, fr) in by_fid.items():
            if fid not in fwd:
                ctr.drop("gw0", "neighbor_unresolved", loose_peering=PEER)
        ctr.check(chk, run.stats)
        c.check_tx_matches_pcaps(chk, run)
        et.print_counters(run)
    return wd


def main():
    exe = et.erdp_binary()
    encap = sys.argv[2] if len(sys.argv) > 2 else "qinq"
    chk = et.Checker("e2e-l3-neigh-" + encap)
    wds = [run_a(exe, encap, chk, False), run_b(exe, encap, chk, 0), run_b(exe, encap, chk, 400), run_a(exe, encap, chk, True)]
    rc = chk.finish()
    for wd in wds:
        wd.close(rc != 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
