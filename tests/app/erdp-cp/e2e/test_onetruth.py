# SPDX-License-Identifier: BSD-3-Clause
"""cp-onetruth: a change erdp rejects is not in erdp-cp's RIB.

erdp runs on a config whose contoso-private VRF holds 8 IPv4 routes while
erdp-cp's config allows 1024 (two configs out of step), so erdp refuses
routes with no_space that erdp-cp accepted. Checked:
  - connected prefixes (link /30 and /126, MSEE /32 and /128) are refused
    by erdp-cp itself, before anything changes or reaches erdp, for route
    add, route del and route load; lookup answers them as connected;
  - a route load that erdp partly rejects exits 1 with the rejections; the
    RIB then holds exactly what erdp holds (counts, lookup, show runtime,
    erdpctl verify), including a prefix listed twice and rejected twice
    and a replace that erdp accepted after the VRF was full;
  - the state file does not keep rejected routes (kill -9 erdp-cp, start);
  - a full sync into an erdp with even less room: the routes it rejects
    leave the RIB too, and the next full sync does not send them again.
"""
import os
import signal
import sys

import cptest
from cptest import Checker, Env

VRF = "contoso-private"
ERDP_CAP = 8  # IPv4 routes erdp's config gives the VRF; erdp-cp's config says 1024


def main():
    chk = Checker("cp-onetruth")
    env = Env("onetruth", sys.argv[1:])
    topo = cptest.test_topo()
    env.write_config(topo, [])
    env.cp_config = env.config + ".cp"
    os.rename(env.config, env.cp_config)
    env.topo = topo
    env.write_config(topo, [], vrf_caps={VRF: ERDP_CAP})
    return env.run(chk, run)


def status(env):
    return env.status() or {}


def erdp_routes(env):
    return (env.tel("/erdp/ctl") or {}).get("routes", -1)


def same_counts(chk, env, what):
    st = status(env)
    chk.eq(st.get("routes"), erdp_routes(env), "%s: erdp-cp's RIB and erdp hold as many routes" % what)
    env.verify(chk, what)


def lookup(env, addr):
    rc, out, err = env.ctl("lookup", VRF, addr)
    return out + err


def connected_refused(chk, env):
    before = status(env)
    cases = [("192.168.100.128/30", "the link subnet of peering 'contoso/private' (primary"),
             ("192.168.100.134/32", "the MSEE's address of peering 'contoso/private' (secondary"),
             ("192.168.100.135/32", "the link subnet's network or broadcast address of peering "
              "'contoso/private' (secondary"),
             ("2001:db8:100::/126", "the link subnet"),
             ("2001:db8:100::2/128", "the MSEE's address")]
    for prefix, want in cases:
        rc, out, err = env.ctl("route", "add", VRF, prefix, "blackhole")
        chk.check(rc == 1 and want in err, "route add %s: exit %d, want 1 and %r in: %s" % (prefix, rc, want, err))
        rc, out, err = env.ctl("route", "del", VRF, prefix)
        chk.check(rc == 1 and "connected route" in err, "route del %s: exit %d: %s" % (prefix, rc, err))
    path = os.path.join(env.dir, "with-connected.txt")
    with open(path, "w") as f:
        f.write("%s 10.77.0.0/16 blackhole\n%s 192.168.100.132/30 blackhole\n" % (VRF, VRF))
    rc, out, err = env.ctl("route", "load", path)
    chk.check(rc == 1 and "nothing loaded" in err and ":2: prefix: 192.168.100.132/30" in err,
              "route load with a connected prefix: exit %d: %s" % (rc, err))
    after = status(env)
    chk.eq(after.get("routes"), before.get("routes"), "connected prefixes: the RIB did not change")
    chk.eq(after.get("messages_sent"), before.get("messages_sent"), "connected prefixes: nothing went to erdp")
    out = lookup(env, "192.168.100.130")
    chk.check("192.168.100.130/32 -> local" in out and "(connected)" in out, "lookup of the MSEE address: %s" % out)
    out = lookup(env, "192.168.100.131")
    chk.check("192.168.100.131/32 -> drop (directed broadcast" in out, "lookup of a link broadcast: %s" % out)
    out = lookup(env, "192.168.100.129")
    chk.check("192.168.100.128/30 -> peering:contoso/private (primary link)" in out,
              "lookup in the link subnet: %s" % out)


