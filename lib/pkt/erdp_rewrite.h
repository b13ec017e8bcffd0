/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-packet header rewrites shared by the workers and the main lcore's
 * exception path: swap the ingress L2 header for an egress one, and the
 * RFC 1812 TTL decrement with an RFC 1624 incremental checksum update.
 */
#ifndef ERDP_REWRITE_H
#define ERDP_REWRITE_H

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "erdp_nh.h"

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for the TTL/protocol word. */
static inline void erdp_ipv4_ttl_dec(struct rte_ipv4_hdr *ip)
{
	uint16_t old = (uint16_t)((ip->time_to_live << 8) | ip->next_proto_id);
	uint32_t sum;

	ip->time_to_live--;
	sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum) + (uint32_t)(uint16_t)~old +
	      (uint32_t)(uint16_t)(old - 0x0100);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
}

/*
 * Replace the first `l3_off` bytes (ingress L2) by l2's header and
 * `etype`. Returns the new frame start, or NULL when the mbuf lacks
 * headroom (never with DPDK's default 128 bytes).
 */
static inline uint8_t *erdp_rewrite_l2(struct rte_mbuf *m, uint16_t l3_off,
				       const struct erdp_l2 *l2, uint16_t etype)
{
	int delta = (int)l2->len + 2 - (int)l3_off;
	uint8_t *h;

	if (delta > 0)
		h = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)delta);
	else if (delta < 0)
		h = (uint8_t *)rte_pktmbuf_adj(m, (uint16_t)-delta);
	else
		h = rte_pktmbuf_mtod(m, uint8_t *);
	if (unlikely(h == NULL))
		return NULL;
	/* Constant-size copies: the compiler turns each into two or three moves. */
	switch (l2->len) {
	case 12:
		memcpy(h, l2->hdr, 12);
		break;
	case 16:
		memcpy(h, l2->hdr, 16);
		break;
	default:
		memcpy(h, l2->hdr, 20);
		break;
	}
	h[l2->len] = (uint8_t)(etype >> 8);
	h[l2->len + 1] = (uint8_t)etype;
	return h;
}

#endif
