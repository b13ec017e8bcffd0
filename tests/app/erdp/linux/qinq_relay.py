# SPDX-License-Identifier: BSD-3-Clause
"""User-space VLAN sub-interfaces (QinQ or Dot1Q), for kernels built without 802.1Q.

    qinq_relay.py PARENT READY_FILE NAME:TAG[:TAG] [NAME:TAG[:TAG] ...]

Creates one TAP device per NAME (run it inside the namespace that owns
PARENT) and relays frames between each and PARENT the way the kernel's VLAN
devices would: NAME:S:C behaves like PARENT.S.C (two stacked 802.1Q
devices, QinQ), NAME:V like PARENT.V (Dot1Q):

  * NAME -> PARENT: the tags (TPID 0x8100 each, the TPID Azure documents
    for the outer tag) are pushed after the MAC addresses;
  * PARENT -> NAME: only frames carrying exactly those tags, TPID 0x8100,
    then a non-tag EtherType, are delivered, with the tags popped; anything
    else is dropped, as the kernel would drop it.

The TAP devices may be moved to other namespaces afterwards (`ip link set
NAME netns NS`): the relay keeps their file descriptors. PARENT's MTU must
leave room for the tags (1500 + 8: 1522-byte frames), or full-size frames
are lost.

test_netns.py and tests/app/erdp/host/test_host.py use it when `ip link add
... type vlan` fails (a VM kernel without CONFIG_VLAN_8021Q). The kernel
moves the outer tag of a received frame into packet metadata (skb
vlan_tci) before packet sockets see it: PACKET_AUXDATA gives it back (TPID
included) and the relay puts it back into the frame.

Once every TAP exists it writes READY_FILE. SIGTERM ends it.
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
TPID = 0x8100


def parse_sub(arg):
    """NAME:TAG[:TAG] -> (name, packed tags)."""
    parts = arg.split(":")
    if len(parts) not in (2, 3):
        raise SystemExit("qinq_relay.py: '%s' is not NAME:TAG[:TAG]" % arg)
    tags = b"".join(struct.pack("!HH", TPID, int(t)) for t in parts[1:])
    return parts[0], tags


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def with_outer_tag(fr, anc):
    """The frame as it was on the wire: the tag the kernel took out put back."""
    for level, typ, data in anc:
        if level == SOL_PACKET and typ == PACKET_AUXDATA and len(data) >= 20:
            status, _, _, _, _, tci, tpid = struct.unpack("=IIIHHHH", data[:20])
            if status & TP_STATUS_VLAN_VALID:
                if not status & TP_STATUS_VLAN_TPID_VALID:
                    tpid = TPID
                fr = fr[:12] + struct.pack("!HH", tpid, tci) + fr[12:]
    return fr


def sub_of(fr, subs):
    """The TAP whose tags (TPID 0x8100, VIDs) fr carries exactly, then a non-tag EtherType."""
    for fd, tags in subs:
        n = len(tags)
        if len(fr) < 14 + n:
            continue
        ok = all(fr[12 + i:14 + i] == tags[i:i + 2] and
                 (struct.unpack("!H", fr[14 + i:16 + i])[0] & 0xFFF) ==
                 (struct.unpack("!H", tags[i + 2:i + 4])[0] & 0xFFF)
                 for i in range(0, n, 4))
        if ok and struct.unpack("!H", fr[12 + n:14 + n])[0] not in TPIDS:
            return fd, n
    return None, 0


def main():
    if len(sys.argv) < 4:
        raise SystemExit("usage: qinq_relay.py PARENT READY_FILE NAME:TAG[:TAG] ...")
    parent, ready = sys.argv[1:3]
    subs = []  # (tap fd, tags)
    for arg in sys.argv[3:]:
        name, tags = parse_sub(arg)
        subs.append((open_tap(name), tags))
    tags_of = dict(subs)
    wire = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    wire.bind((parent, 0))
    wire.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(ready, "w") as f:
        f.write("%d\n" % os.getpid())

    fds = [fd for fd, _ in subs]
    while not stop:
        try:
            r, _, _ = select.select(fds + [wire], [], [], 0.5)
        except InterruptedError:
            continue
        for fd in r:
            if fd is wire:
                continue
            try:
                fr = os.read(fd, 65536)
            except (BlockingIOError, OSError):
                continue
            if len(fr) >= 14:
                try:
                    wire.send(fr[:12] + tags_of[fd] + fr[12:])
                except OSError:
                    pass  # parent down, or too big for it: a VLAN device would drop too
        if wire in r:
            fr, anc, _, addr = wire.recvmsg(65536, socket.CMSG_SPACE(20))
            if addr[2] == PACKET_OUTGOING:
                continue
            fr = with_outer_tag(fr, anc)
            fd, n = sub_of(fr, subs)
            if fd is not None:
                try:
                    os.write(fd, fr[:12] + fr[12 + n:])
                except OSError:
                    pass  # the TAP is down (being moved): the kernel would drop too
    return 0


if __name__ == "__main__":
    sys.exit(main())
