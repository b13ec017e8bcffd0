/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erdp_msg_check(): every malformed case gets its own status and a detail
 * that says why; constructors build messages that pass; names.
 */
#include <stdio.h>
#include <string.h>

#include "erdp_ctl.h"
#include "unit_test.h"

static const uint8_t v4_net[4] = {10, 1, 0, 0};		    /* 10.1.0.0/16 */
static const uint8_t v6_net[16] = {0x20, 0x01, 0x0d, 0xb8}; /* 2001:db8::/32 */

/* Check one message: expected status, and a non-empty detail when rejected. */
#define EXPECT(m, want)                                                                            \
	do {                                                                                       \
		char d_[40];                                                                       \
		enum erdp_ack_status st_;                                                          \
		memset(d_, 'x', sizeof(d_));                                                       \
		st_ = erdp_msg_check((m), d_, sizeof(d_));                                         \
		CHECK_MSG(st_ == (want), "status %s, want %s (%s)", erdp_ack_status_str(st_),      \
			  erdp_ack_status_str(want), st_ != ERDP_ACK_OK ? d_ : "");                \
		CHECK_MSG(memchr(d_, '\0', sizeof(d_)) != NULL, "detail not terminated");          \
		if ((want) != ERDP_ACK_OK)                                                         \
			CHECK_MSG(d_[0] != '\0', "empty detail");                                  \
	} while (0)

static void route4(struct erdp_msg *m)
{
	memset(m, 0, sizeof(*m));
	erdp_msg_route(m, true, 1, 4, v4_net, 16, ERDP_NH_REF_GATEWAY(3));
}

static void route6(struct erdp_msg *m)
{
	memset(m, 0, sizeof(*m));
	erdp_msg_route(m, true, 1, 6, v6_net, 32, ERDP_NH_REF_PEERING(2));
}

static struct erdp_msg_gw_instance_desc inst(uint8_t port, uint16_t vlan, uint8_t last)
{
	struct erdp_msg_gw_instance_desc d = {
		.port = port, .up = 1, .vlan = vlan, .mac = {0x02, 0, 0, 0, 0x50, last}};

	return d;
}

static void gw_set(struct erdp_msg *m)
{
	struct erdp_msg_gw_instance_desc in[3] = {inst(2, 50, 1), inst(2, 50, 2), inst(3, 0, 3)};

	memset(m, 0, sizeof(*m));
	erdp_msg_gw_set(m, 7, 1, 3, in);
}

static void test_framing(void)
{
	struct erdp_msg m;

	route4(&m);
	EXPECT(&m, ERDP_ACK_OK);
	m.version = 2;
	EXPECT(&m, ERDP_ACK_BAD_VERSION);
	m.version = 0;
	EXPECT(&m, ERDP_ACK_BAD_VERSION);

	route4(&m);
	m.type = ERDP_MSG_TYPE_MAX;
	EXPECT(&m, ERDP_ACK_BAD_TYPE);
	m.type = 200;
	EXPECT(&m, ERDP_ACK_BAD_TYPE);

	/* len must be exactly the body of the type, for every type */
	for (uint8_t t = 0; t < ERDP_MSG_TYPE_MAX; t++) {
		memset(&m, 0, sizeof(m));
		m.version = ERDP_MSG_VERSION;
		m.type = t;
		m.len = (uint16_t)(erdp_msg_body_len(t) + 1);
		EXPECT(&m, ERDP_ACK_BAD_LENGTH);
		if (erdp_msg_body_len(t) > 0) {
			m.len = (uint16_t)(erdp_msg_body_len(t) - 1);
			EXPECT(&m, ERDP_ACK_BAD_LENGTH);
		}
		m.len = 0xffff;
		EXPECT(&m, ERDP_ACK_BAD_LENGTH);
	}
	CHECK_EQ(erdp_msg_body_len(ERDP_MSG_NOP), 0);
	CHECK_EQ(erdp_msg_body_len(ERDP_MSG_ROUTE_ADD), sizeof(struct erdp_msg_route));
	CHECK_EQ(erdp_msg_body_len(ERDP_MSG_GW_DEL), sizeof(struct erdp_msg_gw));
	CHECK_EQ(erdp_msg_body_len(ERDP_MSG_SYNC_END), sizeof(struct erdp_msg_sync));
	CHECK_EQ(erdp_msg_body_len(ERDP_MSG_TYPE_MAX), -1);

	/* a NULL or short detail buffer is allowed */
	m.version = 9;
	CHECK_EQ(erdp_msg_check(&m, NULL, 0), ERDP_ACK_BAD_VERSION);
	char small[4];

	CHECK_EQ(erdp_msg_check(&m, small, sizeof(small)), ERDP_ACK_BAD_VERSION);
	CHECK(strlen(small) == 3);
}

