# SPDX-License-Identifier: BSD-3-Clause
"""cp-churn: no misforwarding while routes change under traffic.

One VRF, four gateways on gw0 (a VLAN each): gD holds 10.0.0.0/8, gC the
more specific 10.1.1.0/24, and a writer flips P = 10.1.0.0/16 between gA and
gB and withdraws it again, through erdpctl -> erdp-cp -> shared-memory
channel -> erdp, for as long as erdp forwards a few million frames to
addresses in P (outside the /24) and in the /24. Every frame that comes out
must be exactly one of:
  - to an address in P:      gA, gB (P present) or gD (P withdrawn: the /8)
  - to an address in the /24: gC only (a covering route changing never
                              changes a more specific one)
with the TTL decremented, a valid IPv4 checksum and the payload intact. The
test also checks that the changes really overlapped the traffic: P-frames
left through at least two of gA, gB, gD.
"""
import os
import struct
import subprocess
import sys
import threading
import time

import cptest
from cptest import Checker, Env

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "erdp", "e2e"))
import erdptest  # noqa: E402
from erdptest import l2, udp4  # noqa: E402

VRF = "v"
GW = {"gA": 11, "gB": 12, "gC": 13, "gD": 14}  # gateway -> VLAN on gw0
P, Q, R = "10.1.0.0/16", "10.1.1.0/24", "10.0.0.0/8"
N_FRAMES = 3000000
PATTERN = 256  # distinct frames, repeated


def topo():
    t = erdptest.Topo("qinq")
    t.port("er-primary", "primary", "02:ee:00:00:00:01")
    t.port("gw0", "gateway", "02:ee:00:00:00:10")
    t.vrf(VRF)
    t.circuit("c1", 100, 1000)
    t.peering("c1", "private", 200, VRF, "192.168.100.128/29",
              ["02:c0:00:00:01:01", "02:c0:00:00:01:02"])
    prefixes = {"gC": [Q], "gD": [R], "gA": [], "gB": []}
    for g, vlan in GW.items():
        t.gateway(g, VRF, prefixes[g],
                  [("gw0", "02:00:00:00:%02x:%02x" % (vlan, i), vlan) for i in (1, 2)])
    return t


def frames(t):
    """PATTERN customer frames: even ones to P outside Q, odd ones to Q."""
    sc = erdptest.Scenario(t)
    p = t.peering_by_name("c1/private")
    out = []
    for i in range(PATTERN):
        dst = "10.1.%d.%d" % (2 + (i % 200), 1 + i % 250) if i % 2 == 0 else "10.1.1.%d" % (1 + i % 250)
        l3 = udp4("10.10.%d.1" % (i % 250), dst, 1000 + i, 53, i, ttl=64)
        out.append(l2("02:ee:00:00:00:01", p["mac"]["primary"], sc.er_tags("c1/private"), 0x0800) + l3)
    return out


def write_big_pcap(path, pattern, n):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        recs = b"".join(struct.pack("<IIII", 0, 0, len(b), len(b)) + b for b in pattern)
        for _ in range(n // len(pattern)):
            f.write(recs)


def read_pcap_records(path):
    with open(path, "rb") as f:
        data = f.read()
    off, n = 24, len(data)
    while off + 16 <= n:
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        yield memoryview(data)[off + 16:off + 16 + caplen]
        off += 16 + caplen


def ip_sum_ok(ip):
    s = sum(struct.unpack("!10H", ip[:20]))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff


def churner(env, stop, count, errors):
    """Flip P gA -> gB -> withdrawn until told to stop."""
    seq = [("route", "add", VRF, P, "gateway:gA"), ("route", "add", VRF, P, "gateway:gB"),
           ("route", "del", VRF, P)]
    i = 0
    while not stop.is_set():
        rc, out, err = env.ctl(*seq[i % 3])
        if rc != 0 and "not found" not in (out + err):
            errors.append("%s -> %d %s %s" % (seq[i % 3], rc, out, err))
        count[0] += 1
        i += 1


def main():
    chk = Checker("cp-churn")
    env = Env("churn", sys.argv[1:])
    t = topo()
    pin = os.path.join(env.dir, "in.pcap")
    pout = os.path.join(env.dir, "gw0-out.pcap")
    write_big_pcap(pin, frames(t), N_FRAMES)
    devices = {"er-primary": "net_pcap0,rx_pcap=%s" % pin, "gw0": "net_pcap1,tx_pcap=%s" % pout}
    with open(env.config, "w") as f:
        f.write(erdptest.render_config(t, devices))
    stop, count, errors = threading.Event(), [0], []
    try:
        # The control plane and the writer first, so that changes flow from erdp's first frame.
        env.start_cp()
        th = threading.Thread(target=churner, args=(env, stop, count, errors), daemon=True)
        th.start()
        time.sleep(0.5)
        env.start_erdp()
        before = count[0]
        # erdp reads the pcap once; wait until its rx stops growing, then stop it.
        last, still = -1, 0
        for _ in range(600):
            rx = sum(p["rx_packets"] for p in env.objects(["er-primary"], "/erdp/port").values())
            still = still + 1 if rx == last else 0
            last = rx
            if still >= 5:
                break
            time.sleep(0.1)
        during = count[0] - before
        stop.set()
        th.join(timeout=30)
        env.verify(chk, "after the churn")
        env.stop(env.erdp)
    except Exception as e:  # noqa: BLE001
        chk.check(False, "harness: %r" % e)
        stop.set()
        return env.close(chk)
    chk.check(not errors, "erdpctl errors: %s" % errors[:3])
    chk.check(during >= 3, "route changes while erdp forwarded: %d" % during)
    print("route changes: %d in total, %d while erdp forwarded" % (count[0], during))
    vlan_of = {v: g for g, v in GW.items()}
    seen = {"P": {}, "Q": {}}
    bad, n, checked_sum = [], 0, 0
    for fr in read_pcap_records(pout):
        n += 1
        if len(fr) < 18 + 20 or fr[12:14] != b"\x81\x00":
            bad.append("frame %d: not one tag" % n)
            continue
        g = vlan_of.get(struct.unpack("!H", fr[14:16])[0] & 0xfff)
        ip = fr[18:]
        dst = bytes(ip[16:20])
        which = "Q" if dst[:3] == bytes([10, 1, 1]) else "P"
        seen[which][g] = seen[which].get(g, 0) + 1
        ok = g in ({"gA", "gB", "gD"} if which == "P" else {"gC"})
        ok = ok and g is not None and bytes(fr[0:6]) in {b"\x02\x00\x00\x00" + bytes([GW[g], i]) for i in (1, 2)}
        ok = ok and ip[8] == 63
        if n % 50 == 0:  # checksums on a sample: Python is slow
            checked_sum += 1
            ok = ok and ip_sum_ok(bytes(ip))
        if not ok and len(bad) < 10:
            bad.append("frame %d to %s left via %s (MAC %s, TTL %d)" % (
                n, ".".join(map(str, dst)), g, bytes(fr[0:6]).hex(), ip[8]))
        elif not ok:
            bad.append("")
    print("output frames: %d; P via %s; /24 via %s; %d checksums checked" % (
        n, seen["P"], seen["Q"], checked_sum))
    chk.check(n > N_FRAMES // 10, "erdp forwarded %d of %d frames" % (n, N_FRAMES))
    chk.check(not bad, "%d misforwarded or damaged frames, first: %s" % (len(bad), bad[:5]))
    chk.check(len(seen["P"]) >= 2,
              "P's frames used %s: the route changes did not overlap the traffic" % seen["P"])
    return env.close(chk)


if __name__ == "__main__":
    sys.exit(main())
