#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""e2e-check-config: `erdp --check-config` accepts good configs ("FILE: OK",
exit 0) and rejects bad ones (exit != 0, "FILE:LINE: field: message" with the
line of the offending setting or of the block that holds it)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erdptest as et  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))


def check_config(exe, path):
    cp = subprocess.run([exe, "--check-config", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL, timeout=30)
    return cp.returncode, cp.stdout.decode(errors="replace")


def line_of(text, needle, start=1):
    """1-based line number of the first line at or after `start` containing needle."""
    for i, l in enumerate(text.splitlines(), 1):
        if i >= start and needle in l:
            return i
    raise KeyError(needle)


def block_start(text, line):
    """Line of the '{' that opens the innermost block around `line`."""
    lines = text.splitlines()
    if "{" in lines[line - 1]:
        return line
    depth = 0
    for i in range(line - 1, 0, -1):
        l = lines[i - 1]
        depth += l.count("}") - l.count("{")
        if depth < 0:
            return i
    return 1


def main():
    exe = et.erdp_binary()
    chk = et.Checker("e2e-check-config")
    tmp = tempfile.mkdtemp(prefix="erdp-check-config-")
    devices = {"er-primary": "net_pcap0,rx_pcap=/dev/null,tx_pcap=/tmp/x0.pcap",
               "er-secondary": "net_pcap1,rx_pcap=/dev/null,tx_pcap=/tmp/x1.pcap",
               "gw0": "net_pcap2,rx_pcap=/dev/null,tx_pcap=/tmp/x2.pcap",
               "gw1": "net_pcap3,rx_pcap=/dev/null,tx_pcap=/tmp/x3.pcap"}

    def good_case(name, text):
        path = os.path.join(tmp, name + ".conf")
        with open(path, "w") as f:
            f.write(text)
        rc, out = check_config(exe, path)
        chk.check(rc == 0, "%s: good config rejected (exit %d): %s" % (name, rc, out.strip()[-800:]))
        chk.check(("%s: OK" % path) in out, "%s: output lacks '%s: OK': %r" % (name, path, out.strip()[-400:]))

    def bad_case(name, text, lo, hi, field=None):
        """The error must name the file and a line in lo..hi (and the field, if given)."""
        path = os.path.join(tmp, name + ".conf")
        with open(path, "w") as f:
            f.write(text)
        rc, out = check_config(exe, path)
        chk.check(rc != 0, "%s: bad config accepted (exit 0): %r" % (name, out.strip()[-400:]))
        m = re.search(re.escape(path) + r":(\d+):", out)
        if chk.check(m is not None, "%s: no '%s:LINE:' in output: %r" % (name, path, out.strip()[-400:])):
            ln = int(m.group(1))
            chk.check(lo <= ln <= hi, "%s: error at line %d, want %d..%d: %s"
                      % (name, ln, lo, hi, out.strip()[-400:]))
            if field:
                rest = out[m.end():].splitlines()[0] if out[m.end():] else ""
                chk.check(field in rest, "%s: message does not name %r: %r" % (name, field, rest))
        print("  %s -> exit %d: %s" % (name, rc, out.strip().splitlines()[-1] if out.strip() else ""))

    # Good configs: the test topologies and the shipped demo.
    q = et.render_config(et.standard_topo("qinq"), devices)
    d = et.render_config(et.standard_topo("dot1q"), devices)
    good_case("good-qinq", q)
    good_case("good-dot1q", d)
    demo = os.path.join(REPO, "config", "erdp.conf")
    if chk.check(os.path.exists(demo), "config/erdp.conf missing"):
        rc, out = check_config(exe, demo)
        chk.check(rc == 0 and "erdp.conf: OK" in out, "config/erdp.conf rejected (exit %d): %s" % (rc, out.strip()[-800:]))

    # 1. Duplicate S-tag: fabrikam gets contoso's 100.
    t = q.replace("s_tag = 110;", "s_tag = 100;")
    ln = line_of(t, "s_tag = 100;", line_of(t, '"fabrikam"'))
    bad_case("dup-s-tag", t, block_start(t, ln), ln, "s_tag")
    # 2. VLAN 4095 on a peering.
    ln0 = line_of(q, "c_tag = 300;")
    t = q.replace("c_tag = 300;", "c_tag = 4095;")
    bad_case("c-tag-4095", t, block_start(t, ln0), ln0, "c_tag")
    # 3. Gateway instance on a port that does not exist.
    ln0 = line_of(q, '"02:00:00:00:20:02"')
    lines = q.splitlines()
    lines[ln0 - 1] = lines[ln0 - 1].replace('port = "gw0"', 'port = "gw9"')
    t = "\n".join(lines) + "\n"
    bad_case("unknown-port", t, block_start(t, ln0), ln0, "port")
    # 4. Route to a peering that does not exist.
    ln0 = line_of(q, 'peering = "woodgrove/private"')
    t = q.replace('peering = "woodgrove/private"', 'peering = "woodgrove/microsoft"')
    bad_case("unknown-peering", t, ln0, ln0, "peering")
    # 5. Reserved peer ASN.
    ln0 = line_of(q, "peer_asn = 65002;")
    t = q.replace("peer_asn = 65002;", "peer_asn = 65515;")
    bad_case("reserved-asn", t, block_start(t, ln0), ln0, "peer_asn")
    # 6. libconfig syntax error (a bare word where a value belongs).
    ln0 = line_of(q, 'speed = "10G";')
    t = q.replace('speed = "10G";', 'speed = 10G;')
    bad_case("syntax", t, ln0, ln0 + 1)
    # 7. Dot1Q: the same VLAN on two peerings of the port pair.
    ln0 = line_of(d, "vlan = 201;")
    t = d.replace("vlan = 201;", "vlan = 200;")
    bad_case("dot1q-dup-vlan", t, block_start(t, ln0), ln0, "vlan")
    # 8. A missing file.
    rc, out = check_config(exe, os.path.join(tmp, "does-not-exist.conf"))
    chk.check(rc != 0, "missing file accepted: %r" % out)

    # The command line itself: bad options fail with a message and exit 1, --help is the manual.
    def run(*args):
        cp = subprocess.run([exe] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, timeout=30)
        return cp.returncode, cp.stdout.decode(errors="replace")

    rc, out = run("--help")
    chk.check(rc == 0 and "SYNOPSIS" in out and "--check-config" in out and "/erdp/" in out,
              "--help: exit %d, manual incomplete: %r" % (rc, out[:300]))
    for args, words in ((["--duration", "abc"], "--duration"),
                        (["--exit-when-idle", "-5"], "--exit-when-idle"),
                        (["--stats-interval", "1x"], "--stats-interval"),
                        (["--no-such-option"], "erdp --help"),
                        (["-c", os.path.join(tmp, "missing.conf")], "missing.conf")):
        rc, out = run(*args)
        chk.check(rc == 1, "%s: exit %d, want 1" % (" ".join(args), rc))
        chk.check(words in out, "%s: message does not name %r: %r" % (" ".join(args), words, out[-300:]))
    rc, out = run("--check-config", os.path.join(tmp, "missing.conf"))
    chk.check(rc == 1 and "missing.conf" in out, "--check-config of a missing file: %d %r" % (rc, out))

    # EAL settings: lcore@cpu forms from the config work, and an lcore list or memory size
    # after "--" wins over the config's (EAL itself keeps the first -l it sees).
    topo = et.standard_topo("qinq")
    for i, (lcores, eal_args, what) in enumerate((
            ("0-2", ["-l", "0-1"], "config lcores 0-2, -- -l 0-1"),
            ("0-2", ["--lcores=0-1"], "config lcores 0-2, -- --lcores=0-1"),
            ("0@0,1@1", [], "config lcores 0@0,1@1"))):
        r = et.run_erdp(exe, topo, {}, os.path.join(tmp, "eal-%d" % i), eal_lcores=lcores,
                        eal_args=eal_args)
        chk.check(r.rc == 0 and "1 workers" in r.stdout,
                  "%s: exit %r, output tail %r" % (what, r.rc, r.stdout[-600:]))

    rc = chk.finish()
    if rc == 0:
        shutil.rmtree(tmp)
    else:
        print("configs kept in %s" % tmp)
    return rc


if __name__ == "__main__":
    sys.exit(main())
