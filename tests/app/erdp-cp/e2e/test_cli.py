# SPDX-License-Identifier: BSD-3-Clause
"""cp-cli: erdpctl's show commands, --json, input validation and exit codes.

Exit codes: 0 success; 1 bad input or refused request (with a message on
stderr naming what was wrong); 2 erdp-cp unreachable; 3 erdp-cp busy (tested
in cp-socket and cp-loadlimits).
"""
import json
import os
import subprocess
import sys

import cptest
from cptest import Checker, Env


def main():
    chk = Checker("cp-cli")
    env = Env("cli", sys.argv[1:])
    topo = cptest.test_topo()
    env.write_config(topo, [cptest.c2g_frame(topo, "contoso/private", "10.100.1.1")])
    return env.run(chk, cp_command_line, run)


def cp_command_line(chk, env):
    """erdp-cp's own options: --help is the manual, bad input exits 1 with a message."""
    def run_cp(*args):
        r = subprocess.run([env.cp_exe] + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=30)
        return r.returncode, r.stdout.decode(errors="replace")

    rc, out = run_cp("--help")
    chk.check(rc == 0 and "SYNOPSIS" in out and "--socket" in out and "--max-clients" in out
              and "--idle-timeout" in out and "--load-timeout" in out and "--max-load-bytes" in out,
              "erdp-cp --help: exit %d, %r" % (rc, out[:200]))
    for args, words in ((["--no-such-option"], "erdp-cp --help"),
                        (["-c", os.path.join(env.dir, "missing.conf")], "missing.conf"),
                        ([], "-c"),
                        (["-c", env.config, "--max-clients", "0"], "--max-clients '0': a number 1..65536"),
                        (["-c", env.config, "--idle-timeout", "soon"], "--idle-timeout 'soon'"),
                        (["-c", env.config, "--load-timeout", "0"], "--load-timeout '0'"),
                        (["-c", env.config, "--max-load-bytes", "10X"], "--max-load-bytes '10X'")):
        rc, out = run_cp(*args)
        chk.check(rc == 1, "erdp-cp %s: exit %d, want 1" % (" ".join(args), rc))
        chk.check(words in out, "erdp-cp %s: message lacks %r: %r" % (" ".join(args), words, out[-300:]))


def expect(chk, env, args, rc, *needles, stream="err"):
    got_rc, out, err = env.ctl(*args)
    text = err if stream == "err" else out
    ok = chk.check(got_rc == rc, "erdpctl %s: exit %d, want %d (stderr: %s)"
                   % (" ".join(args), got_rc, rc, err.strip()))
    for n in needles:
        ok &= chk.check(n in text, "erdpctl %s: %r not in its std%s: %r" % (" ".join(args), n, stream, text))
    return out, err


