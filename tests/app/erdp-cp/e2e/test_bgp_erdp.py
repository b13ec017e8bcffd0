# SPDX-License-Identifier: BSD-3-Clause
"""cp-bgp-erdp-qinq / cp-bgp-erdp-dot1q: BGP through erdp, end to end, with traffic.

    test_bgp_erdp.py ERDP_CP ERDPCTL ERDP qinq|dot1q

The customer (BIRD) sits behind erdp's ports on a QinQ (S 100 / C 200) or
Dot1Q (VLAN 300) sub-interface per link; its BGP and BFD reach FRR through
erdp's exception path (the taps in the peering's namespace); a gateway
instance with a VNet host sits on erdp's gateway port (bgptest.ErdpLab).
Both encapsulations:
  - four sessions Established (IPv4 and IPv6 on both links), BFD up;
  - the customer learns the VNet prefixes; its prefixes enter the VRF and
    erdp: the VNet host reaches the customer's on-premises host (IPv4 and
    IPv6), and back.
QinQ also:
  - 4,000 prefixes: from BIRD's enable to all in erdp (measured), one of them
    forwarding;
  - the secondary link cut (carrier kept): BFD notices, the 4,000 routes move
    to the primary link in erdp (the churn rate is measured), traffic goes on;
    mended, back on both links;
  - maintenance on the primary: the customer's kernel routes to the VNet use
    the secondary only and its traffic arrives on erdp's secondary link;
  - kill -9 of erdp-cp, then of FRR's three daemons, under traffic: erdp never
    drops a frame for no_route (nothing was swept); kill -9 of erdp: a new
    erdp gets the routes from erdp-cp, the sessions come back over the
    persisted taps, traffic flows again.
"""
import subprocess
import sys
import time

from bgptest import (ONPREM_HOST4, ONPREM_HOST6, VNET_HOST4, VNET_HOST6, Checker, ErdpLab,
                     log, wait_for)

