#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-fuzz: thousands of random and mutated frames (fixed seed) do not crash
erdp; per run (input on one port only) rx = drops + tx; the circuits the
frames cannot reach keep all-zero counters.

Runs: QinQ on er-primary, QinQ on gw0, Dot1Q on er-secondary. Frames that
could legitimately reach another circuit (its S-tag / VLAN / gateway VLAN),
ARP, or an MSEE address are regenerated, so that every frame is either
forwarded once or dropped once.
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402
from erdptest import l2, udp4, udp6, LINKS  # noqa: E402

SEED = int(os.environ.get("ERDP_FUZZ_SEED", "20240601"))
N = int(os.environ.get("ERDP_FUZZ_FRAMES", "2500"))
# Bytes of the peering /29s and /125: frames containing them could address the MSEE.
LOCAL = [bytes([192, 168, 100]), bytes([192, 168, 101]), bytes([192, 168, 102]), bytes([198, 51, 100]),
         bytes.fromhex("20010db80100")]


def base_frames(topo, port, rng, n):
    """Valid frames for contoso only, arriving on `port`."""
    p = topo.port_by_name(port)
    out = []
    for i in range(n):
        if p["role"] in LINKS:
            pname = "contoso/private" if i % 3 else "contoso/microsoft"
            peer = topo.peering_by_name(pname)
            c = topo.circuit_by_name("contoso")
            if topo.encap == "qinq":
                tags = [(rng.choice(topo.outer_tpids), c["s_tag"], rng.randrange(8)), (0x8100, peer["vlan"])]
            else:
                tags = [(topo.outer_tpids[0], peer["vlan"], rng.randrange(8))]
            src_mac = peer["mac"][p["role"]]
            if pname == "contoso/private" and i % 4 == 0:
                l3 = udp6("fd10:10::%x" % rng.randrange(1, 65535), "fd00:100::%x" % rng.randrange(1, 65535),
                          rng.randrange(65536), rng.randrange(65536), i, hlim=rng.choice([0, 1, 2, 64, 255]),
                          size=rng.randrange(0, 300))
            else:
                src = "10.10.%d.%d" % (rng.randrange(256), rng.randrange(1, 255)) if pname.endswith("private") \
                    else "203.0.113.%d" % rng.randrange(1, 255)
                dst = rng.choice(["10.100.{}.{}", "13.107.{}.{}", "172.16.{}.{}", "192.0.2.{1}"]).format(
                    rng.randrange(256), rng.randrange(1, 255))
                l3 = udp4(src, dst, rng.randrange(65536), rng.randrange(65536), i,
                          ttl=rng.choice([0, 1, 2, 64, 255]), size=rng.randrange(0, 300))
            et_ = 0x0800 if l3[0] >> 4 == 4 else 0x86dd
            out.append(l2(p["mac"], src_mac, tags, et_) + l3)
        else:
            tags = [(0x8100, 10)] if i % 5 else []
            if i % 4 == 0:
                l3 = udp6("fd00:100::%x" % rng.randrange(1, 65535), "fd10:10::%x" % rng.randrange(1, 65535),
                          rng.randrange(65536), rng.randrange(65536), i, hlim=rng.choice([0, 1, 64]),
                          size=rng.randrange(0, 300))
            else:
                dst = rng.choice(["10.10.{}.{}", "203.0.113.{1}", "10.20.{}.{}", "192.0.2.{1}"]).format(
                    rng.randrange(256), rng.randrange(1, 255))
                l3 = udp4("10.100.%d.%d" % (rng.randrange(256), rng.randrange(1, 255)), dst, rng.randrange(65536),
                          rng.randrange(65536), i, ttl=rng.choice([0, 1, 64]), size=rng.randrange(0, 300))
            et_ = 0x0800 if l3[0] >> 4 == 4 else 0x86dd
            out.append(l2(p["mac"], "02:00:00:00:10:01", tags, et_) + l3)
    return out


