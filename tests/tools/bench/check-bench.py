#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Smoke test of tools/bench: `tools/bench --quick` runs and writes a well-formed JSON with a
positive rate for every system, a baseline comparison (erdp against itself) and a profile.
Never asserts on speed."""
import json
import os
import shutil
import subprocess
import sys

root, out = sys.argv[1], sys.argv[2]
erdp = os.path.join(root, "build/app/erdp/erdp")
errors = []
# bad options are refused before anything runs
for bad, words in ((["--only", "erdp-v4,nonsense"], "unknown system(s) nonsense"),
                   (["--baseline", "/nonexistent/erdp"], "not an executable")):
    r = subprocess.run([os.path.join(root, "tools/bench")] + bad, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    if r.returncode != 2 or words not in r.stdout:
        errors.append("tools/bench %s: exit %d, %r" % (" ".join(bad), r.returncode, r.stdout[-200:]))
cmd = [os.path.join(root, "tools/bench"), "--quick", "--skip-build", "--no-huge",
       "--skip-route-load", "--baseline", erdp, "--profile", "--out", out]
print(" ".join(cmd), flush=True)
r = subprocess.run(cmd, timeout=170)
if r.returncode != 0:
    sys.exit("FAIL: tools/bench exited %d" % r.returncode)
with open(os.path.join(out, "bench.json")) as f:
    res = json.load(f)
for system in ("erdp-v4", "erdp-v4-baseline", "testpmd-io", "l3fwd-lpm", "erdp-v6", "erdp-return"):
    s = res["summary"].get(system, {}).get("mpps_per_core")
    if not s or not s["median"] > 0 or s["n"] < 2:
        errors.append("%s: no positive rate over 2 runs (%r)" % (system, s))
    c = res["summary"].get(system, {}).get("cycles_per_packet_busy")
    if not c or not c["median"] > 0:
        errors.append("%s: no cycles per packet (%r)" % (system, c))
    for run in res["raw"].get(system, []):
        if run.get("drops"):
            errors.append("%s: erdp dropped %d frames of a clean workload" % (system, run["drops"]))
for k in ("erdp-v4/testpmd-io", "erdp-v4/l3fwd-lpm", "erdp-v4/erdp-v4-baseline"):
    if not res["ratios"].get(k):
        errors.append("ratio %s missing" % k)
for mix in ("v4", "v6", "return"):
    if not res["pipeline_bench"].get(mix, {}).get("total", {}).get("median", 0) > 0:
        errors.append("pipeline-bench %s: no total" % mix)
prof = res.get("profile", {}).get("erdp_v4", {})
perf_ok = shutil.which("perf") and subprocess.run(
    ["perf", "record", "-q", "-o", "/dev/null", "--", "true"], stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL).returncode == 0
if perf_ok:
    # perf works here: the worker's own code must show up among the sampled symbols
    syms = [name for _, name in prof.get("symbols", [])]
    if prof.get("status") != "ok" or not any("erdp" in n for n in syms):
        errors.append("profile: %s, symbols %r" % (prof.get("status"), syms[:5]))
elif not prof.get("status") or prof.get("status") == "ok":
    # no usable perf: the report must say why instead of a profile
    errors.append("profile without a working perf: %r" % prof.get("status"))
if not os.path.exists(os.path.join(out, "bench.md")):
    errors.append("bench.md missing")
for e in errors:
    print("FAIL:", e)
print("%d problems" % len(errors))
sys.exit(1 if errors else 0)