ONPREM4 = ("10.10.0.0/16", "10.20.0.0/16")
ONPREM6 = ("fd10:10::/32",)
N_BULK = 3998
BULK_LAST = "11.%d.%d" % ((N_BULK - 1) // 256, (N_BULK - 1) % 256)


def targets(lab, want, prefixes=ONPREM4 + ONPREM6):
    r = lab.bgp_routes()
    return all(r.get(p, (None,))[0] == want for p in prefixes) and r


def forwarding(chk, lab):
    r = wait_for(lambda: targets(lab, "peering:lab/private"), "the customer's routes in the VRF")
    chk.check(bool(r), "customer prefixes in the RIB over both links")
    wait_for(lambda: all(len(lab.bird_paths(p)) == 2 for p in ("10.100.0.0/16",
                                                              "fd00:100::/48")),
             "the VNet prefixes at the customer on both links")
    wait_for(lab.synced, "erdp has every route")
    for dst, src in ((ONPREM_HOST4, VNET_HOST4), (ONPREM_HOST6, VNET_HOST6)):
        n = wait_for(lambda: lab.ping(dst, src, count=2), "%s -> %s answers" % (src, dst))
        chk.check(n >= 1, "VNet host %s reaches the customer's %s" % (src, dst))
    n = lab.ping(VNET_HOST4, ONPREM_HOST4, count=3, ns=lab.cust)
    chk.check(n == 3, "the customer reaches the VNet host: %d of 3" % n)


def bulk(chk, lab):
    base = lab.erdp_routes()
    t0 = time.monotonic()
    lab.birdc("enable", "bulk")
    wait_for(lambda: lab.erdp_routes() == base + N_BULK, "%d more routes in erdp" % N_BULK)
    log("MEASURE 4,000 prefixes (3,998 + 2): BIRD enable -> all in erdp: %.2f s" %
        (time.monotonic() - t0))
    run = ["ip", "addr", "add", BULK_LAST + ".1/32", "dev", "lo"]
    subprocess.run(["ip", "netns", "exec", lab.cust] + run, check=True)
    n = wait_for(lambda: lab.ping(BULK_LAST + ".1", VNET_HOST4, count=2),
                 "the last bulk prefix forwarding")
    chk.check(n >= 1, "%s.0/24 forwards" % BULK_LAST)


def acked(lab):
    return lab.result("status")["messages_acknowledged"]


def churn(lab, what, action, n, want_target):
    """Do action; wait until n route updates were acknowledged by erdp; measure the rate."""
    a0 = acked(lab)
    samples = []
    t0 = time.monotonic()
    action()
    while time.monotonic() - t0 < 60:
        samples.append((time.monotonic(), acked(lab) - a0))
        if samples[-1][1] >= n and lab.synced():
            break
        time.sleep(0.02)
    first = next((t for t, k in samples if k > 0), None)
    last = next((t for t, k in samples if k >= n), None)
    if first is not None and last is not None and last > first:
        log("MEASURE churn into erdp, %s: %d route updates acknowledged in %.2f s "
            "(%.0f routes/s; first ack %.2f s after the event)" %
            (what, n, last - first, n / (last - first), first - t0))
    else:
        log("churn %s: %s acknowledged" % (what, samples[-1][1] if samples else "nothing"))
    return wait_for(lambda: targets(lab, want_target, ONPREM4) and lab.synced(), "settled")


def link_cut(chk, lab):
    t0 = time.monotonic()
    churn(lab, "secondary link cut (BFD)", lambda: lab.cut("secondary"), N_BULK + 2,
          "peering:lab/private/primary")
    log("link cut -> all routes on the primary link in erdp: %.2f s" % (time.monotonic() - t0))
    s = wait_for(lambda: not lab.sessions()[("secondary", 4)]["established"] and lab.sessions(),
                 "the secondary sessions down")
    chk.check("BFD" in s[("secondary", 4)]["last_error"],
              "BFD noticed: %r" % s[("secondary", 4)]["last_error"])
    n = lab.ping(ONPREM_HOST4, VNET_HOST4, count=3)
    chk.check(n == 3, "traffic goes on over the primary link: %d of 3" % n)
    churn(lab, "secondary link back", lambda: lab.cut("secondary", on=False), N_BULK + 2,
          "peering:lab/private")
    wait_for(lab.all_established, "the sessions back")


def link_rx(lab):
    """Per link, what erdp received from the customer for forwarding (not BGP/BFD to the MSEE,
    which are local_packets)."""
    p = lab.tel("/erdp/peering,lab/private") or {}
    return {k: v.get("rx_packets", 0) - v.get("local_packets", 0)
            for k, v in (p.get("links") or {}).items()}


def maintenance(chk, lab):
    rc, _, err = lab.ctl("maintenance", "primary", "on")
    chk.eq(rc, 0, "maintenance primary on: %s" % err)

    def secondary_only():
        r = subprocess.run(["ip", "-n", lab.cust, "route", "show", "10.100.0.0/16"],
                           capture_output=True, text=True).stdout
        return "192.168.100.134" in r and "192.168.100.130" not in r and r
    r = wait_for(secondary_only, "the customer's route to the VNet over the secondary only")
    log("customer's route during maintenance: %s" % r.strip())
    before = link_rx(lab)
    n = lab.ping(VNET_HOST4, ONPREM_HOST4, count=10, interval=0.05, ns=lab.cust)
    after = link_rx(lab)
    chk.check(n == 10, "the customer reaches the VNet during maintenance: %d of 10" % n)
    d = {k: after.get(k, 0) - before.get(k, 0) for k in ("primary", "secondary")}
    chk.check(d["secondary"] >= 10 and d["primary"] == 0,
              "the customer's traffic (not counting BGP and BFD) arrives on the secondary "
              "link only: %s" % d)
    lab.ctl("maintenance", "primary", "off")
    wait_for(lambda: "192.168.100.130" in subprocess.run(
        ["ip", "-n", lab.cust, "route", "show", "10.100.0.0/16"], capture_output=True,
        text=True).stdout, "both links again at the customer")


class Traffic:
    """The VNet host pings the customer 20 times a second until stopped."""

    def __init__(self, lab):
        self.p = subprocess.Popen(["ip", "netns", "exec", lab.names()["gw"], "ping", "-n", "-i",
                                   "0.05", "-W", "1", "-I", VNET_HOST4, ONPREM_HOST4],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def stop(self):
        self.p.send_signal(__import__("signal").SIGINT)  # ping prints its summary then
        out = self.p.communicate(timeout=10)[0]
        sent = int((__import__("re").search(r"(\d+) packets transmitted", out) or [0, 0])[1])
        got = int((__import__("re").search(r"(\d+) received", out) or [0, 0])[1])
        return sent, got


def no_gap(chk, lab, what, action):
    wait_for(lambda: targets(lab, "peering:lab/private") and lab.synced(), "steady state")
    d0 = lab.drops().get("no_route", 0)
    routes = lab.erdp_routes()
    t = Traffic(lab)
    time.sleep(0.5)
    action()
    sent, got = t.stop()
    d1 = lab.drops().get("no_route", 0)
    chk.eq(d1 - d0, 0, "%s: frames erdp dropped for no_route" % what)
    chk.check(lab.erdp_routes() >= routes, "%s: erdp holds its %d routes: %d" %
              (what, routes, lab.erdp_routes()))
    log("%s: traffic %d of %d pings answered (no_route +%d)" % (what, got, sent, d1 - d0))


def kill_cp(chk, lab):
    def act():
        lab.kill_cp()
        time.sleep(0.5)
        lab.start_cp()
        wait_for(lambda: targets(lab, "peering:lab/private") and lab.synced(),
                 "the new erdp-cp synced with the BGP routes")
        time.sleep(1)
    no_gap(chk, lab, "kill -9 erdp-cp", act)
    chk.check(lab.bgp()["frr"]["adopted"], "FRR adopted")


def kill_frr(chk, lab):
    def act():
        r0 = lab.bgp()["frr"]["restarts"]
        for pid in lab.frr_pids().values():
            subprocess.run(["kill", "-9", str(pid)])
        wait_for(lambda: lab.bgp()["frr"]["restarts"] > r0, "FRR restarted")
        wait_for(lab.all_established, "the sessions back", timeout=90)
        wait_for(lambda: lab.bgp()["fpm"]["state"] == "connected" and
                 targets(lab, "peering:lab/private") and lab.synced(), "the table back")
        time.sleep(2)  # past the stale sweep
    no_gap(chk, lab, "kill -9 FRR", act)


def kill_erdp(chk, lab):
    lab.erdp.kill()
    lab.erdp.wait()
    lab.start_erdp()
    wait_for(lab.synced, "erdp-cp synced the new erdp")
    wait_for(lab.all_established, "the sessions back over the persisted taps", timeout=90)
    wait_for(lambda: targets(lab, "peering:lab/private") and lab.synced(), "routes in erdp")
    n = wait_for(lambda: lab.ping(ONPREM_HOST4, VNET_HOST4, count=2), "traffic again")
    chk.check(n >= 1, "traffic flows through the new erdp")


def main():
    if len(sys.argv) < 5 or sys.argv[4] not in ("qinq", "dot1q"):
        print("usage: test_bgp_erdp.py ERDP_CP ERDPCTL ERDP qinq|dot1q")
        return 1
    encap = sys.argv[4]
    chk = Checker("cp-bgp-erdp-" + encap)
    if encap == "dot1q":
        lab = ErdpLab("erdp-dot1q", sys.argv[1:4], encap="dot1q")
        return lab.run(chk, forwarding)
    lab = ErdpLab("erdp-qinq", sys.argv[1:4], encap="qinq", bulk=N_BULK)
    return lab.run(chk, forwarding, bulk, link_cut, maintenance, kill_cp, kill_frr, kill_erdp)


if __name__ == "__main__":
    sys.exit(main())
