/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control channel, data-plane side: segment lifecycle and the poll loop.
 *
 * One batch per poll: take at most ERDP_CTRL_BATCH messages, and never
 * more than the ack ring has room for: a batch of n messages makes at most
 * n acks (one per rejection, plus an OK for the last message when it was
 * applied), so an ack is never lost and an erdp-cp that is slow to read
 * acks slows the data plane's intake instead. Apply in order; ack each
 * rejection with its reason, and the last message of the batch so that
 * erdp-cp learns what has been applied.
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

unsigned int erdp_ctrl_poll(struct erdp_dp *dp)
{
	struct erdp_ctrl *c = &erdp_ctrl;
	unsigned int room, n, n_acks = 0;
	enum erdp_ack_status st = ERDP_ACK_OK;
	uint64_t now, applied;

	if (c->seg == NULL)
		return 0;
	now = rte_rdtsc();
	if (now >= c->next_beat) {
		erdp_ctl_dp_beat(c->seg);
		c->next_beat = now + rte_get_tsc_hz() * ERDP_CTRL_BEAT_MS / 1000;
		counter_set(&c->dp_beat, erdp_ctl_dp_heartbeat(c->seg));
		counter_set(&c->cp_boot_id, erdp_ctl_cp_boot_id(c->seg));
		counter_set(&c->cp_beat, erdp_ctl_cp_heartbeat(c->seg));
	}
	room = erdp_ctl_ack_free(c->seg);
	if (room == 0)
		return 0; /* erdp-cp is not reading acks: take nothing until it does */
	n = RTE_MIN(room, (unsigned int)ERDP_CTRL_BATCH);
	n = erdp_ctl_recv(c->seg, c->batch, n);
	if (n == 0)
		return 0;
	applied = c->applied;
	for (unsigned int i = 0; i < n; i++) {
		char detail[ERDP_CTRL_DETAIL_LEN] = "";

		st = erdp_ctrl_apply(dp, c, &c->batch[i], detail);
		if (st == ERDP_ACK_OK) {
			applied++;
			continue;
		}
		if (st >= ERDP_ACK_STATUS_MAX)
			st = ERDP_ACK_INTERNAL;
		counter_add(&c->rejected[st], 1);
		ack_fill(&c->acks[n_acks++], &c->batch[i], st, applied, detail);
	}
	/* The last message's own rejection ack already marks the end of the batch. */
	if (st == ERDP_ACK_OK)
		ack_fill(&c->acks[n_acks++], &c->batch[n - 1], ERDP_ACK_OK, applied, "");
	counter_add(&c->applied, applied - c->applied);
	counter_add(&c->batches, 1);
	counter_set(&c->n_routes, erdp_ctrl_routes_count(c));
	if (erdp_ctl_ack_send(c->seg, c->acks, n_acks) != n_acks)
		fprintf(stderr, "erdp: control channel: ack ring lost acks (cannot happen)\n");
	return n;
}
