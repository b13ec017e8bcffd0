# SPDX-License-Identifier: BSD-3-Clause
"""cp-midload: erdp-cp killed in the middle of a 200,000-route load.

The documented recovery: start erdp-cp again and load the same file again.
Afterwards erdp-cp's RIB and erdp hold the same routes (erdpctl verify,
route by route with --full), erdp rejected nothing, and deleting them all
and loading them once more fits again (deletes and sweeps give capacity
back). The VRF's capacity is 262,144 IPv4 routes, as in the report that
found erdp refusing routes with no_space after this sequence.
"""
import os
import signal
import subprocess
import sys
import time

import cptest
from cptest import Checker, Env

VRF = "contoso-private"
N = 200000
CAP = 262144


def main():
    chk = Checker("cp-midload")
    env = Env("midload", sys.argv[1:])
    topo = cptest.test_topo()
    env.write_config(topo, [], vrf_caps={VRF: CAP})
    env.routes = os.path.join(env.dir, "routes.txt")
    subprocess.run([sys.executable, env.gen_routes, "--vrf", VRF, "--target", "gateway:gw-contoso",
                    "--target", "blackhole", "--ipv4", str(N), "--ipv6", "0", "--seed", "11",
                    "--config", env.config, "-o", env.routes], check=True)
    return env.run(chk, run)


def erdp_routes(env):
    return (env.tel("/erdp/ctl") or {}).get("routes", 0)


def load(chk, env, path, what):
    rc, j, err = env.ctl_json("route", "load", path)
    r = (j or {}).get("result", {})
    chk.check(rc == 0, "%s: exit %d: %s %s" % (what, rc, err, (j or {}).get("rejections", [])[:3]))
    chk.eq(r.get("rejected"), 0, "%s: erdp rejected nothing" % what)
    return r


def run(chk, env):
    env.start_erdp()
    env.start_cp()
    base = env.wait_synced()["routes"]

    # ---- kill -9 erdp-cp while erdp is taking the routes ----
    loader = subprocess.Popen([env.ctl_exe, "--socket", env.sock, "route", "load", env.routes],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cptest.wait_for(lambda: erdp_routes(env) > base + N // 4 or loader.poll() is not None,
                    "erdp to take a quarter of the load", step=0.005)
    mid = erdp_routes(env)
    env.cp.send_signal(signal.SIGKILL)
    env.cp.wait()
    loader.wait()
    chk.check(base < mid < base + N, "erdp-cp was killed in the middle (erdp had %d routes)" % mid)
    print("killed erdp-cp with %d of %d routes in erdp" % (mid - base, N))

    # ---- the documented recovery ----
    env.start_cp()
    st = env.wait_synced()
    chk.eq(st["messages_rejected"], 0, "the full sync after the restart: erdp rejected nothing")
    env.verify(chk, "after the restart")
    r = load(chk, env, env.routes, "the same load again")
    st = env.status()
    chk.eq(st["routes"], base + N, "erdp-cp's RIB holds the config and the load")
    chk.eq(erdp_routes(env), base + N, "erdp holds the config and the load")
    env.verify(chk, "after the reload", full=True)

    # ---- deletes give capacity back: withdraw all, load all again ----
    wd = env.routes + ".withdraw"
    with open(env.routes) as f, open(wd, "w") as g:
        for line in f:
            if not line.startswith("#") and line.strip():
                v, p, _ = line.split()
                g.write("%s %s withdraw\n" % (v, p))
    r = load(chk, env, wd, "withdraw all")
    chk.eq(r.get("withdrawn"), N, "withdrawn")
    chk.eq(erdp_routes(env), base, "erdp is back to the config's routes")
    load(chk, env, env.routes, "load all again")
    chk.eq(erdp_routes(env), base + N, "erdp holds the load again")
    env.verify(chk, "after withdraw and reload")


if __name__ == "__main__":
    sys.exit(main())
