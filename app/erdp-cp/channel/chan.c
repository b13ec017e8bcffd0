/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control channel: finds erdp's segment, watches erdp's liveness,
 * moves ops into the request ring and acks out of the ack ring.
 *
 * Liveness. erdp is "up" once its heartbeat is seen moving (a segment left
 * behind by a killed erdp has a boot id but a frozen heartbeat). It is
 * "gone" when it removed the segment name (clean exit), when its boot id
 * changes (a crashed erdp's successor reuses the segment) or when neither its
 * heartbeat nor an ack has moved for --dp-timeout (killed or hung); then the
 * segment is dropped and searched for again, because a new erdp may have
 * created a new file under the same name. Every transition to "up" starts
 * a full sync: the data plane we talk to may have any state.
 *
 * Slow is not dead. erdp beats every 10 ms and works in slices of 1 ms, so
 * a live erdp stalls only when the host does not run it; the default
 * timeout (5 s) is far beyond that. And time erdp-cp itself did not run
 * (its loop came back late: the host did not run *us*) is not counted
 * against erdp: after such a gap the stall clock starts again, because
 * erdp may have beaten many times while we were not looking.
 *
 * Backpressure. Ops go into the ring only as far as it has room; the rest
 * wait in the queue, in order. Nothing is dropped, and erdp-cp keeps
 * draining acks while it waits, so neither side can block the other.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bgp/bgp.h"
#include "cp.h"

#define WAIT_DP_S    1.5 /* reopen the segment if erdp does not beat by then */
#define OWN_GAP_S    0.5 /* a loop turn this late: erdp-cp was not running */
#define OPEN_RETRY_S 0.1
#define BEAT_S	     0.02
#define SEND_BURST   256
#define ACK_BURST    1024

int chan_init(struct chan *ch)
{
	ch->ctl = NULL;
	ch->state = CHAN_NO_SEGMENT;
	ch->sync_end = UINT64_MAX;
	if (ch->dp_timeout <= 0)
		ch->dp_timeout = CHAN_DP_TIMEOUT_S;
	ch->rb = rollback_new();
	if (ch->rb == NULL)
		return -ENOMEM;
	return opq_init(&ch->q);
}

int chan_queue(struct cp *cp, const struct cp_op *op)
{
	if (cp->chan.state != CHAN_UP)
		return 0;
	return opq_push(&cp->chan.q, op);
}

int chan_queue_route(struct cp *cp, bool add, const struct rib_route *rt, uint32_t line,
		     const struct cp_route_prev *prev)
{
	struct cp_op op = {
		.type = add ? ERDP_MSG_ROUTE_ADD : ERDP_MSG_ROUTE_DEL,
		.family = rt->family,
		.len = rt->len,
		.id = rt->vrf,
		.nh = add ? rt->nh : 0,
		.line = line,
	};

	memcpy(op.addr, rt->addr, 16);
	rib_mask(op.addr, op.family, op.len);
	op_set_prev(&op, prev);
	return chan_queue(cp, &op) != 0 ? -ENOMEM : 0;
}

bool chan_busy(const struct chan *ch)
{
	return ch->state == CHAN_UP && ch->q.head != ch->q.tail;
}

static void drop_segment(struct cp *cp, double now)
{
	struct chan *ch = &cp->chan;

	if (ch->ctl != NULL)
		erdp_ctl_close(ch->ctl);
	ch->ctl = NULL;
	ch->state = CHAN_NO_SEGMENT;
	ch->next_try = now;
	ch->sync_end = UINT64_MAX;
	opq_drop_all(&ch->q);
}

void chan_close(struct cp *cp)
{
	drop_segment(cp, cp_now());
	opq_free(&cp->chan.q);
	rollback_free(cp->chan.rb);
	cp->chan.rb = NULL;
}

/* erdp stopped answering or restarted: forget the ring, tell waiting clients. */
static void dp_lost(struct cp *cp, double now, const char *why)
{
	cp_log("%s; waiting for erdp to come back (the RIB is kept and replayed)", why);
	drop_segment(cp, now);
	waiter_flush_disconnected(cp, why);
}

static void try_open(struct cp *cp, double now)
{
	struct chan *ch = &cp->chan;
	struct erdp_err err = {0};

	if (now < ch->next_try)
		return;
	ch->next_try = now + OPEN_RETRY_S;
	ch->ctl = erdp_ctl_open(cp->instance, &err);
	if (ch->ctl == NULL) {
		if (strcmp(err.msg, ch->last_err) != 0) {
			cp_log("waiting for erdp instance '%s': %s", cp->instance, err.msg);
			snprintf(ch->last_err, sizeof(ch->last_err), "%s", err.msg);
		}
		return;
	}
	ch->last_err[0] = '\0';
	erdp_ctl_cp_hello(ch->ctl, ch->boot_id);
	erdp_ctl_cp_beat(ch->ctl);
	ch->last_beat = now;
	ch->dp_boot_id = erdp_ctl_dp_boot_id(ch->ctl);
	ch->dp_hb = erdp_ctl_dp_heartbeat(ch->ctl);
	ch->opened_at = now;
	ch->state = CHAN_WAIT_DP;
}

static void wait_dp(struct cp *cp, double now)
{
	struct chan *ch = &cp->chan;
	uint64_t boot = erdp_ctl_dp_boot_id(ch->ctl), hb = erdp_ctl_dp_heartbeat(ch->ctl);

	if (boot != 0 && hb != ch->dp_hb) {
		if (!bgp_sync_ready(cp)) {
			/*
			 * erdp is alive, and keeps the BGP routes it has until our
			 * sync; that waits until FPM has given them to us (bgp.h).
			 */
			ch->dp_hb = hb;
			ch->opened_at = now;
			return;
		}
		ch->dp_boot_id = boot;
		ch->dp_hb = hb;
		ch->dp_hb_time = now;
		ch->last_check = now;
		ch->state = CHAN_UP;
		/* erdp may have reset the header: say hello again to this erdp. */
		erdp_ctl_cp_hello(ch->ctl, ch->boot_id);
		cp_log("erdp instance '%s' is up (boot id %016llx): full sync", cp->instance,
		       (unsigned long long)boot);
		if (chan_sync_full(cp) != 0)
			dp_lost(cp, now, "cannot queue the full sync: out of memory");
		return;
	}
	if (now - ch->opened_at > WAIT_DP_S || erdp_ctl_stale(ch->ctl)) {
		/* A stale segment of a dead erdp: look again, a new one may replace it. */
		erdp_ctl_close(ch->ctl);
		ch->ctl = NULL;
		ch->state = CHAN_NO_SEGMENT;
		ch->next_try = now;
	}
}

/*
 * Acks are cumulative (erdp_ctl.h): an ack for seq S says every earlier
 * message was processed, applied unless it had a rejection ack of its own.
 */
static void handle_ack(struct cp *cp, const struct erdp_ack *a)
{
	struct chan *ch = &cp->chan;
	uint64_t pos;

	if (a->session != ch->boot_id)
		return; /* for an erdp-cp that ran before us */
	if ((int32_t)(a->seq - opq_seq(ch->q.tail)) < 0)
		return; /* left in the ring by an erdp that restarted in place */
	pos = opq_pos(&ch->q, a->seq);
	if (pos >= ch->q.sent) {
		cp_log("ignoring an ack for seq %u that was never sent (in flight: %u..%u)", a->seq,
		       opq_seq(ch->q.tail), opq_seq(ch->q.sent));
		return;
	}
	ch->n_acked += pos + 1 - ch->q.tail;
	if (a->status != ERDP_ACK_OK) {
		char what[256];

		chan_op_describe(cp, opq_at(&ch->q, pos), what, sizeof(what));
		ch->n_rejected++;
		if (ch->sync_end != UINT64_MAX)
			ch->sync_rejected++;
		cp_log("erdp rejected %s: %s%s%.40s", what, erdp_ack_status_str(a->status),
		       a->detail[0] ? ": " : "", a->detail);
		waiter_on_ack(cp, pos, a, what);
		rollback_note(cp, pos, a->status);
	}
	if (ch->sync_end != UINT64_MAX && pos >= ch->sync_end) {
		cp_log("full sync %u done: %llu messages in %.3f s, %llu rejected", ch->generation,
		       (unsigned long long)ch->sync_msgs, cp_now() - ch->sync_start,
		       (unsigned long long)ch->sync_rejected);
		ch->sync_end = UINT64_MAX;
	}
	ch->q.tail = pos + 1;
}

static void drain_acks(struct cp *cp, double now)
{
	struct chan *ch = &cp->chan;
	struct erdp_ack acks[ACK_BURST];
	unsigned int n;
	bool any = false;

	while ((n = erdp_ctl_ack_recv(ch->ctl, acks, ACK_BURST)) > 0) {
		for (unsigned int i = 0; i < n; i++)
			handle_ack(cp, &acks[i]);
		any = true;
		if (n < ACK_BURST)
			break;
	}
	if (any) {
		ch->dp_hb_time = now; /* acks prove erdp is alive even if it is too busy to beat */
		rollback_run(cp);     /* before trimming: it reads the ops after the rejected */
		waiter_complete(cp);
		opq_trim(&ch->q);
	}
}

static void send_ops(struct cp *cp)
{
	struct chan *ch = &cp->chan;
	struct erdp_msg msgs[SEND_BURST];

	while (ch->q.sent < ch->q.head) {
		unsigned int room = erdp_ctl_req_free(ch->ctl), n = 0, done;

		if (room == 0)
			return;
		while (n < room && n < SEND_BURST && ch->q.sent + n < ch->q.head) {
			uint64_t pos = ch->q.sent + n;

			chan_build_msg(cp, opq_at(&ch->q, pos), &msgs[n]);
			msgs[n].seq = opq_seq(pos);
			msgs[n].session = ch->boot_id;
			n++;
		}
		done = erdp_ctl_send(ch->ctl, msgs, n);
		ch->q.sent += done;
		ch->n_sent += done;
		if (done < n)
			return;
	}
}

static void check_dp(struct cp *cp, double now)
{
	struct chan *ch = &cp->chan;
	uint64_t boot = erdp_ctl_dp_boot_id(ch->ctl), hb = erdp_ctl_dp_heartbeat(ch->ctl);
	char why[128];

	if (erdp_ctl_stale(ch->ctl)) {
		dp_lost(cp, now, "erdp exited (it removed the control segment)");
		return;
	}
	if (boot != ch->dp_boot_id) {
		snprintf(why, sizeof(why), "erdp restarted (boot id %016llx -> %016llx)",
			 (unsigned long long)ch->dp_boot_id, (unsigned long long)boot);
		dp_lost(cp, now, why);
		return;
	}
	if (hb != ch->dp_hb || now - ch->last_check > OWN_GAP_S) {
		/* a beat, or we were not running: erdp gets a fresh period either way */
		ch->dp_hb = hb;
		ch->dp_hb_time = now;
	} else if (now - ch->dp_hb_time > ch->dp_timeout) {
		snprintf(why, sizeof(why), "erdp stopped: no heartbeat nor ack for %.1f s",
			 now - ch->dp_hb_time);
		ch->n_stalls++;
		dp_lost(cp, now, why);
	}
	ch->last_check = now;
}

bool chan_drain(struct cp *cp, double timeout_s)
{
	struct chan *ch = &cp->chan;
	double until = cp_now() + timeout_s;

	while (ch->state == CHAN_UP && (ch->q.head != ch->q.tail || ch->sync_end != UINT64_MAX)) {
		struct timespec nap = {.tv_nsec = 200000};

		if (cp_now() > until)
			return false;
		chan_poll(cp);
		nanosleep(&nap, NULL);
	}
	return ch->state == CHAN_UP;
}

void chan_poll(struct cp *cp)
{
	struct chan *ch = &cp->chan;
	double now = cp_now();

	if (ch->state == CHAN_NO_SEGMENT)
		try_open(cp, now);
	if (ch->ctl == NULL)
		return;
	if (now - ch->last_beat >= BEAT_S) {
		erdp_ctl_cp_beat(ch->ctl);
		ch->last_beat = now;
	}
	if (ch->state == CHAN_WAIT_DP) {
		wait_dp(cp, now);
		if (ch->state != CHAN_UP)
			return;
	}
	drain_acks(cp, now);
	send_ops(cp);
	drain_acks(cp, now);
	check_dp(cp, now);
}
