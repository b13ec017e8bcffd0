/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erdp-cp's state: a route's origin is "config" exactly when it equals the
 * config's route; what differs from the config is counted and reported to
 * the journal (the state file's feed) on every change and only then;
 * erdp's connected routes are recognised; a prefix can be put back as it
 * was; admin states are journaled when they change.
 */
#include <errno.h>
#include <string.h>

#include "core.h"
#include "cp_config.h"
#include "erdp_ctl.h"
#include "unit_test.h"

static struct {
	unsigned int routes, admins;
	bool present, runtime;
	uint32_t nh;
	uint8_t addr[16];
} seen;

static void on_route(void *arg, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
		     const struct rib_route *now, bool runtime)
{
	(void)arg;
	(void)vrf;
	(void)family;
	(void)len;
	seen.routes++;
	seen.present = now != NULL;
	seen.nh = now != NULL ? now->nh : 0;
	seen.runtime = runtime;
	memcpy(seen.addr, addr, 16);
}

static void on_admin(void *arg, enum cp_admin kind, uint16_t idx, uint16_t sub, bool up)
{
	(void)arg;
	(void)kind;
	(void)idx;
	(void)sub;
	(void)up;
	seen.admins++;
}

static struct rib_route r4(uint16_t vrf, uint8_t a, uint8_t b, uint8_t len, uint32_t nh)
{
	return (struct rib_route){.vrf = vrf, .family = 4, .len = len, .addr = {a, b}, .nh = nh};
}

static void test_connected(struct cp_state *s, const struct erdp_config *cfg)
{
	uint8_t a[16] = {192, 168, 1, 0}, msee2[16] = {192, 168, 1, 6};
	uint8_t m6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2};
	char why[400];

	CHECK(state_connected(s, cfg, TVRF_A, 4, a, 30, why, sizeof(why)));
	CHECK_MSG(strstr(why, "the link subnet of peering 'c1/private' (primary link)") != NULL,
		  "%s", why);
	CHECK(state_connected(s, cfg, TVRF_A, 4, msee2, 32, why, sizeof(why)));
	CHECK_MSG(strstr(why, "the MSEE's address") && strstr(why, "secondary"), "%s", why);
	CHECK(state_connected(s, cfg, TVRF_A, 6, m6, 128, why, sizeof(why)));
	CHECK(!state_connected(s, cfg, TVRF_B, 4, a, 30, why, sizeof(why))); /* another VRF */
	CHECK(!state_connected(s, cfg, TVRF_A, 4, a, 29, why, sizeof(why))); /* not the /30 */
	CHECK(!state_connected(s, cfg, TVRF_A, 4, a, 31, why, sizeof(why)));
}