static void test_route(void)
{
	struct erdp_msg m;

	route6(&m);
	EXPECT(&m, ERDP_ACK_OK);

	route4(&m);
	m.u.route.family = 5;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	m.u.route.family = 0;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);

	route4(&m);
	m.u.route.len = 33;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	route4(&m);
	m.u.route.len = 32; /* a host route of a network address is fine */
	EXPECT(&m, ERDP_ACK_OK);
	route6(&m);
	m.u.route.len = 129;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	route6(&m);
	m.u.route.len = 128;
	EXPECT(&m, ERDP_ACK_OK);

	/* host bits */
	route4(&m);
	m.u.route.addr[2] = 1; /* 10.1.1.0/16 */
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	route4(&m);
	m.u.route.len = 0;
	EXPECT(&m, ERDP_ACK_BAD_VALUE); /* 10.1.0.0/0 */
	route4(&m);
	m.u.route.addr[1] = 0x01;
	m.u.route.len = 15; /* 10.1.0.0/15: bit 15 set */
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	route6(&m);
	m.u.route.addr[15] = 1;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	route6(&m);
	m.u.route.addr[4] = 0x80; /* first bit past /32 */
	EXPECT(&m, ERDP_ACK_BAD_VALUE);

	/* IPv4 keeps bytes 4-15 zero */
	route4(&m);
	m.u.route.addr[9] = 7;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);

	/* next-hop kinds */
	route4(&m);
	m.u.route.nh = 0x40000001;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	m.u.route.nh = 0xf0000000;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	m.u.route.nh = 5; /* blackhole kind with an index */
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	m.u.route.nh = ERDP_NH_REF_BLACKHOLE;
	EXPECT(&m, ERDP_ACK_OK);
	m.u.route.nh = ERDP_NH_REF_PEERING(0x0fffffff);
	EXPECT(&m, ERDP_ACK_OK); /* existence is the data plane's check */
	/* One link of a peering: kind 0x3, index = the peering link */
	CHECK_EQ(ERDP_NH_REF_PEERING_LINK(0, ERDP_LINK_PRIMARY), 0x30000000u);
	CHECK_EQ(ERDP_NH_REF_PEERING_LINK(5, ERDP_LINK_SECONDARY), 0x30000000u | 11u);
	CHECK_EQ(ERDP_NH_REF_KIND(ERDP_NH_REF_PEERING_LINK(5, 1)), ERDP_NH_REF_KIND_PEERING_LINK);
	CHECK_EQ(ERDP_NH_REF_INDEX(ERDP_NH_REF_PEERING_LINK(5, 1)), erdp_plink(5, 1));
	m.u.route.nh = ERDP_NH_REF_PEERING_LINK(3, ERDP_LINK_SECONDARY);
	EXPECT(&m, ERDP_ACK_OK);
	m.u.route.nh = 0x3fffffff;
	EXPECT(&m, ERDP_ACK_OK); /* existence is the data plane's check */

	/* DEL ignores the next hop; prefix rules still hold */
	memset(&m, 0, sizeof(m));
	erdp_msg_route(&m, false, 1, 4, v4_net, 16, 0x40000001);
	CHECK_EQ(m.type, ERDP_MSG_ROUTE_DEL);
	CHECK_EQ(m.u.route.nh, 0);
	EXPECT(&m, ERDP_ACK_OK);
	m.u.route.nh = 0x40000001;
	EXPECT(&m, ERDP_ACK_OK);
	m.u.route.len = 8;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
}

