/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue of changes for the data plane, in the order they must be applied.
 *
 * An op is a compact description (32 bytes) of one control message; the
 * 256-byte message is built only when the op goes into the ring, so a
 * million queued routes cost 32 MB, not 256 MB. Ops stay queued until
 * erdp acknowledges them: positions are absolute (never reused), and
 *     tail <= sent <= head
 * split the queue into acknowledged (< tail), in flight ([tail, sent)) and
 * waiting for ring room ([sent, head)). A message's seq is derived from its
 * op's position, so an ack finds its op without a lookup table.
 */
#ifndef ERDP_CP_OPQ_H
#define ERDP_CP_OPQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "erdp_ctl.h"

struct cp_op {
	uint8_t type;	/* enum erdp_msg_type */
	uint8_t family; /* route: 4 or 6 */
	uint8_t len;	/* route: prefix length */
	uint8_t up;	/* instance, link: 1 = up; route: the previous state (op_prev) */
	uint16_t id;	/* route: VRF; gateway ops: gateway; link: index */
	uint16_t aux;	/* instance: instance number; link: enum erdp_link_target;
			   route: the previous next hop's index */
	uint32_t nh;	/* route: ERDP_NH_REF_*; sync: generation; instance, link: the
			   state before the change (1 = up), for undoing it */
	uint32_t line;	/* route from a file: its line, for error messages (0: none) */
	uint8_t addr[16];
};

_Static_assert(sizeof(struct cp_op) == 32, "ops stay small: a million of them are queued");

struct opq {
	struct cp_op *buf;
	uint64_t cap; /* power of two */
	uint64_t tail, sent, head;
};

int opq_init(struct opq *q);
void opq_free(struct opq *q);
/* Append; -ENOMEM when the queue cannot grow. */
int opq_push(struct opq *q, const struct cp_op *op);
static inline struct cp_op *opq_at(const struct opq *q, uint64_t pos)
{
	return &q->buf[pos & (q->cap - 1)];
}
/* Forget everything not yet acknowledged (a full sync supersedes it). */
void opq_drop_all(struct opq *q);
/* Give memory back after a big burst, once the queue is empty. */
void opq_trim(struct opq *q);

/*
 * A route op remembers what the RIB held for its prefix before it: if erdp
 * rejects the op, that is what erdp still holds (channel/rollback.c). The
 * previous next hop is an ERDP_NH_REF_* of a blackhole, a gateway, a
 * peering or one link of a peering, whose index fits 16 bits (the config's
 * limits: 4,096 gateways, 8,188 peerings and so 16,376 peering links), so
 * it packs into the fields a route does not use, with whether it was a
 * BGP route (put back as one: bgp/ owns those, the state file does not).
 */
#define OP_PREV_PRESENT	     0x01
#define OP_PREV_GATEWAY	     0x02
#define OP_PREV_PEERING	     0x04
#define OP_PREV_PEERING_LINK 0x08
#define OP_PREV_BGP	     0x10

static inline void op_set_prev(struct cp_op *op, const struct cp_route_prev *prev)
{
	uint32_t kind = ERDP_NH_REF_KIND(prev->nh);

	op->up = (uint8_t)((prev->present ? OP_PREV_PRESENT : 0) |
			   (kind == ERDP_NH_REF_GATEWAY(0) ? OP_PREV_GATEWAY : 0) |
			   (kind == ERDP_NH_REF_PEERING(0) ? OP_PREV_PEERING : 0) |
			   (kind == ERDP_NH_REF_KIND_PEERING_LINK ? OP_PREV_PEERING_LINK : 0) |
			   (prev->present && prev->origin == RIB_ORIGIN_BGP ? OP_PREV_BGP : 0));
	op->aux = (uint16_t)ERDP_NH_REF_INDEX(prev->nh);
}

static inline void op_prev(const struct cp_op *op, struct cp_route_prev *prev)
{
	uint32_t i = op->aux;

	prev->nh = op->up & OP_PREV_GATEWAY	   ? ERDP_NH_REF_GATEWAY(i)
		   : op->up & OP_PREV_PEERING	   ? ERDP_NH_REF_PEERING(i)
		   : op->up & OP_PREV_PEERING_LINK ? ERDP_NH_REF_KIND_PEERING_LINK | i
						   : ERDP_NH_REF_BLACKHOLE;
	prev->present = (op->up & OP_PREV_PRESENT) != 0;
	prev->origin = op->up & OP_PREV_BGP ? RIB_ORIGIN_BGP : 0;
}

/* Message sequence number of the op at pos, and back (within the window). */
static inline uint32_t opq_seq(uint64_t pos)
{
	return (uint32_t)pos + 1;
}
static inline uint64_t opq_pos(const struct opq *q, uint32_t seq)
{
	return q->tail + (uint32_t)(seq - opq_seq(q->tail));
}

#endif
