# SPDX-License-Identifier: BSD-3-Clause
"""cp-bgp-sessions: the customer's BGP and BFD on private peering, and its routes in the RIB.

BIRD (the customer, AS 65001, MD5) against FRR run by erdp-cp (AS 12076), over
IPv4 and IPv6 on both links (bgptest.py: the "frr lab" wiring). Checks:
  - four sessions Established, BFD up on each (erdp-cp puts BFD on after the
    first Established), ExpressRoute's limits (4,000 IPv4, 100 IPv6);
  - the customer receives the VNet prefixes (the VRF's gateway prefixes) on
    both links with AS path 12076;
  - the customer's prefixes are in the VRF with origin bgp toward the peering
    over both links; communities the customer sends are ignored;
  - an operator's route wins over a BGP route and deleting it gives the
    prefix back to BGP; erdpctl cannot delete a BGP route;
  - a link cut without carrier loss (nft drops both ways): BFD notices (the
    session's reason says so), the routes move to the other link only; mended,
    back on both;
  - erdpctl link ... down shuts that link's sessions (the customer gets a
    Cease), routes move; up again, back.
"""
import sys
import time

import bgptest
from bgptest import LINKS, Checker, Lab, log, wait_for

ONPREM4 = ("10.10.0.0/16", "10.20.0.0/16")
ONPREM6 = ("fd10:10::/32",)


def targets(lab, want):
    """Every customer prefix in the RIB with origin bgp and target `want`?"""
    r = lab.bgp_routes()
    return all(r.get(p, (None,))[0] == want for p in ONPREM4 + ONPREM6) and r


def established(chk, lab):
    wait_for(lambda: all(s["bfd"] == "up" for s in lab.sessions().values()),
             "BFD up on every session")
    s = lab.sessions()
    for link in LINKS:
        for fam in (4, 6):
            x = s[(link, fam)]
            chk.check(x["state"] == "Established" and x["bfd"] == "up",
                      "%s ipv%d: %s, BFD %s" % (link, fam, x["state"], x["bfd"]))
            chk.eq(x["prefix_limit"], 4000 if fam == 4 else 100,
                   "%s ipv%d: prefix limit" % (link, fam))
            chk.eq(x["prefix_limit_drops"], 0, "%s ipv%d: prefix-limit drops" % (link, fam))
            chk.eq(x["admin"], "up", "%s ipv%d: admin" % (link, fam))
    p = lab.bgp()
    chk.eq(sorted(p["advertised"]), ["10.100.0.0/16", "10.101.0.0/16", "fd00:100::/48"],
           "prefixes the MSEE advertises (the VRF's gateway prefixes)")
    chk.eq(p["frr"]["state"], "running", "FRR")
    chk.eq(p["fpm"]["state"], "connected", "FPM stream")
    rc, out, _ = lab.ctl("show", "bfd")
    chk.check(rc == 0 and out.count(" up ") >= 4, "erdpctl show bfd lists 4 sessions up:\n" + out)
    # the same on the metrics endpoint, one sample per session
    text = wait_for(lambda: lab.metrics().count("erdp_cp_bgp_bfd_up{") == 4 and lab.metrics(),
                    "BGP sessions on the metrics endpoint")
    for link in LINKS:
        want = ('erdp_cp_bgp_session_up{peering="lab/private",link="%s",family="ipv4",'
                'neighbor="%s"} 1' % (link, bgptest.CUST4[link]))
        chk.check(want in text, "metrics: %s" % want)
    chk.check('erdp_cp_bgp_prefix_limit{peering="lab/private",link="primary",family="ipv6",'
              'neighbor="2001:db8:100::1"} 100' in text, "metrics: the IPv6 limit")
    if bgptest.shutil.which("promtool"):
        r = bgptest.subprocess.run(["promtool", "check", "metrics"], input=text,
                                   capture_output=True, text=True)
        chk.check(r.returncode == 0, "promtool check metrics: %s%s" % (r.stdout, r.stderr))


def vnet_at_customer(chk, lab):
    for pfx, protos in (("10.100.0.0/16", ("link_pri", "link_sec")),
                        ("10.101.0.0/16", ("link_pri", "link_sec")),
                        ("fd00:100::/48", ("link_pri6", "link_sec6"))):
        paths = wait_for(lambda: len(lab.bird_paths(pfx)) == 2 and lab.bird_paths(pfx),
                         "%s on both links at the customer" % pfx)
        chk.eq(sorted(x["proto"] for x in paths), list(protos), "%s: learned on" % pfx)
        for x in paths:
            chk.eq(x["as_path"], "12076", "%s via %s: AS path" % (pfx, x["proto"]))
    # the customer's own prefixes are not sent back to it (only what the MSEE originates)
    chk.eq([x["proto"] for x in lab.bird_paths("10.10.0.0/16")], ["onprem"],
           "10.10.0.0/16 at the customer comes only from its own static")


