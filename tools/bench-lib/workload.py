# SPDX-License-Identifier: BSD-3-Clause
"""tools/bench workload: input pcaps and l3fwd rules from a gen-bench-config.py config.

Reads the config that tools/gen-bench-config.py wrote (its own, fixed layout:
circuit c has S-tag 1+c and peerings C-tag 100 -> VRF 2c, C-tag 101 -> VRF
2c+1; gateway gV serves VRF vV and has its instances on VLAN 1+V; the
customer prefix of VRF V is 10.(V>>8).(V&255).0/24) and writes, with no
dependency beyond the standard library:

  v4.pcap      customer -> gateway, QinQ (outer 0x8100), IPv4/UDP, 64-byte frames
  v6.pcap      customer -> gateway, QinQ, IPv6/UDP (78-byte frames: the smallest)
  return.pcap  gateway -> customer, one 802.1Q tag (the gateway's VLAN), IPv4/UDP
  l3fwd.pcap   the IPv4 frames of v4.pcap without tags (64-byte frames)
  l3fwd-v4.rules  the IPv4 routes the flows were drawn from, "R<prefix> 1" (l3fwd LPM;
                  see the comment in build() for why not the whole union)
  l3fwd-v6.rules  one dummy IPv6 rule (l3fwd loads rule_ipv4 only with rule_ipv6)

Every frame is a distinct flow (UDP source port and source address vary);
destinations are random addresses inside routes drawn uniformly from the
chosen VRF's table. --big-share of the IPv4 customer flows go to VRF v0 (the
full table), the rest to a peering drawn uniformly among the others.
"""
import json
import random
import re
import struct

PORT_MAC = {"primary": bytes.fromhex("02ee00000001"), "gw0": bytes.fromhex("02ee00000010")}


def parse_config(path):
    """-> dict(circuits, vrfs: {v: {"v4": [(addr,len)], "v6": [(bytes16,len)],
    "gw_macs": [...], "vlan": int}})"""
    with open(path) as f:
        text = f.read()
    n_circ = len(re.findall(r'\{ name = "c\d+"; s_tag = ', text))
    vrfs = {}
    gw_re = re.compile(r'\{ name = "g(\d+)"; vrf = "v(\d+)";\s*instances = \((.*?)\);\s*'
                       r'prefixes = \[(.*?)\] \}', re.S)
    for m in gw_re.finditer(text):
        v = int(m.group(2))
        insts = re.findall(r'mac = "([0-9a-f:]+)"; vlan = (\d+);', m.group(3))
        v4, v6 = [], []
        for p in re.findall(r'"([^"]+)"', m.group(4)):
            a, ln = p.split("/")
            if ":" in a:
                v6.append((ip6_bytes(a), int(ln)))
            else:
                o = [int(x) for x in a.split(".")]
                v4.append(((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3], int(ln)))
        vrfs[v] = {"v4": v4, "v6": v6, "gw_macs": [bytes.fromhex(x.replace(":", "")) for x, _ in insts],
                   "vlan": int(insts[0][1])}
    if n_circ == 0 or not vrfs:
        raise SystemExit("workload: %s does not look like a gen-bench-config.py config" % path)
    return {"circuits": n_circ, "vrfs": vrfs}


def ip6_bytes(a):
    import socket
    return socket.inet_pton(socket.AF_INET6, a)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4_udp(src, dst, sport, payload_len=6):
    tot = 20 + 8 + payload_len
    h = struct.pack("!BBHHHBBHII", 0x45, 0, tot, 0, 0, 64, 17, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + struct.pack("!HHHH", sport, 0x1234, 8 + payload_len, 0) + b"\0" * payload_len


def ipv6_udp(src, dst, sport, payload_len=6):
    udp = struct.pack("!HHHH", sport, 0x1234, 8 + payload_len, 0) + b"\0" * payload_len
    pseudo = src + dst + struct.pack("!IxxxB", len(udp), 17)
    c = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    h = struct.pack("!IHBB", 0x60000000, len(udp), 17, 64) + src + dst
    return h + udp


def pad(frame):
    return frame + b"\0" * (60 - len(frame)) if len(frame) < 60 else frame


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(fr), len(fr)))
            f.write(fr)


def rand_in4(rng, p):
    a, ln = p
    return a | (rng.getrandbits(32 - ln) if ln < 32 else 0)


def rand_in6(rng, p):
    a, ln = p
    n = int.from_bytes(a, "big")
    if ln < 128:
        n |= rng.getrandbits(128 - ln)
    return n.to_bytes(16, "big")


def qinq(src_mac, s_tag, c_tag, etype):
    return (PORT_MAC["primary"] + src_mac + struct.pack("!HHHHH", 0x8100, s_tag, 0x8100, c_tag, etype))


