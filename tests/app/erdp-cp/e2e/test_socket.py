# SPDX-License-Identifier: BSD-3-Clause
"""cp-socket: erdp-cp's operator socket serves everyone, and no client holds up another.

- 300 clients at once (raw sockets, then 300 erdpctl processes): every one is
  answered; those beyond --max-clients wait in the listen backlog, none is refused.
- 200 idle connections open: erdpctl status still answers.
- --idle-timeout: idle connections (and one that never finishes its request) are
  closed with a line that says why, and a client waiting in the backlog behind
  them gets its turn; a request in progress (a route load waiting for its file)
  is not idle.
- A NUL or another control byte in a request line is an error naming the line and
  column; what follows a NUL is not silently dropped. A request line is at most 1 MiB.
- Backlog full too: erdpctl gives up after --timeout with exit 3 (busy), distinct
  from 1 (bad input) and 2 (unreachable); it used to block in connect() forever.

erdp is not started: requests that change routes answer "applied": false.
Nothing asserts on wall time: waits poll a condition with a generous deadline.
"""
import json
import os
import selectors
import socket
import subprocess
import sys
import time

import cptest
from cptest import Checker, Env, WAIT_S

STATUS = b'{"cmd": "status"}\n'


def main():
    chk = Checker("cp-socket")
    env = Env("socket", sys.argv[1:])
    env.write_config(cptest.test_topo(), [])
    return env.run(chk, many_clients, idle_connections, idle_timeout, request_bytes, full_backlog)


