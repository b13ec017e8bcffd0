#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-telemetry-shutdown: /erdp/* telemetry queries that arrive while erdp
shuts down must not crash it.

Each round starts erdp on net_null ports (standard QinQ topology), lets
several threads hammer its telemetry socket with every /erdp/* command, each
on its own connection, as fast as the replies come, then sends SIGTERM while
they keep going. erdp must exit with status 0 every round, having printed its
final counters; a reply that arrives during the shutdown is either a normal
reply or {"error": ...}, never a crash. Before the fix, the handlers read the
configuration and counters that the teardown frees: exit 139 (SIGSEGV) in
every round here, and replies with garbage names before that.

usage: test_telemetry_shutdown.py ERDP_BINARY [ROUNDS]
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402

ROUNDS = 12
POLLERS = 6  # DPDK 22.11 serves at most 10 telemetry connections
COMMANDS = ["/erdp/ports", "/erdp/port,er-primary", "/erdp/circuits", "/erdp/circuits,1",
            "/erdp/circuit,contoso", "/erdp/peerings", "/erdp/peering,contoso/private",
            "/erdp/neighbors", "/erdp/drops", "/erdp/workers", "/erdp/ctl"]


class Poller(threading.Thread):
    """Sends every command in turn on one connection; reconnects while erdp lives."""

    def __init__(self, path, k, stop):
        super().__init__(daemon=True)
        self.path, self.k, self.stop = path, k, stop
        self.replies = 0
        self.errors = 0  # {"error": ...} replies (allowed while shutting down)
        self.bad = []    # replies that are neither

    def run(self):
        i = self.k
        while not self.stop.is_set():
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.settimeout(2)
            try:
                s.connect(self.path)
                s.recv(1 << 16)  # greeting
                while not self.stop.is_set():
                    cmd = COMMANDS[i % len(COMMANDS)]
                    i += 1
                    s.send(cmd.encode())
                    raw = s.recv(1 << 20)
                    if not raw:
                        break
                    self.check(cmd, raw)
            except (OSError, socket.timeout):
                time.sleep(0.001)  # erdp not listening (yet, or any more)
            finally:
                s.close()

    def check(self, cmd, raw):
        try:
            reply = json.loads(raw.decode())[cmd.split(",")[0]]
        except (ValueError, KeyError) as e:
            self.bad.append("%s: %s: %r" % (cmd, e, raw[:120]))
            return
        self.replies += 1
        if not isinstance(reply, dict):
            self.bad.append("%s: %r" % (cmd, raw[:120]))
        elif "error" in reply:  # every name exists: the only error is the shutdown
            self.errors += 1
            if reply["error"] != "erdp is shutting down":
                self.bad.append("%s: %r" % (cmd, raw[:120]))


def config(wd):
    t = et.standard_topo("qinq")
    devices = {p["name"]: "net_null%d" % i for i, p in enumerate(t.ports)}
    path = os.path.join(wd, "erdp.conf")
    with open(path, "w") as f:
        f.write(et.render_config(t, devices))
    return path


def wait_listening(path, proc, timeout=20):
    end = time.time() + timeout
    while time.time() < end and proc.poll() is None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.connect(path)
            s.recv(1 << 16)
            s.send(b"/erdp/drops")
            if b"unknown_s_tag" in s.recv(1 << 20):
                return True
        except OSError:
            pass
        finally:
            s.close()
        time.sleep(0.05)
    return False


def one_round(chk, exe, cfg, wd, n):
    prefix = "erdp-tsd-%d-%d" % (os.getpid(), n)
    stats = os.path.join(wd, "stats-%d.json" % n)
    sock = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
    cmd = [exe, "-c", cfg, "--stats-json", stats, "--stats-interval", "0", "--",
           "--no-huge", "-m", "256", "--file-prefix", prefix]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    stop = threading.Event()
    pollers = [Poller(sock, k, stop) for k in range(POLLERS)]
    try:
        if not chk.check(wait_listening(sock, proc), "round %d: telemetry never answered" % n):
            return
        for p in pollers:
            p.start()
        time.sleep(0.3)  # all connected and busy
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
        out = out.decode(errors="replace")
        stop.set()
        for p in pollers:
            p.join(5)
        replies = sum(p.replies for p in pollers)
        chk.eq(proc.returncode, 0, "round %d: exit status after SIGTERM while %d pollers ran (%d replies); "
               "output tail:\n%s" % (n, POLLERS, replies, out[-1500:]))
        chk.check("final counters" in out, "round %d: final counters printed" % n)
        chk.check(os.path.exists(stats), "round %d: stats file written" % n)
        chk.check(replies > 0, "round %d: the pollers got replies" % n)
        for p in pollers:
            for b in p.bad[:3]:
                chk.check(False, "round %d: poller %d: malformed reply %s" % (n, p.k, b))
        print("round %d: exit %s, %d replies, %d error replies" % (n, proc.returncode, replies,
                                                                  sum(p.errors for p in pollers)), flush=True)
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree("/var/run/dpdk/%s" % prefix, ignore_errors=True)


def main():
    exe = et.erdp_binary(sys.argv)
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else ROUNDS
    chk = et.Checker("e2e-telemetry-shutdown")
    wd = et.Workdir("telemetry-shutdown")
    cfg = config(wd.path)
    for n in range(rounds):
        one_round(chk, exe, cfg, wd.path, n)
    failed = chk.finish()
    wd.close(failed)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
