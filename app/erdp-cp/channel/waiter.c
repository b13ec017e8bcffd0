/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Requests that change the data plane answer only when erdp has
 * acknowledged every op they queued, so "route load" returning means the
 * routes are in erdp's FIB, and when the store has their changes on disk
 * (the waiter's ticket), so an answer means the change survives a crash.
 * Acks come back in order, so erdp's part is done when the channel's tail
 * passes the waiter's last op; a rejected op is charged to the waiter whose
 * range holds it. While erdp is away the erdp part is over at once, with a
 * warning; the store part still holds the answer back.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cp.h"

struct waiter *waiter_begin(struct cp *cp, waiter_done_fn done, void *ctx)
{
	struct waiter *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->done = done;
	w->ctx = ctx;
	w->first = cp->chan.q.head;
	w->start = cp_now();
	w->result = json_object();
	w->rejections = json_array();
	if (w->result == NULL || w->rejections == NULL) {
		json_decref(w->result);
		json_decref(w->rejections);
		free(w);
		return NULL;
	}
	return w;
}

/* Add the op accounting to the result, hand it to the creator, free the waiter. */
static void finish(struct cp *cp, struct waiter *w)
{
	const char *not_applied = w->warn[0] != '\0' ? w->warn : NULL;
	const char *serr = store_error(cp->store);
	uint64_t n = w->last + 1 - w->first;

	json_object_set_new(w->result, "messages", json_integer((json_int_t)n));
	json_object_set_new(w->result, "rejected", json_integer((json_int_t)w->rejected));
	json_object_set_new(w->result, "seconds", json_real(cp_now() - w->start));
	json_object_set_new(w->result, "erdp_seconds", json_real(w->erdp_seconds));
	json_object_set_new(w->result, "applied", json_boolean(not_applied == NULL));
	if (not_applied != NULL)
		json_object_set_new(w->result, "warning", json_string(not_applied));
	if (serr != NULL) {
		json_object_set_new(w->result, "durable", json_false());
		json_object_set_new(w->result, "store_error", json_string(serr));
	}
	w->done(w->ctx, w, not_applied);
	json_decref(w->result);
	json_decref(w->rejections);
	free(w);
}

static bool complete(struct cp *cp, struct waiter *w)
{
	if (!w->erdp_done && cp->chan.q.tail > w->last) {
		w->erdp_done = true;
		w->erdp_seconds = cp_now() - w->start;
	}
	return w->erdp_done && store_durable(cp->store, w->ticket);
}

void waiter_commit(struct cp *cp, struct waiter *w)
{
	w->last = cp->chan.q.head - 1; /* last < first when nothing was queued */
	w->ticket = store_commit(cp->store);
	if (cp->chan.state != CHAN_UP) {
		w->erdp_done = true;
		snprintf(w->warn, sizeof(w->warn), "%s",
			 "erdp is not connected: the change is in erdp-cp's RIB and is applied "
			 "when erdp connects (full sync)");
	} else if (w->last + 1 == w->first) {
		w->erdp_done = true;
		w->erdp_seconds = cp_now() - w->start;
	}
	if (complete(cp, w)) {
		finish(cp, w);
		return;
	}
	w->next = NULL;
	*cp->waiters_tail = w;
	cp->waiters_tail = &w->next;
}

void waiter_on_ack(struct cp *cp, uint64_t pos, const struct erdp_ack *a, const char *what)
{
	for (struct waiter *w = cp->waiters; w != NULL; w = w->next) {
		if (pos < w->first || pos > w->last)
			continue;
		w->rejected++;
		if (json_array_size(w->rejections) < CP_MAX_REJECTIONS) {
			char line[400];

			snprintf(line, sizeof(line), "%s: %s%s%.40s", what,
				 erdp_ack_status_str(a->status), a->detail[0] ? ": " : "",
				 a->detail);
			json_array_append_new(w->rejections, json_string(line));
		}
		return;
	}
}

void waiter_complete(struct cp *cp)
{
	struct waiter **pp = &cp->waiters;

	while (*pp != NULL) {
		struct waiter *w = *pp;

		if (!complete(cp, w)) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		finish(cp, w);
	}
	cp->waiters_tail = pp;
}

void waiter_flush_disconnected(struct cp *cp, const char *why)
{
	for (struct waiter *w = cp->waiters; w != NULL; w = w->next)
		if (!w->erdp_done) { /* not the tail: the queue was dropped already */
			w->erdp_done = true;
			snprintf(w->warn, sizeof(w->warn),
				 "%s before acknowledging every change: they are in erdp-cp's RIB "
				 "and are replayed when erdp returns",
				 why);
		}
	waiter_complete(cp);
}

void waiter_bump_tickets(struct cp *cp, uint64_t ticket)
{
	for (struct waiter *w = cp->waiters; w != NULL; w = w->next)
		if (w->ticket < ticket)
			w->ticket = ticket;
}

void waiter_forget(struct cp *cp, void *ctx)
{
	for (struct waiter *w = cp->waiters; w != NULL; w = w->next)
		if (w->ctx == ctx)
			w->ctx = NULL;
}
