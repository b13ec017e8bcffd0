#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-l3-health: gateway instance health probes.

gw-contoso's two instances (gw0, VLAN 10) and gw-woodgrove's first instance
(gw1, untagged) get an `ip`; probes every 100 ms, down after 3 (gw-contoso)
or 2 (gw-woodgrove) unanswered. erdp runs 1.5 s with nobody answering
(one early ARP reply from an instance is consumed: it comes before any
probe). Checked: the probes in the gateway ports' output pcaps (broadcast,
the instance's VLAN, ARP request, sender 0.0.0.0 with the port MAC, target
the instance ip), about one per interval per instance, none for instances
without ip; "gateway ... down" on stdout for each probed instance; counters.

usage: test_l3_health.py ERDP_BINARY
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402
import test_l3_common as c  # noqa: E402
from test_l3_common import l2, parse_frame  # noqa: E402

INTERVAL_MS = 100
DURATION_S = 1.5
ZERO = "00:00:00:00:00:00"


def main():
    exe = et.erdp_binary()
    chk = et.Checker("e2e-l3-health")
    t = c.l3_topo("qinq")
    ips = {"02:00:00:00:10:01": "10.100.0.11", "02:00:00:00:10:02": "10.100.0.12",
           "02:00:00:00:30:01": "10.130.0.11"}
    probed = {  # ip -> (port, vlan, gateway, instance index)
        "10.100.0.11": ("gw0", 10, "gw-contoso", 0), "10.100.0.12": ("gw0", 10, "gw-contoso", 1),
        "10.130.0.11": ("gw1", 0, "gw-woodgrove", 0)}
    ctr = c.Counters(t)
    G0 = t.port_by_name("gw0")
    early = l2(G0["mac"], "02:00:00:00:10:02", [(0x8100, 10)], 0x0806) + c.arp(
        2, "02:00:00:00:10:02", "10.100.0.12", G0["mac"], "0.0.0.0")
    ctr.in_local("gw0", early)
    wd = et.Workdir("l3-health")
    run = c.run(exe, t, {"gw0": [early]}, wd.path,
                extra_args=["--exit-when-idle", "60000", "--duration", str(DURATION_S)],
                inst_ip=ips, gw_health={"gw-contoso": (INTERVAL_MS, 3), "gw-woodgrove": (INTERVAL_MS, 2)})
    if et.check_run_ok(chk, run):
        n = {}
        for pn, frames in run.outputs.items():
            port = t.port_by_name(pn)
            for b in frames:
                f = parse_frame(b)
                a = c.parse_arp(f["l3"]) if f and f["etype"] == 0x0806 else None
                if not chk.check(a is not None and a["tpa"] in probed,
                                 "unexpected frame out of %s: %s" % (pn, c.dump(b))):
                    continue
                want_port, vlan, gw, idx = probed[a["tpa"]]
                what = "probe for %s (%s instance %d)" % (a["tpa"], gw, idx)
                chk.eq(pn, want_port, what + ": port")
                chk.eq(f["dst"], c.BCAST, what + ": broadcast")
                chk.eq(f["src"], port["mac"], what + ": src MAC = port MAC")
                chk.eq(f["tags"], [(0x8100, 0, 0, vlan)] if vlan else [], what + ": the instance's VLAN")
                chk.eq((a["hrd"], a["pro"], a["hln"], a["pln"], a["op"]), (1, 0x0800, 6, 4, 1),
                       what + ": ARP request")
                chk.eq((a["sha"], a["spa"], a["tha"]), (port["mac"], "0.0.0.0", ZERO),
                       what + ": sender port MAC / 0.0.0.0, target MAC 0")
                n[a["tpa"]] = n.get(a["tpa"], 0) + 1
                ctr.tx(pn, b)
        want = DURATION_S * 1000 / INTERVAL_MS
        for ip in probed:
            got = n.get(ip, 0)
            print("probes for %s: %d (about %d expected)" % (ip, got, want))
            chk.check(want * 0.5 <= got <= want + 2, "probes for %s: %d in %.1f s at %d ms, want about %d"
                      % (ip, got, DURATION_S, INTERVAL_MS, want))
        for ip, (_, _, gw, idx) in probed.items():
            pat = r"gateway %s instance %d \(%s\) down" % (re.escape(gw), idx, re.escape(ip))
            chk.check(re.search(pat, run.stdout) is not None,
                      "stdout lacks '%s'; stdout:\n%s" % (pat.replace("\\", ""), run.stdout[-2000:]))
        chk.check(" up" not in "".join(l for l in run.stdout.splitlines() if "gateway" in l and "instance" in l),
                  "an instance came up without answering: %s" % run.stdout[-2000:])
        ctr.check(chk, run.stats)
        c.check_tx_matches_pcaps(chk, run)
    rc = chk.finish()
    wd.close(rc != 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