static void test_origin_and_journal(struct cp_state *s, const struct erdp_config *cfg)
{
	struct rib_route add = r4(TVRF_A, 10, 50, 16, ERDP_NH_REF_GATEWAY(TGW_A));
	struct rib_route conf = r4(TVRF_A, 10, 40, 16, ERDP_NH_REF_PEERING(TPEER_C1));
	struct rib_route gwp = r4(TVRF_A, 10, 140, 16, ERDP_NH_REF_GATEWAY(TGW_A));
	struct cp_route_prev prev;
	const struct rib_route *rt;
	unsigned int before;

	CHECK_EQ(s->n_runtime, 0);
	CHECK_EQ(state_route_set(s, cfg, &add, &prev), RIB_ADDED);
	CHECK(!prev.present);
	rt = rib_find(s->rib, TVRF_A, 4, add.addr, 16);
	CHECK(rt != NULL && rt->origin == RIB_ORIGIN_RUNTIME);
	CHECK_EQ(s->n_runtime, 1);
	CHECK(seen.routes == 1 && seen.present && seen.runtime && seen.addr[1] == 50);
	CHECK_EQ(s->gw_routes[TGW_A], 2); /* 10.140/16 from the config, 10.50/16 */

	/* the same again: nothing changes, nothing is journaled */
	before = seen.routes;
	CHECK_EQ(state_route_set(s, cfg, &add, NULL), RIB_UNCHANGED);
	CHECK_EQ(seen.routes, before);

	/* a config prefix given another target is runtime; back to the config's is config */
	conf.nh = ERDP_NH_REF_BLACKHOLE;
	CHECK_EQ(state_route_set(s, cfg, &conf, &prev), RIB_REPLACED);
	CHECK(prev.present && prev.nh == ERDP_NH_REF_PEERING(TPEER_C1));
	CHECK_EQ(rib_find(s->rib, TVRF_A, 4, conf.addr, 16)->origin, RIB_ORIGIN_RUNTIME);
	CHECK_EQ(s->n_runtime, 2);
	conf.nh = ERDP_NH_REF_PEERING(TPEER_C1);
	CHECK_EQ(state_route_set(s, cfg, &conf, NULL), RIB_REPLACED);
	CHECK_EQ(rib_find(s->rib, TVRF_A, 4, conf.addr, 16)->origin, RIB_ORIGIN_CONFIG);
	CHECK(seen.present && !seen.runtime);
	CHECK_EQ(s->n_runtime, 1);

	/* deleting a config route is runtime state; putting it back is not */
	CHECK_EQ(state_route_del(s, cfg, TVRF_A, 4, gwp.addr, 16, &prev), 0);
	CHECK(prev.present && prev.nh == ERDP_NH_REF_GATEWAY(TGW_A));
	CHECK(!seen.present && seen.runtime);
	CHECK_EQ(s->n_runtime, 2);
	CHECK_EQ(state_route_del(s, cfg, TVRF_A, 4, gwp.addr, 16, &prev), -ENOENT);
	CHECK(!prev.present);
	state_route_restore(s, cfg, TVRF_A, 4, gwp.addr, 16,
			    &(struct cp_route_prev){.present = true, .nh = gwp.nh});
	rt = rib_find(s->rib, TVRF_A, 4, gwp.addr, 16);
	CHECK(rt != NULL && rt->nh == gwp.nh && rt->origin == RIB_ORIGIN_CONFIG);
	CHECK_EQ(s->n_runtime, 1);
	state_route_restore(s, cfg, TVRF_A, 4, add.addr, 16, &(struct cp_route_prev){0});
	CHECK(rib_find(s->rib, TVRF_A, 4, add.addr, 16) == NULL);
	CHECK_EQ(s->n_runtime, 0);
	CHECK(state_config_route(s, TVRF_A, 4, conf.addr, 16) != NULL);
	CHECK(state_config_route(s, TVRF_A, 4, add.addr, 16) == NULL);
}

static void test_admin(struct cp_state *s, const struct erdp_config *cfg)
{
	CHECK(state_admin_config(cfg, CP_ADMIN_GW_INSTANCE, TGW_A, 1));
	CHECK(state_admin_set(s, CP_ADMIN_GW_INSTANCE, TGW_A, 1, false));
	CHECK_EQ(seen.admins, 1);
	CHECK(!state_admin_set(s, CP_ADMIN_GW_INSTANCE, TGW_A, 1, false));
	CHECK_EQ(seen.admins, 1);
	CHECK(!state_admin_get(s, CP_ADMIN_GW_INSTANCE, TGW_A, 1));
	CHECK(state_admin_set(s, CP_ADMIN_PORT, 1, 0, false));
	CHECK(!s->port_up[1]);
	CHECK(state_admin_set(s, CP_ADMIN_PEERING_LINK, 3, 0, false));
	CHECK(!s->plink_up[3]);
	CHECK_EQ(seen.admins, 3);
}

int main(void)
{
	struct erdp_config *cfg = cp_test_config_load();
	struct erdp_err err = {0};
	struct cp_state s;

	CHECK(cfg != NULL);
	if (cfg == NULL)
		TEST_MAIN_END();
	CHECK_EQ(state_init(&s, cfg, &err), 0);
	CHECK_EQ(rib_count(s.rib), 3);
	s.journal = (struct cp_journal){.route = on_route, .admin = on_admin};
	test_connected(&s, cfg);
	test_origin_and_journal(&s, cfg);
	test_admin(&s, cfg);
	state_free(&s);
	erdp_config_free(cfg);
	TEST_MAIN_END();
}
