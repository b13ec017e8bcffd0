/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Circuit classification: frame tags -> (circuit, peering, link, VRF).
 *
 * Direct tables indexed by the 12-bit VID, built once from the config:
 *   QinQ:    stag[S]            -> circuit and its (C-tag, peering) pairs
 *   Dot1Q:   vlan[V]            -> peering   (unique across the port pair)
 *   gateway: gw[port slot][V]   -> VRF       (V = 0 for untagged)
 * A circuit has at most two peerings (private, Microsoft), so an S-tag
 * entry holds both C-tags: QinQ classification is one 16-byte load from a
 * 64 KiB table plus two compares, where a C-tag table per circuit would
 * be 8 KiB per circuit and miss the cache at a thousand circuits. No
 * hashing. Entries store index+1 so that zero means "unknown". Tables are
 * read-only after build (except gw, see erdp_classifier_gw_set).
 */
#ifndef ERDP_CLASSIFY_H
#define ERDP_CLASSIFY_H

#include <stdint.h>

#include "erdp_config.h"
#include "erdp_err.h"
#include "erdp_tags.h"

#define ERDP_CLS_NONE 0xffff

/* What a config port is to the classifier. */
enum erdp_port_kind { ERDP_PORT_ER = 0, ERDP_PORT_GW = 1 };

struct erdp_stag_entry {
	uint16_t circuit;			  /* circuit + 1 */
	uint16_t ctag[ERDP_PEERINGS_PER_CIRCUIT]; /* 0 = none (C-tags are 1..4094) */
	uint16_t peering[ERDP_PEERINGS_PER_CIRCUIT];
	uint16_t vrf[ERDP_PEERINGS_PER_CIRCUIT]; /* of each peering: no second table read */
	uint16_t pad;
};
_Static_assert(sizeof(struct erdp_stag_entry) == 16, "an S-tag entry is one 16-byte load");

struct erdp_classifier {
	enum erdp_encap encap;
	struct erdp_tpid_set outer;
	int n_circuits;
	int n_peerings;
	struct erdp_stag_entry *stag; /* 4096 entries (QinQ) */
	uint16_t *gw;		      /* n_ports x 4096: vrf + 1 */
	uint16_t *peering_vrf;	      /* n_peerings */
	uint16_t *peering_circuit;    /* n_peerings */
	uint8_t port_kind[ERDP_MAX_PORTS];
	uint8_t port_link[ERDP_MAX_PORTS]; /* enum erdp_link for ER ports */
	uint16_t vlan[ERDP_VLAN_TABLE];	   /* peering + 1 (Dot1Q) */
};

/* Result of classifying one frame; fields not known yet are ERDP_CLS_NONE. */
struct erdp_cls {
	uint16_t circuit;
	uint16_t peering;
	uint16_t vrf;
	uint8_t link; /* ER ports: enum erdp_link */
	struct erdp_tags tags;
};

int erdp_classifier_build(const struct erdp_config *cfg, struct erdp_classifier **out,
			  struct erdp_err *err);
void erdp_classifier_free(struct erdp_classifier *c);

/*
 * Gateway-side map (port, VLAN) -> VRF at run time (main lcore only): one
 * aligned 16-bit store, so a worker sees the old or the new VRF.
 * vrf = ERDP_CLS_NONE removes the mapping.
 */
static inline void erdp_classifier_gw_set(struct erdp_classifier *c, unsigned int port,
					  uint16_t vlan, uint16_t vrf)
{
	__atomic_store_n(&c->gw[port * ERDP_VLAN_TABLE + vlan],
			 (uint16_t)(vrf == ERDP_CLS_NONE ? 0 : vrf + 1), __ATOMIC_RELEASE);
}

/* VRF of a gateway-side (port, VLAN), or ERDP_CLS_NONE. */
static inline uint16_t erdp_classifier_gw_get(const struct erdp_classifier *c, unsigned int port,
					      uint16_t vlan)
{
	uint16_t e = __atomic_load_n(&c->gw[port * ERDP_VLAN_TABLE + vlan], __ATOMIC_RELAXED);

	return e == 0 ? ERDP_CLS_NONE : (uint16_t)(e - 1);
}

/*
 * Prefetch the table entry that erdp_classify() will read for frame f, so
 * that a burst's table misses overlap. Reads only bytes 14-15 (the first
 * tag's VID), which lie in the mbuf's data room even when the frame is
 * shorter; a frame without a tag just prefetches a harmless entry.
 */
static inline void erdp_classify_prefetch(const struct erdp_classifier *c, unsigned int port,
					  const uint8_t *f)
{
	uint16_t vid = (uint16_t)(((f[14] & 0x0f) << 8) | f[15]);

	if (c->port_kind[port] == ERDP_PORT_GW)
		__builtin_prefetch(&c->gw[port * ERDP_VLAN_TABLE + vid]);
	else if (c->encap == ERDP_ENCAP_QINQ)
		__builtin_prefetch(&c->stag[vid]);
	else
		__builtin_prefetch(&c->vlan[vid]);
}

/*
 * Classify a frame that arrived on config port `port`. Returns 0, or a drop
 * reason with r->circuit / r->peering filled as far as they were known.
 */
static inline int erdp_classify(const struct erdp_classifier *c, unsigned int port,
				const uint8_t *f, uint32_t len, struct erdp_cls *r)
{
	uint16_t e;
	int rc, k;

	r->circuit = ERDP_CLS_NONE;
	r->peering = ERDP_CLS_NONE;
	r->vrf = ERDP_CLS_NONE;
	r->tags = (struct erdp_tags){0};
	if (c->port_kind[port] == ERDP_PORT_GW) {
		rc = erdp_parse_gateway(f, len, &r->tags);
		if (rc != 0)
			return rc;
		e = c->gw[port * ERDP_VLAN_TABLE + r->tags.outer_vid];
		if (e == 0)
			return ERDP_DROP_UNKNOWN_VLAN;
		r->vrf = e - 1;
		return 0;
	}
	r->link = c->port_link[port];
	if (c->encap == ERDP_ENCAP_QINQ) {
		const struct erdp_stag_entry *se;

		rc = erdp_parse_qinq(f, len, &c->outer, &r->tags);
		if (rc != 0)
			return rc;
		se = &c->stag[r->tags.outer_vid];
		if (se->circuit == 0)
			return ERDP_DROP_UNKNOWN_STAG;
		r->circuit = se->circuit - 1;
		k = r->tags.inner_vid == se->ctag[0] ? 0 : 1;
		if (r->tags.inner_vid != se->ctag[k])
			return ERDP_DROP_UNKNOWN_CTAG;
		r->peering = se->peering[k] - 1;
		r->vrf = se->vrf[k];
		return 0;
	} else {
		rc = erdp_parse_dot1q(f, len, &c->outer, &r->tags);
		if (rc != 0)
			return rc;
		e = c->vlan[r->tags.outer_vid];
		if (e == 0)
			return ERDP_DROP_UNKNOWN_VLAN;
	}
	r->peering = e - 1;
	r->circuit = c->peering_circuit[r->peering];
	r->vrf = c->peering_vrf[r->peering];
	return 0;
}

#endif
