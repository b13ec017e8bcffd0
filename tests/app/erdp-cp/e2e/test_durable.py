# SPDX-License-Identifier: BSD-3-Clause
"""cp-durable: what erdp-cp acknowledged survives kill -9.

Runtime changes of every kind (a route add, a 1,000-route load, a config
route deleted, a config route given another target, a gateway instance, a
peering link and a port set down) are made with erdpctl; then:
  - kill -9 erdp-cp, start it: the same runtime state (show runtime, RIB
    count, lookups), erdpctl verify OK, and erdp swept nothing: every
    runtime route was replayed, and woodgrove's flow over a runtime route
    never dropped a frame (no_route did not grow);
  - kill -9 erdp and erdp-cp together, start both: the runtime state is
    back in the new erdp (woodgrove forwards, verify OK, the instance is
    down in show gateways);
  - runtime export writes a fragment that erdp --check-config accepts once
    pasted into the config's VRFs;
  - a config that no longer has a VRF: its rows are set aside (listed by
    show runtime with the reason), erdp-cp runs; back on the first config
    they are applied again;
  - a damaged state file: erdp-cp refuses to start, naming the file.
"""
import os
import re
import signal
import subprocess
import sys
import time

import cptest
from cptest import Checker, Env, ctr

N_LOAD = 1000


def main():
    chk = Checker("cp-durable")
    env = Env("durable", sys.argv[1:])
    topo = cptest.test_topo()
    frames = [cptest.c2g_frame(topo, "woodgrove/private", "10.203.1.1", src="10.30.1.1")]
    env.topo, env.frames = topo, frames
    env.write_config(topo, frames)
    return env.run(chk, run)


def ok(chk, env, *args):
    rc, out, err = env.ctl(*args)
    chk.check(rc == 0, "erdpctl %s: exit %d: %s" % (" ".join(args), rc, err))
    return out


def runtime(env):
    rc, j, _ = env.ctl_json("show", "runtime", "--limit", "100000")
    r = (j or {}).get("result", {})
    return {"routes": sorted((x["vrf"], x["prefix"], x["target"]) for x in r.get("routes", [])),
            "admin": sorted((x["kind"], x["name"], x["member"], x["state"]) for x in r.get("admin", [])),
            "aside": r.get("set_aside", [])}


