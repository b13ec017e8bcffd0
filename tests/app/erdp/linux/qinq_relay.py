# SPDX-License-Identifier: BSD-3-Clause
"""A user-space QinQ sub-interface, for kernels built without 802.1Q.

    qinq_relay.py PARENT NAME S_TAG C_TAG READY_FILE

Creates the TAP device NAME (run it inside the namespace that owns PARENT)
and relays frames between it and PARENT the way the kernel's stacked VLAN
devices PARENT.S_TAG.C_TAG would:

  * NAME -> PARENT: the two tags (both TPID 0x8100, the TPID Azure documents
    for the outer tag) are pushed after the MAC addresses;
  * PARENT -> NAME: only frames carrying exactly S_TAG then C_TAG, both TPID
    0x8100, are delivered, with the tags popped; everything else is dropped,
    as the kernel would drop it.

test_netns.py uses it only when `ip link add ... type vlan` fails (e.g. a
VM kernel without CONFIG_VLAN_8021Q); the kernel's own sub-interfaces are
preferred. The kernel moves the outer tag of a received frame into packet
metadata (skb vlan_tci) before packet sockets see it: PACKET_AUXDATA gives
it back (TPID included) and the relay puts it back into the frame.

Once the TAP exists it writes READY_FILE. SIGTERM ends it.
"""
import fcntl
import os
import select
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 1 << 4
TP_STATUS_VLAN_TPID_VALID = 1 << 6
TPIDS = (0x8100, 0x88A8, 0x9100)


def main():
    parent, name, s_tag, c_tag, ready = sys.argv[1:6]
    s_tag, c_tag = int(s_tag), int(c_tag)
    tags = struct.pack("!HHHH", 0x8100, s_tag, 0x8100, c_tag)

    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    wire = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    wire.bind((parent, 0))
    wire.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(ready, "w") as f:
        f.write("%d\n" % os.getpid())

    while not stop:
        try:
            r, _, _ = select.select([tap, wire], [], [], 0.5)
        except InterruptedError:
            continue
        if tap in r:
            try:
                fr = os.read(tap, 65536)
            except BlockingIOError:
                fr = b""
            if len(fr) >= 14:
                try:
                    wire.send(fr[:12] + tags + fr[12:])
                except OSError:
                    pass  # parent down: a VLAN device would drop too
        if wire in r:
            fr, anc, _, addr = wire.recvmsg(65536, socket.CMSG_SPACE(20))
            if addr[2] == PACKET_OUTGOING:
                continue
            for level, typ, data in anc:
                if level == SOL_PACKET and typ == PACKET_AUXDATA and len(data) >= 20:
                    status, _, _, _, _, tci, tpid = struct.unpack("=IIIHHHH", data[:20])
                    if status & TP_STATUS_VLAN_VALID:
                        if not status & TP_STATUS_VLAN_TPID_VALID:
                            tpid = 0x8100
                        fr = fr[:12] + struct.pack("!HH", tpid, tci) + fr[12:]
            # exactly our two tags, then a non-tag EtherType
            if (len(fr) >= 22 and fr[12:14] == tags[0:2] and
                    (struct.unpack("!H", fr[14:16])[0] & 0xFFF) == s_tag and
                    fr[16:18] == tags[4:6] and
                    (struct.unpack("!H", fr[18:20])[0] & 0xFFF) == c_tag and
                    struct.unpack("!H", fr[20:22])[0] not in TPIDS):
                os.write(tap, fr[:12] + fr[20:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
