# SPDX-License-Identifier: BSD-3-Clause
"""cp-loadlimits: route load never holds erdp-cp's event loop, and its input is bounded.

- A route file from a pipe that stays open and silent: status and show still
  answer while it is pending; the load is refused after --load-timeout with a
  message that says so. erdpctl --timeout shorter than that: exit 3 (busy).
- /dev/zero and an endless pipe of valid lines: refused at --max-load-bytes,
  erdp-cp's peak RSS (VmHWM) stays bounded. A watchdog kills an erdp-cp whose
  memory runs away, so a regression fails instead of eating the machine.
- Files read at the same time share the byte budget: a load that would push
  the total over it is refused as busy (exit 3); alone, the same file loads; a
  file over the limit by itself is bad input (exit 1).
- NUL and other control bytes inside route-file lines: errors naming file, line
  and column, nothing loaded; CRLF line ends are fine.

erdp is not started: loads answer "applied": false, which is all this needs.
"""
import fcntl
import os
import subprocess
import sys
import termios
import threading
import time

import cptest
from cptest import Checker, Env, WAIT_S

VRF = "contoso-private"
RUNAWAY_BYTES = 1 << 30  # the watchdog's limit: far above anything a bounded erdp-cp uses


def main():
    chk = Checker("cp-loadlimits")
    env = Env("loadlimits", sys.argv[1:])
    env.write_config(cptest.test_topo(), [])
    return env.run(chk, silent_pipe, size_cap, shared_budget, control_bytes)


def proc_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Watchdog:
    """Kills erdp-cp if its RSS passes RUNAWAY_BYTES; .fired tells whether it had to."""

    def __init__(self, proc):
        self.proc, self.fired, self.stop = proc, False, threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop.wait(0.05) and self.proc.poll() is None:
            try:
                if proc_kb(self.proc.pid, "VmRSS") * 1024 > RUNAWAY_BYTES:
                    self.fired = True
                    self.proc.kill()
            except OSError:
                return

    def close(self):
        self.stop.set()
        self.t.join()


