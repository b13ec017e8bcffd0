/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VLAN tag parsing for the three kinds of port erdp has.
 *
 * Pure functions on a byte buffer (no mbuf, no DPDK), inline because they
 * run once per packet. Each returns 0 and fills `struct erdp_tags`, or a
 * positive enum erdp_drop reason. They only look at L2; tables decide
 * whether a VID is known.
 *
 * What a real switch does, and erdp does too:
 *  - PCP and DEI never affect classification.
 *  - A priority tag (VID 0) as the outermost tag means "untagged with a
 *    priority" (IEEE 802.1Q): such frames count as UNTAGGED.
 *  - VID 4095 is reserved: VLAN_INVALID. A VID 0 inner C-tag: VLAN_INVALID.
 *  - QinQ: outer TPID must be one of the configured set; the inner tag must
 *    be 0x8100. Dot1Q: the one tag must use a configured TPID.
 *  - Any TPID-looking EtherType (0x8100, 0x88a8, 0x9100) counts as a tag
 *    when counting tags, so a third tag is WRONG_TAG_COUNT, not NON_IP.
 */
#ifndef ERDP_TAGS_H
#define ERDP_TAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "erdp_drop.h"

#define ERDP_ETH_HLEN	   14
#define ERDP_ETH_MIN_FRAME 60 /* Ethernet's minimum frame without the FCS */
#define ERDP_VLAN_HLEN	   4
#define ERDP_TPID_8021Q	   0x8100
#define ERDP_TPID_8021AD   0x88a8
#define ERDP_TPID_QINQ_OLD 0x9100
#define ERDP_ETYPE_IPV4	   0x0800
#define ERDP_ETYPE_IPV6	   0x86dd
#define ERDP_ETYPE_ARP	   0x0806

struct erdp_tags {
	uint16_t outer_vid; /* S-tag (QinQ), VLAN (Dot1Q / gateway), 0 if untagged */
	uint16_t inner_vid; /* C-tag (QinQ), else 0 */
	uint16_t etype;	    /* EtherType after the tags, host order */
	uint16_t l3_off;    /* bytes from frame start to the L3 header */
};

/* Set of accepted outer TPIDs (host order), checked with a few compares. */
struct erdp_tpid_set {
	uint16_t n;
	uint16_t tpid[4];
};

static inline uint16_t erdp_rd16(const uint8_t *p)
{
	uint16_t v;

	__builtin_memcpy(&v, p, 2); /* one load + byte swap */
	return __builtin_bswap16(v);
}

static inline bool erdp_is_tpid(uint16_t t)
{
	return t == ERDP_TPID_8021Q || t == ERDP_TPID_8021AD || t == ERDP_TPID_QINQ_OLD;
}

static inline bool erdp_tpid_accepted(const struct erdp_tpid_set *s, uint16_t t)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (s->tpid[i] == t)
			return true;
	return false;
}

/* Outermost tag shared by both ExpressRoute modes: 0 or a drop reason. */
static inline int erdp_parse_outer(const uint8_t *f, uint32_t len,
				   const struct erdp_tpid_set *outer, uint16_t *vid)
{
	uint16_t t0;

	if (len < ERDP_ETH_HLEN)
		return ERDP_DROP_TRUNCATED;
	t0 = erdp_rd16(f + 12);
	/* Accepted first: it is the common case and usually the first entry. */
	if (__builtin_expect(!erdp_tpid_accepted(outer, t0), 0))
		return erdp_is_tpid(t0) ? ERDP_DROP_TPID : ERDP_DROP_UNTAGGED;
	if (len < ERDP_ETH_HLEN + ERDP_VLAN_HLEN)
		return ERDP_DROP_TRUNCATED;
	*vid = erdp_rd16(f + 14) & 0x0fff;
	if (*vid == 0)
		return ERDP_DROP_UNTAGGED;
	if (*vid == 0x0fff)
		return ERDP_DROP_VLAN_INVALID;
	return 0;
}

/* QinQ ExpressRoute port: exactly two tags, S-tag then C-tag (0x8100). */
static inline int erdp_parse_qinq(const uint8_t *f, uint32_t len, const struct erdp_tpid_set *outer,
				  struct erdp_tags *t)
{
	uint16_t t1, t2;
	int rc = erdp_parse_outer(f, len, outer, &t->outer_vid);

	if (rc != 0)
		return rc;
	t1 = erdp_rd16(f + 16);
	if (!erdp_is_tpid(t1))
		return ERDP_DROP_TAG_COUNT;
	if (t1 != ERDP_TPID_8021Q)
		return ERDP_DROP_TPID;
	if (len < ERDP_ETH_HLEN + 2 * ERDP_VLAN_HLEN)
		return ERDP_DROP_TRUNCATED;
	t->inner_vid = erdp_rd16(f + 18) & 0x0fff;
	t2 = erdp_rd16(f + 20);
	if (erdp_is_tpid(t2))
		return ERDP_DROP_TAG_COUNT;
	if (t->inner_vid == 0 || t->inner_vid == 0x0fff)
		return ERDP_DROP_VLAN_INVALID;
	t->etype = t2;
	t->l3_off = ERDP_ETH_HLEN + 2 * ERDP_VLAN_HLEN;
	return 0;
}

/* Dot1Q ExpressRoute port: exactly one tag. */
static inline int erdp_parse_dot1q(const uint8_t *f, uint32_t len,
				   const struct erdp_tpid_set *outer, struct erdp_tags *t)
{
	uint16_t t1;
	int rc = erdp_parse_outer(f, len, outer, &t->outer_vid);

	if (rc != 0)
		return rc;
	t1 = erdp_rd16(f + 16);
	if (erdp_is_tpid(t1))
		return ERDP_DROP_TAG_COUNT;
	t->inner_vid = 0;
	t->etype = t1;
	t->l3_off = ERDP_ETH_HLEN + ERDP_VLAN_HLEN;
	return 0;
}

/* Gateway port: untagged (VID 0) or one 0x8100 tag. Priority tags count as untagged. */
static inline int erdp_parse_gateway(const uint8_t *f, uint32_t len, struct erdp_tags *t)
{
	uint16_t t0, t1;

	if (len < ERDP_ETH_HLEN)
		return ERDP_DROP_TRUNCATED;
	t0 = erdp_rd16(f + 12);
	t->inner_vid = 0;
	if (!erdp_is_tpid(t0)) {
		t->outer_vid = 0;
		t->etype = t0;
		t->l3_off = ERDP_ETH_HLEN;
		return 0;
	}
	if (t0 != ERDP_TPID_8021Q)
		return ERDP_DROP_TPID;
	if (len < ERDP_ETH_HLEN + ERDP_VLAN_HLEN)
		return ERDP_DROP_TRUNCATED;
	t->outer_vid = erdp_rd16(f + 14) & 0x0fff;
	if (t->outer_vid == 0x0fff)
		return ERDP_DROP_VLAN_INVALID;
	t1 = erdp_rd16(f + 16);
	if (erdp_is_tpid(t1))
		return ERDP_DROP_TAG_COUNT;
	t->etype = t1;
	t->l3_off = ERDP_ETH_HLEN + ERDP_VLAN_HLEN;
	return 0;
}

#endif