def connect(env, wait=True):
    """A connection; wait=False: raise BlockingIOError rather than wait for room in the backlog."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(wait)
    s.connect(env.sock)
    s.settimeout(WAIT_S)
    return s


def read_lines(s, n, timeout=WAIT_S):
    """The first n reply lines on s, as parsed JSON (fewer if the connection closes)."""
    buf, out = b"", []
    s.settimeout(timeout)
    while len(out) < n:
        while b"\n" in buf and len(out) < n:
            line, buf = buf.split(b"\n", 1)
            out.append(json.loads(line))
        if len(out) == n:
            break
        d = s.recv(65536)
        if not d:
            break
        buf += d
    return out


def restart_cp(env, *args):
    env.stop(env.cp)
    env.start_cp(args=args)


def many_clients(chk, env):
    env.start_cp()
    n = 300
    # All connected and all asking before any reply is read: 300 at once.
    socks = [connect(env) for _ in range(n)]
    sent = 0
    for s in socks:
        s.sendall(STATUS)
        sent += 1
    sel = selectors.DefaultSelector()
    bufs = {}
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        bufs[s] = b""
    replies = []
    end = time.monotonic() + WAIT_S
    while bufs and time.monotonic() < end:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            try:
                d = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError as e:
                d, replies = b"", replies + [{"ok": False, "error": "recv: %s" % e}]
            bufs[s] += d
            if b"\n" in bufs[s] or not d:
                line = bufs.pop(s).split(b"\n")[0]
                replies.append(json.loads(line) if line else {"ok": False, "error": "closed"})
                sel.unregister(s)
                s.close()  # its slot goes to a client waiting in the backlog
    for s in bufs:
        s.close()
    good = [r for r in replies if r.get("ok") is True and r["result"].get("instance") == env.prefix]
    chk.eq(len(good), n, "300 clients at once, all answered status (refused or cut: %r)"
           % [r.get("error") for r in replies if r.get("ok") is not True][:3])

    # The same with erdpctl itself: every one exits 0.
    procs = [subprocess.Popen([env.ctl_exe, "--socket", env.sock, "--timeout", str(WAIT_S), "status"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(n)]
    rcs = {}
    for p in procs:
        _, err = p.communicate(timeout=WAIT_S * 2)
        rcs.setdefault(p.returncode, err.decode(errors="replace").strip())
    chk.eq(sorted(rcs), [0], "300 erdpctl status at once: exit codes (first stderr of each: %r)" % rcs)


def idle_connections(chk, env):
    """200 connections that never send anything do not lock others out."""
    idle = [connect(env) for _ in range(200)]
    rc, out, err = env.ctl("--timeout", "30", "status", timeout=60)
    chk.check(rc == 0 and env.prefix in out,
              "erdpctl status with 200 idle connections open: exit %d, %s" % (rc, err.strip()))
    for s in idle:
        s.close()


def idle_timeout(chk, env):
    restart_cp(env, "--max-clients", "8", "--idle-timeout", "1")
    # Every slot taken: seven connections that say nothing, one that never ends its line.
    idle = [connect(env) for _ in range(7)]
    slow = connect(env)
    slow.sendall(b'{"cmd": "sta')
    # status waits in the backlog until the idle ones are closed, then is served.
    rc, out, err = env.ctl("--timeout", "30", "status", timeout=60)
    chk.check(rc == 0 and env.prefix in out,
              "status behind 8 idle connections (--max-clients 8): exit %d, %s" % (rc, err.strip()))
    for i, s in enumerate(idle + [slow]):
        lines = read_lines(s, 2)
        chk.check(len(lines) == 1 and lines[0].get("code") == "idle"
                  and "--idle-timeout" in lines[0].get("error", ""),
                  "idle connection %d: closed with one line saying why: %r" % (i, lines))
        s.close()

    # A client whose request is in progress is not idle: a route load whose
    # file comes later than the idle timeout still completes.
    fifo = os.path.join(env.dir, "late.fifo")
    os.mkfifo(fifo)
    p = subprocess.Popen([env.ctl_exe, "--socket", env.sock, "route", "load", fifo],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    w = os.open(fifo, os.O_WRONLY)  # returns once erdpctl opened it
    # Longer than --idle-timeout 1, a fact about the test, not a measured time.
    time.sleep(3)
    os.write(w, b"contoso-private 10.77.0.0/16 blackhole\n")
    os.close(w)
    out, err = p.communicate(timeout=WAIT_S)
    chk.check(p.returncode == 0 and "1 added" in out.decode(),
              "route load that waited longer than --idle-timeout for its file: exit %d, %s %s"
              % (p.returncode, out.decode().strip(), err.decode().strip()))


def request_bytes(chk, env):
    """A control byte in a request line: an error naming the line; the next line still served."""
    s = connect(env)
    s.sendall(b'{"cmd": "status"}\x00{"cmd": "route-del", "vrf": "contoso-private"}\n'
              b'{"cmd": "status", \x1b"x": 1}\n'
              b'{"cmd": "status"}\r\n')
    r = read_lines(s, 3)
    s.close()
    chk.eq(len(r), 3, "three replies for three request lines")
    if len(r) == 3:
        chk.check(r[0].get("ok") is False and "request line 1, column 18: NUL byte (0x00)" in r[0].get("error", ""),
                  "NUL after a complete request: error naming line and column: %r" % r[0])
        chk.check(r[1].get("ok") is False and "request line 2, column 19: control byte 0x1b" in r[1].get("error", ""),
                  "ESC in a request: error naming line and column: %r" % r[1])
        chk.check(r[2].get("ok") is True, "a request ending in CRLF is served: %r" % r[2])
    # The line length is capped: 1 MiB without a LF is refused and the connection closed.
    s = connect(env)
    s.sendall(b"{" + b" " * (1 << 20))
    r = read_lines(s, 2)
    s.close()
    chk.check(len(r) == 1 and "request line 1: longer than 1048576 bytes" in r[0].get("error", ""),
              "an endless request line: one error, then closed: %r" % r)


def full_backlog(chk, env):
    """erdp-cp's backlog full: erdpctl gives up after --timeout with exit 3 (busy)."""
    env.stop(env.cp)
    # A network namespace of its own, where the backlog is tiny: the Unix socket
    # is still reached by its path, and net.core.somaxconn of the host is untouched.
    probe = subprocess.run(["unshare", "-n", "sysctl", "-qw", "net.core.somaxconn=2"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if probe.returncode != 0:
        print("SKIP full backlog: cannot set somaxconn in a new network namespace: %s"
              % probe.stdout.decode().strip())
        return
    env.start_cp(args=["--max-clients", "1"],
                 wrap=["unshare", "-n", "sh", "-c",
                       'sysctl -qw net.core.somaxconn=2 && exec "$0" "$@"'])
    held = []
    for _ in range(50):  # until connect() would wait: the backlog is full
        try:
            held.append(connect(env, wait=False))
        except BlockingIOError:
            break
    chk.check(0 < len(held) < 50, "the backlog fills (%d connections)" % len(held))
    rc, _, err = env.ctl("--timeout", "1", "status", timeout=30)
    chk.check(rc == 3 and "busy" in err, "backlog full: erdpctl exit %d, want 3 (busy): %s" % (rc, err.strip()))
    for s in held:
        s.close()
    rc, out, err = env.ctl("--timeout", "30", "status", timeout=60)
    chk.check(rc == 0, "after the clients left: status exit %d: %s" % (rc, err.strip()))


if __name__ == "__main__":
    sys.exit(main())
