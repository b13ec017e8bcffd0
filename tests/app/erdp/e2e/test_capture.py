#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-capture: Debian's dpdk-dumpcap captures a running erdp's ports.

erdp forwards both ways without end: customer frames of four peerings
(S-tags 100, 110, 120; outer TPIDs 0x8100 and 0x88a8) replayed on
er-primary (net_pcap, infinite_rx), gateway frames of gw-contoso (VLAN 10)
and gw-fabrikam (VLAN 20) replayed on gw0. dpdk-dumpcap, a DPDK secondary
process, then captures with libpcap filters:

  A. er-primary, 'vlan 100' (one circuit's S-tag), -c 64: the pcapng file
     holds as many frames as dumpcap reports, at least 64, and each one is,
     byte for byte, a received customer frame of S-tag 100 (direction "in")
     or a frame erdp sent to that circuit (direction "out"); no other
     circuit's frame.
  B. gw0, 'vlan 10', stopped by SIGINT: while it runs, erdp keeps
     forwarding (counters of both directions grow); the file holds gw-contoso's
     frames only: received from its instances, or sent to them.
  C. er-primary again, 'vlan 110', -c 32: capture A was torn down (pdump
     refuses a second capture on a port that still has one) and the new
     filter holds fabrikam's frames only.

After each capture erdp's ports stay up and forwarding goes on: a DPDK
22.11 secondary that exits stops its copy of every device, which marks a
net_pcap port's shared link state down; erdp ignores net_pcap's link
(ports.c), and this test fails without that.

A secondary process needs the primary's memory to be shared hugepages, so
erdp runs on hugepages here (-m 128): the test is skipped (exit 77) where
none are free (tools/hugepages.sh reserves them; tools/run-tests runs it).

usage: test_capture.py ERDP_BINARY
"""
import os
import re
import shutil
import signal
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402
from erdptest import telemetry, wait_for  # noqa: E402

SKIP = 77  # meson: test skipped
WAIT_S = et.WAIT_S
HUGE_MB = 256  # erdp's -m 128 plus dumpcap's capture pool, with room
FLOWS = 6  # frames per peering and direction in the replayed streams
PCAP_ARGS_MAX = 63
STRESS_CYCLES = int(os.environ.get("ERDP_CAPTURE_CYCLES", "10"))

PCAPNG_SHB, PCAPNG_IDB, PCAPNG_EPB = 0x0A0D0D0A, 1, 6
EPB_FLAGS = 2
DIR_IN, DIR_OUT = 1, 2


def hugepages_free_mb():
    """MB of free hugepages on a mounted hugetlbfs; 0 when there is none."""
    with open("/proc/mounts") as f:
        if not any(line.split()[2:3] == ["hugetlbfs"] for line in f):
            return 0
    info = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":", 1)
            info[k] = int(v.split()[0])
    return info.get("HugePages_Free", 0) * info.get("Hugepagesize", 0) // 1024


def read_pcapng(path):
    """[(frame bytes, direction: DIR_IN, DIR_OUT or None)] of a pcapng file's packet blocks."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 12 or struct.unpack_from("<I", data, 0)[0] != PCAPNG_SHB:
        raise ValueError("%s: not a pcapng file (first block %r)" % (path, data[:4].hex()))
    e = "<" if struct.unpack_from("<I", data, 8)[0] == 0x1A2B3C4D else ">"
    out, off = [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from(e + "II", data, off)
        if blen < 12 or off + blen > len(data):
            raise ValueError("%s: truncated block at offset %d" % (path, off))
        if btype == PCAPNG_EPB:
            caplen = struct.unpack_from(e + "I", data, off + 20)[0]
            frame = data[off + 28:off + 28 + caplen]
            direction, opt = None, off + 28 + (caplen + 3) // 4 * 4
            while opt + 4 <= off + blen - 4:
                code, olen = struct.unpack_from(e + "HH", data, opt)
                if code == 0:
                    break
                if code == EPB_FLAGS and olen == 4:
                    direction = struct.unpack_from(e + "I", data, opt + 4)[0] & 3
                opt += 4 + (olen + 3) // 4 * 4
            out.append((frame, direction))
        off += blen
    return out


class Traffic:
    """The replayed streams and, per port, the frames erdp may send there."""

    def __init__(self):
        t = et.standard_topo("qinq")
        self.topo = t
        self.sc = et.Scenario(t)
        self.rx = {}  # frame bytes -> (port, key): every input frame
        self.tx = {}  # frame bytes -> (port, key): every frame erdp may send
        c2g = [("contoso/private", "gw-contoso", "10.100.1.%d"),
               ("contoso/microsoft", "gw-m365", "13.107.1.%d"),
               ("fabrikam/private", "gw-fabrikam", "10.100.2.%d"),
               ("woodgrove/private", "gw-woodgrove", "10.130.1.%d")]
        for i in range(FLOWS):
            for peering, gw, dst in c2g:
                tpid = (0x8100, 0x88a8)[i % 2]
                l3 = et.udp4("10.9.%d.1" % i, dst % (i + 1), 1000 + i, 53, self.sc.fid())
                e = self.sc.c2g("primary", peering, gw, l3, tpid=tpid)
                self.rx[e.frame] = ("er-primary", self.circuit_tag(peering))
                self._gateway_outputs(gw, l3)
        g2c = [("gw-contoso", "contoso/private", "10.10.%d.1"),
               ("gw-fabrikam", "fabrikam/private", "10.20.%d.1")]
        for i in range(FLOWS):
            for gw, peering, dst in g2c:
                inst = t.gateway_by_name(gw)["instances"][i % 2]
                l3 = et.udp4("10.100.9.%d" % (i + 1), dst % (i + 1), 2000 + i, 80, self.sc.fid())
                e = self.sc.g2c(inst["port"], inst["vlan"], inst["mac"], peering, l3)
                self.rx[e.frame] = (inst["port"], inst["vlan"])
                self._customer_outputs(peering, l3)

    def circuit_tag(self, peering):
        return self.topo.circuit_by_name(self.topo.peering_by_name(peering)["circuit"])["s_tag"]

    def _gateway_outputs(self, gw, l3):
        t = self.topo
        for inst in t.gateway_by_name(gw)["instances"]:
            port = t.port_by_name(inst["port"])
            tags = [(0x8100, inst["vlan"])] if inst["vlan"] else []
            f = et.l2(inst["mac"], port["mac"], tags, 0x0800) + et.forwarded_l3(l3)
            self.tx[f] = (inst["port"], inst["vlan"])

    def _customer_outputs(self, peering, l3):
        t = self.topo
        p = t.peering_by_name(peering)
        s_tag = self.circuit_tag(peering)
        for link in et.LINKS:
            port = t.port_by_role(link)
            tags = [(t.egress_tpid, s_tag), (0x8100, p["vlan"])]
            f = et.l2(p["mac"][link], port["mac"], tags, 0x0800) + et.forwarded_l3(l3)
            self.tx[f] = (port["name"], s_tag)


class Erdp:
    def __init__(self, exe, tr, wd):
        self.tr, self.wd = tr, wd
        self.prefix = "erdp-cap-%d" % os.getpid()
        self.device = {}
        for i, p in enumerate(tr.topo.ports):
            frames = tr.sc.inputs[p["name"]]
            if frames:
                pcap = os.path.join(wd, "p%d.pcap" % i)
                et.write_pcap(pcap, frames)
                dev = "net_pcap%d,rx_pcap=%s,infinite_rx=1" % (i, pcap)
                # DPDK 22.11's net_pcap hands secondaries 63 bytes of its arguments.
                if len(dev.split(",", 1)[1]) > PCAP_ARGS_MAX:
                    raise RuntimeError("%s: arguments longer than %d bytes: dpdk-dumpcap cannot "
                                       "attach (use a shorter $TMPDIR)" % (dev, PCAP_ARGS_MAX))
            else:
                dev = "net_null%d,no-rx=1" % i
            self.device[p["name"]] = dev
        text = et.render_config(tr.topo, self.device).replace("huge = false;", "huge = true;")
        cfg = os.path.join(wd, "erdp.conf")
        with open(cfg, "w") as f:
            f.write(text)
        self.log = os.path.join(wd, "erdp.log")
        cmd = [exe, "-c", cfg, "--quiet", "--", "-m", "128", "--file-prefix", self.prefix]
        print("+ " + " ".join(cmd), flush=True)
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        wait_for(lambda: self.proc.poll() is not None or self.tel("/erdp/ports"), "erdp's telemetry")
        if self.proc.poll() is not None:
            raise RuntimeError("erdp exited with %s:\n%s" % (self.proc.returncode, self.tail()))

    def dpdk_name(self, port):
        """The DPDK device name dpdk-dumpcap knows a port by (its device string's first part)."""
        return self.device[port].split(",")[0]

    def tel(self, cmd):
        return telemetry(self.prefix, cmd)

    def ports(self):
        """name -> /erdp/ports entry."""
        r = self.tel("/erdp/ports") or {}
        return {e["name"]: e for e in (r.get("ports") or {}).values()}

    def tail(self):
        with open(self.log, errors="replace") as f:
            return "".join(f.readlines()[-30:])

    def close(self):
        rc = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree("/var/run/dpdk/%s" % self.prefix, ignore_errors=True)
        seg = "/dev/shm/erdp-%s.ctl" % self.prefix  # left by an erdp that did not exit cleanly
        if os.path.exists(seg):
            os.unlink(seg)
        for f in os.listdir("/dev/hugepages") if os.path.isdir("/dev/hugepages") else []:
            if f.startswith(self.prefix + "map_"):
                os.unlink(os.path.join("/dev/hugepages", f))
        return rc


def dumpcap_cmd(dumpcap, erdp, port, flt, out, count=None):
    cmd = [dumpcap, "--file-prefix", erdp.prefix, "-i", erdp.dpdk_name(port), "-w", out]
    if flt:
        cmd += ["-f", flt]
    if count is not None:
        cmd += ["-c", str(count)]
    print("+ " + " ".join("'%s'" % a if " " in a else a for a in cmd), flush=True)
    return cmd


def dumpcap_counts(stderr):
    """(captured, received, dropped) from dumpcap's report; None where absent."""
    s = stderr.replace("\b", " ")
    cap = re.findall(r"Packets captured:\s*((?:\d+\s*)+)", s)
    captured = int(cap[-1].split()[-1]) if cap else None
    m = re.search(r"Packets received/dropped on interface '[^']*': (\d+)/(\d+)", s)
    return captured, (int(m.group(1)) if m else None), (int(m.group(2)) if m else None)


def check_capture(chk, tr, what, path, stderr, port, key, at_least):
    """Every frame of the file is one that crossed `port` with tag `key` in its direction."""
    try:
        frames = read_pcapng(path)
    except (OSError, ValueError) as e:
        chk.check(False, "%s: %s" % (what, e))
        return
    captured, received, dropped = dumpcap_counts(stderr)
    print("%s: %d frames in the file; dumpcap: captured %s, received %s, dropped %s"
          % (what, len(frames), captured, received, dropped))
    chk.eq(len(frames), captured, what + ": frames in the file vs dumpcap's count")
    chk.check(len(frames) >= at_least, "%s: %d frames, want at least %d" % (what, len(frames), at_least))
    want_in = {f for f, pk in tr.rx.items() if pk == (port, key)}
    want_out = {f for f, pk in tr.tx.items() if pk == (port, key)}
    bad, seen_in, seen_out = 0, set(), set()
    for i, (f, direction) in enumerate(frames):
        if f in want_in and direction == DIR_IN:
            seen_in.add(f)
        elif f in want_out and direction == DIR_OUT:
            seen_out.add(f)
        else:
            bad += 1
            if bad <= 5:
                known = tr.rx.get(f) or tr.tx.get(f)
                chk.check(False, "%s: frame %d (direction %s) is not one of %s tag %s: %s (%s)"
                          % (what, i, direction, port, key, f[:24].hex(),
                             "a frame of %s tag %s" % known if known else "unknown bytes"))
    chk.eq(bad, 0, what + ": frames that do not belong in the capture")
    print("%s: %d distinct received and %d distinct sent frames of %d and %d possible"
          % (what, len(seen_in), len(seen_out), len(want_in), len(want_out)))


def check_forwarding(chk, erdp, what):
    """erdp forwards both ways and its ports are up (counters grow over a short wait)."""
    if not chk.check(erdp.proc.poll() is None, "%s: erdp is not running (exit %s):\n%s"
                     % (what, erdp.proc.returncode, erdp.tail())):
        return None
    a = erdp.ports()

    def grew():
        b = erdp.ports()
        return all(b.get(p, {}).get(k, 0) > a.get(p, {}).get(k, 0)
                   for p, k in (("er-primary", "rx_packets"), ("gw0", "tx_packets"),
                                ("gw0", "rx_packets"), ("er-primary", "tx_packets"))) and b
    try:
        b = wait_for(grew, "erdp's counters to grow (%s)" % what)
    except TimeoutError as e:
        chk.check(False, "%s: erdp stopped forwarding: %s; ports %s" % (what, e, erdp.ports()))
        return
    for name, e in sorted(b.items()):
        chk.eq(e.get("link"), "up", "%s: port %s link" % (what, name))
    return b


def counted_capture(chk, tr, erdp, dumpcap, wd, name, port, vlan, count):
    """dumpcap -f 'vlan VLAN' -c COUNT on port: checked frame by frame; erdp forwards after."""
    out = os.path.join(wd, "%s.pcapng" % name.lower())
    what = "capture %s (%s, vlan %d)" % (name, port, vlan)
    r = subprocess.run(dumpcap_cmd(dumpcap, erdp, port, "vlan %d" % vlan, out, count),
                       capture_output=True, timeout=WAIT_S, text=True)
    chk.eq(r.returncode, 0, "%s: dumpcap exit status (stderr: %s)" % (what, r.stderr[-500:]))
    check_capture(chk, tr, what, out, r.stderr, port, vlan, count)
    check_forwarding(chk, erdp, "after capture " + name)


def stop_start(chk, erdp, dumpcap, wd):
    """Captures that stop while the workers copy every frame (no filter) must not crash erdp.

    DPDK 22.11's pdump answers "stopped" before its callbacks are done, and
    dumpcap then frees the pool they copy into; erdp holds the answer back
    for a grace period of its workers (capture.c). Without that, a few
    cycles here crash erdp on a loaded machine.
    """
    out = os.path.join(wd, "s.pcapng")
    for i in range(STRESS_CYCLES):
        port = ("er-primary", "gw0")[i % 2]
        r = subprocess.run(dumpcap_cmd(dumpcap, erdp, port, "", out, 32), capture_output=True,
                           timeout=WAIT_S, text=True)
        if not chk.check(erdp.proc.poll() is None, "stop/start %d: erdp died when a capture on %s "
                         "stopped:\n%s" % (i, port, erdp.tail())):
            return
        chk.eq(r.returncode, 0, "stop/start %d: dumpcap exit status (stderr: %s)" % (i, r.stderr[-300:]))
    check_forwarding(chk, erdp, "after %d captures" % STRESS_CYCLES)


def run(chk, exe, dumpcap, wd):
    tr = Traffic()
    erdp = Erdp(exe, tr, wd)
    try:
        listing = subprocess.run([dumpcap, "--file-prefix", erdp.prefix, "-D"], capture_output=True,
                                 timeout=WAIT_S, text=True)
        for port in ("er-primary", "gw0"):
            chk.check(re.search(r"^\d+\. %s$" % erdp.dpdk_name(port), listing.stdout, re.M),
                      "dumpcap -D does not list %s: %r" % (erdp.dpdk_name(port), listing.stdout))
        check_forwarding(chk, erdp, "before any capture")

        # A: one circuit's S-tag on a customer port, a fixed count.
        counted_capture(chk, tr, erdp, dumpcap, wd, "A", "er-primary", 100, 64)

        # B: a gateway VLAN, while erdp forwards, until SIGINT.
        out = os.path.join(wd, "b.pcapng")
        dc = subprocess.Popen(dumpcap_cmd(dumpcap, erdp, "gw0", "vlan 10", out), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        try:
            wait_for(lambda: dc.poll() is not None or (os.path.exists(out) and os.path.getsize(out) > 4096),
                     "capture B to write frames")
            chk.check(dc.poll() is None, "capture B: dumpcap exited early")
            check_forwarding(chk, erdp, "during capture B")
            chk.check(dc.poll() is None, "capture B: dumpcap was not running throughout")
        finally:
            if dc.poll() is None:
                dc.send_signal(signal.SIGINT)
            _, err = dc.communicate(timeout=WAIT_S)
        chk.eq(dc.returncode, 0, "capture B: dumpcap exit status after SIGINT (stderr: %s)" % err[-500:])
        check_capture(chk, tr, "capture B (gw0, vlan 10)", out, err, "gw0", 10, 1)
        check_forwarding(chk, erdp, "after capture B")

        # C: the first port again, another circuit.
        counted_capture(chk, tr, erdp, dumpcap, wd, "C", "er-primary", 110, 32)
        stop_start(chk, erdp, dumpcap, wd)
        chk.check(erdp.proc.poll() is None, "erdp exited during the captures:\n" + erdp.tail())
    finally:
        rc = erdp.close()
    chk.eq(rc, 0, "erdp's exit status on SIGTERM")
    if chk.failures:
        print(erdp.tail())


def main():
    exe = et.erdp_binary()
    chk = et.Checker("e2e-capture")
    dumpcap = shutil.which("dpdk-dumpcap")
    if dumpcap is None:
        print("dpdk-dumpcap not found: install Debian's dpdk package (tools/install-deps.sh)")
        return 1
    free = hugepages_free_mb()
    if free < HUGE_MB:
        print("SKIP: dpdk-dumpcap is a DPDK secondary process and needs erdp on hugepages: "
              "%d MB free, %d MB wanted (tools/hugepages.sh)" % (free, HUGE_MB))
        return SKIP
    wd = et.Workdir("capture")
    try:
        run(chk, exe, dumpcap, wd.path)
    except Exception as e:  # noqa: BLE001 - a harness failure is a test failure
        chk.check(False, "harness: %r" % e)
    rc = chk.finish()
    wd.close(rc != 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
