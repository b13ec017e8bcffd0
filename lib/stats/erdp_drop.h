/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop reasons. Every frame erdp does not forward or consume is counted
 * under exactly one reason, where it was dropped: for every reason but
 * tx_full that is its RX port and, when known, its circuit and peering
 * link; tx_full is counted on the egress port (and egress peering link)
 * whose TX queue refused the frame, since the fault is that queue's.
 * Frames the host sends (bgp.enabled: a peering link's tap) arrive on no
 * port: their drops are counted on that peering link and on the link's
 * port, the way they would have left.
 * Names are stable: telemetry and tests use them.
 */
#ifndef ERDP_DROP_H
#define ERDP_DROP_H

/* clang-format off */
#define ERDP_DROP_REASONS(X)                                                                      \
	X(TRUNCATED, "truncated")               /* shorter than its headers say */                \
	X(UNTAGGED, "untagged")                 /* no VLAN tag, or priority tag (VID 0) only */    \
	X(TPID, "tpid_not_accepted")            /* outer TPID not configured, inner not 0x8100 */  \
	X(TAG_COUNT, "wrong_tag_count")         /* 1 tag in QinQ, 2 in Dot1Q, 3+ anywhere */       \
	X(VLAN_INVALID, "vlan_invalid")         /* VID 4095, or inner VID 0 */                     \
	X(UNKNOWN_STAG, "unknown_s_tag")        /* QinQ: no circuit with this S-tag */             \
	X(UNKNOWN_CTAG, "unknown_c_tag")        /* QinQ: no peering with this C-tag */             \
	X(UNKNOWN_VLAN, "unknown_vlan")         /* Dot1Q / gateway port: no peering / VRF */       \
	X(NON_IP, "non_ip")                     /* EtherType neither IPv4, IPv6 nor ARP */        \
	X(IPV4_HEADER, "ipv4_bad_header")       /* version, IHL, total length */                   \
	X(IPV4_CKSUM, "ipv4_bad_checksum")                                                        \
	X(IPV6_HEADER, "ipv6_bad_header")       /* version, payload length */                      \
	X(TTL, "ttl_exceeded")                  /* TTL / hop limit <= 1 (ICMP error sent) */       \
	X(NO_ROUTE, "no_route")                                                                   \
	X(BLACKHOLE, "blackhole")                                                                 \
	X(GW_DOWN, "gateway_all_down")          /* every instance of the gateway is down */        \
	X(LINK_DOWN, "link_down")               /* no customer link up for the peering */          \
	X(NEIGH, "neighbor_unresolved")         /* customer MAC not known (yet) */                 \
	X(MTU, "mtu_exceeded")                  /* above egress MTU, DF or IPv6 (ICMP error sent) */\
	X(PUNT_FULL, "punt_queue_full")         /* exception path to the main lcore full */        \
	X(LOCAL, "local_unhandled")             /* to an MSEE address, not a protocol we answer */ \
	X(TX_FULL, "tx_full")                   /* TX queue full */                                \
	X(ARP_INVALID, "arp_invalid")           /* malformed or not for us */                      \
	X(ND_INVALID, "nd_invalid")             /* NS/NA malformed, hop limit != 255, not for us */ \
	X(ICMP_RATELIMIT, "icmp_rate_limited")  /* TTL / MTU drop whose ICMP error was rate limited */ \
	/* Receive rules of a router (datapath/receive.h): never forwarded, no ICMP error. */      \
	X(L2_NOT_FOR_US, "l2_not_for_us")       /* unicast to another MAC than the port's */       \
	X(L2_BCAST_IP, "l2_broadcast_unicast_ip") /* unicast IP in a broadcast/multicast frame */  \
	X(IPV4_BCAST, "ipv4_broadcast")         /* 255.255.255.255, network/broadcast of a link /30 */ \
	X(IPV4_MCAST, "ipv4_multicast")         /* 224/4 destination: no multicast routing */      \
	X(IPV4_MARTIAN, "ipv4_martian")         /* dst 0/8, 127/8, 240/4; src those or 224/4 */    \
	X(IPV6_MCAST, "ipv6_multicast")         /* ff00::/8 destination other than NS/NA */        \
	X(IPV6_MARTIAN, "ipv6_martian")         /* dst ::/64 (::, ::1, mapped); src that or ff00::/8 */ \
	X(ICMP_CKSUM, "icmp_bad_checksum")      /* echo request, NS or NA to erdp: bad checksum */ \
	X(HOST_RATELIMIT, "host_rate_limited")  /* to the host (bgp.enabled): over the link's policer */\
	X(HOST_QUEUE_FULL, "host_queue_full")   /* to the host: the link's tap refused the frame */  \
	X(HOST_NOT_UNICAST, "host_not_unicast") /* from the host: ARP, multicast, not IPv4/IPv6 */

/* clang-format on */

/* 0 is "no drop" so that parsers can return 0 or a reason. */
enum erdp_drop {
	ERDP_DROP_NONE = 0,
#define ERDP_DROP_ENUM(sym, name) ERDP_DROP_##sym,
	ERDP_DROP_REASONS(ERDP_DROP_ENUM)
#undef ERDP_DROP_ENUM
		ERDP_DROP_MAX
};

#define ERDP_DROP_FIRST 1 /* iterate reasons as [ERDP_DROP_FIRST, ERDP_DROP_MAX) */

/* Stable snake_case name of a reason ("unknown_s_tag"); "?" when out of range or NONE. */
const char *erdp_drop_name(unsigned int reason);

#endif
