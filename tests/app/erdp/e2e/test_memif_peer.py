#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-memif-peer: a memif peer that comes and goes while traffic flows must
not crash erdp.

erdp runs the standard QinQ topology with gw0 on a net_memif port (erdp is
the memif server) and er-primary replaying customer frames toward gw0's
gateway instances forever (net_pcap, infinite_rx). The peer is DPDK's own
testpmd as memif client in macswap mode: it returns every frame to erdp,
which routes it out gw0 again (both directions of the memif carry traffic).
The test drives testpmd's prompt: forwarding on for a moment, then "port
stop" (the peer disconnects: erdp's memif driver unmaps the shared rings on
DPDK's interrupt thread while a worker polls them), "port start" (it
reconnects), over and over; every few cycles the peer is killed outright
and a new one started (the socket just closes); and before each cycle a few
clients connect to erdp's memif socket and hang up at once, before erdp's
hello.

Pass: erdp still runs after every cycle, answers telemetry, counted traffic
in both directions on gw0, reconnected at least CYCLES times (its memif log
says "Connected." each time), and exits 0 on SIGTERM. Without the fixes
(app/erdp/setup/peer_guard.c) erdp dies: with SIGSEGV inside the memif
driver within a few dozen cycles (unmap under a worker), and with a PANIC
of the interrupt thread at the first hang-up (dead socket left registered).
Skipped (77) when dpdk-testpmd or the memif driver is missing.

usage: test_memif_peer.py ERDP_BINARY [CYCLES]
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402
import std_scenario  # noqa: E402
from test_telemetry import telemetry, wait_for_socket  # noqa: E402

CYCLES = 80
BUDGET_S = 45  # stop cycling after this long, whatever the count (the test stays < 60 s)
HANG_UPS = 3  # clients per cycle that connect and close at once
SKIP = 77


def testpmd_binary():
    for name in ("dpdk-testpmd", "testpmd"):
        p = shutil.which(name)
        if p:
            return p
    return None


class Peer:
    """testpmd as memif client, driven through its interactive prompt."""

    def __init__(self, exe, sock, wd, n):
        self.prefix = "erdp-mpeer-%d-%d" % (os.getpid(), n)
        self.log = open(os.path.join(wd, "testpmd-%d.log" % n), "wb")
        cmd = [exe, "-l", "0-1", "--no-huge", "-m", "128", "--no-pci", "--file-prefix", self.prefix,
               "--log-level=lib.eal:error",
               "--vdev", "net_memif0,role=client,socket=%s,socket-abstract=no" % sock,
               "--", "-i", "--forward-mode=macswap", "--total-num-mbufs=2048", "--burst=32"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=self.log, stderr=subprocess.STDOUT)

    def say(self, line):
        try:
            self.proc.stdin.write((line + "\n").encode())
            self.proc.stdin.flush()
            return True
        except OSError:
            return False

    def alive(self):
        return self.proc.poll() is None

    def kill(self):
        if self.alive():
            self.proc.kill()
        self.proc.wait()
        self.log.close()
        shutil.rmtree("/var/run/dpdk/%s" % self.prefix, ignore_errors=True)

    def quit(self):
        if self.alive():
            self.say("stop")
            self.say("quit")
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.kill()


def hang_ups(sock, n):
    """n memif clients that connect and hang up before erdp's hello: the socket is all they do."""
    done = 0
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.connect(sock)
            done += 1
        except OSError:
            pass  # not listening at this instant
        finally:
            s.close()
    return done


