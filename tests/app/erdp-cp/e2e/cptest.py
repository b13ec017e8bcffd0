# SPDX-License-Identifier: BSD-3-Clause
"""Harness for the control-plane end-to-end tests (tests/cp/test_*.py).

Runs the real processes: erdp (net_pcap ports with an infinite_rx source
toward net_null sinks, --no-huge, a unique --file-prefix), erdp-cp on the
same instance with a private socket, and erdpctl. Reads erdp's counters
from its DPDK telemetry socket. Everything started is stopped and the
control segment and DPDK runtime directory are removed at the end.

Usage in a test: `env = Env("name", sys.argv[1:])` with the arguments
ERDP ERDP_CP ERDPCTL GEN_ROUTES that meson passes; `env.close(chk)` last.
Nothing here asserts on wall time: waits poll a condition with a generous
deadline, and counters are compared as "grew" / "did not grow".
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "erdp", "e2e"))

import erdptest  # noqa: E402
from erdptest import Checker, l2, udp4, write_pcap  # noqa: E402,F401
from erdptest import WAIT_S, telemetry, wait_for  # noqa: E402,F401

def test_topo():
    """The e2e standard topology; frames from the customer come from one pcap."""
    return erdptest.standard_topo("qinq")


def c2g_frame(topo, peering, dst, src="10.10.1.1", link="primary", sport=1000):
    """A customer -> gateway UDP frame on `link` of `peering` to `dst`."""
    sc = erdptest.Scenario(topo)
    p = topo.peering_by_name(peering)
    port = topo.port_by_role(link)
    l3 = udp4(src, dst, sport, 53, 1)
    return l2(port["mac"], p["mac"][link], sc.er_tags(peering), 0x0800) + l3


class Env:
    def __init__(self, name, argv):
        if len(argv) < 3:
            print("usage: %s ERDP ERDP_CP ERDPCTL [GEN_ROUTES]" % sys.argv[0])
            sys.exit(1)
        self.erdp_exe, self.cp_exe, self.ctl_exe = [os.path.abspath(a) for a in argv[:3]]
        self.gen_routes = os.path.abspath(argv[3]) if len(argv) > 3 else os.path.join(
            HERE, "..", "..", "..", "..", "tools", "gen-routes")
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="erdp-cp-%s-" % name)
        self.prefix = "erdpcp-%s-%d" % (name, os.getpid())
        self.sock = os.path.join(self.dir, "cp.sock")
        self.config = os.path.join(self.dir, "erdp.conf")
        self.state = os.path.join(self.dir, "state.db")
        self.erdp = None
        self.cp = None
        self.logs = []

    # ---- config -------------------------------------------------------------------
    def write_config(self, topo, primary_frames, vrf_caps=None, text_edit=None):
        """Config for topo: the primary port replays primary_frames forever; every
        other port is a net_null sink (no rx). vrf_caps: VRF name -> ipv4 capacity."""
        self.topo_now = topo
        pcap = os.path.join(self.dir, "primary-in.pcap")
        write_pcap(pcap, primary_frames)
        devices = {}
        for i, p in enumerate(topo.ports):
            if p["role"] == "primary":
                devices[p["name"]] = "net_pcap%d,rx_pcap=%s,infinite_rx=1" % (i, pcap)
            else:
                devices[p["name"]] = "net_null%d,no-rx=1" % i
        text = erdptest.render_config(topo, devices)
        for vrf, cap in (vrf_caps or {}).items():
            text = text.replace('name = "%s";\n    ipv4_routes = 1024;' % vrf,
                                'name = "%s";\n    ipv4_routes = %d;' % (vrf, cap))
            text = text.replace('{ name = "%s"; ipv4_routes = 1024;' % vrf,
                                '{ name = "%s"; ipv4_routes = %d;' % (vrf, cap))
        if text_edit:
            text = text_edit(text)
        with open(self.config, "w") as f:
            f.write(text)
        return text

    # ---- processes ----------------------------------------------------------------
    def _log(self, what):
        path = os.path.join(self.dir, "%s-%d.log" % (what, len(self.logs)))
        self.logs.append(path)
        return open(path, "w")

    def start_erdp(self, wait=True):
        cmd = [self.erdp_exe, "-c", self.config, "--quiet", "--", "--no-huge", "-m", "1024",
               "--file-prefix", self.prefix]
        print("+ " + " ".join(cmd), flush=True)
        self.erdp = subprocess.Popen(cmd, stdout=self._log("erdp"), stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        if wait:
            wait_for(lambda: self.erdp.poll() is not None or telemetry(self.prefix, "/erdp/ctl"),
                     "erdp's telemetry")
            if self.erdp.poll() is not None:
                raise RuntimeError("erdp exited with %s:\n%s" % (self.erdp.returncode, self.tail()))
        return self.erdp

    def start_cp(self, wait=True, config=None, args=(), wrap=(), extra=()):
        """erdp-cp with extra options `args` (or `extra`), its command line prefixed by `wrap`."""
        cmd = list(wrap) + [self.cp_exe, "-c", config or self.config, "--instance", self.prefix,
                            "--socket", self.sock, "--state", self.state] + list(args) + list(extra)
        print("+ " + " ".join(cmd), flush=True)
        self.cp = subprocess.Popen(cmd, stdout=self._log("erdp-cp"), stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        if wait:
            wait_for(lambda: self.cp.poll() is not None or os.path.exists(self.sock),
                     "erdp-cp's socket")
            if self.cp.poll() is not None:
                raise RuntimeError("erdp-cp exited with %s:\n%s" % (self.cp.returncode, self.tail()))
        return self.cp

    def stop(self, proc, sig=signal.SIGTERM, timeout=30):
        if proc is None or proc.poll() is not None:
            return proc.returncode if proc is not None else None
        proc.send_signal(sig)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()

    def tail(self, n=40):
        out = []
        for p in self.logs:
            with open(p, errors="replace") as f:
                lines = f.read().splitlines()
            out.append("---- %s\n%s" % (os.path.basename(p), "\n".join(lines[-n:])))
        return "\n".join(out)

    # ---- erdpctl ------------------------------------------------------------------
    def ctl(self, *args, sock=None, timeout=600):
        cmd = [self.ctl_exe, "--socket", sock or self.sock] + [str(a) for a in args]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")

    def ctl_json(self, *args):
        rc, out, err = self.ctl("--json", *args)
        try:
            return rc, json.loads(out) if out.strip() else None, err
        except ValueError:
            return rc, None, err + "\n[stdout not JSON] " + out

    def status(self):
        rc, j, _ = self.ctl_json("status")
        return j["result"] if rc == 0 and j else None

    def wait_synced(self, min_syncs=1, dp_boot=None):
        """Until erdp-cp is connected to erdp (another boot than dp_boot) and its sync is done."""
        def ok():
            s = self.status()
            if not s or s["dataplane"] != "connected" or s["sync_in_progress"]:
                return None
            if s["full_syncs"] < min_syncs or (dp_boot and s["dataplane_boot_id"] == dp_boot):
                return None
            if s["messages_queued"] or s["messages_in_flight"]:
                return None
            return s
        return wait_for(ok, "erdp-cp to finish its full sync")

    def verify(self, chk, what, vrf=None, full=False):
        """erdpctl verify: erdp-cp's RIB and erdp's routes and FIB agree, route by route."""
        args = ["verify"] + ([vrf] if vrf else []) + (["--full"] if full else [])
        rc, out, err = self.ctl(*args)
        return chk.check(rc == 0, "%s: erdpctl %s: exit %d: %s%s" % (
            what, " ".join(args), rc, out.strip(), err.strip()[:3000]))

    def cp_log(self):
        """Everything erdp-cp wrote so far (all its runs)."""
        text = ""
        for p in self.logs:
            if os.path.basename(p).startswith("erdp-cp"):
                with open(p, errors="replace") as f:
                    text += f.read()
        return text

    # ---- counters -----------------------------------------------------------------
    def tel(self, cmd):
        return telemetry(self.prefix, cmd)

    def objects(self, names, one_cmd):
        """name -> flat counters (drop reasons next to rx/tx) of each object, one query each."""
        out = {}
        for n in names:
            o = self.tel("%s,%s" % (one_cmd, n)) or {}
            o = dict(o.get("object", o))
            o.update(o.pop("drops", None) or {})
            out[n] = o
        return out

    def counters(self):
        """{'ports': {...}, 'circuits': {...}, 'drops': {...}} right now."""
        t = self.topo_now
        return {"ports": self.objects([p["name"] for p in t.ports], "/erdp/port"),
                "circuits": self.objects([c["name"] for c in t.circuits], "/erdp/circuit"),
                "drops": self.tel("/erdp/drops") or {}}

    def settle(self, loops=2, timeout=20):
        """Wait until every worker has run `loops` more poll loops. Each loop ends with a
        TX flush, so frames looked up before a change erdp acknowledged are out by then:
        a measurement that starts afterwards sees only the new state, however slowly a
        busy host schedules the workers."""
        def now():
            w = self.tel("/erdp/workers") or {}
            return {k: v["loops"] for k, v in w.items() if isinstance(v, dict) and "loops" in v}
        start = now()
        deadline = time.time() + timeout
        while time.time() < deadline:
            cur = now()
            if start and all(cur.get(k, 0) >= v + loops for k, v in start.items()):
                return True
            time.sleep(0.01)
        return False

    def counters_after(self, a, min_rx=256, timeout=20):
        """Counters once the ports have received `min_rx` frames more than in snapshot `a`
        (or after `timeout`): on a busy host the workers may not run at all for a while."""
        deadline = time.time() + timeout
        while True:
            b = self.counters()
            got = sum(v.get("rx_packets", 0) for v in b["ports"].values()) - \
                sum(v.get("rx_packets", 0) for v in a["ports"].values())
            if got >= min_rx or time.time() > deadline:
                return b
            time.sleep(0.05)

    def delta(self, seconds=0.5, min_rx=256, timeout=20):
        """Counters' growth over a window of at least `seconds` that lasts until the ports
        have received `min_rx` more frames (counters_after)."""
        a = self.counters()
        time.sleep(seconds)
        b = self.counters_after(a, min_rx, timeout)

        def sub(x, y):
            if isinstance(x, dict):
                return {k: sub(x.get(k, 0 if not isinstance(v, dict) else {}), v) for k, v in y.items()}
            if not isinstance(y, int):
                return y  # names, states
            return y - (x if isinstance(x, int) else 0)
        return sub(a, b)

    # ---- running ------------------------------------------------------------------
    def run(self, chk, *steps):
        """Run step(chk, env) in turn (a harness exception is a failed check), then close."""
        try:
            for step in steps:
                step(chk, self)
        except Exception as e:  # noqa: BLE001 - a harness failure is a test failure
            chk.check(False, "harness: %r" % e)
        return self.close(chk)

    # ---- cleanup ------------------------------------------------------------------
    def close(self, chk):
        self.stop(self.cp)
        self.stop(self.erdp)
        for p in ("/dev/shm/erdp-%s.ctl" % self.prefix,):
            if os.path.exists(p):
                os.unlink(p)
        shutil.rmtree("/var/run/dpdk/%s" % self.prefix, ignore_errors=True)
        rc = chk.finish()
        if rc != 0 or os.environ.get("ERDP_KEEP"):
            print(self.tail())
            print("work files kept in %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return rc


def ctr(d, *path):
    for k in path:
        d = (d or {}).get(k, 0)
    return d or 0
