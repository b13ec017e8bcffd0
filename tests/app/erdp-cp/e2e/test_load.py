# SPDX-License-Identifier: BSD-3-Clause
"""cp-load: 100,000 IPv4 and 10,000 IPv6 routes from gen-routes via erdpctl route load.

Frames to addresses inside a few generated prefixes replay forever: dropped
for no_route before the load, forwarded to gw-contoso after it, dropped
again once the same file is withdrawn. erdp's own route count (telemetry
/erdp/ctl) follows. (The 1M-route timing is a measurement, not a test.)
"""
import ipaddress
import os
import random
import subprocess
import sys

import cptest
from cptest import Checker, Env, ctr

VRF = "contoso-private"
N4, N6 = 100000, 10000


def main():
    chk = Checker("cp-load")
    env = Env("load", sys.argv[1:])
    topo = cptest.test_topo()
    env.write_config(topo, [])  # for gen-routes' --config
    routes = os.path.join(env.dir, "routes.txt")
    subprocess.run([sys.executable, env.gen_routes, "--vrf", VRF, "--target", "gateway:gw-contoso",
                    "--ipv4", str(N4), "--ipv6", str(N6), "--seed", "7", "--config", env.config,
                    "-o", routes], check=True)
    with open(routes) as f:
        lines = [l.split() for l in f if not l.startswith("#")]
    chk.eq(len(lines), N4 + N6, "gen-routes line count")
    chk.eq(len({(l[0], l[1]) for l in lines}), N4 + N6, "gen-routes: no duplicate prefix")
    for l in lines[:2000]:
        n = ipaddress.ip_network(l[1])  # strict: raises on host bits
        chk.check(not n.overlaps(ipaddress.ip_network("192.168.100.128/29")) or n.version == 6,
                  "gen-routes avoids the peering subnets: %s" % l[1])
    rng = random.Random(3)
    picks = [ipaddress.ip_network(l[1]) for l in rng.sample([l for l in lines if ":" not in l[1]], 8)]
    frames = [cptest.c2g_frame(topo, "contoso/private", str(n.network_address + 1), sport=2000 + i)
              for i, n in enumerate(picks)]
    env.write_config(topo, frames, vrf_caps={VRF: 131072},
                     text_edit=lambda t: t.replace('name = "contoso-private";\n    ipv4_routes = 131072;\n    ipv6_routes = 256;',
                                                   'name = "contoso-private";\n    ipv4_routes = 131072;\n    ipv6_routes = 16384;'))
    env.routes = routes
    return env.run(chk, run)


def run(chk, env):
    env.start_erdp()
    env.start_cp()
    env.wait_synced()
    base = (env.tel("/erdp/ctl") or {}).get("routes", 0)
    d = env.delta(0.5)
    chk.check(ctr(d, "circuits", "contoso", "no_route") > 0, "before the load: no_route")

    rc, j, err = env.ctl_json("route", "load", env.routes)
    r = (j or {}).get("result", {})
    chk.check(rc == 0, "route load: exit %d: %s" % (rc, err))
    chk.eq(r.get("added"), N4 + N6, "route load: added")
    chk.eq(r.get("rejected"), 0, "route load: rejected")
    chk.check(r.get("applied") is True, "route load: acknowledged by erdp")
    print("loaded %d routes in %.3f s (parse %.3f s)" % (N4 + N6, r.get("seconds", 0), r.get("parse_seconds", 0)))
    ctl = env.tel("/erdp/ctl") or {}
    chk.eq(ctl.get("routes", 0) - base, N4 + N6, "erdp's route count grew by the routes loaded")
    st = env.status()
    chk.eq(st["routes"], 11 + N4 + N6, "erdp-cp's RIB count")
    d = env.delta(0.5)
    chk.eq(ctr(d, "circuits", "contoso", "no_route"), 0, "after the load: no no_route drops")
    chk.check(ctr(d, "ports", "gw0", "tx_packets") > 0, "after the load: gw0 transmits")
    rc, out, _ = env.ctl("show", "routes", VRF, "--limit", "5")
    chk.check(rc == 0 and "%d IPv4 and %d IPv6" % (2 + N4, 2 + N6) in out, "show routes totals: %s" % out[:200])

    env.verify(chk, "after the load", full=True)

    # The same load again changes nothing.
    rc, j, _ = env.ctl_json("route", "load", env.routes)
    chk.eq((j or {}).get("result", {}).get("unchanged"), N4 + N6, "second load: all unchanged")

    wd = env.routes + ".withdraw"
    with open(env.routes) as f, open(wd, "w") as g:
        for line in f:
            if not line.startswith("#"):
                v, p, _ = line.split()
                g.write("%s %s withdraw\n" % (v, p))
    rc, j, err = env.ctl_json("route", "load", wd)
    chk.check(rc == 0, "withdraw load: %s" % err)
    chk.eq((j or {}).get("result", {}).get("withdrawn"), N4 + N6, "withdrawn")
    chk.eq((env.tel("/erdp/ctl") or {}).get("routes", 0), base, "erdp's route count is back")
    d = env.delta(0.5)
    chk.check(ctr(d, "circuits", "contoso", "no_route") > 0, "after the withdraw: no_route again")
    env.verify(chk, "after the withdraw")


if __name__ == "__main__":
    sys.exit(main())
