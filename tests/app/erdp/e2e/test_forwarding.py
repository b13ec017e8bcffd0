#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-qinq / e2e-dot1q: forwarding and drop counters on the standard topology.

usage: test_forwarding.py ERDP_BINARY qinq|dot1q
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402
import std_scenario  # noqa: E402


def main():
    exe = et.erdp_binary()
    encap = sys.argv[2] if len(sys.argv) > 2 else "qinq"
    chk = et.Checker("e2e-" + encap)
    topo = et.standard_topo(encap)
    sc = std_scenario.build(topo)
    n_in = sum(len(v) for v in sc.inputs.values())
    print("%s: %d input frames (%s)" % (chk.name, n_in, ", ".join("%s %d" % (k, len(v)) for k, v in sc.inputs.items())))
    wd = et.Workdir(encap)
    run = et.run_erdp(exe, topo, sc.inputs, wd.path)
    if et.check_run_ok(chk, run):
        et.check_outputs(chk, sc, run)
        et.check_flow_spread(chk, sc)
        et.check_counters(chk, sc, run)
        et.print_counters(run)
    rc = chk.finish()
    wd.close(rc != 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
