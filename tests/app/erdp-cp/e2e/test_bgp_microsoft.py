# SPDX-License-Identifier: BSD-3-Clause
"""cp-bgp-microsoft: Microsoft peering's rules, on a Dot1Q port pair.

The customer advertises a default route, RFC 1918 prefixes, a public prefix
with its own community, and the IPv6 default, a unique-local and a public
prefix. Checks:
  - only the public prefixes reach the VRF (default and RFC 1918 refused on
    Microsoft peering; IPv6: ::/0 and fc00::/7), with the customer's
    community dropped;
  - the customer receives the configured prefixes (`advertise`), not the
    VRF's gateway prefixes, with the configured regional and service
    communities, AS path 12076;
  - 200 prefixes per session, IPv4 and IPv6.
"""
import sys

import bgptest
from bgptest import Checker, Lab, wait_for

PUBLIC4, PUBLIC6 = "198.51.100.0/24", "2001:db8:77::/48"
REFUSED = ("0.0.0.0/0", "10.55.0.0/16", "172.20.0.0/16", "192.168.7.0/24", "::/0",
           "fc00:1::/48")
ADVERTISE = ("203.0.113.0/24", "2001:db8:5::/48")


def routes(chk, lab):
    r = wait_for(lambda: PUBLIC4 in lab.bgp_routes() and PUBLIC6 in lab.bgp_routes() and
                 lab.bgp_routes(), "the public prefixes in the VRF")
    chk.eq(r[PUBLIC4], ("peering:lab/microsoft", "bgp"), PUBLIC4)
    chk.eq(r[PUBLIC6], ("peering:lab/microsoft", "bgp"), PUBLIC6)
    for p in REFUSED:
        chk.check(p not in r, "%s refused on Microsoft peering, but in the RIB: %s" % (p, r.get(p)))
    chk.eq(sorted(r), sorted([PUBLIC4, PUBLIC6]), "BGP routes in the VRF")
    s = wait_for(lambda: all(x["prefixes_received"] for x in lab.sessions().values()) and
                 lab.sessions(), "bgpd's counts")
    chk.eq(sorted(x["prefixes_received"] for x in s.values()), [1, 1, 1, 1],
           "prefixes accepted per session (the refused ones are filtered)")
    chk.eq(sorted(x["prefix_limit"] for x in s.values()), [200] * 4, "limit per session")
    j = bgptest.json.loads(lab.vtysh("bgpd", "show bgp ipv4 unicast %s json" % PUBLIC4))
    chk.check(all("community" not in x for x in j.get("paths", [])),
              "the customer's community on %s dropped: %s" %
              (PUBLIC4, [x.get("community") for x in j.get("paths", [])]))


def advertised(chk, lab):
    chk.eq(sorted(lab.bgp()["advertised"]), sorted(ADVERTISE), "show bgp: advertised")
    for pfx in ADVERTISE:
        paths = wait_for(lambda: len(lab.bird_paths(pfx)) == 2 and lab.bird_paths(pfx),
                         "%s at the customer on both links" % pfx)
        for x in paths:
            chk.eq(x["as_path"], "12076", "%s via %s: AS path" % (pfx, x["proto"]))
            chk.eq(sorted(x["communities"].split()), ["(12076,5010)", "(12076,51004)"],
                   "%s via %s: communities (a set: BIRD sorts them)" % (pfx, x["proto"]))
    chk.eq(lab.bird_paths("10.100.0.0/16"), [], "the VNet prefix is not advertised here")


def main():
    chk = Checker("cp-bgp-microsoft")
    lab = Lab("microsoft", sys.argv[1:], ptype="microsoft", encap="dot1q", md5=False,
              advertise=ADVERTISE, communities=("12076:51004", "12076:5010"),
              onprem4=("0.0.0.0/0", "10.55.0.0/16", "172.20.0.0/16", "192.168.7.0/24",
                       PUBLIC4 + " community 64999:100"),
              onprem6=("::/0", "fc00:1::/48", PUBLIC6))
    return lab.run(chk, routes, advertised)


if __name__ == "__main__":
    sys.exit(main())
