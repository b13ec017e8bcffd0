/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BGP table and its place in the RIB (app/erdp-cp/bgp/table.c), on a
 * config with two peerings in one VRF, with what would go to erdp recorded
 * instead of sent:
 *   - next hops -> targets: both links, one link, an unknown gateway, an IPv6
 *     link-local gateway mapped by the interface learned from zebra's
 *     connected routes, next-hop groups and blackholes refused;
 *   - zebra's update (DEL + NEW in one batch) is one replace for erdp, or
 *     nothing when the next hops did not change;
 *   - precedence: config and erdpctl routes win; deleting one reveals BGP's;
 *     the first peering of a VRF wins, the second takes over on withdrawal;
 *   - the VRF's capacity; stale marks cleared by a resend, the rest swept.
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp_priv.h"
#include "unit_test.h"

/* ---- what table.c would send to erdp ---- */
#define MAX_OPS 64
static struct {
	bool add;
	struct rib_route rt;
} ops[MAX_OPS];
static int n_ops;

int chan_queue_route(struct cp *cp, bool add, const struct rib_route *rt, uint32_t line,
		     const struct cp_route_prev *prev)
{
	(void)cp;
	(void)line;
	(void)prev;
	if (n_ops < MAX_OPS) {
		ops[n_ops].add = add;
		ops[n_ops].rt = *rt;
	}
	n_ops++;
	return 0;
}

static const char conf[] =
	"eal = { lcores = \"0\"; huge = false; file_prefix = \"t\"; };\n"
	"port_pair = { encapsulation = \"qinq\"; speed = \"10G\"; };\n"
	"ports = ( { name = \"p\"; device = \"net_null0\"; role = \"primary\"; },\n"
	"          { name = \"s\"; device = \"net_null1\"; role = \"secondary\"; },\n"
	"          { name = \"g\"; device = \"net_null2\"; role = \"gateway\"; } );\n"
	"bgp = { enabled = true; namespace_prefix = \"t\"; };\n"
	"vrfs = ( { name = \"v\"; ipv4_routes = 6;\n"
	"  routes = ( { prefix = \"10.50.0.0/16\"; gateway = \"gw\"; } ); } );\n"
	"circuits = (\n"
	" { name = \"a\"; s_tag = 100; bandwidth = \"10G\"; peerings = ( { type = \"private\";\n"
	"   c_tag = 1; vrf = \"v\"; ipv4 = \"192.168.100.128/29\"; ipv6 = \"2001:db8:100::/125\";\n"
	"   peer_asn = 65001; } ); },\n"
	" { name = \"b\"; s_tag = 101; bandwidth = \"10G\"; peerings = ( { type = \"private\";\n"
	"   c_tag = 1; vrf = \"v\"; ipv4 = \"192.168.200.0/29\"; peer_asn = 65002; } ); } );\n"
	"gateways = ( { name = \"gw\"; vrf = \"v\"; prefixes = [ \"10.100.0.0/16\" ];\n"
	"  instances = ( { port = \"g\"; mac = \"02:00:00:00:00:0a\"; },\n"
	"                { port = \"g\"; mac = \"02:00:00:00:00:0b\"; } ); } );\n";

static struct cp cp;
static struct bgp b;
static struct bgp_peering pa, pb;

static void peering(struct bgp_peering *p, int index)
{
	const struct erdp_peering_conf *pc = &cp.cfg->peerings[index];

	memset(p, 0, sizeof(*p));
	p->index = index;
	for (int l = 0; l < ERDP_LINKS; l++) {
		p->cust4[l] = erdp_p4_customer(&pc->v4[l]);
		if (pc->has_v6)
			erdp_p6_customer(&pc->v6[l], p->cust6[l]);
	}
	p->has_v6 = pc->has_v6;
}

