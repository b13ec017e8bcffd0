# SPDX-License-Identifier: BSD-3-Clause
"""Minimal DPDK telemetry v2 client (the protocol of dpdk-telemetry.py), for tools/bench."""
import json
import os
import socket


def sock_path(prefix):
    base = "/var/run/dpdk" if os.getuid() == 0 else \
        os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")
    return os.path.join(base, prefix, "dpdk_telemetry.v2")


class Telemetry:
    def __init__(self, prefix):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.settimeout(5)
        self.s.connect(sock_path(prefix))
        info = json.loads(self.s.recv(16384).decode())
        self.max = int(info.get("max_output_len", 16384))

    def cmd(self, c):
        self.s.send(c.encode())
        reply = json.loads(self.s.recv(self.max).decode())
        return reply.get(c.split(",")[0], reply)

    def close(self):
        self.s.close()
