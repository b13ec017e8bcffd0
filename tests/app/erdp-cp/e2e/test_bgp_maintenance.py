# SPDX-License-Identifier: BSD-3-Clause
"""cp-bgp-maintenance: erdpctl maintenance LINK on|off, as during Azure's MSEE maintenance.

With maintenance on the primary link, every session there advertises with
bgp.maintenance_prepend (2 here, to see that the key counts) more 12076s:
the customer sees AS path "12076 12076 12076" on its primary sessions and
prefers the secondary; off, both paths are equal again. The state shows in
show bgp; the sessions never go down for it.
"""
import sys

from bgptest import Checker, Lab, wait_for

VNET = ("10.100.0.0/16", "fd00:100::/48")


def paths(lab, pfx):
    return {x["proto"].rstrip("6"): x for x in lab.bird_paths(pfx)}


def maintenance_on(chk, lab):
    drops = {k: s["session_drops"] for k, s in lab.sessions().items()}
    rc, out, err = lab.ctl("maintenance", "primary", "on")
    chk.check(rc == 0 and "2 sessions" in out, "maintenance primary on (2 sessions: IPv4 and "
              "IPv6): rc %d %s%s" % (rc, out, err))
    for pfx in VNET:
        # the secondary's path may be re-sent meanwhile: wait for the settled picture
        want = {"link_pri": ("12076 12076 12076", False), "link_sec": ("12076", True)}
        p = wait_for(lambda: {k: (x["as_path"], x["best"]) for k, x in
                              paths(lab, pfx).items()} == want and paths(lab, pfx),
                     "the customer: %s over the primary with the longer AS path, the "
                     "secondary preferred" % pfx)
        chk.check(bool(p), "%s at the customer: %s" % (pfx, p))
    s = wait_for(lambda: all(x["maintenance"] == (k[0] == "primary")
                             for k, x in lab.sessions().items()) and lab.sessions(),
                 "show bgp: maintenance on the primary sessions only")
    chk.eq({k: x["session_drops"] for k, x in s.items()}, drops, "no session went down")
    chk.eq(lab.result("show", "bgp")["maintenance"], {"primary": True, "secondary": False},
           "show bgp: maintenance per link")


def maintenance_off(chk, lab):
    rc, out, err = lab.ctl("maintenance", "primary", "off")
    chk.eq(rc, 0, "maintenance primary off: %s%s" % (out, err))
    for pfx in VNET:
        wait_for(lambda: [x["as_path"] for x in paths(lab, pfx).values()] == ["12076", "12076"],
                 "the normal AS path on both links for %s" % pfx)
    wait_for(lambda: not any(x["maintenance"] for x in lab.sessions().values()),
             "show bgp: no maintenance")
    rc, _, err = lab.ctl("maintenance", "third", "on")
    chk.check(rc == 1 and "primary|secondary" in err, "a bad link is refused: %s" % err)


def main():
    chk = Checker("cp-bgp-maintenance")
    lab = Lab("maintenance", sys.argv[1:], bgp_extra="maintenance_prepend = 2;")
    return lab.run(chk, maintenance_on, maintenance_off)


if __name__ == "__main__":
    sys.exit(main())