static void setup(void)
{
	struct erdp_err err = {0};

	if (erdp_config_load_string(conf, "t.conf", &cp.cfg, &err) != 0) {
		fprintf(stderr, "config: %s\n", err.msg);
		exit(1);
	}
	if (state_init(&cp.state, cp.cfg, &err) != 0)
		exit(1);
	peering(&pa, 0);
	peering(&pb, 1);
	b.n = 2;
	b.p = calloc(2, sizeof(*b.p));
	b.p[0] = pa;
	b.p[1] = pb;
	cp.bgp = &b;
	if (table_init(&cp, &b) != 0)
		exit(1);
}

static struct bgp_peering *P(int i)
{
	return &b.p[i];
}

/* A route message as fpm_decode would report it. */
static struct fpm_route route(bool add, const char *pfx, int len, const char *gw1, const char *gw2)
{
	struct fpm_route r = {.add = add,
			      .len = (uint8_t)len,
			      .protocol = FPM_RTPROT_BGP,
			      .type = add ? RTN_UNICAST : 0,
			      .table = RT_TABLE_MAIN};
	const char *gws[2] = {gw1, gw2};
	int af = strchr(pfx, ':') ? AF_INET6 : AF_INET;

	r.family = af == AF_INET6 ? 6 : 4;
	inet_pton(af, pfx, r.addr);
	for (int i = 0; i < 2; i++)
		if (gws[i] != NULL) {
			inet_pton(af, gws[i], r.gw[r.n_gw].addr);
			r.gw[r.n_gw].ifindex = 7 + i;
			r.n_gw++;
			r.n_nexthops++;
		}
	return r;
}

static void feed(int p, struct fpm_route r)
{
	table_route(&cp, P(p), &r);
}

static const struct rib_route *rib(const char *pfx, int len)
{
	uint8_t a[16] = {0};
	int af = strchr(pfx, ':') ? AF_INET6 : AF_INET;

	inet_pton(af, pfx, a);
	return rib_find(cp.state.rib, 0, af == AF_INET6 ? 6 : 4, a, (uint8_t)len);
}

static bool is(const struct rib_route *rt, uint32_t nh, uint8_t origin)
{
	return rt != NULL && rt->nh == nh && rt->origin == origin;
}

static void test_nexthops(void)
{
	struct fpm_route r;

	n_ops = 0;
	feed(0, route(true, "10.10.0.0", 16, "192.168.100.129", "192.168.100.133"));
	feed(0, route(true, "10.11.0.0", 16, "192.168.100.133", NULL));
	feed(0, route(true, "10.12.0.0", 16, "192.168.100.129", "10.9.9.9")); /* one unknown */
	feed(0, route(true, "10.13.0.0", 16, "10.9.9.9", NULL));
	r = route(true, "10.14.0.0", 16, "192.168.100.129", NULL);
	r.nh_group = true;
	r.n_gw = 0;
	feed(0, r);
	r = route(true, "10.15.0.0", 16, NULL, NULL);
	r.type = RTN_BLACKHOLE;
	feed(0, r);
	CHECK_EQ(n_ops, 0); /* settled only at the end of the batch */
	table_flush(&cp);
	CHECK(is(rib("10.10.0.0", 16), ERDP_NH_REF_PEERING(0), RIB_ORIGIN_BGP));
	CHECK(is(rib("10.11.0.0", 16), ERDP_NH_REF_PEERING_LINK(0, ERDP_LINK_SECONDARY),
		 RIB_ORIGIN_BGP));
	CHECK(is(rib("10.12.0.0", 16), ERDP_NH_REF_PEERING_LINK(0, ERDP_LINK_PRIMARY),
		 RIB_ORIGIN_BGP));
	CHECK(rib("10.13.0.0", 16) == NULL && rib("10.14.0.0", 16) == NULL &&
	      rib("10.15.0.0", 16) == NULL);
	CHECK_EQ(P(0)->st.unknown_gateway, 2);
	CHECK_EQ(P(0)->st.no_nexthop, 3);
	CHECK_EQ(n_ops, 3);
	CHECK(ops[0].add && ops[1].add && ops[2].add);
	CHECK_EQ(cp.state.peering_routes[0], 3);

	/* IPv6: a global gateway by address; a link-local one by the interface of the link,
	 * learned from zebra's connected route of the link's /126 */
	r = route(true, "2001:db8:100::4", 126, NULL, NULL);
	r.protocol = RTPROT_KERNEL;
	r.oif = 8;
	r.n_nexthops = 1;
	feed(0, r);
	CHECK_EQ(P(0)->link_ifindex[ERDP_LINK_SECONDARY], 8);
	CHECK_EQ(P(0)->st.ignored_protocol, 1);
	feed(0, route(true, "fd10:10::", 32, "2001:db8:100::1", NULL));
	feed(0, route(true, "fd10:20::", 32, "fe80::1", NULL)); /* ifindex 7: unknown yet */
	r = route(true, "fd10:30::", 32, "fe80::5", NULL);
	r.gw[0].ifindex = 8;
	feed(0, r);
	table_flush(&cp);
	CHECK(is(rib("fd10:10::", 32), ERDP_NH_REF_PEERING_LINK(0, ERDP_LINK_PRIMARY),
		 RIB_ORIGIN_BGP));
	CHECK(rib("fd10:20::", 32) == NULL);
	CHECK(is(rib("fd10:30::", 32), ERDP_NH_REF_PEERING_LINK(0, ERDP_LINK_SECONDARY),
		 RIB_ORIGIN_BGP));

	/* routes of other tables and protocols are not BGP's */
	r = route(true, "10.16.0.0", 16, "192.168.100.129", NULL);
	r.table = 1000;
	feed(0, r);
	table_flush(&cp);
	CHECK(rib("10.16.0.0", 16) == NULL && P(0)->st.ignored_table == 1);
}

