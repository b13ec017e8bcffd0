# SPDX-License-Identifier: BSD-3-Clause
"""cp-restart: either process restarts; forwarding survives, state is replayed.

Three flows replay forever, each on its own circuit so that its drops are
counted apart:
  contoso   -> 10.201.1.1  config route (a gw-contoso prefix), never changes
  fabrikam  -> 10.202.1.1  config route (a gw-fabrikam prefix), removed from
                            the config while erdp-cp is down
  woodgrove -> 10.203.1.1  runtime route added with erdpctl
Steps: SIGKILL erdp-cp (erdp keeps forwarding all three); start erdp-cp on
the edited config (its full sync keeps contoso forwarding without a single
no_route drop; the runtime route comes back from erdp-cp's state file and
keeps forwarding without a single drop too; erdp sweeps the fabrikam
route, which the new erdp-cp never heard of); restart erdp, once with
SIGTERM and once with SIGKILL (erdp-cp notices and replays: the runtime
route is back in the new erdp). erdpctl verify after every step.
"""
import sys
import time

import cptest
from cptest import Checker, Env, ctr


def main():
    chk = Checker("cp-restart")
    env = Env("restart", sys.argv[1:])
    topo = cptest.test_topo()
    topo.gateway_by_name("gw-contoso")["prefixes"].append("10.201.0.0/16")
    topo.gateway_by_name("gw-fabrikam")["prefixes"].append("10.202.0.0/16")
    frames = [cptest.c2g_frame(topo, "contoso/private", "10.201.1.1", src="10.10.1.1"),
              cptest.c2g_frame(topo, "fabrikam/private", "10.202.1.1", src="10.20.1.1"),
              cptest.c2g_frame(topo, "woodgrove/private", "10.203.1.1", src="10.30.1.1")]
    env.frames, env.topo = frames, topo
    env.write_config(topo, frames)
    return env.run(chk, run)


def flows(chk, env, what, want):
    """want: circuit -> True (forwarded: no drops) | 'no_route' (dropped for no route)."""
    # Frames already past the lookup when erdp acknowledged still leave: let them out.
    chk.check(env.settle(), "%s: the workers did not loop on" % what)
    d = env.delta(0.6)
    for circuit, w in want.items():
        rx = ctr(d, "circuits", circuit, "rx_packets")
        nr = ctr(d, "circuits", circuit, "no_route")
        chk.check(rx > 0, "%s: %s receives frames (rx +%d)" % (what, circuit, rx))
        if w is True:
            chk.check(nr == 0, "%s: %s forwards: no_route grew by %d" % (what, circuit, nr))
        else:
            chk.check(nr > 0, "%s: %s: its route is gone, no_route should grow" % (what, circuit))
    for port in ("gw0", "gw1"):
        if any(w is True for c, w in want.items() if (c == "woodgrove") == (port == "gw1")):
            chk.check(ctr(d, "ports", port, "tx_packets") > 0, "%s: %s transmits" % (what, port))


def run(chk, env):
    env.start_erdp()
    env.start_cp()
    env.wait_synced()
    rc, _, err = env.ctl("route", "add", "woodgrove-private", "10.203.0.0/16", "gateway:gw-woodgrove")
    chk.check(rc == 0, "route add: %s" % err)
    flows(chk, env, "all routes in", {"contoso": True, "fabrikam": True, "woodgrove": True})

    # ---- erdp-cp killed: erdp keeps forwarding -------------------------------------
    env.cp.kill()
    env.cp.wait()
    flows(chk, env, "erdp-cp killed", {"contoso": True, "fabrikam": True, "woodgrove": True})

    # ---- erdp-cp back on a config without the fabrikam route: replay + sweep -----------
    env.topo.gateway_by_name("gw-fabrikam")["prefixes"].remove("10.202.0.0/16")
    env.write_config(env.topo, env.frames)
    before = env.counters()
    swept_before = (env.tel("/erdp/ctl") or {}).get("swept", 0)
    env.start_cp()
    env.wait_synced()
    after = env.counters_after(before)
    for circuit, what in (("contoso", "config"), ("woodgrove", "runtime, from the state file")):
        chk.eq(ctr(after, "circuits", circuit, "no_route"), ctr(before, "circuits", circuit, "no_route"),
               "%s no_route drops across erdp-cp's restart and full sync (unchanged %s route)"
               % (circuit, what))
    chk.check(ctr(after, "ports", "gw0", "tx_packets") > ctr(before, "ports", "gw0", "tx_packets"),
              "gw0 kept transmitting during the sync")
    chk.check(ctr(after, "ports", "gw1", "tx_packets") > ctr(before, "ports", "gw1", "tx_packets"),
              "gw1 (woodgrove's runtime route) kept transmitting during the sync")
    swept = (env.tel("/erdp/ctl") or {}).get("swept", 0) - swept_before
    chk.eq(swept, 1, "erdp swept the one route erdp-cp did not replay (fabrikam's)")
    flows(chk, env, "after the replay", {"contoso": True, "fabrikam": "no_route", "woodgrove": True})
    env.verify(chk, "after erdp-cp's restart")

    rc, out, err = env.ctl("route", "add", "woodgrove-private", "10.203.0.0/16", "gateway:gw-woodgrove")
    chk.check(rc == 0 and "unchanged" in out, "route add again: unchanged: %s%s" % (out, err))

    # ---- erdp restarted: erdp-cp notices and replays -------------------------------
    for how in ("SIGTERM", "SIGKILL"):
        boot = env.status()["dataplane_boot_id"]
        syncs = env.status()["full_syncs"]
        if how == "SIGTERM":
            chk.eq(env.stop(env.erdp), 0, "erdp exit status on SIGTERM")
        else:
            env.erdp.kill()
            env.erdp.wait()
        env.start_erdp()
        st = env.wait_synced(min_syncs=syncs + 1, dp_boot=boot)
        chk.check(st["dataplane_boot_id"] != boot, "erdp-cp sees the new erdp (%s)" % how)
        flows(chk, env, "erdp restarted (%s)" % how,
              {"contoso": True, "fabrikam": "no_route", "woodgrove": True})
        ctl = env.tel("/erdp/ctl") or {}
        chk.eq(ctl.get("rejected"), 0, "the new erdp rejected nothing of the replay (%s)" % how)
        env.verify(chk, "erdp restarted (%s)" % how)
    chk.eq(env.status()["messages_rejected"], 0, "no rejections at all")


if __name__ == "__main__":
    sys.exit(main())
