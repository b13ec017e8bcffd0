/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Everything that talks to erdp: the control segment (chan.c: liveness,
 * ops into the request ring, acks out of the ack ring), the op queue
 * (opq.h), full syncs (sync.c), the requests waiting for erdp's acks
 * (waiter.c), and erdp's DPDK telemetry socket (telemetry.c).
 *
 * Who: the event loop's thread; chan_poll() is called every loop turn and
 * never blocks (a full ring means "later", never a dropped change). It
 * reads core/ (the RIB, for a full sync) and knows nothing of clients: a
 * waiter reports completion through the callback its creator gave it.
 */
#ifndef ERDP_CP_CHANNEL_H
#define ERDP_CP_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "erdp_ctl.h"
#include "erdp_err.h"
#include "opq.h"
#include "core/core.h"

struct cp;

/* ---- chan.c: the control channel to erdp ---- */
enum chan_state {
	CHAN_NO_SEGMENT, /* erdp has not created the segment (or we dropped it) */
	CHAN_WAIT_DP,	 /* segment open, waiting for erdp's heartbeat to move */
	CHAN_UP,	 /* erdp alive: ops flow */
};

struct chan {
	struct erdp_ctl *ctl;
	enum chan_state state;
	double dp_timeout;   /* no heartbeat nor ack for this long: erdp is gone */
	double last_check;   /* when check_dp last ran (our own stalls do not count) */
	uint64_t boot_id;    /* ours, new at every start */
	uint64_t dp_boot_id; /* erdp's, as seen when the channel came up */
	uint64_t dp_hb;	     /* last heartbeat value seen */
	double dp_hb_time;   /* when it last moved (or an ack came) */
	double opened_at;    /* WAIT_DP: when the segment was opened */
	double next_try;     /* NO_SEGMENT: next open attempt */
	double last_beat;
	char last_err[ERDP_ERR_MSG_LEN]; /* last open error, logged once */
	struct opq q;
	uint32_t generation; /* of the last full sync */
	uint64_t sync_end;   /* position of the SYNC_END op in flight; UINT64_MAX: none */
	double sync_start;
	uint64_t sync_msgs, sync_rejected;
	uint64_t n_sent, n_acked, n_rejected, n_syncs;
	uint64_t n_rolled_back; /* RIB changes undone because erdp rejected them */
	uint64_t n_stalls;	/* times erdp was declared gone for want of a heartbeat */
	struct rollback *rb;	/* rejections of the current drain (rollback.c) */
};

#define CHAN_DP_TIMEOUT_S 5.0 /* default of --dp-timeout */

int chan_init(struct chan *ch);
void chan_poll(struct cp *cp);
bool chan_busy(const struct chan *ch); /* ops waiting to be sent or acknowledged */
void chan_close(struct cp *cp);
/* Queue one op if the channel is up (otherwise the next full sync covers it); -ENOMEM. */
int chan_queue(struct cp *cp, const struct cp_op *op);
/*
 * Queue the add (or delete) of a route; `line` names its line in a route
 * file (0: none); prev is what the RIB held before (put back if erdp rejects).
 */
int chan_queue_route(struct cp *cp, bool add, const struct rib_route *rt, uint32_t line,
		     const struct cp_route_prev *prev);
/* Wait (serving nothing else) until nothing is queued or in flight; false after timeout_s. */
bool chan_drain(struct cp *cp, double timeout_s);

/*
 * ---- rollback.c: one truth ----
 * A change erdp rejects is undone in the RIB (and the store), so that the
 * RIB holds what erdp holds: handle_ack notes each rejected op, and after
 * the acks of a poll are read the notes are applied in one pass over the
 * ops still queued (a later op for the same prefix inherits the state to
 * restore instead: erdp never saw the rejected one).
 */
struct rollback *rollback_new(void);
void rollback_free(struct rollback *rb);
void rollback_note(struct cp *cp, uint64_t pos, uint8_t status);
/* Apply the notes; returns how many RIB entries or admin states were put back. */
size_t rollback_run(struct cp *cp);

/* ---- sync.c ---- */
/* Queue a full sync (SYNC_BEGIN, gateways, routes, admin states, SYNC_END). */
int chan_sync_full(struct cp *cp);
/* Build the message for an op (seq and session are filled by the caller). */
void chan_build_msg(const struct cp *cp, const struct cp_op *op, struct erdp_msg *m);
/* One line describing an op, for logs and rejections. */
void chan_op_describe(const struct cp *cp, const struct cp_op *op, char *buf, size_t n);

/* ---- waiter.c: requests that complete once erdp acknowledged their ops ---- */
#define CP_MAX_REJECTIONS 20

struct waiter;
/*
 * Called once when every op of the waiter was acknowledged (not_applied
 * NULL) or can no longer be (not_applied says why); the waiter is freed
 * after it returns.
 */
typedef void (*waiter_done_fn)(void *ctx, struct waiter *w, const char *not_applied);

struct waiter {
	struct waiter *next;
	waiter_done_fn done;
	void *ctx;	      /* the creator's, NULL once it went away */
	uint64_t first, last; /* op positions [first, last]; last < first: none */
	uint64_t ticket;      /* the store's: the change is durable once it is */
	bool erdp_done;	      /* erdp acknowledged, or cannot any more (warn says why) */
	char warn[320];	      /* why the change is not applied in erdp; "" when it is */
	double start;
	double erdp_seconds; /* from start until erdp acknowledged (the rest: the store) */
	json_t *result;	     /* filled by the request */
	uint64_t rejected;
	json_t *rejections; /* array of strings, at most CP_MAX_REJECTIONS */
};

struct waiter *waiter_begin(struct cp *cp, waiter_done_fn done, void *ctx);
/* Ops queued since waiter_begin belong to it; completes now if there are none. */
void waiter_commit(struct cp *cp, struct waiter *w);
/* Called by the channel: op at pos acknowledged (status != OK: rejected). */
void waiter_on_ack(struct cp *cp, uint64_t pos, const struct erdp_ack *a, const char *what);
/* Complete the waiters whose ops are all acknowledged and whose changes are durable. */
void waiter_complete(struct cp *cp);
/* Changes made after the waiters' own (rollbacks) must be durable before they answer. */
void waiter_bump_tickets(struct cp *cp, uint64_t ticket);
void waiter_flush_disconnected(struct cp *cp, const char *why);
/* The creator went away: its waiters still complete, with ctx NULL. */
void waiter_forget(struct cp *cp, void *ctx);

/* ---- telemetry.c: erdp's DPDK telemetry socket ---- */
struct tel;
/* Connect (an error names a stopped erdp as such); several commands may follow. */
struct tel *tel_open(const struct cp *cp, struct erdp_err *err);
void tel_close(struct tel *t);
/* Run `cmd`; *out gets the value under the command's key. 0 or -errno with err. */
int tel_cmd(struct tel *t, const char *cmd, json_t **out, struct erdp_err *err);
/* tel_open + tel_cmd + tel_close. */
int tel_query(const struct cp *cp, const char *cmd, json_t **out, struct erdp_err *err);
/*
 * Every entry of one of erdp's paged lists: list_cmd,START answers {total,
 * start, next?, key: {"0": entry, "1": ...}} (keyed by position: DPDK 22.11
 * telemetry cannot nest arrays of objects); fn sees each entry in turn
 * (borrowed). 0, or -errno with err when a page could not be read.
 */
int tel_list(struct tel *t, const char *list_cmd, const char *key,
	     void (*fn)(json_t *entry, void *arg), void *arg, struct erdp_err *err);

#endif