static void test_update(void)
{
	/* zebra's update when a link goes: DEL + NEW of the same prefix in one batch */
	n_ops = 0;
	feed(0, route(false, "10.10.0.0", 16, NULL, NULL));
	feed(0, route(true, "10.10.0.0", 16, "192.168.100.129", NULL));
	table_flush(&cp);
	CHECK_EQ(n_ops, 1);
	CHECK(ops[0].add && ops[0].rt.nh == ERDP_NH_REF_PEERING_LINK(0, ERDP_LINK_PRIMARY));
	/* the same next hops again: nothing for erdp */
	n_ops = 0;
	feed(0, route(false, "10.10.0.0", 16, NULL, NULL));
	feed(0, route(true, "10.10.0.0", 16, "192.168.100.129", NULL));
	table_flush(&cp);
	CHECK_EQ(n_ops, 0);
	/* a delete alone */
	feed(0, route(false, "10.12.0.0", 16, NULL, NULL));
	table_flush(&cp);
	CHECK(n_ops == 1 && !ops[0].add && rib("10.12.0.0", 16) == NULL);
	CHECK_EQ(cp.state.peering_routes[0], 4);
}

static void test_precedence(void)
{
	struct rib_route rt = {.vrf = 0,
			       .family = 4,
			       .len = 16,
			       .origin = RIB_ORIGIN_RUNTIME,
			       .nh = ERDP_NH_REF_BLACKHOLE};
	struct rib_route out;

	/* a config route (10.50.0.0/16 -> gw) wins over BGP's */
	n_ops = 0;
	feed(0, route(true, "10.50.0.0", 16, "192.168.100.129", "192.168.100.133"));
	table_flush(&cp);
	CHECK(n_ops == 0 && is(rib("10.50.0.0", 16), ERDP_NH_REF_GATEWAY(0), RIB_ORIGIN_CONFIG));
	/* deleting the config route reveals BGP's */
	CHECK_EQ(state_route_del(&cp.state, cp.cfg, 0, 4, rib("10.50.0.0", 16)->addr, 16, NULL), 0);
	CHECK(bgp_reveal(&cp, 0, 4, (const uint8_t[]){10, 50, 0, 0}, 16, &out));
	CHECK(out.nh == ERDP_NH_REF_PEERING(0) && out.origin == RIB_ORIGIN_BGP);
	CHECK(is(rib("10.50.0.0", 16), ERDP_NH_REF_PEERING(0), RIB_ORIGIN_BGP));
	/* a runtime route over a BGP one, then BGP changes underneath: the runtime route stays */
	inet_pton(AF_INET, "10.11.0.0", rt.addr);
	CHECK_EQ(state_route_set(&cp.state, cp.cfg, &rt, NULL), RIB_REPLACED);
	n_ops = 0;
	feed(0, route(true, "10.11.0.0", 16, "192.168.100.129", NULL));
	feed(0, route(false, "10.11.0.0", 16, NULL, NULL));
	table_flush(&cp);
	CHECK(n_ops == 0 && is(rib("10.11.0.0", 16), ERDP_NH_REF_BLACKHOLE, RIB_ORIGIN_RUNTIME));
	CHECK(!bgp_reveal(&cp, 0, 4, rt.addr, 16, &out)); /* BGP has none now */

	/* two peerings of one VRF learn the same prefix: the first (config order) wins */
	n_ops = 0;
	feed(1, route(true, "10.70.0.0", 16, "192.168.200.1", "192.168.200.5"));
	table_flush(&cp);
	CHECK(is(rib("10.70.0.0", 16), ERDP_NH_REF_PEERING(1), RIB_ORIGIN_BGP));
	feed(0, route(true, "10.70.0.0", 16, "192.168.100.133", NULL));
	table_flush(&cp);
	CHECK(is(rib("10.70.0.0", 16), ERDP_NH_REF_PEERING_LINK(0, ERDP_LINK_SECONDARY),
		 RIB_ORIGIN_BGP));
	feed(0, route(false, "10.70.0.0", 16, NULL, NULL));
	table_flush(&cp);
	CHECK(is(rib("10.70.0.0", 16), ERDP_NH_REF_PEERING(1), RIB_ORIGIN_BGP));
	CHECK_EQ(n_ops, 3);
	CHECK_EQ(cp.state.peering_routes[1], 1);
}