static void test_gw(void)
{
	struct erdp_msg m;

	gw_set(&m);
	EXPECT(&m, ERDP_ACK_OK);
	CHECK_EQ(m.len, sizeof(struct erdp_msg_gw));
	CHECK_EQ(m.u.gw.gateway, 7);
	CHECK_EQ(m.u.gw.n_instances, 3);
	CHECK_EQ(m.u.gw.inst[2].port, 3);

	m.u.gw.n_instances = 1;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	m.u.gw.n_instances = 0;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	m.u.gw.n_instances = ERDP_MSG_GW_MAX_INSTANCES + 1;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);

	gw_set(&m);
	m.u.gw.inst[1].vlan = 4095;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	m.u.gw.inst[1].vlan = 4094;
	EXPECT(&m, ERDP_ACK_OK);

	gw_set(&m);
	memset(m.u.gw.inst[2].mac, 0, 6);
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	gw_set(&m);
	m.u.gw.inst[0].mac[0] = 0x01; /* multicast */
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	gw_set(&m);
	memset(m.u.gw.inst[0].mac, 0xff, 6); /* broadcast is multicast too */
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	gw_set(&m);
	m.u.gw.inst[1].up = 2;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);

	/* instances past n_instances are not looked at */
	gw_set(&m);
	m.u.gw.inst[5].vlan = 9999;
	EXPECT(&m, ERDP_ACK_OK);

	memset(&m, 0, sizeof(m));
	erdp_msg_gw_del(&m, 7);
	EXPECT(&m, ERDP_ACK_OK);
	CHECK_EQ(m.type, ERDP_MSG_GW_DEL);

	memset(&m, 0, sizeof(m));
	erdp_msg_gw_instance(&m, 7, 1, false);
	EXPECT(&m, ERDP_ACK_OK);
	m.u.instance.up = 3;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	m.u.instance.up = 1;
	m.u.instance.instance = ERDP_MSG_GW_MAX_INSTANCES;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
}

static void test_link_sync_nop(void)
{
	struct erdp_msg m;

	memset(&m, 0, sizeof(m));
	erdp_msg_link(&m, ERDP_LINK_TARGET_PEERING_LINK, 3, false);
	EXPECT(&m, ERDP_ACK_OK);
	CHECK_EQ(m.u.link.index, 3);
	m.u.link.target = 2;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
	erdp_msg_link(&m, ERDP_LINK_TARGET_PORT, 1, true);
	EXPECT(&m, ERDP_ACK_OK);
	m.u.link.up = 2;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);

	erdp_msg_sync(&m, true, 0);
	EXPECT(&m, ERDP_ACK_OK); /* a token: any value */
	CHECK_EQ(m.type, ERDP_MSG_SYNC_BEGIN);
	erdp_msg_sync(&m, false, 42);
	EXPECT(&m, ERDP_ACK_OK);
	CHECK_EQ(m.type, ERDP_MSG_SYNC_END);
	CHECK_EQ(m.u.sync.generation, 42);

	erdp_msg_nop(&m);
	EXPECT(&m, ERDP_ACK_OK);
	CHECK_EQ(m.len, 0);
}

static void test_constructors_keep_seq(void)
{
	struct erdp_msg m;

	memset(&m, 0xaa, sizeof(m));
	m.seq = 1234;
	m.session = 0x1122334455667788ull;
	erdp_msg_route(&m, true, 2, 4, v4_net, 16, ERDP_NH_REF_BLACKHOLE);
	CHECK_EQ(m.seq, 1234);
	CHECK(m.session == 0x1122334455667788ull);
	CHECK_EQ(m.version, ERDP_MSG_VERSION);
	CHECK_EQ(m.len, sizeof(struct erdp_msg_route));
	CHECK_EQ(m.u.route.addr[4], 0); /* the rest of the message is zeroed */
	CHECK_EQ(m.u.raw[sizeof(m.u.raw) - 1], 0);
	EXPECT(&m, ERDP_ACK_OK);
}

static void test_strings(void)
{
	CHECK(strcmp(erdp_msg_type_str(ERDP_MSG_ROUTE_ADD), "route_add") == 0);
	CHECK(strcmp(erdp_msg_type_str(ERDP_MSG_SYNC_END), "sync_end") == 0);
	CHECK(strcmp(erdp_msg_type_str(ERDP_MSG_TYPE_MAX), "unknown") == 0);
	CHECK(strcmp(erdp_ack_status_str(ERDP_ACK_OK), "ok") == 0);
	CHECK(strcmp(erdp_ack_status_str(ERDP_ACK_IN_USE), "in_use") == 0);
	CHECK(strcmp(erdp_ack_status_str(ERDP_ACK_STATUS_MAX), "unknown") == 0);
	for (uint8_t t = 0; t < ERDP_MSG_TYPE_MAX; t++)
		CHECK(erdp_msg_type_str(t) != NULL && strcmp(erdp_msg_type_str(t), "unknown") != 0);
	for (uint8_t s = 0; s < ERDP_ACK_STATUS_MAX; s++)
		CHECK(erdp_ack_status_str(s) != NULL &&
		      strcmp(erdp_ack_status_str(s), "unknown") != 0);
}

int main(void)
{
	test_framing();
	test_route();
	test_gw();
	test_link_sync_nop();
	test_constructors_keep_seq();
	test_strings();
	TEST_MAIN_END();
}
