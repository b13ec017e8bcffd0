# SPDX-License-Identifier: BSD-3-Clause
"""cp-bgp-limit: ExpressRoute's prefix limit on private peering (4,000 IPv4 per session).

The customer advertises exactly 4,000 prefixes: all reach the VRF (the time
from BIRD's `enable` to the last one in erdp-cp's RIB is printed for
docs/bgp.md). One more (4,001): both sessions drop, counted per session
(prefix_limit_drops) with the reason in last_error, and their routes leave
the VRF. Back to 4,000: FRR retries the session one minute after the drop
(`maximum-prefix 4000 restart 1`, FRR's shortest; Azure documents no
timer) and all 4,000 are back. The wait for that minute makes this the
longest of the BGP tests.
"""
import sys
import time

from bgptest import Checker, Lab, log, wait_for

N_BULK = 3998          # + 2 on-premises prefixes = 4,000
VNET4 = 2              # the VRF's own IPv4 gateway prefixes


def v4_routes(lab):
    return lab.result("show", "routes", "lab", "--limit", "1")["ipv4_routes"]


def at_limit(chk, lab):
    t0 = time.monotonic()
    lab.birdc("enable", "bulk")
    wait_for(lambda: v4_routes(lab) == VNET4 + 4000, "4,000 BGP routes in the VRF")
    log("MEASURE 4,000 prefixes: BIRD enable -> all in erdp-cp's RIB: %.2f s" %
        (time.monotonic() - t0))
    s = wait_for(lambda: all(x["prefixes_received"] == 4000 for x in lab.sessions().values())
                 and lab.sessions(), "bgpd's counts")
    for k, x in s.items():
        chk.check(x["established"] and x["prefix_limit_drops"] == 0,
                  "%s: %s with %d drops at 4,000 prefixes" % (k, x["state"],
                                                              x["prefix_limit_drops"]))
    r = lab.bgp_routes()
    chk.eq(len(r), 4000, "BGP routes in the VRF")
    chk.check(all(t == "peering:lab/private" for t, _ in r.values()),
              "every one over both links")


def over_limit(chk, lab):
    lab.birdc("enable", "extra4")  # the 4,001st
    s = wait_for(lambda: all(x["prefix_limit_drops"] == 1 for x in lab.sessions().values())
                 and lab.sessions(), "both sessions dropped for the limit")
    for k, x in s.items():
        chk.check(not x["established"], "%s: still %s" % (k, x["state"]))
        chk.check("4000" in x["last_error"] and "limit" in x["last_error"],
                  "%s: last error names the limit: %r" % (k, x["last_error"]))
    wait_for(lambda: v4_routes(lab) == VNET4, "the dropped sessions' routes out of the VRF")
    rc, out, _ = lab.ctl("show", "bgp")
    chk.check(rc == 0 and "LIMIT-DROPS" in out, "show bgp shows the drops:\n" + out)


def back_under(chk, lab):
    t0 = time.monotonic()
    lab.birdc("disable", "extra4")
    wait_for(lab.all_established, "the sessions back (FRR retries 1 min after the drop)",
             timeout=150)
    wait_for(lambda: v4_routes(lab) == VNET4 + 4000, "the 4,000 routes back")
    log("back under the limit -> sessions and routes back after %.1f s" %
        (time.monotonic() - t0))
    chk.check(all(x["prefix_limit_drops"] == 1 for x in lab.sessions().values()),
              "the drop stays counted")


def main():
    chk = Checker("cp-bgp-limit")
    lab = Lab("limit", sys.argv[1:], v6=False, bulk=N_BULK, extra4=("11.255.255.0/24",))
    return lab.run(chk, at_limit, over_limit, back_under)


if __name__ == "__main__":
    sys.exit(main())