def mutate(rng, f):
    f = bytearray(f)
    op = rng.randrange(9)
    if len(f) < 2 and op in (0, 1):
        op = 4
    if op == 0:  # flip a few bytes in the headers
        for _ in range(rng.randrange(1, 5)):
            i = rng.randrange(min(len(f), 70))
            f[i] = rng.randrange(256)
    elif op == 1:  # truncate
        f = f[:rng.randrange(0, len(f))]
    elif op == 2:  # insert a tag somewhere in the L2 header
        i = rng.choice([12, 16, 20])
        f[i:i] = struct.pack("!HH", rng.choice([0x8100, 0x88a8, 0x9100]), rng.randrange(65536))
    elif op == 3:  # remove 4 bytes from the L2 header
        i = rng.choice([12, 16, 20])
        del f[i:i + 4]
    elif op == 4:  # random bytes
        f = bytearray(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    elif op == 5:  # IPv4/IPv6 header fields
        for off in (18, 22, 14):
            if len(f) > off + 20 and f[off] >> 4 in (4, 6):
                j = off + rng.choice([0, 0, 2, 3, 4, 6, 8, 9, 10])
                f[j] = rng.randrange(256)
                break
    elif op == 6:  # append junk
        f += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    elif op == 7:  # special VIDs
        for off in (14, 18):
            if len(f) > off + 2:
                v = rng.choice([0, 1, 4095, 4094])
                f[off] = (f[off] & 0xf0) | (v >> 8)
                f[off + 1] = v & 0xff
    # op 8: unchanged
    return bytes(f)


def acceptable(topo, port, f, other_vids):
    if len(f) < 1:
        return False
    for off in (12, 16, 20, 24):  # no ARP anywhere it could be parsed
        if len(f) >= off + 2 and struct.unpack_from("!H", f, off)[0] == 0x0806:
            return False
    if any(x in f for x in LOCAL):
        return False
    # the outermost tag (if any) must not select another circuit / gateway VRF
    if len(f) >= 16 and struct.unpack_from("!H", f, 12)[0] in et.TPIDS:
        vid = struct.unpack_from("!H", f, 14)[0] & 0xfff
        if vid in other_vids:
            return False
    if topo.port_by_name(port)["role"] not in LINKS and len(f) >= 14:
        # on a gateway port an untagged or priority-tagged frame would pick gw0's untagged VRF (none):
        # allowed. Frames on gw0 must not use the VLANs of other gateways (checked above).
        pass
    return True


def fuzz_run(exe, chk, encap, port, other_circuits, other_vids, rng, n):
    topo = et.standard_topo(encap)
    frames = []
    bases = base_frames(topo, port, rng, 200)
    while len(frames) < n:
        f = rng.choice(bases)
        for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
            f = mutate(rng, f)
        if acceptable(topo, port, f, other_vids):
            frames.append(f)
    what = "fuzz %s on %s" % (encap, port)
    print("%s: %d frames" % (what, len(frames)), flush=True)
    wd = et.Workdir("fuzz-%s-%s" % (encap, port))
    run = et.run_erdp(exe, topo, {port: frames}, wd.path)
    ok = et.check_run_ok(chk, run)
    if ok:
        s = run.stats
        ports = {p["name"]: p for p in s.get("ports", [])}
        circuits = {c["name"]: c for c in s.get("circuits", [])}
        peerings = {p["name"]: p for p in s.get("peerings", [])}
        rx = ports.get(port, {}).get("rx_packets")
        chk.eq(rx, len(frames), "%s: rx_packets on %s" % (what, port))
        chk.eq(ports.get(port, {}).get("rx_bytes"), sum(len(f) for f in frames), "%s: rx_bytes on %s" % (what, port))
        pdrops = ports.get(port, {}).get("drops", {})
        drops = sum(pdrops.values())
        # Frames out of other ports were forwarded; frames out of the arrival port are
        # errors erdp generated (ICMP time exceeded ...) for frames it also counts as dropped.
        tx = sum(p.get("tx_packets", 0) for n, p in ports.items() if n != port)
        back = ports.get(port, {}).get("tx_packets", 0)
        for name, frames in run.outputs.items():
            chk.eq(len(frames), ports.get(name, {}).get("tx_packets"), "%s: frames in %s's output pcap vs tx_packets" % (what, name))
        chk.check(rx == drops + tx, "%s: rx %r != drops %d + forwarded %d" % (what, rx, drops, tx))
        chk.check(back <= pdrops.get("ttl_exceeded", 0) + pdrops.get("mtu_exceeded", 0),
                  "%s: %d frames sent back out of %s, more than ttl_exceeded + mtu_exceeded drops" % (what, back, port))
        for b in run.outputs.get(port, []):
            chk.check(et._is_icmp_error(b), "%s: frame sent back out of %s is not an ICMP error: %s" % (what, port, b[:64].hex()))
        for name, p in ports.items():
            if name != port:
                chk.eq(p.get("rx_packets"), 0, "%s: rx_packets on %s" % (what, name))
                chk.eq(sum(p.get("drops", {}).values()), 0, "%s: drops on %s" % (what, name))
        g = s.get("drops", {})
        for r in et.DROP_REASONS:
            chk.eq(g.get(r), sum(p.get("drops", {}).get(r, 0) for p in ports.values()), "%s: global drops.%s" % (what, r))
        for name in other_circuits:
            c = circuits.get(name, {})
            for k in et.COUNTERS:
                chk.eq(c.get(k), 0, "%s: other circuit %s %s" % (what, name, k))
            chk.eq(sum(c.get("drops", {}).values()), 0, "%s: other circuit %s drops" % (what, name))
        for name, p in peerings.items():
            if p.get("circuit") in other_circuits:
                for k in et.COUNTERS:
                    chk.eq(p.get(k), 0, "%s: other peering %s %s" % (what, name, k))
                chk.eq(sum(p.get("drops", {}).values()), 0, "%s: other peering %s drops" % (what, name))
        # contoso: on an ER port, what the circuit received = its drops + what it forwarded
        c = circuits.get("contoso", {})
        if topo.port_by_name(port)["role"] in LINKS:
            chk.check(c.get("rx_packets") == sum(c.get("drops", {}).values()) + tx,
                      "%s: contoso rx %r != drops %d + forwarded %d"
                      % (what, c.get("rx_packets"), sum(c.get("drops", {}).values()), tx))
            chk.eq(sum(p.get("rx_packets", 0) for p in peerings.values()) - sum(sum(p.get("drops", {}).values()) for p in peerings.values()), tx,
                   "%s: peerings rx - drops = forwarded" % what)
        else:
            chk.eq(c.get("tx_packets"), tx, "%s: contoso tx_packets" % what)
        et.print_counters(run)
    wd.close(not ok or bool(chk.failures))


def main():
    exe = et.erdp_binary()
    chk = et.Checker("e2e-fuzz")
    rng = random.Random(SEED)
    fuzz_run(exe, chk, "qinq", "er-primary", ["fabrikam", "woodgrove"], {110, 120}, rng, N)
    fuzz_run(exe, chk, "qinq", "gw0", ["fabrikam", "woodgrove"], {20, 30, 40}, rng, N // 2)
    fuzz_run(exe, chk, "dot1q", "er-secondary", ["fabrikam", "woodgrove"], {201, 210}, rng, N)
    return chk.finish()


if __name__ == "__main__":
    sys.exit(main())
