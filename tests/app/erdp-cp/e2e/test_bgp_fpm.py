# SPDX-License-Identifier: BSD-3-Clause
"""cp-bgp-fpm: erdp-cp's FPM listener against bytes zebra would never send.

zebra's FPM is switched off (`no fpm address`, so that its reconnects do not
race the test's connections), and a client inside the peering's namespace
connects to 127.0.0.1:2620, as zebra does, and sends:
  - a well-formed route: it enters the VRF over the link its gateway is on;
  - malformed frames, one connection each: a wrong header, a netlink message
    longer than its frame (oversized), one shorter than a netlink header, a
    route message shorter than struct rtmsg, attributes with bad lengths, an
    IPv4 route with a 16-byte destination, a multipath record running past
    its attribute. Each closes that connection with the reason counted;
  - a wrong family (AF_MPLS) and a frame cut short before the connection
    closes: skipped and counted, not errors.
erdp-cp never crashes (it answers after each), and nothing installed is
lost: the customer's routes stay in the VRF throughout. Then zebra's FPM is
switched on again: it connects and resends its table; the crafted route, which zebra never had, is
removed as stale once the sessions are seen back.
"""
import socket
import struct
import sys
import time

from bgptest import CUST4, Checker, Lab, log, run, wait_for

RTM_NEWROUTE, RTM_DELROUTE = 24, 25
RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_MULTIPATH = 1, 5, 4, 9
AF_INET, AF_INET6, AF_MPLS = 2, 10, 28
RTPROT_BGP = 186
CUSTOMER = ("10.10.0.0/16", "10.20.0.0/16", "fd10:10::/32")


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def route_msg(family=AF_INET, dst=b"\x0a\x63\x00\x00", dst_len=16, attrs=b"", rtm_len=12,
              typ=RTM_NEWROUTE, nlmsg_len=None):
    rtm = struct.pack("=BBBBBBBBI", family, dst_len, 0, 0, 254, RTPROT_BGP, 0, 1, 0)[:rtm_len]
    body = rtm + (attr(RTA_DST, dst) if dst is not None else b"") + attrs
    n = 16 + len(body) if nlmsg_len is None else nlmsg_len
    return struct.pack("=IHHII", n, typ, 0x501, 0, 0) + body


def frame(*msgs, version=1, length=None):
    body = b"".join(msgs)
    return struct.pack("!BBH", version, 1, 4 + len(body) if length is None else length) + body


GW_PRIMARY = attr(RTA_GATEWAY, socket.inet_aton(CUST4["primary"]))

GOOD = frame(route_msg(attrs=GW_PRIMARY))  # 10.99.0.0/16 via the customer on primary
MALFORMED = [
    ("header", frame(route_msg(attrs=GW_PRIMARY), version=2)),
    ("nlmsg_length", frame(route_msg(attrs=GW_PRIMARY, nlmsg_len=4000))),
    ("nlmsg_length", frame(route_msg(attrs=GW_PRIMARY, nlmsg_len=0xfffffff0))),
    ("nlmsg_length", frame(route_msg(attrs=GW_PRIMARY, nlmsg_len=8))),
    ("rtmsg", frame(route_msg(dst=None, rtm_len=4))),
    ("attribute_length", frame(route_msg(attrs=struct.pack("=HH", 200, RTA_GATEWAY) + b"\0" * 8))),
    ("attribute_length", frame(route_msg(attrs=struct.pack("=HH", 2, RTA_OIF) + b"\0" * 4))),
    ("prefix", frame(route_msg(dst=b"\xfd" + b"\0" * 15))),
    ("nexthop", frame(route_msg(attrs=attr(RTA_MULTIPATH, struct.pack("=HBBi", 200, 0, 0, 2) +
                                           GW_PRIMARY)))),
]
SKIPPED = [
    ("family", frame(route_msg(family=AF_MPLS, dst=b"\0\0\0\x01", dst_len=20))),
    ("truncated", frame(route_msg(attrs=GW_PRIMARY))[:-6]),
]


def send(lab, data):
    """Connect to the FPM listener inside the peering namespace, send, close."""
    code = ("import socket,sys,time\n"
            "s=socket.create_connection(('127.0.0.1',2620))\n"
            "s.sendall(bytes.fromhex(sys.argv[1])); time.sleep(0.5); s.close()\n")
    run(sys.executable, "-c", code, data.hex(), ns=lab.ns)


def customer_routes(lab):
    r = lab.bgp_routes()
    return all(p in r for p in CUSTOMER)


def zebra_fpm(lab, on):
    lab.vtysh("zebra", "configure terminal",
              "fpm address 127.0.0.1 port 2620" if on else "no fpm address", "end")


def crafted_route(chk, lab):
    wait_for(lambda: customer_routes(lab) and lab.bgp()["fpm"]["state"] == "connected",
             "the customer's routes")
    zebra_fpm(lab, False)
    wait_for(lambda: lab.bgp()["fpm"]["state"] != "connected", "zebra's FPM off")
    send(lab, GOOD)
    r = wait_for(lambda: lab.bgp_routes().get("10.99.0.0/16"), "the crafted route")
    chk.eq(r, ("peering:lab/private/primary", "bgp"), "10.99.0.0/16 over the primary link")


def malformed(chk, lab):
    for reason, data in MALFORMED:
        closes = lab.bgp()["fpm"]["closes"].get(reason, 0)
        send(lab, data)
        got = wait_for(lambda: lab.bgp()["fpm"]["closes"].get(reason, 0) == closes + 1 and
                       lab.bgp()["fpm"], "the close counted as %s" % reason, timeout=20)
        chk.check(reason in got["last_close"], "last close names %s: %r" % (reason,
                                                                         got["last_close"]))
        chk.check(lab.cp.poll() is None, "erdp-cp alive after %s" % reason)
        chk.check(customer_routes(lab), "after %s: the customer's routes still in the VRF" %
                  reason)
    fpm = lab.bgp()["fpm"]
    ignored = fpm["ignored_family"]
    send(lab, SKIPPED[0][1])
    wait_for(lambda: lab.bgp()["fpm"]["ignored_family"] == ignored + 1, "AF_MPLS skipped")
    n_closes = sum(lab.bgp()["fpm"]["closes"].values())
    send(lab, SKIPPED[1][1])
    time.sleep(0.5)
    chk.eq(sum(lab.bgp()["fpm"]["closes"].values()), n_closes,
           "a frame cut short by the peer's close is not an error")
    chk.check(lab.cp.poll() is None and customer_routes(lab), "erdp-cp alive, routes kept")


def zebra_back(chk, lab):
    zebra_fpm(lab, True)
    t0 = time.monotonic()
    wait_for(lambda: "10.99.0.0/16" not in lab.bgp_routes(),
             "zebra's resend without the crafted route: swept as stale")
    log("zebra reconnected and the stale route was swept %.1f s after its FPM was back on" %
        (time.monotonic() - t0))
    chk.check(customer_routes(lab), "the customer's routes stay")
    f = lab.bgp()["fpm"]
    chk.check(f["state"] == "connected" and f["stale_swept"] >= 1,
              "zebra connected again, stale swept: %s" % f)


def main():
    chk = Checker("cp-bgp-fpm")
    lab = Lab("fpm", sys.argv[1:], onprem4=CUSTOMER[:2], onprem6=CUSTOMER[2:])
    return lab.run(chk, crafted_route, malformed, zebra_back)


if __name__ == "__main__":
    sys.exit(main())