def run(chk, env):
    env.start_erdp()
    env.start_cp()
    env.wait_synced()

    # ---- show commands: tables and JSON ---------------------------------------------
    out, _ = expect(chk, env, ["show", "ports"], 0, "er-primary", "gw1", "PORT", stream="out")
    expect(chk, env, ["show", "circuits"], 0, "contoso", "woodgrove", "S-TAG", stream="out")
    expect(chk, env, ["show", "peerings"], 0, "contoso/private", "192.168.100.129",
           "02:c0:00:00:01:01".upper(), stream="out")
    expect(chk, env, ["show", "neighbors"], 0, "198.51.100.5", "static", stream="out")
    expect(chk, env, ["show", "gateways"], 0, "gw-fabrikam", "02:00:00:00:20:03", stream="out")
    expect(chk, env, ["show", "counters"], 0, "rx_packets", stream="out")
    expect(chk, env, ["status"], 0, "connected", stream="out")
    for what in ("ports", "circuits", "peerings", "neighbors", "gateways", "counters"):
        rc, j, err = env.ctl_json("show", what)
        chk.check(rc == 0 and j is not None and j.get("ok") is True,
                  "show %s --json: rc %d, reply %r %s" % (what, rc, j, err))
    rc, j, _ = env.ctl_json("show", "peerings")
    if j:
        p = {x["name"]: x for x in j["result"]["peerings"]}
        cp = p.get("contoso/private", {})
        chk.eq(cp.get("links", {}).get("secondary", {}).get("arp", {}).get("ip"), "192.168.100.133",
               "show peerings: contoso/private secondary ARP entry")
        chk.eq(cp.get("links", {}).get("primary", {}).get("port_link"), "up",
               "show peerings: primary port link state")
        chk.check(cp.get("rx_packets", 0) > 0, "show peerings: contoso/private counters move")
    rc, j, _ = env.ctl_json("show", "gateways")
    if j:
        g = {x["name"]: x for x in j["result"]["gateways"]}
        chk.eq(len(g.get("gw-fabrikam", {}).get("instances", [])), 3, "gw-fabrikam instances")

    # ---- routes: listing, paging, lookup ---------------------------------------------
    rc, j, _ = env.ctl_json("show", "routes", "contoso-private", "--limit", "2")
    routes = j["result"]["routes"] if j else []
    chk.eq([r["prefix"] for r in routes], ["10.10.0.0/16", "10.100.0.0/16"], "show routes page 1")
    nxt = j["result"].get("next") if j else None
    chk.eq(nxt, "10.100.0.0/16", "show routes: next cursor")
    rc, j, _ = env.ctl_json("show", "routes", "contoso-private", "--after", nxt or "")
    chk.eq([r["prefix"] for r in (j["result"]["routes"] if j else [])],
           ["fd00:100::/48", "fd10:10::/32"], "show routes page 2")
    expect(chk, env, ["lookup", "contoso-private", "10.100.7.7"], 0, "10.100.0.0/16",
           "gateway:gw-contoso", stream="out")
    expect(chk, env, ["lookup", "contoso-private", "fd00:100::5"], 0, "fd00:100::/48", stream="out")
    expect(chk, env, ["lookup", "contoso-private", "11.0.0.1"], 0, "no route", stream="out")
    expect(chk, env, ["route", "add", "contoso-private", "10.50.0.0/16", "gateway:gw-contoso"], 0,
           "route added", "acknowledged", stream="out")
    expect(chk, env, ["route", "add", "contoso-private", "10.50.1.0/24", "blackhole"], 0, stream="out")
    expect(chk, env, ["lookup", "contoso-private", "10.50.1.9"], 0, "10.50.1.0/24 -> blackhole",
           stream="out")
    expect(chk, env, ["lookup", "contoso-private", "10.50.2.9"], 0, "10.50.0.0/16", stream="out")
    expect(chk, env, ["route", "del", "contoso-private", "10.50.1.0/24"], 0, "deleted", stream="out")
    expect(chk, env, ["gateway", "gw-fabrikam", "instance", "2", "down"], 0, stream="out")
    rc, j, _ = env.ctl_json("show", "gateways")
    if j:
        g = {x["name"]: x for x in j["result"]["gateways"]}
        chk.eq(g["gw-fabrikam"]["instances"][2]["admin"], "down", "gateway instance admin state")
    expect(chk, env, ["link", "fabrikam/private", "secondary", "down"], 0, stream="out")
    expect(chk, env, ["port", "er-secondary", "down"], 0, stream="out")
    expect(chk, env, ["port", "er-secondary", "up"], 0, stream="out")
    st = env.status()
    chk.eq(st and st["messages_rejected"], 0, "erdp rejected none of the valid changes")
    env.verify(chk, "after the valid changes")

    # ---- bad input: exit 1 and a message that names the problem ------------------------
    bad = [
        (["route", "add", "nosuchvrf", "10.0.0.0/8", "blackhole"], "unknown VRF 'nosuchvrf'"),
        (["route", "add", "contoso-private", "10.0.0/8", "blackhole"], "prefix"),
        (["route", "add", "contoso-private", "10.1.2.3/16", "blackhole"], "host bits set (the network is 10.1.0.0/16)"),
        (["route", "add", "contoso-private", "10.0.0.0/40", "blackhole"], "prefix length must be 0..32"),
        (["route", "add", "contoso-private", "10.0.0.0/8", "gateway:nope"], "no gateway named 'nope'"),
        (["route", "add", "contoso-private", "10.0.0.0/8", "gateway:gw-fabrikam"], "is in VRF 'fabrikam-private'"),
        (["route", "add", "contoso-private", "10.0.0.0/8", "peering:nope/private"], "no peering named"),
        (["route", "add", "contoso-private", "10.0.0.0/8", "elsewhere"], "is not gateway:NAME"),
        (["route", "del", "contoso-private", "10.99.0.0/16"], "no route 10.99.0.0/16"),
        (["lookup", "contoso-private", "10.0.0.0/8"], "without /length"),
        (["lookup", "nosuchvrf", "10.0.0.1"], "unknown VRF"),
        (["show", "routes", "nosuchvrf"], "unknown VRF"),
        (["gateway", "nope", "instance", "0", "up"], "unknown gateway 'nope'"),
        (["gateway", "gw-contoso", "instance", "7", "up"], "instance"),
        (["link", "contoso/private", "tertiary", "down"], "'primary' or 'secondary'"),
        (["link", "contoso/public", "primary", "down"], "unknown peering"),
        (["port", "nope", "down"], "unknown port 'nope'"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["show", "bogus"], "unknown object 'bogus'"),
        (["route", "add", "contoso-private"], "usage: route add"),
        (["route", "load", "/nonexistent/routes.txt"], "No such file"),
    ]
    for args, needle in bad:
        expect(chk, env, args, 1, needle)
    path = os.path.join(env.dir, "bad-routes.txt")
    with open(path, "w") as f:
        f.write("# two good lines, then bad ones\n"
                "contoso-private 10.60.0.0/16 gateway:gw-contoso\n"
                "contoso-private 10.61.0.0/16 blackhole   # a comment\n"
                "contoso-private 10.62.0.1/16 blackhole\n"
                "nosuchvrf 10.63.0.0/16 blackhole\n"
                "contoso-private 10.64.0.0/16\n")
    _, err = expect(chk, env, ["route", "load", path], 1, "3 errors, nothing loaded",
                    "bad-routes.txt:4: prefix: '10.62.0.1/16': host bits set",
                    "bad-routes.txt:5: vrf: unknown VRF 'nosuchvrf'",
                    "bad-routes.txt:6: expected '<vrf> <prefix> <target>'")
    expect(chk, env, ["lookup", "contoso-private", "10.60.0.1"], 0, "no route", stream="out")

    # ---- erdp down: shows fail with exit 1, changes are kept with a warning ---------------
    env.stop(env.erdp)
    expect(chk, env, ["show", "ports"], 1, "erdp is not running")
    expect(chk, env, ["route", "add", "contoso-private", "10.70.0.0/16", "blackhole"], 0,
           "warning", "erdp is not connected")
    expect(chk, env, ["show", "gateways"], 0, "gw-contoso", stream="out")

    # ---- erdp-cp unreachable: exit 2 ---------------------------------------------------
    rc, _, err = env.ctl("show", "gateways", sock=os.path.join(env.dir, "nope.sock"))
    chk.check(rc == 2 and "cannot reach erdp-cp" in err, "no erdp-cp: exit %d, want 2 (%s)" % (rc, err))
    chk.eq(env.stop(env.cp), 0, "erdp-cp exit status on SIGTERM")
    chk.check(not os.path.exists(env.sock), "erdp-cp removed its socket at exit")
    rc, _, err = env.ctl("status")
    chk.check(rc == 2, "erdp-cp stopped: exit %d, want 2 (%s)" % (rc, err))
    rc, out, _ = env.ctl("--help")
    chk.check(rc == 0 and "EXIT STATUS" in out and "3  erdp-cp is busy" in out, "erdpctl --help")
    rc, out, _ = env.ctl("--json", "status", sock=os.path.join(env.dir, "nope.sock"))
    chk.check(rc == 2, "--json with no erdp-cp: exit 2")
    json.dumps(out)


if __name__ == "__main__":
    sys.exit(main())