def build(cfg_path, outdir, flows, big_share, seed=7):
    cfg = parse_config(cfg_path)
    vrfs = cfg["vrfs"]
    n_vrf = len(vrfs)
    rng = random.Random(seed)
    v4, v6, ret, l3 = [], [], [], []
    n_big = 0
    used4 = set()
    for i in range(flows):
        sport = 1024 + (i % 60000)
        # customer -> gateway, IPv4
        if 0 in vrfs and (n_vrf == 1 or rng.random() < big_share):
            v = 0
            n_big += 1
        else:
            v = 1 + rng.randrange(n_vrf - 1)
        c, k = v // 2, v % 2
        cmac = bytes([2, 0xc0, v >> 8, v & 255, 0, 1])
        src = 0x0a000000 | (v << 8) | (1 + i % 250)  # the customer's prefix of the VRF
        route = rng.choice(vrfs[v]["v4"])
        used4.add(route)
        dst = rand_in4(rng, route)
        ip = ipv4_udp(src, dst, sport)
        v4.append(pad(qinq(cmac, 1 + c, 100 + k, 0x0800) + ip))
        l3.append(pad(PORT_MAC["primary"] + cmac + struct.pack("!H", 0x0800) + ip))
        # customer -> gateway, IPv6 (peering uniform; VRFs hold only their few v6 prefixes)
        v = rng.randrange(n_vrf)
        c, k = v // 2, v % 2
        cmac = bytes([2, 0xc0, v >> 8, v & 255, 0, 1])
        s6 = (0x20010db8 << 96 | v << 80 | (i & 0xffff)).to_bytes(16, "big")
        d6 = rand_in6(rng, rng.choice(vrfs[v]["v6"]))
        v6.append(pad(qinq(cmac, 1 + c, 100 + k, 0x86dd) + ipv6_udp(s6, d6, sport)))
        # gateway -> customer, IPv4: from a gateway instance to the VRF's customer prefix
        v = rng.randrange(n_vrf)
        g = vrfs[v]
        gmac = g["gw_macs"][i % len(g["gw_macs"])]
        src = rand_in4(rng, rng.choice(g["v4"]))
        dst = 0x0a000000 | (v << 8) | (1 + rng.randrange(254))
        ret.append(pad(PORT_MAC["gw0"] + gmac + struct.pack("!HHH", 0x8100, g["vlan"], 0x0800) +
                       ipv4_udp(src, dst, sport)))
    write_pcap(outdir + "/v4.pcap", v4)
    write_pcap(outdir + "/v6.pcap", v6)
    write_pcap(outdir + "/return.pcap", ret)
    write_pcap(outdir + "/l3fwd.pcap", l3)
    # l3fwd's rules: the routes the IPv4 destinations were drawn from. rte_lpm_add scans the
    # rules of the same depth linearly, so loading the whole union (millions of prefixes) takes
    # hours; with no prefix longer than /24 an LPM lookup reads one tbl24 entry whatever else the
    # table holds, so the rules that cover the destinations give the same memory accesses.
    n_rules = 0
    with open(outdir + "/l3fwd-v4.rules", "w") as f:
        f.write("# the IPv4 routes of %s that the flows of v4.pcap hit, all to port 1\n" % cfg_path)
        for a, ln in sorted(used4):
            f.write("R%d.%d.%d.%d/%d 1\n" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, ln))
            n_rules += 1
    with open(outdir + "/l3fwd-v6.rules", "w") as f:
        f.write("R2001:db8::/32 1\n")
    info = {"flows": flows, "big_vrf_flows_v4": n_big, "vrfs": n_vrf, "circuits": cfg["circuits"],
            "routes_v4": sum(len(x["v4"]) for x in vrfs.values()),
            "routes_v6": sum(len(x["v6"]) for x in vrfs.values()),
            "routes_v4_big_vrf": len(vrfs[0]["v4"]) if 0 in vrfs else 0,
            "routes_v4_small_vrf": len(vrfs[1]["v4"]) if 1 in vrfs else 0,
            "l3fwd_rules": n_rules,
            "frame_bytes": {"v4": len(v4[0]) + 4, "v6": len(v6[0]) + 4, "return": len(ret[0]) + 4,
                            "l3fwd": len(l3[0]) + 4}}
    with open(outdir + "/workload.json", "w") as f:
        json.dump(info, f, indent=1)
    return info


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("outdir")
    ap.add_argument("--flows", type=int, default=16384)
    ap.add_argument("--big-share", type=float, default=0.5)
    a = ap.parse_args()
    print(json.dumps(build(a.config, a.outdir, a.flows, a.big_share)))