def ctl_bg(env, *args):
    return subprocess.Popen([env.ctl_exe, "--socket", env.sock] + [str(a) for a in args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(p, timeout=WAIT_S):
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def silent_fifo(env, name):
    """A FIFO that the test holds open for writing and never writes: erdp-cp sees no EOF."""
    path = os.path.join(env.dir, name)
    os.mkfifo(path)
    return path, os.open(path, os.O_RDWR)  # O_RDWR: opens without waiting for a reader


def restart_cp(env, *args):
    env.stop(env.cp)
    env.start_cp(args=args)


def silent_pipe(chk, env):
    env.start_cp(args=["--load-timeout", "2"])
    fifo, hold = silent_fifo(env, "silent.fifo")
    load = ctl_bg(env, "route", "load", fifo)
    try:
        rc, out, err = env.ctl("--timeout", "10", "status", timeout=60)
        chk.check(rc == 0 and env.prefix in out,
                  "status while a route load waits on a silent pipe: exit %d %s" % (rc, err.strip()))
        rc, out, err = env.ctl("--timeout", "10", "show", "gateways", timeout=60)
        chk.check(rc == 0 and "gw-contoso" in out, "show gateways meanwhile: exit %d %s" % (rc, err.strip()))
        chk.check(load.poll() is None, "the load was still pending while status was answered")
        rc, out, err = finish(load)
        chk.check(rc == 1 and "no data for 2 s" in err and "--load-timeout" in err,
                  "silent pipe: exit %d, want 1 and a message naming --load-timeout: %s" % (rc, err.strip()))

        # erdpctl gives up first: exit 3 (busy), not 2; erdp-cp drops the load and goes on.
        restart_cp(env, "--load-timeout", "600")
        rc, out, err = env.ctl("--timeout", "0.5", "route", "load", fifo, timeout=60)
        chk.check(rc == 3 and "--timeout" in err, "no reply within --timeout: exit %d, want 3: %s" % (rc, err.strip()))
        rc, out, err = env.ctl("--timeout", "10", "status", timeout=60)
        chk.check(rc == 0, "status after the client gave up: exit %d %s" % (rc, err.strip()))
    finally:
        if load.poll() is None:
            load.kill()
        os.close(hold)


def bounded_load(chk, env, what, cmd_stdin=None, path=None):
    """route load of an endless source: refused at the cap, VmHWM bounded."""
    base = proc_kb(env.cp.pid, "VmHWM") * 1024
    dog = Watchdog(env.cp)
    src = None
    try:
        if cmd_stdin is not None:
            src = subprocess.Popen(cmd_stdin, stdout=subprocess.PIPE)
            p = subprocess.Popen([env.ctl_exe, "--socket", env.sock, "route", "load", "/dev/stdin"],
                                 stdin=src.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            src.stdout.close()
        else:
            p = ctl_bg(env, "route", "load", path)
        rc, out, err = finish(p)
    finally:
        dog.close()
        if src is not None:
            src.kill()
            src.wait()
    chk.check(not dog.fired, "%s: erdp-cp's memory ran past %d MiB (killed)" % (what, RUNAWAY_BYTES >> 20))
    chk.check(rc == 1 and "larger than 8388608 bytes (erdp-cp --max-load-bytes)" in err,
              "%s: exit %d, want 1 and the cap named: %s" % (what, rc, err.strip()))
    if env.cp.poll() is None:
        grew = proc_kb(env.cp.pid, "VmHWM") * 1024 - base
        chk.check(grew < 64 << 20, "%s: erdp-cp's peak RSS grew by %d MiB (< 64 MiB)" % (what, grew >> 20))


def size_cap(chk, env):
    restart_cp(env, "--max-load-bytes", "8M")
    bounded_load(chk, env, "/dev/zero", path="/dev/zero")
    bounded_load(chk, env, "endless pipe of routes",
                 cmd_stdin=["yes", "%s 10.99.0.0/16 blackhole" % VRF])
    rc, out, _ = env.ctl("lookup", VRF, "10.99.1.1")
    chk.check(rc == 0 and "no route" in out, "nothing of the refused loads entered the RIB: %s" % out.strip())


def comment_file(path, size, tail=""):
    line = "# " + "x" * 97 + "\n"  # 100 bytes
    with open(path, "w") as f:
        f.write(line * (size // len(line)) + tail)


def shared_budget(chk, env):
    restart_cp(env, "--max-load-bytes", "1M")
    fifo, hold = silent_fifo(env, "budget.fifo")
    first = ctl_bg(env, "route", "load", fifo)
    try:
        chunk = ("# " + "y" * 97 + "\n").encode() * 7000  # 700,000 bytes
        off = 0
        while off < len(chunk):
            off += os.write(hold, chunk[off:off + 65536])
            # Wait until erdp-cp has read it (FIONREAD: unread bytes in the pipe).
            cptest.wait_for(lambda: fcntl.ioctl(hold, termios.FIONREAD, b"\0\0\0\0") == b"\0\0\0\0",
                            "erdp-cp to read the pipe")
        second = os.path.join(env.dir, "500k.txt")
        comment_file(second, 500000, "%s 10.88.0.0/16 blackhole\n" % VRF)
        rc, out, err = env.ctl("--timeout", "30", "route", "load", second, timeout=60)
        chk.check(rc == 3 and "busy" in err and "--max-load-bytes" in err,
                  "a load over the shared budget: exit %d, want 3 (busy): %s" % (rc, err.strip()))
        chk.check(first.poll() is None, "the first load is still being read")
        os.write(hold, ("%s 10.87.0.0/16 blackhole\n" % VRF).encode())
    finally:
        os.close(hold)
    rc, out, err = finish(first)
    chk.check(rc == 0 and "1 added" in out, "the first load completes: exit %d %s %s" % (rc, out.strip(), err.strip()))
    rc, out, err = env.ctl("--timeout", "30", "route", "load", second, timeout=60)
    chk.check(rc == 0 and "1 added" in out, "the same file alone: exit %d %s" % (rc, err.strip()))
    big = os.path.join(env.dir, "2m.txt")
    comment_file(big, 2 << 20)
    rc, out, err = env.ctl("--timeout", "30", "route", "load", big, timeout=60)
    chk.check(rc == 1 and "larger than 1048576 bytes" in err,
              "a file over the limit by itself: exit %d, want 1: %s" % (rc, err.strip()))


def control_bytes(chk, env):
    path = os.path.join(env.dir, "ctl.txt")
    with open(path, "wb") as f:
        f.write(("%s 10.81.0.0/16 blackhole\n" % VRF).encode()
                + ("%s 10.82.0.0/16 blackhole" % VRF).encode() + b"\x00 junk\n"
                + b"# a comment with an escape \x1b[0m\n"
                + ("%s 10.83.0.0/16\rblackhole\n" % VRF).encode()
                + b"x" * 5000 + b"\n")
    rc, out, err = env.ctl("route", "load", path)
    chk.check(rc == 1 and "4 errors, nothing loaded" in err, "control bytes: exit %d: %s" % (rc, err.strip()))
    for needle in ("ctl.txt:2: column 39: NUL byte (0x00)",
                   "ctl.txt:3: column 28: control byte 0x1b",
                   "ctl.txt:4: column 29: carriage return (0x0d) inside the line",
                   "ctl.txt:5: longer than 4096 bytes"):
        chk.check(needle in err, "route file error %r in: %s" % (needle, err))
    rc, out, _ = env.ctl("lookup", VRF, "10.81.1.1")
    chk.check(rc == 0 and "no route" in out, "all or nothing: line 1 not loaded: %s" % out.strip())
    # A NUL after a valid route used to hide the rest of the line: loaded, exit 0.
    with open(path, "wb") as f:
        f.write(("%s 10.86.0.0/16 blackhole" % VRF).encode() + b"\x00 withdraw\n")
    rc, out, err = env.ctl("route", "load", path)
    chk.check(rc == 1 and "ctl.txt:1: column 39: NUL byte (0x00)" in err,
              "NUL after a valid route: exit %d: %s" % (rc, err.strip()))

    crlf = os.path.join(env.dir, "crlf.txt")
    with open(crlf, "wb") as f:
        f.write(("# from Windows\r\n%s 10.84.0.0/16 blackhole\r\n%s 10.85.0.0/16 blackhole"
                 % (VRF, VRF)).encode())
    rc, out, err = env.ctl("route", "load", crlf)
    chk.check(rc == 0 and "2 added" in out, "CRLF file, last line without LF: exit %d %s %s"
              % (rc, out.strip(), err.strip()))


if __name__ == "__main__":
    sys.exit(main())