def customer_routes(chk, lab):
    r = wait_for(lambda: targets(lab, "peering:lab/private"),
                 "the customer's prefixes in the RIB over both links")
    for p in ONPREM4 + ONPREM6:
        chk.eq(r[p], ("peering:lab/private", "bgp"), "RIB %s" % p)
    rc, out, _ = lab.ctl("show", "routes", "lab")
    chk.check(rc == 0 and "10.10.0.0/16   peering:lab/private  bgp" in out.replace("  bgp", "  bgp"),
              "show routes names the source:\n" + out)
    rc, out, _ = lab.ctl("lookup", "lab", "10.10.1.1")
    chk.check(rc == 0 and "(bgp)" in out, "lookup says bgp: " + out)
    # a community from the customer is ignored (route-map CUST-IN4: set community none)
    lab.birdc("enable", "extra4")
    wait_for(lambda: "10.30.0.0/16" in lab.bgp_routes(), "10.30.0.0/16 (with a community)")
    j = bgptest.json.loads(lab.vtysh("bgpd", "show bgp ipv4 unicast 10.30.0.0/16 json"))
    paths = j.get("paths", [])
    chk.check(len(paths) == 2 and all("community" not in x for x in paths),
              "FRR keeps no community of the customer's 10.30.0.0/16: %s" %
              [x.get("community") for x in paths])


def precedence(chk, lab):
    rc, _, err = lab.ctl("route", "add", "lab", "10.10.0.0/16", "gateway:gw-lab")
    chk.check(rc == 0 or "not connected" in err, "route add over a BGP route: %s" % err)
    chk.eq(lab.routes().get("10.10.0.0/16"), ("gateway:gw-lab", "runtime"),
           "the operator's route wins over BGP's")
    rc, _, err = lab.ctl("route", "del", "lab", "10.10.0.0/16")
    chk.eq(lab.routes().get("10.10.0.0/16"), ("peering:lab/private", "bgp"),
           "deleting it gives the prefix back to BGP")
    rc, _, err = lab.ctl("route", "del", "lab", "10.20.0.0/16")
    chk.check(rc == 1 and "learned by BGP" in err,
              "erdpctl refuses to delete a BGP route: rc %d %s" % (rc, err.strip()))
    chk.eq(lab.routes().get("10.20.0.0/16"), ("peering:lab/private", "bgp"), "10.20.0.0/16 stays")


def bfd_cut(chk, lab):
    mark = lab.bird_log_mark()
    t0 = time.monotonic()
    lab.cut("secondary")
    wait_for(lambda: targets(lab, "peering:lab/private/primary"),
             "the routes on the primary link only after the secondary was cut")
    log("link cut -> routes on one link in erdp-cp's RIB: %.2f s (BFD 300 ms x 3; polled)" %
        (time.monotonic() - t0))
    # bgpd is asked once a second: its answer may come after the routes moved
    s = wait_for(lambda: not any(x["established"] for (l, f), x in lab.sessions().items()
                                 if l == "secondary") and lab.sessions(),
                 "the secondary sessions down")
    for fam in (4, 6):
        x = s[("secondary", fam)]
        chk.check("BFD" in x["last_error"], "secondary ipv%d: BFD took it down, not the hold "
                  "timer: last error %r" % (fam, x["last_error"]))
        chk.check(s[("primary", fam)]["established"], "primary ipv%d stays up" % fam)
    wait_for(lambda: "BFD session down" in lab.bird_log_since(mark) or
             "changed state from Up to Down" in lab.bird_log_since(mark), "BIRD's BFD down",
             timeout=10)
    lab.cut("secondary", on=False)
    wait_for(lambda: targets(lab, "peering:lab/private"), "both links again after the mend")
    chk.check(bool(wait_for(lab.all_established, "sessions back")), "sessions back")


def admin_down(chk, lab):
    rc, _, err = lab.ctl("link", "lab/private", "secondary", "down")
    chk.check(rc == 0 or "not connected" in err, "link down: %s" % err)
    wait_for(lambda: all(lab.sessions()[("secondary", f)]["admin"] == "down" for f in (4, 6)),
             "the secondary sessions shut down")
    wait_for(lambda: targets(lab, "peering:lab/private/primary"), "routes on the primary only")
    info = wait_for(lambda: "shutdown" in lab.bird_protocols()["link_sec"][2].lower() and
                    lab.bird_protocols()["link_sec"][2], "the customer told of the shutdown")
    log("BIRD link_sec: %s" % info)
    rc, _, err = lab.ctl("link", "lab/private", "secondary", "up")
    wait_for(lab.all_established, "the secondary sessions back")
    chk.check(all(x["admin"] == "up" for x in lab.sessions().values()), "admin up again")
    wait_for(lambda: targets(lab, "peering:lab/private"), "both links again")


def main():
    chk = Checker("cp-bgp-sessions")
    lab = Lab("sessions", sys.argv[1:], onprem4=ONPREM4, onprem6=ONPREM6,
              extra4=("10.30.0.0/16 community 65001:777",), metrics=True)
    return lab.run(chk, established, vnet_at_customer, customer_routes, precedence, bfd_cut,
                   admin_down)


if __name__ == "__main__":
    sys.exit(main())