def partly_rejected_load(chk, env):
    # config routes of the VRF: 10.10.0.0/16 and 10.100.0.0/16: room for ERDP_CAP - 2 more
    room = ERDP_CAP - 2
    new = ["10.60.%d.0/24" % i for i in range(room + 4)]
    lines = ["%s %s gateway:gw-contoso" % (VRF, p) for p in new]
    lines.append("%s %s blackhole" % (VRF, new[-1]))  # rejected twice: the second time too
    lines.append("%s %s blackhole" % (VRF, new[1]))  # a replace: needs no room, accepted
    path = os.path.join(env.dir, "routes.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    before = status(env)
    rc, j, err = env.ctl_json("route", "load", path)
    chk.eq(rc, 1, "route load that erdp partly rejects: exit status")
    rej = (j or {}).get("rejections", [])
    chk.eq(len(rej), 5, "erdp rejected the 4 routes beyond its capacity and the second line of one: %r" % rej)
    chk.check(all("no_space" in r for r in rej), "rejected for no_space: %r" % rej)
    after = status(env)
    chk.eq(after.get("routes"), before.get("routes") + room, "the RIB gained only what erdp took")
    chk.eq(after.get("rolled_back"), 4, "erdp-cp put 4 prefixes back (the twice-rejected one once)")
    same_counts(chk, env, "after a partly rejected load")
    out = lookup(env, "10.60.%d.9" % (room + 3))
    chk.check("no route" in out, "lookup of a rejected prefix: no route, as in erdp: %s" % out)
    out = lookup(env, "10.60.1.9")
    chk.check("10.60.1.0/24 -> blackhole" in out, "lookup of the replaced prefix: %s" % out)
    rc, j, _ = env.ctl_json("show", "runtime")
    chk.eq((j or {}).get("result", {}).get("runtime_routes"), room, "show runtime: the accepted routes only")
    rc, out, err = env.ctl("route", "add", VRF, "10.61.0.0/16", "gateway:gw-contoso")
    chk.check(rc == 1 and "no_space" in err, "route add into the full VRF: exit %d: %s" % (rc, err))
    same_counts(chk, env, "after a rejected route add")
    return room


def run(chk, env):
    env.start_erdp()
    env.start_cp(config=env.cp_config)
    env.wait_synced()
    same_counts(chk, env, "at start")
    connected_refused(chk, env)
    room = partly_rejected_load(chk, env)

    # ---- the state file kept only what erdp took ----
    env.cp.send_signal(signal.SIGKILL)
    env.cp.wait()
    env.start_cp(config=env.cp_config)
    st = env.wait_synced()
    chk.eq(st.get("messages_rejected"), 0, "the replay after erdp-cp's restart: erdp rejects nothing")
    same_counts(chk, env, "after erdp-cp's restart")

    # ---- erdp with less room: its full sync rejects routes, they leave the RIB ----
    base = status(env).get("routes")
    env.stop(env.erdp)
    env.write_config(env.topo, [], vrf_caps={VRF: ERDP_CAP - 2})
    boot = status(env).get("dataplane_boot_id")
    env.start_erdp()
    st = env.wait_synced(min_syncs=2, dp_boot=boot)
    chk.eq(st.get("messages_rejected"), room - (ERDP_CAP - 2 - 2), "the sync into the smaller erdp: rejected")
    chk.eq(st.get("routes"), base - room + (ERDP_CAP - 2 - 2), "the RIB lost what the new erdp refused")
    same_counts(chk, env, "after a sync with rejections")
    boot, syncs = st.get("dataplane_boot_id"), st.get("full_syncs")
    env.stop(env.erdp)
    env.start_erdp()
    env.wait_synced(min_syncs=syncs + 1, dp_boot=boot)
    chk.eq((env.tel("/erdp/ctl") or {}).get("rejected"), 0,
           "the next full sync does not send the rejected routes again")
    same_counts(chk, env, "after the next sync")


if __name__ == "__main__":
    sys.exit(main())
