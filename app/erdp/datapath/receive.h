/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receive rules of a router, applied by the parse stage (parse.h) to
 * every classified frame before its route lookup. A frame they refuse is a
 * counted drop, never forwarded and never the subject of an ICMP error.
 *
 * Link layer (RFC 1122 3.3.6, RFC 1812 5.3.4):
 *   - a unicast frame must be addressed to the port's MAC, else
 *     l2_not_for_us (a switch flooding unknown unicast, a stale ARP entry);
 *   - a broadcast or multicast frame is taken only for what can come that
 *     way: ARP, IPv6 neighbour discovery (and other multicast destinations,
 *     dropped below by their own reason); an IP unicast destination in such
 *     a frame is l2_broadcast_unicast_ip;
 *   - a port with `promiscuous = true` (labs whose generator cannot set
 *     the destination MAC) skips these two rules.
 * IPv4 (RFC 1812 4.2.2.11, 5.3.5, 5.3.7):
 *   - 255.255.255.255 -> ipv4_broadcast (the network and broadcast
 *     addresses of every link /30 are connected routes to a broadcast next
 *     hop, dropped under the same reason in the forward stage);
 *   - 224.0.0.0/4 -> ipv4_multicast (erdp routes no multicast);
 *   - destination 0/8, 127/8 or 240/4, source 0/8, 127/8, 224/4 or 240/4
 *     -> ipv4_martian.
 * IPv6 (RFC 4291 2.5.2, 2.5.3, 2.5.5, 2.7):
 *   - ff00::/8: neighbour solicitations and advertisements go to the main
 *     lcore (slowpath/nd.c), anything else is ipv6_multicast;
 *   - destination in ::/64 (::, ::1, IPv4-compatible and -mapped; the rest
 *     of ::/64 is unassigned), source there or in ff00::/8 -> ipv6_martian;
 *   - link-local destinations (fe80::/10) go to the main lcore as before.
 * The Subnet-Router anycast address of a link /126 (all-zero host part) is
 * left to the route of the link: it reaches the customer's router, which
 * is a router on that subnet as RFC 4291 2.6.1 asks.
 *
 * Cost per frame: one 8-byte load, xor and mask for the destination MAC
 * (the port's MAC and the mask are set up once per burst); for IPv4 two
 * table lookups by the first octet of each address; for IPv6 a few loads
 * and compares. Every rule sits behind one unlikely branch.
 */
#ifndef ERDP_DATAPATH_RECEIVE_H
#define ERDP_DATAPATH_RECEIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>

#include "dp.h"

#define ERDP_ICMP6_NS 135
#define ERDP_ICMP6_NA 136

/* What a frame's destination MAC makes it, for the rules above. */
enum erdp_rx_l2 {
	ERDP_RX_L2_US = 0,    /* the port's MAC (or any, on a promiscuous port) */
	ERDP_RX_L2_GROUP = 1, /* broadcast or multicast */
	ERDP_RX_L2_OTHER = 2, /* unicast to another MAC */
};

/*
 * A port's MAC as the first 8 bytes of a frame load (destination MAC and
 * two bytes of the source), with the mask that keeps the destination: a
 * frame is for the port when (load ^ addr) & mask is 0. A promiscuous
 * port has mask 0. Byte arrays copied in, so it holds on any endianness.
 */
struct erdp_rx_mac {
	uint64_t addr;
	uint64_t mask;
};

static inline void erdp_rx_mac_init(struct erdp_rx_mac *k, const struct erdp_port *p)
{
	uint8_t addr[sizeof(k->addr)] = {0}, mask[sizeof(k->mask)] = {0};

	if (!p->promiscuous) {
		memcpy(addr, p->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
		memset(mask, 0xff, RTE_ETHER_ADDR_LEN);
	}
	memcpy(&k->addr, addr, sizeof(k->addr));
	memcpy(&k->mask, mask, sizeof(k->mask));
}

/* f: the frame, at least 14 bytes (the classifier checked). */
static inline enum erdp_rx_l2 erdp_rx_l2_of(const struct erdp_rx_mac *k, const uint8_t *f)
{
	uint64_t head;

	memcpy(&head, f, sizeof(head));
	if (likely(((head ^ k->addr) & k->mask) == 0))
		return ERDP_RX_L2_US;
	return (f[0] & RTE_ETHER_GROUP_ADDR) ? ERDP_RX_L2_GROUP : ERDP_RX_L2_OTHER;
}

/* By first octet: 0/8, 127/8, 224/4 and 240/4 are never one unicast host. */
static const uint8_t erdp_ipv4_not_host[256] = {[0] = 1, [127] = 1, [224 ... 255] = 1};

/* a: host order. */
static inline bool erdp_ipv4_special(uint32_t a)
{
	return erdp_ipv4_not_host[a >> 24] != 0;
}

/* Why an IPv4 packet with one of the special cases below is refused. */
static inline enum erdp_drop erdp_rx_ipv4_reason(uint32_t dst, uint32_t src, enum erdp_rx_l2 l2)
{
	if (dst == UINT32_MAX)
		return ERDP_DROP_IPV4_BCAST;
	if ((dst >> 28) == 0xe)
		return ERDP_DROP_IPV4_MCAST;
	if (erdp_ipv4_special(dst) || erdp_ipv4_special(src))
		return ERDP_DROP_IPV4_MARTIAN;
	if (l2 == ERDP_RX_L2_GROUP)
		return ERDP_DROP_L2_BCAST_IP;
	return ERDP_DROP_NONE;
}

/* ERDP_DROP_NONE when the packet may be routed. The first octets need no byte swap. */
static inline enum erdp_drop erdp_rx_ipv4(const struct rte_ipv4_hdr *ip, enum erdp_rx_l2 l2)
{
	const uint8_t *dst = (const uint8_t *)&ip->dst_addr, *src = (const uint8_t *)&ip->src_addr;

	if (likely((erdp_ipv4_not_host[dst[0]] | erdp_ipv4_not_host[src[0]] | l2) == 0))
		return ERDP_DROP_NONE;
	return erdp_rx_ipv4_reason(rte_be_to_cpu_32(ip->dst_addr), rte_be_to_cpu_32(ip->src_addr),
				   l2);
}

/* ::/64: ::, ::1, the IPv4-compatible and -mapped forms; nothing there is routable. */
static inline bool erdp_ipv6_low64(const uint8_t a[16])
{
	uint64_t hi;

	memcpy(&hi, a, sizeof(hi));
	return hi == 0;
}

/* An ICMPv6 NS or NA (no extension headers: ND never has them). l4_len: bytes in the segment. */
static inline bool erdp_ipv6_is_nd(const struct rte_ipv6_hdr *ip, uint32_t l4_len)
{
	const uint8_t *icmp = (const uint8_t *)(ip + 1);

	return ip->proto == IPPROTO_ICMPV6 && l4_len >= 1 &&
	       rte_be_to_cpu_16(ip->payload_len) >= 1 &&
	       (icmp[0] == ERDP_ICMP6_NS || icmp[0] == ERDP_ICMP6_NA);
}

static inline enum erdp_drop erdp_rx_ipv6_reason(const struct rte_ipv6_hdr *ip, uint32_t l4_len,
						 enum erdp_rx_l2 l2, bool *punt)
{
	const uint8_t *dst = ip->dst_addr, *src = ip->src_addr;

	if (dst[0] == 0xff) {
		*punt = erdp_ipv6_is_nd(ip, l4_len);
		return *punt ? ERDP_DROP_NONE : ERDP_DROP_IPV6_MCAST;
	}
	if (erdp_ipv6_low64(dst) || erdp_ipv6_low64(src) || src[0] == 0xff)
		return ERDP_DROP_IPV6_MARTIAN;
	if (l2 == ERDP_RX_L2_GROUP)
		return ERDP_DROP_L2_BCAST_IP;
	*punt = dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80; /* link-local: ND, for the main lcore */
	return ERDP_DROP_NONE;
}

/*
 * ERDP_DROP_NONE with *punt false: route it; ERDP_DROP_NONE with *punt
 * true: hand it to the main lcore (ERDP_PUNT_NDP); else a drop reason.
 * l4_len: bytes after the IPv6 header in the first segment.
 */
static inline enum erdp_drop erdp_rx_ipv6(const struct rte_ipv6_hdr *ip, uint32_t l4_len,
					  enum erdp_rx_l2 l2, bool *punt)
{
	const uint8_t *dst = ip->dst_addr, *src = ip->src_addr;

	*punt = false;
	if (likely(dst[0] < 0xfe && !erdp_ipv6_low64(dst) && !erdp_ipv6_low64(src) &&
		   src[0] != 0xff && l2 == ERDP_RX_L2_US))
		return ERDP_DROP_NONE;
	return erdp_rx_ipv6_reason(ip, l4_len, l2, punt);
}

#endif
