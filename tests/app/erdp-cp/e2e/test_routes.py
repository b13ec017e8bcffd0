# SPDX-License-Identifier: BSD-3-Clause
"""cp-routes: routes and admin states changed with erdpctl change where frames go.

erdp replays, forever, customer frames of contoso/private to 10.200.1.1, which
no config route covers. Each step changes one thing with erdpctl and then
watches erdp's own counters over a short window: which port transmits, and
which drop reason grows. A step passes on "grew" / "did not grow", never on a
rate.
"""
import os
import sys
import time

import cptest
from cptest import Checker, Env, ctr

VRF = "contoso-private"


def main():
    chk = Checker("cp-routes")
    env = Env("routes", sys.argv[1:])
    topo = cptest.test_topo()
    frames = [cptest.c2g_frame(topo, "contoso/private", "10.200.1.1", sport=1000 + i) for i in range(16)]
    env.write_config(topo, frames)
    return env.run(chk, run)


def step(chk, env, what, args, tx_gw0, drop=None):
    """Run erdpctl args, then check gw0 transmits (tx_gw0) and which drop reason grows."""
    if args:
        rc, out, err = env.ctl(*args)
        if not chk.check(rc == 0, "%s: erdpctl %s: exit %d: %s" % (what, " ".join(args), rc, err)):
            return
    # Frames already past the lookup when erdp acknowledged still leave: let them out.
    chk.check(env.settle(), "%s: the workers did not loop on" % what)
    d = env.delta(0.6)
    tx = ctr(d, "ports", "gw0", "tx_packets")
    rx = ctr(d, "circuits", "contoso", "rx_packets")
    chk.check(rx > 0, "%s: contoso receives frames (rx grew by %d)" % (what, rx))
    if tx_gw0:
        chk.check(tx > 0, "%s: gw0 transmits (tx grew by %d)" % (what, tx))
    else:
        chk.check(tx == 0, "%s: gw0 does not transmit (tx grew by %d)" % (what, tx))
    grown = {k: v for k, v in d["drops"].items() if v}
    if drop is None:
        chk.check(not grown, "%s: no drops, but %r grew" % (what, grown))
    else:
        chk.check(set(grown) == {drop}, "%s: drops growing %r, want only %s" % (what, grown, drop))


def run(chk, env):
    env.start_erdp()
    env.start_cp()
    env.wait_synced()
    step(chk, env, "no route yet", None, False, "no_route")
    step(chk, env, "route add /16 to gw-contoso",
         ["route", "add", VRF, "10.200.0.0/16", "gateway:gw-contoso"], True)
    step(chk, env, "more specific blackhole /24",
         ["route", "add", VRF, "10.200.1.0/24", "blackhole"], False, "blackhole")
    step(chk, env, "blackhole deleted", ["route", "del", VRF, "10.200.1.0/24"], True)
    step(chk, env, "gw-contoso instance 0 down", ["gateway", "gw-contoso", "instance", "0", "down"], True)
    step(chk, env, "gw-contoso instance 1 down too",
         ["gateway", "gw-contoso", "instance", "1", "down"], False, "gateway_all_down")
    step(chk, env, "gw-contoso instance 1 up", ["gateway", "gw-contoso", "instance", "1", "up"], True)
    step(chk, env, "port gw0 down", ["port", "gw0", "down"], False, "gateway_all_down")
    step(chk, env, "port gw0 up", ["port", "gw0", "up"], True)
    step(chk, env, "route replaced by a /16 to the customer",
         ["route", "add", VRF, "10.200.0.0/16", "peering:contoso/private"], False)
    d = env.delta(0.5)
    chk.check(ctr(d, "circuits", "contoso", "tx_packets") > 0,
              "route to the peering: frames go back out to the customer on contoso")
    step(chk, env, "route deleted", ["route", "del", VRF, "10.200.0.0/16"], False, "no_route")
    path = os.path.join(env.dir, "routes.txt")
    with open(path, "w") as f:
        f.write("# the same route from a file\n%s 10.200.0.0/16 gateway:gw-contoso\n" % VRF)
    step(chk, env, "route load", ["route", "load", path], True)
    with open(path, "w") as f:
        f.write("%s 10.200.0.0/16 withdraw\n" % VRF)
    step(chk, env, "route load withdraw", ["route", "load", path], False, "no_route")
    st = env.status()
    chk.eq(st and st["messages_rejected"], 0, "erdp rejected none of the changes")


if __name__ == "__main__":
    sys.exit(main())
