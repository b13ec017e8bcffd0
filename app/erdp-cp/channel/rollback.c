/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One truth: the RIB holds what erdp holds. erdp applies each message all
 * or nothing, so a rejected route op left erdp's entry for its prefix as it
 * was before the op: the op carries that previous state (opq.h), and the
 * RIB is put back to it, through core/ (per-target counts, the journal and
 * so the store follow). A rejected admin op is undone the same way (its
 * previous state travels in the op's nh, which admin messages do not use).
 *
 * A later op for the same prefix may already be queued or in flight: it
 * was built on the RIB state the rejected op made, which erdp never had.
 * Then the RIB is left alone (that later op sets it) and the later op
 * inherits the state to put back if it is rejected in turn. One pass over
 * the ops after the first rejection finds, for every rejected prefix, the
 * next op that touches it; a small hash (a RIB keyed by the prefix) maps
 * prefixes to the rejection to carry.
 *
 * Deletes that erdp rejects as NOT_FOUND need nothing: the route is gone
 * on both sides.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"

struct note {
	uint64_t pos;
	struct cp_op op; /* copied: the queue may move on before the notes are applied */
	bool carrying;	 /* its state to put back waits for the next op of its target */
	bool done;	 /* a later op took the state to put back over */
};

struct rollback {
	struct note *notes;
	size_t n, cap;
};

struct rollback *rollback_new(void)
{
	return calloc(1, sizeof(struct rollback));
}

void rollback_free(struct rollback *rb)
{
	if (rb == NULL)
		return;
	free(rb->notes);
	free(rb);
}

static bool is_route(const struct cp_op *op)
{
	return op->type == ERDP_MSG_ROUTE_ADD || op->type == ERDP_MSG_ROUTE_DEL;
}

static bool is_admin(const struct cp_op *op)
{
	return op->type == ERDP_MSG_GW_INSTANCE || op->type == ERDP_MSG_LINK_ADMIN;
}

void rollback_note(struct cp *cp, uint64_t pos, uint8_t status)
{
	struct rollback *rb = cp->chan.rb;
	const struct cp_op *op = opq_at(&cp->chan.q, pos);

	if (!(is_route(op) || is_admin(op)) ||
	    (op->type == ERDP_MSG_ROUTE_DEL && status == ERDP_ACK_NOT_FOUND))
		return;
	if (rb->n == rb->cap) {
		size_t cap = rb->cap ? rb->cap * 2 : 64;
		struct note *nn = realloc(rb->notes, cap * sizeof(*nn));

		if (nn == NULL) {
			cp_log("rollback: out of memory: the RIB keeps a change erdp rejected "
			       "(erdpctl verify shows it)");
			return;
		}
		rb->notes = nn;
		rb->cap = cap;
	}
	rb->notes[rb->n++] = (struct note){.pos = pos, .op = *op};
}

/* Gateway instance (gateway, instance) or link (index, target): the same thing? */
static bool same_admin(const struct cp_op *a, const struct cp_op *b)
{
	return a->type == b->type && a->id == b->id && a->aux == b->aux;
}

/* The note carrying for op's target, or NULL. Routes: idx; admin ops: a short scan. */
static struct note *carrier(struct rollback *rb, struct rib *idx, const struct cp_op *op)
{
	const struct rib_route *c;

	if (is_route(op)) {
		c = rib_find(idx, op->id, op->family, op->addr, op->len);
		return c != NULL ? &rb->notes[c->nh] : NULL;
	}
	for (size_t i = 0; i < rb->n; i++)
		if (rb->notes[i].carrying && same_admin(&rb->notes[i].op, op))
			return &rb->notes[i];
	return NULL;
}

static void set_carrier(struct rollback *rb, struct rib *idx, struct note *n)
{
	const struct cp_op *op = &n->op;
	struct rib_route k = {.vrf = op->id,
			      .family = op->family,
			      .len = op->len,
			      .nh = (uint32_t)(n - rb->notes),
			      .origin = RIB_ORIGIN_RUNTIME};

	n->carrying = true;
	if (!is_route(op))
		return;
	memcpy(k.addr, op->addr, 16);
	if (rib_set(idx, &k, NULL) < 0)
		n->carrying = false; /* out of memory: it is restored on its own at the end */
}

static void end_carry(struct rib *idx, struct note *n)
{
	n->carrying = false;
	n->done = true;
	if (is_route(&n->op))
		rib_del(idx, n->op.id, n->op.family, n->op.addr, n->op.len, NULL);
}

/* A later op (rejected or not) of the same target takes over the state to put back. */
static void pass_on(const struct note *from, struct cp_op *to)
{
	struct cp_route_prev prev;

	if (is_route(&from->op)) {
		op_prev(&from->op, &prev);
		op_set_prev(to, &prev);
	} else {
		to->nh = from->op.nh; /* admin ops keep their previous state in nh */
	}
}

/*
 * One pass over the ops from the first rejection to the end of the queue.
 * A rejected op whose target already carries takes the carry over (erdp
 * saw neither change); an op that was not rejected (applied, or still to
 * come) inherits the state to put back and ends the carry. What carries at
 * the end has no later op: the RIB is put back.
 */
static void carry(struct cp *cp, struct rib *idx)
{
	struct rollback *rb = cp->chan.rb;
	struct opq *q = &cp->chan.q;
	size_t next = 0;

	for (uint64_t p = rb->notes[0].pos; p < q->head; p++) {
		struct cp_op *op = opq_at(q, p);
		struct note *me =
			next < rb->n && rb->notes[next].pos == p ? &rb->notes[next++] : NULL;
		struct note *from;

		if (!is_route(op) && !is_admin(op))
			continue;
		from = carrier(rb, idx, op);
		if (from != NULL) {
			pass_on(from, me != NULL ? &me->op : op);
			end_carry(idx, from);
		}
		if (me != NULL)
			set_carrier(rb, idx, me);
	}
}

static bool restore(struct cp *cp, const struct note *n)
{
	const struct cp_op *op = &n->op;
	struct cp_route_prev prev;

	if (is_route(op)) {
		op_prev(op, &prev);
		state_route_restore(&cp->state, cp->cfg, op->id, op->family, op->addr, op->len,
				    &prev);
		return true;
	}
	if (op->type == ERDP_MSG_GW_INSTANCE)
		return state_admin_set(&cp->state, CP_ADMIN_GW_INSTANCE, op->id, op->aux,
				       op->nh != 0);
	return state_admin_set(&cp->state,
			       op->aux == ERDP_LINK_TARGET_PORT ? CP_ADMIN_PORT
								: CP_ADMIN_PEERING_LINK,
			       op->id, 0, op->nh != 0);
}

size_t rollback_run(struct cp *cp)
{
	struct rollback *rb = cp->chan.rb;
	struct rib *idx;
	size_t n = 0;

	if (rb->n == 0)
		return 0;
	idx = rib_create((unsigned int)cp->cfg->n_vrfs);
	if (idx != NULL)
		carry(cp, idx);
	for (size_t i = 0; i < rb->n; i++)
		if (!rb->notes[i].done && restore(cp, &rb->notes[i]))
			n++;
	rib_free(idx);
	rb->n = 0;
	cp->chan.n_rolled_back += n;
	if (n > 0) {
		cp_log("rolled back %zu change%s erdp rejected: erdp-cp's RIB holds what erdp "
		       "holds",
		       n, n > 1 ? "s" : "");
		waiter_bump_tickets(cp, store_commit(cp->store));
	}
	return n;
}
