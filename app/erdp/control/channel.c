/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control channel, data-plane side: segment lifecycle and the poll loop.
 *
 * A batch is at most ERDP_CTRL_BATCH messages taken from the ring at once,
 * and never more than the ack ring has room for: a batch of n messages
 * makes at most n acks (one per rejection, plus an OK for the last message
 * of each slice when it was applied), so an ack is never lost and an
 * erdp-cp that is slow to read acks slows the data plane's intake instead.
 *
 * A batch is applied in slices: each poll applies messages in order until
 * the batch is done or ERDP_CTRL_SLICE_US have passed, acks each rejection
 * with its reason and the slice's last message so that erdp-cp learns what
 * has been applied, and returns to the main loop. SYNC_END starts the sweep
 * (routes.c); the polls that follow continue it, take nothing else, and
 * ack SYNC_END when it is over. Acks are cumulative, so erdp-cp sees the
 * same stream it would see from one big batch, only in more pieces.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_random.h>

#include "control.h"
#include "dp.h"

struct erdp_ctrl erdp_ctrl;

static uint64_t random_boot_id(void)
{
	uint64_t id = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &id, sizeof(id)) != (ssize_t)sizeof(id))
			id = 0;
		close(fd);
	}
	if (id == 0)
		id = rte_rand() ^ rte_rdtsc();
	return id != 0 ? id : 1; /* 0 reads as "no data plane yet" */
}

/* Counters have one writer, the main lcore, and a reader, the telemetry thread. */
static void counter_set(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, v, __ATOMIC_RELAXED);
}

static void counter_add(uint64_t *c, uint64_t n)
{
	counter_set(c, *c + n);
}

enum erdp_ack_status erdp_ctrl_apply(struct erdp_dp *dp, struct erdp_ctrl *c,
				     const struct erdp_msg *m, char *detail)
{
	enum erdp_ack_status st = erdp_msg_check(m, detail, ERDP_CTRL_DETAIL_LEN);

	if (st != ERDP_ACK_OK)
		return st;
	switch (m->type) {
	case ERDP_MSG_ROUTE_ADD:
	case ERDP_MSG_ROUTE_DEL:
		return erdp_ctrl_route(dp, c, m, detail);
	case ERDP_MSG_GW_SET:
		return erdp_ctrl_gw_set(dp, c, &m->u.gw, detail);
	case ERDP_MSG_GW_DEL:
		return erdp_ctrl_gw_del(dp, c, &m->u.gw, detail);
	case ERDP_MSG_GW_INSTANCE:
		return erdp_ctrl_gw_instance(dp, &m->u.instance, detail);
	case ERDP_MSG_LINK_ADMIN:
		return erdp_ctrl_link(dp, &m->u.link, detail);
	case ERDP_MSG_SYNC_BEGIN:
	case ERDP_MSG_SYNC_END:
		return erdp_ctrl_sync(dp, c, m, detail);
	default:
		return ERDP_ACK_OK; /* NOP: a ping that gets an ack */
	}
}

int erdp_ctrl_init(struct erdp_dp *dp, const char *instance, struct erdp_err *err)
{
	struct erdp_ctrl *c = &erdp_ctrl;
	int rc;

	memset(c, 0, sizeof(*c));
	c->pending = -1;
	snprintf(c->instance, sizeof(c->instance), "%s", instance);
	c->batch = calloc(ERDP_CTRL_BATCH, sizeof(*c->batch));
	c->acks = calloc(ERDP_CTRL_BATCH, sizeof(*c->acks));
	if (c->batch == NULL || c->acks == NULL) {
		rc = erdp_errf(err, ENOMEM, "control channel: out of memory");
		goto fail;
	}
	rc = erdp_ctrl_routes_init(dp, c, err);
	if (rc == 0)
		rc = erdp_ctrl_gw_init(dp, c, err);
	if (rc != 0)
		goto fail;
	c->seg = erdp_ctl_create(instance, err);
	if (c->seg == NULL) {
		rc = -err->code;
		goto fail;
	}
	if (err->msg[0] != '\0') { /* a foreign object under the segment's name was replaced */
		fprintf(stderr, "erdp: control channel: warning: %s\n", err->msg);
		erdp_err_clear(err);
	}
	c->boot_id = random_boot_id();
	erdp_ctl_dp_hello(c->seg, c->boot_id);
	erdp_ctl_dp_beat(c->seg);
	counter_set(&c->n_routes, erdp_ctrl_routes_count(c));
	erdp_ctrl_telemetry_init();
	return 0;
fail:
	erdp_ctrl_fini(dp);
	return rc;
}

void erdp_ctrl_fini(struct erdp_dp *dp)
{
	struct erdp_ctrl *c = &erdp_ctrl;

	(void)dp;
	__atomic_store_n(&c->boot_id, 0, __ATOMIC_RELAXED);
	if (c->seg != NULL) {
		erdp_ctl_unlink(c->instance);
		erdp_ctl_close(c->seg);
		c->seg = NULL;
	}
	erdp_ctrl_routes_free(c);
	erdp_ctrl_gw_free(c);
	free(c->batch);
	free(c->acks);
	c->batch = NULL;
	c->acks = NULL;
}

