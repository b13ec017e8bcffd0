# SPDX-License-Identifier: BSD-3-Clause
"""Both ends of the exception-path test's conversations (test_host.py).

    hostpeer.py serve TAG READY_FILE
        TCP on port 179 (standing in for BGP) and UDP on 3784 (BFD's port):
        every request "ECHO x" is answered "TAG x", so the asker learns who
        answered. UDP port 9 counts what arrives (a flood's sink); the TCP
        request "COUNT" answers "TAG n seconds" (n datagrams, over seconds
        from the first to the last). IPv4 and IPv6 on every address.
    hostpeer.py ask tcp|udp ADDR PORT N [TIMEOUT]
        N requests, one at a time (TCP: one connection); prints one JSON
        line {"ok": answered, "tags": [...], "seconds": s, "error": ...}.
    hostpeer.py count ADDR
        Asks ADDR:179 for its sink's count; prints {"count": n, "seconds": s}.
    hostpeer.py flood ADDR PORT PPS SECONDS
        UDP datagrams at PPS (paced every 10 ms) for SECONDS or until SIGTERM;
        prints how many.
"""
import json
import os
import signal
import socket
import sys
import threading
import time

TCP_PORT = 179
UDP_PORT = 3784
SINK_PORT = 9
PACE_S = 0.01


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def bind_any(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    return s


class Sink:
    def __init__(self):
        self.n, self.first, self.last = 0, None, None
        self.lock = threading.Lock()

    def run(self, s):
        while True:
            s.recv(2048)
            now = time.monotonic()
            with self.lock:
                self.n += 1
                self.first = self.first or now
                self.last = now

    def report(self):
        with self.lock:
            span = (self.last - self.first) if self.n > 1 else 0.0
            return "%d %.3f" % (self.n, span)


def answer(tag, line, sink):
    if line.startswith("ECHO "):
        return "%s %s" % (tag, line[5:])
    if line == "COUNT":
        return "%s %s" % (tag, sink.report())
    return "%s ?" % tag


def serve_tcp(conn, tag, sink):
    with conn, conn.makefile("rw") as f:
        for line in f:
            f.write(answer(tag, line.strip(), sink) + "\n")
            f.flush()


def serve(tag, ready):
    tcp = bind_any(socket.SOCK_STREAM, TCP_PORT)
    tcp.listen(16)
    udp = bind_any(socket.SOCK_DGRAM, UDP_PORT)
    sink_sock = bind_any(socket.SOCK_DGRAM, SINK_PORT)
    sink_sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    sink = Sink()
    threading.Thread(target=sink.run, args=(sink_sock,), daemon=True).start()

    def udp_loop():
        while True:
            data, peer = udp.recvfrom(2048)
            udp.sendto(answer(tag, data.decode(errors="replace").strip(), sink).encode(), peer)
    threading.Thread(target=udp_loop, daemon=True).start()
    with open(ready, "w") as f:
        f.write("%d\n" % os.getpid())
    while True:
        conn, _ = tcp.accept()
        threading.Thread(target=serve_tcp, args=(conn, tag, sink), daemon=True).start()


def ask(kind, addr, port, n, timeout):
    ok, tags, error = 0, set(), None
    t0 = time.monotonic()
    try:
        if kind == "tcp":
            with socket.create_connection((addr, port), timeout=timeout) as s:
                f = s.makefile("rw")
                for i in range(n):
                    f.write("ECHO %d\n" % i)
                    f.flush()
                    reply = f.readline().split()
                    if len(reply) != 2 or reply[1] != str(i):
                        error = "bad reply %r" % reply
                        break
                    ok += 1
                    tags.add(reply[0])
        else:
            with socket.socket(family_of(addr), socket.SOCK_DGRAM) as s:
                s.settimeout(1.0)
                for i in range(n):
                    for _ in range(max(1, int(timeout))):
                        s.sendto(b"ECHO %d" % i, (addr, port))
                        try:
                            reply = s.recv(2048).decode().split()
                        except socket.timeout:
                            continue
                        if len(reply) == 2 and reply[1] == str(i):
                            ok += 1
                            tags.add(reply[0])
                            break
    except OSError as e:
        error = str(e)
    print(json.dumps({"ok": ok, "tags": sorted(tags), "seconds": time.monotonic() - t0,
                      "error": error}), flush=True)


def count(addr):
    with socket.create_connection((addr, TCP_PORT), timeout=10) as s:
        f = s.makefile("rw")
        f.write("COUNT\n")
        f.flush()
        _, n, span = f.readline().split()
    print(json.dumps({"count": int(n), "seconds": float(span)}), flush=True)


def flood(addr, port, pps, seconds):
    per_tick = max(1, int(pps * PACE_S))
    sent = 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with socket.socket(family_of(addr), socket.SOCK_DGRAM) as s:
        t0 = time.monotonic()
        tick = t0
        while time.monotonic() - t0 < seconds and not stop:
            for _ in range(per_tick):
                try:
                    s.sendto(b"x" * 18, (addr, port))
                    sent += 1
                except OSError:
                    pass  # ENOBUFS, a port unreachable coming back: it is a flood
            tick += PACE_S
            delay = tick - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    print(json.dumps({"sent": sent}), flush=True)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    a = sys.argv[2:]
    if cmd == "serve" and len(a) == 2:
        serve(a[0], a[1])
    elif cmd == "ask" and len(a) in (4, 5):
        ask(a[0], a[1], int(a[2]), int(a[3]), float(a[4]) if len(a) > 4 else 5.0)
    elif cmd == "count" and len(a) == 1:
        count(a[0])
    elif cmd == "flood" and len(a) == 4:
        flood(a[0], int(a[1]), int(a[2]), float(a[3]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