static void test_capacity(void)
{
	/* VRF v holds 6 IPv4 routes: 10.10, .50, .11 (runtime), .70, 10.100 (config): one left */
	n_ops = 0;
	feed(1, route(true, "10.80.0.0", 16, "192.168.200.1", NULL));
	feed(1, route(true, "10.81.0.0", 16, "192.168.200.1", NULL));
	table_flush(&cp);
	CHECK_EQ(rib_count_vrf(cp.state.rib, 0, 4), 6);
	CHECK_EQ(n_ops, 1);
	CHECK_EQ(P(1)->st.vrf_full, 1);
	CHECK(table_count(&b, 1, 4) == 3); /* kept in the BGP table */
}

static int journaled;
static void journal_route(void *arg, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
			  const struct rib_route *now, bool runtime)
{
	(void)arg, (void)vrf, (void)family, (void)addr, (void)len, (void)now, (void)runtime;
	journaled++;
}

/* BGP's routes stay out of the state file's journal and the count of runtime changes; an
 * operator's change over a BGP route is the operator's. */
static void test_journal(void)
{
	struct rib_route rt = {.vrf = 0, .family = 4, .len = 16, .nh = ERDP_NH_REF_BLACKHOLE};
	size_t n_runtime = cp.state.n_runtime;

	cp.state.journal.route = journal_route;
	journaled = 0;
	feed(0, route(true, "10.90.0.0", 16, "192.168.100.129", "192.168.100.133"));
	table_flush(&cp);
	CHECK(is(rib("10.90.0.0", 16), ERDP_NH_REF_PEERING(0), RIB_ORIGIN_BGP));
	CHECK(journaled == 0 && cp.state.n_runtime == n_runtime);
	inet_pton(AF_INET, "10.90.0.0", rt.addr);
	CHECK_EQ(state_route_set(&cp.state, cp.cfg, &rt, NULL), RIB_REPLACED);
	CHECK(journaled == 1 && cp.state.n_runtime == n_runtime + 1);
	CHECK_EQ(state_route_del(&cp.state, cp.cfg, 0, 4, rt.addr, 16, NULL), 0);
	CHECK(journaled == 2 && cp.state.n_runtime == n_runtime);
	CHECK(bgp_reveal(&cp, 0, 4, rt.addr, 16, &rt));
	feed(0, route(false, "10.90.0.0", 16, NULL, NULL));
	table_flush(&cp);
	CHECK(rib("10.90.0.0", 16) == NULL && journaled == 2 && cp.state.n_runtime == n_runtime);
	cp.state.journal.route = NULL;
}