static void ack_fill(struct erdp_ack *a, const struct erdp_msg *m, enum erdp_ack_status st,
		     uint64_t applied, const char *detail)
{
	memset(a, 0, sizeof(*a));
	a->session = m->session;
	a->seq = m->seq;
	a->status = (uint8_t)st;
	a->type = m->type;
	a->applied = applied;
	if (st != ERDP_ACK_OK)
		snprintf(a->detail, sizeof(a->detail), "%s",
			 detail[0] != '\0' ? detail : "rejected");
}

static void beat(struct erdp_ctrl *c)
{
	uint64_t now = rte_rdtsc();

	if (now < c->next_beat)
		return;
	erdp_ctl_dp_beat(c->seg);
	c->next_beat = now + rte_get_tsc_hz() * ERDP_CTRL_BEAT_MS / 1000;
	counter_set(&c->dp_beat, erdp_ctl_dp_heartbeat(c->seg));
	counter_set(&c->cp_boot_id, erdp_ctl_cp_boot_id(c->seg));
	counter_set(&c->cp_beat, erdp_ctl_cp_heartbeat(c->seg));
}

/* Count a message's outcome; a rejection gets its ack now. True when it was applied. */
static bool settle(struct erdp_ctrl *c, const struct erdp_msg *m, enum erdp_ack_status st,
		   const char *detail)
{
	if (st == ERDP_ACK_OK) {
		counter_add(&c->applied, 1);
		return true;
	}
	if (st >= ERDP_ACK_STATUS_MAX)
		st = ERDP_ACK_INTERNAL;
	counter_add(&c->rejected[st], 1);
	ack_fill(&c->acks[c->n_acks++], m, st, c->applied, detail);
	return false;
}

/* Take a new batch, as far as the ack ring has room; false when there is nothing. */
static bool take_batch(struct erdp_ctrl *c)
{
	unsigned int room = erdp_ctl_ack_free(c->seg);

	if (room == 0)
		return false; /* erdp-cp is not reading acks: take nothing until it does */
	c->batch_n = erdp_ctl_recv(c->seg, c->batch, RTE_MIN(room, (unsigned int)ERDP_CTRL_BATCH));
	c->batch_pos = 0;
	if (c->batch_n == 0)
		return false;
	counter_add(&c->batches, 1);
	return true;
}

/* Ack the applied message batch[idx] (if any) and send the acks gathered so far. */
static void flush_acks(struct erdp_ctrl *c, int idx)
{
	if (idx >= 0)
		ack_fill(&c->acks[c->n_acks++], &c->batch[idx], ERDP_ACK_OK, c->applied, "");
	if (c->n_acks > 0 && erdp_ctl_ack_send(c->seg, c->acks, c->n_acks) != c->n_acks)
		fprintf(stderr, "erdp: control channel: ack ring lost acks (cannot happen)\n");
	c->n_acks = 0;
}

unsigned int erdp_ctrl_poll(struct erdp_dp *dp)
{
	struct erdp_ctrl *c = &erdp_ctrl;
	unsigned int done = 0;
	int unacked = -1; /* batch index of the last applied message, not acked yet */
	uint64_t deadline;

	erdp_ctrl_dump_serve(dp, c);
	if (c->seg == NULL)
		return 0;
	beat(c);
	deadline = rte_rdtsc() + rte_get_tsc_hz() * ERDP_CTRL_SLICE_US / 1000000;
	if (c->pending >= 0) {
		if (!erdp_ctrl_sweep_step(dp, c, deadline))
			return 1; /* more next time; the main loop does not nap */
		settle(c, &c->batch[c->pending], ERDP_ACK_OK, "");
		unacked = c->pending;
		c->pending = -1;
		done++;
	}
	for (;;) {
		const struct erdp_msg *m;
		char detail[ERDP_CTRL_DETAIL_LEN] = "";
		enum erdp_ack_status st;
		int idx;

		if (c->batch_pos == c->batch_n) {
			/* Acks before the next recv overwrites the messages they echo. */
			flush_acks(c, unacked);
			unacked = -1;
			if (rte_rdtsc() >= deadline || !take_batch(c))
				break;
		}
		if (done % 64 == 63 && rte_rdtsc() >= deadline)
			break;
		m = &c->batch[c->batch_pos];
		st = erdp_ctrl_apply(dp, c, m, detail);
		idx = (int)c->batch_pos++;
		done++;
		if (st == ERDP_CTRL_PENDING) {
			c->pending = idx; /* its ack comes when the work is over */
			break;
		}
		unacked = settle(c, m, st, detail) ? idx : -1;
	}
	flush_acks(c, unacked);
	if (done > 0) {
		counter_add(&c->slices, 1);
		counter_set(&c->n_routes, erdp_ctrl_routes_count(c));
	}
	return done + (c->pending >= 0);
}
