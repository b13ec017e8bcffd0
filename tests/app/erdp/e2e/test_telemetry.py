#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-telemetry: counters are readable while erdp runs, and signals stop it
cleanly.

erdp replays the standard scenario's input pcaps forever (infinite_rx), so
counters keep growing. Through DPDK's telemetry socket (the protocol
dpdk-telemetry.py speaks: SOCK_SEQPACKET, one JSON reply per command) the
test reads /erdp/circuits, /erdp/ports, /erdp/peerings, /erdp/drops and
/erdp/neighbors twice and checks they are consistent and moving. Then
SIGTERM (and, in a second run, SIGINT) must stop erdp with exit status 0,
final counters on stdout and a stats file whose totals are at least the
last live reading."""
import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402
import std_scenario  # noqa: E402


def telemetry(prefix, cmd):
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    try:
        json.loads(s.recv(1 << 16).decode())  # greeting: version, pid, max_output_len
        s.send(cmd.encode())
        raw = s.recv(1 << 20).decode()
        reply = json.loads(raw)[cmd.split(",")[0]]
        if reply is None:
            raise AssertionError("telemetry %s: null reply (callback failed): %s" % (cmd, raw[:200]))
        return reply
    finally:
        s.close()


def wait_for_socket(prefix, proc, timeout=20):
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
    end = time.time() + timeout
    while time.time() < end and proc.poll() is None:
        if os.path.exists(path):
            try:
                telemetry(prefix, "/erdp/drops")
                return True
            except (OSError, ValueError, AssertionError):  # not registered yet
                pass
        time.sleep(0.1)
    return False


def start(exe, sc, wd, name):
    """erdp on the scenario's pcaps with infinite_rx; returns (proc, prefix, stats path)."""
    topo = sc.topo
    devices = {}
    for i, p in enumerate(topo.ports):
        rx = os.path.join(wd, "%s-%s-in.pcap" % (name, p["name"]))
        frames = sc.inputs.get(p["name"], [])
        et.write_pcap(rx, frames)
        # A port without input still needs a packet source for infinite_rx; tx is dropped.
        devices[p["name"]] = ("net_pcap%d,rx_pcap=%s,infinite_rx=1" % (i, rx) if frames
                              else "net_null%d,no-rx=1" % i)
    cfg = os.path.join(wd, "%s.conf" % name)
    with open(cfg, "w") as f:
        f.write(et.render_config(topo, devices))
    stats = os.path.join(wd, "%s-stats.json" % name)
    prefix = "erdp-tel-%d-%s" % (os.getpid(), name)
    cmd = [exe, "-c", cfg, "--stats-json", stats, "--stats-interval", "0", "--",
           "--no-huge", "-m", "256", "--file-prefix", prefix]
    print("+ " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    return proc, prefix, stats


def listing(prefix, cmd, key):
    """Every entry of a paged /erdp list command, following "next"."""
    out, start = [], 0
    while True:
        r = telemetry(prefix, "%s,%d" % (cmd, start))
        out += [r[key][k] for k in sorted(r.get(key, {}), key=int)]
        if "next" not in r:
            return out
        start = r["next"]


def total(entries, key):
    return sum(e[key] for e in entries)


def run_one(chk, exe, sc, wd, sig):
    name = signal.Signals(sig).name.lower()
    proc, prefix, stats = start(exe, sc, wd, name)
    try:
        if not chk.check(wait_for_socket(prefix, proc), "%s: telemetry socket never answered" % name):
            return
        circ1 = listing(prefix, "/erdp/circuits", "circuits")
        time.sleep(0.5)
        circ2 = listing(prefix, "/erdp/circuits", "circuits")
        ports = listing(prefix, "/erdp/ports", "ports")
        peerings = listing(prefix, "/erdp/peerings", "peerings")
        drops = telemetry(prefix, "/erdp/drops")
        neigh = listing(prefix, "/erdp/neighbors", "neighbors")
        c0 = sc.topo.circuits[0]["name"]
        one = telemetry(prefix, "/erdp/circuit,%s" % c0)
        names = {c["name"] for c in sc.topo.circuits}
        pnames = {p["circuit"] + "/" + p["type"] for p in sc.topo.peerings}
        chk.eq({c["name"] for c in circ2}, names, "%s: /erdp/circuits lists every circuit" % name)
        chk.eq(one.get("object", {}).get("name"), c0, "%s: /erdp/circuit,<name> selects one" % name)
        chk.check(set(et.DROP_REASONS) <= set(one.get("object", {}).get("drops", {})),
                  "%s: /erdp/circuit,<name> lists every drop reason" % name)
        chk.check("error" in telemetry(prefix, "/erdp/circuit,no-such-circuit"),
                  "%s: an unknown circuit name gets an error" % name)
        chk.eq({p["name"] for p in ports}, {p["name"] for p in sc.topo.ports}, "%s: /erdp/ports" % name)
        chk.eq({p["name"] for p in peerings}, pnames, "%s: /erdp/peerings" % name)
        chk.eq({n["peering"] for n in neigh}, pnames, "%s: /erdp/neighbors has every peering" % name)
        for n in neigh:
            chk.eq(n["state"], "static", "%s: %s %s %s neighbour state (static MAC)"
                   % (name, n["peering"], n["link"], n["ip"]))
        links = listing(prefix, "/erdp/links", "links")
        chk.eq(sorted((e["name"], e["link"]) for e in links),
               sorted((p, link) for p in pnames for link in et.LINKS),
               "%s: /erdp/links lists each peering's two links once" % name)
        for e in links:
            chk.eq(e.get("admin"), "up", "%s: /erdp/links %s %s admin" % (name, e["name"], e["link"]))
        pe = telemetry(prefix, "/erdp/peering,%s" % sorted(pnames)[0])
        chk.eq(set(pe.get("links", {})), {"primary", "secondary"}, "%s: /erdp/peering links" % name)
        chk.check(total(circ2, "rx_packets") > total(circ1, "rx_packets"),
                  "%s: circuit rx counters move while running (%d -> %d)"
                  % (name, total(circ1, "rx_packets"), total(circ2, "rx_packets")))
        chk.check(total(circ2, "tx_packets") > 0, "%s: traffic is forwarded to customers" % name)
        for reason in et.DROP_REASONS:
            chk.check(reason in drops, "%s: /erdp/drops lists %s" % (name, reason))
        chk.check(drops.get("unknown_s_tag", 0) > 0, "%s: the scenario's unknown S-tags are counted" % name)
        # Every command erdp --help documents is registered (DPDK refuses one whose help
        # text is too long, silently unless erdp says so).
        cmds = set(telemetry(prefix, "/") or [])
        for c in ("/erdp/ports", "/erdp/port", "/erdp/circuits", "/erdp/circuit", "/erdp/peerings",
                  "/erdp/peering", "/erdp/neighbors", "/erdp/drops", "/erdp/workers", "/erdp/ctl",
                  "/erdp/host"):
            chk.check(c in cmds, "%s: telemetry command %s is registered" % (name, c))
        # Without bgp.enabled there is no host interface to show.
        host = telemetry(prefix, "/erdp/host") or {}
        chk.check(host.get("enabled") == "false" and not host.get("links"),
                  "%s: /erdp/host without bgp: %r" % (name, host))
        w1 = telemetry(prefix, "/erdp/workers") or {}
        time.sleep(0.2)
        w2 = telemetry(prefix, "/erdp/workers") or {}
        workers = sorted(k for k, v in w2.items() if isinstance(v, dict))
        chk.check(len(workers) >= 1 and w2.get("tsc_hz", 0) > 0, "%s: /erdp/workers: %r" % (name, w2))
        for k in workers:
            chk.check(w2[k]["loops"] > w1.get(k, {}).get("loops", 0) and w2[k]["rx_packets"] > 0,
                      "%s: worker %s loops and receives: %r -> %r" % (name, k, w1.get(k), w2[k]))
        live_rx = total(ports, "rx_packets")
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=30)
        out = out.decode(errors="replace")
        chk.eq(proc.returncode, 0, "%s: exit status after the signal" % name)
        chk.check("final counters" in out, "%s: final counters printed at exit" % name)
        with open(stats) as f:
            final = json.load(f)
        chk.check(sum(p["rx_packets"] for p in final["ports"]) >= live_rx,
                  "%s: final port rx >= the last live reading" % name)
        final_links = {(p["name"], link): p["links"][link] for p in final["peerings"] for link in et.LINKS}
        for e in links:
            f = final_links.get((e["name"], e["link"]), {})
            for k in ("rx_packets", "tx_packets", "drops_total"):
                fv = sum(f.get("drops", {}).values()) if k == "drops_total" else f.get(k, -1)
                chk.check(fv >= e[k], "%s: /erdp/links %s %s %s %d > final %d"
                          % (name, e["name"], e["link"], k, e[k], fv))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    exe = et.erdp_binary(sys.argv)
    chk = et.Checker("e2e-telemetry")
    wd = et.Workdir("telemetry")
    sc = std_scenario.build(et.standard_topo("qinq"))
    for sig in (signal.SIGTERM, signal.SIGINT):
        run_one(chk, exe, sc, wd.path, sig)
    failed = chk.finish()
    wd.close(failed)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
