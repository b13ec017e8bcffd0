/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rollback: after erdp rejects route or admin ops, the RIB and the admin
 * states hold what erdp holds, including when several ops of one prefix
 * are queued and any of them is rejected, in one drain of acks or in two.
 * No erdp here: ops are queued as the requests queue them, and rejections
 * are fed as handle_ack feeds them.
 */
#include <string.h>

#include "cp.h"
#include "cp_config.h"
#include "unit_test.h"

static struct cp cp;

static struct rib_route route(uint8_t b, uint32_t nh)
{
	return (struct rib_route){.vrf = TVRF_A, .family = 4, .len = 16, .addr = {10, b}, .nh = nh};
}

/* Change the RIB and queue the op, as req_route_set does; its queue position. */
static uint64_t set(uint8_t b, uint32_t nh)
{
	struct rib_route rt = route(b, nh);
	struct cp_route_prev prev;

	CHECK(state_route_set(&cp.state, cp.cfg, &rt, &prev) >= 0);
	CHECK_EQ(chan_queue_route(&cp, true, &rt, 0, &prev), 0);
	return cp.chan.q.head - 1;
}

static uint64_t del(uint8_t b)
{
	struct rib_route rt = route(b, 0);
	struct cp_route_prev prev;

	CHECK_EQ(state_route_del(&cp.state, cp.cfg, TVRF_A, 4, rt.addr, 16, &prev), 0);
	CHECK_EQ(chan_queue_route(&cp, false, &rt, 0, &prev), 0);
	return cp.chan.q.head - 1;
}

static uint64_t instance(bool up)
{
	struct cp_op op = {
		.type = ERDP_MSG_GW_INSTANCE, .id = TGW_A, .aux = 1, .up = up, .nh = !up};

	CHECK(state_admin_set(&cp.state, CP_ADMIN_GW_INSTANCE, TGW_A, 1, up));
	CHECK_EQ(chan_queue(&cp, &op), 0);
	return cp.chan.q.head - 1;
}

/* The RIB's next hop for 10.b.0.0/16, or UINT32_MAX when absent. */
static uint32_t rib_nh(uint8_t b)
{
	struct rib_route rt = route(b, 0);
	const struct rib_route *r = rib_find(cp.state.rib, TVRF_A, 4, rt.addr, 16);

	return r != NULL ? r->nh : UINT32_MAX;
}

static void reject(uint64_t pos, uint8_t status)
{
	rollback_note(&cp, pos, status);
}

#define GW   ERDP_NH_REF_GATEWAY(TGW_A)
#define PEER ERDP_NH_REF_PEERING(TPEER_C1)
#define BH   ERDP_NH_REF_BLACKHOLE
#define NONE UINT32_MAX

int main(void)
{
	struct erdp_err err = {0};
	uint64_t a, b, c;

	cp.cfg = cp_test_config_load();
	CHECK(cp.cfg != NULL);
	if (cp.cfg == NULL)
		TEST_MAIN_END();
	cp.waiters_tail = &cp.waiters;
	CHECK_EQ(chan_init(&cp.chan), 0);
	CHECK_EQ(state_init(&cp.state, cp.cfg, &err), 0);
	cp.chan.state = CHAN_UP;

	/* a new route rejected: gone */
	a = set(50, GW);
	reject(a, ERDP_ACK_NO_SPACE);
	CHECK_EQ(rollback_run(&cp), 1);
	CHECK_EQ(rib_nh(50), NONE);

	/* a config route replaced, rejected: the config's again, origin config */
	a = set(40, GW);
	reject(a, ERDP_ACK_UNKNOWN_NH);
	rollback_run(&cp);
	CHECK_EQ(rib_nh(40), PEER);
	CHECK_EQ(cp.state.n_runtime, 0);

	/* two ops of one prefix, both rejected in one drain: as before the first */
	a = set(51, GW);
	b = set(51, BH);
	reject(a, ERDP_ACK_NO_SPACE);
	reject(b, ERDP_ACK_NO_SPACE);
	CHECK_EQ(rollback_run(&cp), 1);
	CHECK_EQ(rib_nh(51), NONE);

	/* ... in two drains: the first leaves the RIB to the second op, which inherits */
	a = set(52, GW);
	b = set(52, BH);
	reject(a, ERDP_ACK_NO_SPACE);
	CHECK_EQ(rollback_run(&cp), 0);
	CHECK_EQ(rib_nh(52), BH);
	reject(b, ERDP_ACK_NO_SPACE);
	CHECK_EQ(rollback_run(&cp), 1);
	CHECK_EQ(rib_nh(52), NONE);

	/* the first rejected, the second applied: the second's target stands */
	a = set(53, GW);
	b = set(53, BH);
	reject(a, ERDP_ACK_NO_SPACE);
	rollback_run(&cp);
	CHECK_EQ(rib_nh(53), BH);

	/* three ops, the middle one rejected: the last one's target stands, and if
	   the last is rejected later, the first one's (applied) target comes back */
	a = set(54, GW);
	b = set(54, BH);
	c = set(54, PEER);
	reject(b, ERDP_ACK_INTERNAL);
	rollback_run(&cp);
	CHECK_EQ(rib_nh(54), PEER);
	reject(c, ERDP_ACK_INTERNAL);
	rollback_run(&cp);
	CHECK_EQ(rib_nh(54), GW);
	(void)a;

	/* a delete refused (not as NOT_FOUND): the route is back; NOT_FOUND: gone on both sides */
	set(55, GW);
	a = del(55);
	reject(a, ERDP_ACK_BAD_VALUE);
	rollback_run(&cp);
	CHECK_EQ(rib_nh(55), GW);
	a = del(55);
	reject(a, ERDP_ACK_NOT_FOUND);
	CHECK_EQ(rollback_run(&cp), 0);
	CHECK_EQ(rib_nh(55), NONE);

	/* admin: down rejected -> up; down and up both rejected -> up (as before both) */
	a = instance(false);
	reject(a, ERDP_ACK_UNKNOWN_NH);
	CHECK_EQ(rollback_run(&cp), 1);
	CHECK(cp.state.gw_up[TGW_A][1]);
	a = instance(false);
	b = instance(true);
	reject(a, ERDP_ACK_UNKNOWN_NH);
	reject(b, ERDP_ACK_UNKNOWN_NH);
	rollback_run(&cp);
	CHECK(cp.state.gw_up[TGW_A][1]);
	a = instance(false);
	b = instance(true);
	c = instance(false);
	reject(b, ERDP_ACK_UNKNOWN_NH);
	rollback_run(&cp);
	CHECK(!cp.state.gw_up[TGW_A][1]); /* the last op sets it */
	reject(c, ERDP_ACK_UNKNOWN_NH);
	rollback_run(&cp);
	CHECK(!cp.state.gw_up[TGW_A][1]); /* a (down) applied; b (up) was not */
	(void)a;

	chan_close(&cp);
	state_free(&cp.state);
	erdp_config_free(cp.cfg);
	TEST_MAIN_END();
}
