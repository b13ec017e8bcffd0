#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""README's two set-up commands: each is an executable script of the repository that
runs as given in a root shell (no `sudo`, which a fresh Debian 12 root shell lacks),
and .ci/run runs exactly the second one (the whole test suite)."""
import os
import re
import sys

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def main():
    failures = []
    readme = open(os.path.join(REPO, "README.md")).read()
    m = re.search(r"## Quick start.*?```sh\n(.*?)```", readme, re.S)
    if not m:
        print("README has no Quick start sh block")
        return 1
    cmds = [l.split("#")[0].strip() for l in m.group(1).splitlines() if l.split("#")[0].strip()]
    if len(cmds) != 2:
        failures.append("Quick start has %d commands, want 2: %r" % (len(cmds), cmds))
    for c in cmds:
        word = c.split()[0]
        if word == "sudo":
            failures.append("%r needs sudo, which a Debian 12 root shell does not have" % c)
            word = c.split()[1]
        path = os.path.join(REPO, word)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            failures.append("%r: %s is not an executable file of the repository" % (c, word))
    ci = open(os.path.join(REPO, ".ci", "run")).read()
    if len(cmds) == 2 and not re.search(r"^exec\s+%s\b" % re.escape(cmds[1].split()[0]), ci, re.M):
        failures.append(".ci/run does not exec %r" % cmds[1])
    for f in failures:
        print("FAIL: " + f)
    print("checks done, %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