def changes(chk, env):
    ok(chk, env, "route", "add", "woodgrove-private", "10.203.0.0/16", "gateway:gw-woodgrove")
    path = os.path.join(env.dir, "load.txt")
    with open(path, "w") as f:
        for i in range(N_LOAD):
            f.write("contoso-private 10.%d.%d.0/24 gateway:gw-contoso\n" % (150 + i // 256, i % 256))
    ok(chk, env, "route", "load", path)
    ok(chk, env, "route", "del", "fabrikam-private", "10.20.0.0/16")
    ok(chk, env, "route", "add", "contoso-private", "10.10.0.0/16", "blackhole")
    ok(chk, env, "gateway", "gw-fabrikam", "instance", "2", "down")
    ok(chk, env, "link", "fabrikam/private", "secondary", "down")
    ok(chk, env, "port", "er-secondary", "down")


def check_same(chk, env, what, want, want_routes):
    got = runtime(env)
    chk.eq(len(got["routes"]), N_LOAD + 3, "%s: runtime routes and deleted config routes" % what)
    chk.check(got["routes"] == want["routes"], "%s: the same runtime routes" % what)
    chk.eq(got["admin"], want["admin"], "%s: the same admin states" % what)
    chk.eq((env.status() or {}).get("routes"), want_routes, "%s: RIB count" % what)
    rc, out, _ = env.ctl("lookup", "contoso-private", "10.10.1.1")
    chk.check("10.10.0.0/16 -> blackhole (runtime)" in out, "%s: the replaced config route: %s" % (what, out))
    rc, out, _ = env.ctl("lookup", "fabrikam-private", "10.20.1.1")
    chk.check("no route" in out, "%s: the deleted config route stays deleted: %s" % (what, out))
    env.verify(chk, what)


def woodgrove_forwards(chk, env, what):
    time.sleep(0.2)
    d = env.delta(0.6)
    chk.check(ctr(d, "circuits", "woodgrove", "rx_packets") > 0, "%s: woodgrove receives" % what)
    chk.eq(ctr(d, "circuits", "woodgrove", "no_route"), 0, "%s: woodgrove's runtime route forwards" % what)
    chk.check(ctr(d, "ports", "gw1", "tx_packets") > 0, "%s: gw1 transmits" % what)


def kill(env, proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def paste(config_text, export_text):
    """Insert each VRF section of the export into that VRF's routes list."""
    for m in re.finditer(r'# VRF "([^"]+)"\n((?:\{[^\n]*\n?)+)', export_text):
        vrf, entries = m.group(1), m.group(2).strip()
        block = re.search(r'name = "%s";\n    ipv4_routes = \d+;\n    ipv6_routes = \d+;\n    routes = \(\n'
                          % re.escape(vrf), config_text)
        assert block, "VRF %s has no routes list in the config" % vrf
        config_text = config_text[:block.end()] + entries + ",\n" + config_text[block.end():]
    return config_text


def run(chk, env):
    env.start_erdp()
    env.start_cp()
    env.wait_synced()
    changes(chk, env)
    want, want_routes = runtime(env), (env.status() or {}).get("routes")
    woodgrove_forwards(chk, env, "before")

    # ---- kill -9 erdp-cp right after its last answer ----
    kill(env, env.cp)
    before = env.counters()
    swept = (env.tel("/erdp/ctl") or {}).get("swept", 0)
    env.start_cp()
    env.wait_synced()
    after = env.counters()
    chk.eq(ctr(after, "circuits", "woodgrove", "no_route"), ctr(before, "circuits", "woodgrove", "no_route"),
           "woodgrove's runtime route kept forwarding through erdp-cp's restart")
    chk.eq((env.tel("/erdp/ctl") or {}).get("swept", 0) - swept, 0, "erdp swept nothing: all was replayed")
    check_same(chk, env, "after kill -9 of erdp-cp", want, want_routes)
    woodgrove_forwards(chk, env, "after kill -9 of erdp-cp")

    # ---- kill -9 of everything ----
    kill(env, env.cp)
    kill(env, env.erdp)
    env.start_erdp()
    env.start_cp()
    env.wait_synced()
    check_same(chk, env, "after kill -9 of erdp and erdp-cp", want, want_routes)
    woodgrove_forwards(chk, env, "after kill -9 of erdp and erdp-cp")
    rc, j, _ = env.ctl_json("show", "gateways")
    gws = {g["name"]: g for g in (j or {}).get("result", {}).get("gateways", [])}
    inst = (gws.get("gw-fabrikam") or {}).get("instances", [{}] * 3)
    chk.eq(inst[2].get("admin") if len(inst) > 2 else None, "down", "gw-fabrikam instance 2 is still down")

    # ---- runtime export: a fragment the config takes ----
    out_path = os.path.join(env.dir, "runtime.conf")
    ok(chk, env, "runtime", "export", out_path)
    with open(out_path) as f:
        export = f.read()
    chk.check('{ prefix = "10.203.0.0/16"; gateway = "gw-woodgrove"; }' in export, "export has the runtime route")
    chk.check("# replaces the config's route to peering:contoso/private" in export, "export marks the replace")
    chk.check('gateway "gw-fabrikam" instance 2: down' in export, "export lists the admin state")
    with open(env.config) as f:
        pasted = paste(f.read(), export)
    pasted_path = os.path.join(env.dir, "pasted.conf")
    with open(pasted_path, "w") as f:
        f.write(pasted)
    r = subprocess.run([env.erdp_exe, "--check-config", pasted_path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    chk.check(r.returncode == 0, "erdp --check-config on the config with the export pasted: %s"
              % r.stdout.decode(errors="replace")[-500:])

    # ---- a config without the VRF: set aside, not dropped ----
    env.stop(env.cp)
    with open(env.config) as f:
        renamed = f.read().replace('"woodgrove-private"', '"woodgrove-renamed"')
    other = os.path.join(env.dir, "renamed.conf")
    with open(other, "w") as f:
        f.write(renamed)
    env.stop(env.erdp)  # erdp-cp alone: no sync on the other config
    env.start_cp(config=other)
    got = runtime(env)
    aside = [a for a in got["aside"] if a["prefix"] == "10.203.0.0/16"]
    chk.check(aside and aside[0]["vrf"] == "woodgrove-private" and "no VRF named" in aside[0]["reason"],
              "show runtime lists the row of the unknown VRF as set aside: %r" % got["aside"])
    chk.check(env.cp.poll() is None, "erdp-cp runs on a config that lacks a VRF of its state file")
    env.stop(env.cp)
    env.start_erdp()
    env.start_cp()
    env.wait_synced()
    got = runtime(env)
    chk.eq(got["aside"], [], "back on the first config: nothing set aside")
    check_same(chk, env, "back on the first config", want, want_routes)

    # ---- a damaged state file ----
    env.stop(env.cp)
    bad = os.path.join(env.dir, "damaged.db")
    with open(bad, "wb") as f:
        f.write(b"this is not an SQLite database" * 100)
    r = subprocess.run([env.cp_exe, "-c", env.config, "--instance", env.prefix, "--socket",
                        env.sock + ".2", "--state", bad], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    msg = r.stdout.decode(errors="replace")
    chk.check(r.returncode == 1 and bad in msg and "move the file away" in msg,
              "a damaged state file: exit %d: %s" % (r.returncode, msg[-400:]))


if __name__ == "__main__":
    sys.exit(main())
