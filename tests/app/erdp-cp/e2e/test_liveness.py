# SPDX-License-Identifier: BSD-3-Clause
"""cp-liveness: a live erdp is not declared dead while it works hard.

erdp holds 200,000 routes that a new erdp-cp (with an empty state file)
does not know: its full sync ends with erdp sweeping all of them. Meanwhile
a busy loop is pinned to the CPU of erdp's main lcore, the one that sweeps,
beats and answers, so the sweep competes for its CPU; a route add is sent
while the sync runs. erdp-cp must keep its verdict: no "erdp stopped" in
its log, no stall counted, one full sync (not restarted), and the route add
answered as applied. erdp-cp's RIB and erdp agree afterwards.
"""
import os
import subprocess
import sys
import time

import cptest
from cptest import Checker, Env

VRF = "contoso-private"
N = 200000
MAIN_LCORE_CPU = "0"  # eal.lcores "0-1" of the test config: the main lcore runs on CPU 0


def main():
    chk = Checker("cp-liveness")
    env = Env("liveness", sys.argv[1:])
    topo = cptest.test_topo()
    env.write_config(topo, [], vrf_caps={VRF: 262144})
    env.routes = os.path.join(env.dir, "routes.txt")
    subprocess.run([sys.executable, env.gen_routes, "--vrf", VRF, "--target", "gateway:gw-contoso",
                    "--ipv4", str(N), "--ipv6", "0", "--seed", "5", "--config", env.config,
                    "-o", env.routes], check=True)
    return env.run(chk, run)


def run(chk, env):
    env.start_erdp()
    # The load is not what is tested: a long timeout, so that a host that does not run erdp for
    # a while (its VRF's first route allocates a 64 MiB table) cannot fail the test here.
    env.start_cp(extra=["--dp-timeout", "120"])
    env.wait_synced()
    rc, _, err = env.ctl("route", "load", env.routes)
    chk.check(rc == 0, "route load: %s" % err)
    env.stop(env.cp)
    os.unlink(env.state)  # the next erdp-cp knows the config only: erdp sweeps 200,000 routes
    ctl = env.tel("/erdp/ctl") or {}
    chk.eq(ctl.get("routes", 0), N + 11, "erdp holds the load")

    ctl0 = ctl
    busy = subprocess.Popen(["taskset", "-c", MAIN_LCORE_CPU, "sh", "-c", "while :; do :; done"])
    try:
        env.start_cp()
        cptest.wait_for(lambda: (env.status() or {}).get("dataplane") == "connected",
                        "erdp-cp to find erdp")
        rc, j, err = env.ctl_json("route", "add", VRF, "10.99.0.0/16", "gateway:gw-contoso")
        st = env.wait_synced()
    finally:
        busy.kill()
        busy.wait()
    r = (j or {}).get("result", {})
    chk.check(rc == 0 and r.get("applied") is True,
              "route add during the sweep: exit %d, applied %r: %s %s" % (rc, r.get("applied"), err,
                                                                          r.get("warning")))
    ctl = env.tel("/erdp/ctl") or {}
    swept = ctl.get("swept", 0) - ctl0.get("swept", 0)
    chk.eq(swept, N, "erdp swept the routes the new erdp-cp did not replay")
    chk.check(ctl.get("sweep_slices", 0) - ctl0.get("sweep_slices", 0) >= N // 1024,
              "the sweep went in slices (%d)" % (ctl.get("sweep_slices", 0) - ctl0.get("sweep_slices", 0)))
    log = env.cp_log()
    chk.check("erdp stopped" not in log, "erdp-cp never declared erdp stopped: %s"
              % [l for l in log.splitlines() if "stopped" in l][:3])
    chk.eq(st.get("dataplane_stalls"), 0, "no stall counted")
    chk.eq(st.get("full_syncs"), 1, "one full sync, never restarted")
    env.verify(chk, "after the sweep")


if __name__ == "__main__":
    sys.exit(main())