def start_erdp(exe, wd, sock):
    sc = std_scenario.build(et.standard_topo("qinq"), flows_per_peering=16)
    topo = sc.topo
    c2g = [e.frame for e in sc.expects.values() if e.kind == "c2g" and e.gateway == "gw-contoso"
           and e.port == "er-primary"]
    rx = os.path.join(wd, "primary-in.pcap")
    et.write_pcap(rx, c2g)
    devices = {"er-primary": "net_pcap0,rx_pcap=%s,infinite_rx=1" % rx,
               "er-secondary": "net_null1,no-rx=1",
               "gw0": "net_memif0,role=server,socket=%s,socket-abstract=no" % sock,
               "gw1": "net_null3,no-rx=1"}
    cfg = os.path.join(wd, "erdp.conf")
    with open(cfg, "w") as f:
        f.write(et.render_config(topo, devices))
    prefix = "erdp-memif-%d" % os.getpid()
    log = open(os.path.join(wd, "erdp.log"), "wb")
    cmd = [exe, "-c", cfg, "--stats-interval", "0", "--", "--no-huge", "-m", "256",
           "--file-prefix", prefix, "--log-level=pmd.net.memif:info"]
    print("+ " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return proc, prefix, log, len(c2g)


def erdp_log(wd):
    with open(os.path.join(wd, "erdp.log"), "rb") as f:
        return f.read().decode(errors="replace")


def gw0(prefix):
    return next(p for p in telemetry(prefix, "/erdp/ports")["ports"].values() if p["name"] == "gw0")


def main():
    exe = et.erdp_binary(sys.argv)
    cycles = int(sys.argv[2]) if len(sys.argv) > 2 else CYCLES
    pmd = testpmd_binary()
    if pmd is None:
        print("SKIP: dpdk-testpmd not installed (Debian package dpdk)")
        return SKIP
    chk = et.Checker("e2e-memif-peer")
    wd = et.Workdir("memif-peer")
    sock = os.path.join(wd.path, "gw0.sock")
    rng = random.Random(11)
    proc, prefix, log, n_frames = start_erdp(exe, wd.path, sock)
    peers = []
    done = hung_up = 0
    try:
        if not wait_for_socket(prefix, proc):
            out = erdp_log(wd.path)
            if 'failed to parse device "net_memif' in out:  # EAL has no memif driver
                print("SKIP: this DPDK has no net_memif driver:\n" + out[-1500:])
                return SKIP
            chk.check(False, "erdp did not start; log tail:\n" + out[-3000:])
            return chk.finish()
        peer = Peer(pmd, sock, wd.path, 0)
        peers.append(peer)
        t0 = time.time()
        while done < cycles and time.time() - t0 < BUDGET_S and proc.poll() is None:
            if not peer.alive() or (done % 10 == 9):
                # the peer dies without a word: its socket closes under erdp
                peer.kill()
                peer = Peer(pmd, sock, wd.path, len(peers))
                peers.append(peer)
                time.sleep(0.3)
            hung_up += hang_ups(sock, HANG_UPS)
            peer.say("port start 0")
            peer.say("start")
            time.sleep(rng.uniform(0.15, 0.4))  # connected, frames both ways
            peer.say("stop")
            peer.say("port stop 0")  # disconnects: erdp unmaps the rings under its worker
            time.sleep(rng.uniform(0.0, 0.05))
            done += 1
        alive = proc.poll() is None
        out = erdp_log(wd.path)
        chk.check(alive, "erdp died after %d connect/disconnect cycles (status %r); log tail:\n%s"
                  % (done, proc.returncode, out[-3000:]))
        if not alive:
            return chk.finish()
        connects = out.count("Connected.")
        print("%d cycles, %d peers, %d hang-ups, erdp logged %d memif connections"
              % (done, len(peers), hung_up, connects), flush=True)
        chk.check(hung_up > 0, "no hang-up client could connect")
        chk.check(done >= min(cycles, 20), "only %d cycles in %d s" % (done, BUDGET_S))
        # A connection may not complete within a short cycle on a loaded machine: half is plenty.
        chk.check(connects >= done // 2, "erdp saw %d memif connections for %d cycles" % (connects, done))
        g = gw0(prefix)
        chk.check(g["tx_packets"] > 0, "gw0 (memif) sent frames: tx_packets %d" % g["tx_packets"])
        chk.check(g["rx_packets"] > 0, "gw0 (memif) received the peer's frames: rx_packets %d" % g["rx_packets"])
        print("gw0: rx %d tx %d drops %s" % (g["rx_packets"], g["tx_packets"],
                                              {k: v for k, v in g.get("drops", {}).items() if v}), flush=True)
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        chk.eq(proc.returncode, 0, "erdp exit status after SIGTERM")
    finally:
        for p in peers:
            p.quit() if p is peers[-1] else p.kill()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree("/var/run/dpdk/%s" % prefix, ignore_errors=True)
    rc = chk.finish()
    wd.close(rc != 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