static void test_stale(void)
{
	size_t n;

	/* zebra reconnects: peering a's routes are stale until it resends them */
	table_mark_stale(&cp, P(0));
	CHECK(P(0)->stale);
	feed(0, route(true, "10.10.0.0", 16, "192.168.100.129", NULL)); /* resent, unchanged */
	table_flush(&cp);
	n_ops = 0;
	n = table_sweep(&cp, P(0), false);
	/* everything of a's but 10.10 went: .50 (revealed before), fd10:10, fd10:30 */
	CHECK_EQ(n, 3);
	CHECK(rib("10.10.0.0", 16) != NULL && rib("10.50.0.0", 16) == NULL);
	CHECK(rib("fd10:10::", 32) == NULL && rib("fd10:30::", 32) == NULL);
	CHECK_EQ(table_count(&b, 0, 4), 1);
	CHECK_EQ(table_count(&b, 0, 6), 0);
	CHECK(!P(0)->stale);
	/* b's routes were not touched */
	CHECK(is(rib("10.70.0.0", 16), ERDP_NH_REF_PEERING(1), RIB_ORIGIN_BGP));
	/* the grace period ran out: all of b's go */
	n = table_sweep(&cp, P(1), true);
	CHECK_EQ(n, 3);
	CHECK(rib("10.70.0.0", 16) == NULL && rib("10.80.0.0", 16) == NULL);
	CHECK_EQ(cp.state.peering_routes[1], 0);
}

/* A rejected op puts back what the prefix held: one-link targets and BGP's origin survive the
 * packing into the op (channel/opq.h). */
static void test_op_prev(void)
{
	const struct cp_route_prev cases[] = {
		{.present = true,
		 .origin = RIB_ORIGIN_BGP,
		 .nh = ERDP_NH_REF_PEERING_LINK(8187, ERDP_LINK_SECONDARY)},
		{.present = true, .origin = RIB_ORIGIN_BGP, .nh = ERDP_NH_REF_PEERING(3)},
		{.present = true, .origin = RIB_ORIGIN_RUNTIME, .nh = ERDP_NH_REF_GATEWAY(4095)},
		{.present = true, .origin = RIB_ORIGIN_CONFIG, .nh = ERDP_NH_REF_BLACKHOLE},
		{.present = false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cp_op op = {.type = ERDP_MSG_ROUTE_ADD};
		struct cp_route_prev back;

		op_set_prev(&op, &cases[i]);
		op_prev(&op, &back);
		CHECK_MSG(back.present == cases[i].present && back.nh == cases[i].nh &&
				  (back.origin == RIB_ORIGIN_BGP) ==
					  (cases[i].origin == RIB_ORIGIN_BGP),
			  "case %zu: nh 0x%08x -> 0x%08x", i, cases[i].nh, back.nh);
	}
}

int main(void)
{
	test_op_prev();
	setup();
	test_nexthops();
	test_update();
	test_precedence();
	test_journal();
	test_capacity();
	test_stale();
	table_free(&b);
	state_free(&cp.state);
	erdp_config_free(cp.cfg);
	TEST_MAIN_END();
}
