#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Generate the demo input pcaps for config/erdp.conf.

Writes <out>/primary-in.pcap, secondary-in.pcap (customer -> gateway, QinQ)
and gateway-in.pcap (gateway -> customer, one VLAN per gateway). Run with
Debian's /usr/bin/python3 (python3-scapy).
"""
import argparse
import os
import random
import sys

from scapy.all import Ether, Dot1Q, Dot1AD, IP, IPv6, UDP, Raw, ARP, wrpcap  # noqa: E402

ER_MAC = {"primary": "02:ee:00:00:00:01", "secondary": "02:ee:00:00:00:02"}
GW0_MAC = "02:ee:00:00:00:10"

# peering: (s_tag, c_tag, {link: customer MAC}, customer v4 net, customer v6 net or None,
#           gateway v4 net, gateway v6 net or None)
PEERINGS = {
    "contoso/private": dict(s_tag=100, c_tag=200,
                            mac={"primary": "02:c0:00:00:01:01", "secondary": "02:c0:00:00:01:02"},
                            cust4="10.10.{}.{}", cust6="fd10:10::{:x}:{:x}",
                            gw4="10.100.{}.{}", gw6="fd00:100::{:x}:{:x}"),
    "contoso/microsoft": dict(s_tag=100, c_tag=300,
                              mac={"primary": "02:c0:00:00:01:11", "secondary": "02:c0:00:00:01:12"},
                              cust4="203.0.113.{1}", cust6=None,
                              gw4="13.107.{}.{}", gw6=None),
    "fabrikam/private": dict(s_tag=110, c_tag=200,
                             mac={"primary": "02:c0:00:00:02:01", "secondary": "02:c0:00:00:02:02"},
                             cust4="10.20.{}.{}", cust6=None,
                             gw4="10.100.{}.{}", gw6=None),
    "woodgrove/private": dict(s_tag=120, c_tag=210,
                              mac={"primary": "02:c0:00:00:03:01", "secondary": "02:c0:00:00:03:02"},
                              cust4="10.30.{}.{}", cust6=None,
                              gw4="10.130.{}.{}", gw6=None),
}

# gateway: (peering it serves, VLAN on gw0, instance MACs)
GATEWAYS = {
    "gw-contoso": ("contoso/private", 10, ["02:00:00:00:10:01", "02:00:00:00:10:02"]),
    "gw-fabrikam": ("fabrikam/private", 20,
                    ["02:00:00:00:20:01", "02:00:00:00:20:02", "02:00:00:00:20:03"]),
    "gw-woodgrove": ("woodgrove/private", 30, ["02:00:00:00:30:01", "02:00:00:00:30:02"]),
    "gw-m365": ("contoso/microsoft", 40, ["02:00:00:00:40:01", "02:00:00:00:40:02"]),
}


def addr(fmt, rnd):
    a, b = rnd.randrange(1, 255), rnd.randrange(1, 255)
    return fmt.format(a, b)


def payload(rnd, n):
    return Raw(bytes(rnd.getrandbits(8) for _ in range(n)))


def customer_frames(link, rnd, n_flows):
    frames = []
    names = sorted(PEERINGS)
    for i in range(n_flows):
        pname = names[i % len(names)]
        p = PEERINGS[pname]
        outer = Dot1AD if i % 5 == 4 else Dot1Q  # some 0x88a8 outer TPIDs
        eth = Ether(src=p["mac"][link], dst=ER_MAC[link])
        sport, dport = rnd.randrange(1024, 65535), rnd.choice([53, 443, 4789, 8080, rnd.randrange(1024, 65535)])
        if p["cust6"] and i % 4 == 1:
            l3 = IPv6(src=addr(p["cust6"], rnd), dst=addr(p["gw6"], rnd), hlim=64)
        else:
            l3 = IP(src=addr(p["cust4"], rnd), dst=addr(p["gw4"], rnd), ttl=64)
        if outer is Dot1AD:
            tags = Dot1AD(vlan=p["s_tag"]) / Dot1Q(vlan=p["c_tag"])
        else:
            eth.type = 0x8100
            tags = Dot1Q(vlan=p["s_tag"]) / Dot1Q(vlan=p["c_tag"])
        frames.append(eth / tags / l3 / UDP(sport=sport, dport=dport) / payload(rnd, rnd.randrange(18, 200)))
    # A few bad frames so the drop counters move.
    src, dst = PEERINGS["contoso/private"]["mac"][link], ER_MAC[link]
    ip = IP(src="10.10.1.1", dst="10.100.1.1") / UDP(sport=1111, dport=2222) / Raw(b"x" * 32)
    frames.append(Ether(src=src, dst=dst) / Dot1Q(vlan=999) / Dot1Q(vlan=200) / ip)  # unknown_s_tag
    frames.append(Ether(src=src, dst=dst) / ip)                                      # untagged
    frames.append(Ether(src=src, dst=dst) / Dot1Q(vlan=100) / ip)                    # wrong_tag_count
    frames.append(Ether(src=src, dst=dst) / Dot1Q(vlan=100) / Dot1Q(vlan=777) / ip)  # unknown_c_tag
    return frames


def gateway_frames(rnd, n_flows):
    frames = []
    names = sorted(GATEWAYS)
    for i in range(n_flows):
        gname = names[i % len(names)]
        pname, vlan, macs = GATEWAYS[gname]
        p = PEERINGS[pname]
        eth = Ether(src=rnd.choice(macs), dst=GW0_MAC) / Dot1Q(vlan=vlan)
        if p["cust6"] and i % 8 == 0:
            l3 = IPv6(src=addr(p["gw6"], rnd), dst=addr(p["cust6"], rnd), hlim=64)
        else:
            l3 = IP(src=addr(p["gw4"], rnd), dst=addr(p["cust4"], rnd), ttl=64)
        frames.append(eth / l3 / UDP(sport=rnd.choice([53, 443, 8080]), dport=rnd.randrange(1024, 65535))
                      / payload(rnd, rnd.randrange(18, 200)))
    # A few bad frames: unknown VLAN, no route (fabrikam blackhole 192.0.2.0/24).
    ip = UDP(sport=443, dport=5555) / Raw(b"y" * 32)
    frames.append(Ether(src="02:00:00:00:10:01", dst=GW0_MAC) / Dot1Q(vlan=99) /
                  IP(src="10.100.0.1", dst="10.10.0.1") / ip)                       # unknown_vlan
    frames.append(Ether(src="02:00:00:00:20:01", dst=GW0_MAC) / Dot1Q(vlan=20) /
                  IP(src="10.100.0.1", dst="192.0.2.1") / ip)                       # blackhole
    frames.append(Ether(src="02:00:00:00:20:01", dst=GW0_MAC) / Dot1Q(vlan=20) /
                  IP(src="10.100.0.1", dst="172.16.0.1") / ip)                      # no_route
    return frames


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="build/demo", help="output folder (default build/demo)")
    ap.add_argument("--flows", type=int, default=300, help="good frames per file (default 300)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args()

    rnd = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    files = {
        "primary-in.pcap": customer_frames("primary", rnd, args.flows),
        "secondary-in.pcap": customer_frames("secondary", rnd, args.flows),
        "gateway-in.pcap": gateway_frames(rnd, args.flows),
    }
    for name, frames in files.items():
        path = os.path.join(args.out, name)
        wrpcap(path, frames)
        print("gen-demo-traffic: wrote %d frames to %s" % (len(frames), path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
