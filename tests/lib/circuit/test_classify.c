/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classification tables built from a hand-made config (the parser has its
 * own tests): QinQ S-tag -> circuit, C-tag -> peering with C-tags repeated
 * across circuits, Dot1Q VLAN -> peering, gateway (port, VLAN) -> VRF.
 */
#include <stdlib.h>
#include <string.h>

#include "erdp_classify.h"
#include "unit_test.h"

/* ports: 0 primary, 1 secondary, 2 gateway. */
static void base_config(struct erdp_config *cfg, enum erdp_encap encap)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->pair.encap = encap;
	cfg->pair.n_outer_tpids = 2;
	cfg->pair.outer_tpids[0] = 0x8100;
	cfg->pair.outer_tpids[1] = 0x88a8;
	cfg->pair.primary_port = 0;
	cfg->pair.secondary_port = 1;
	cfg->n_ports = 3;
	cfg->ports[0].role = ERDP_ROLE_PRIMARY;
	cfg->ports[1].role = ERDP_ROLE_SECONDARY;
	cfg->ports[2].role = ERDP_ROLE_GATEWAY;
	cfg->n_circuits = 3;
	cfg->circuits = calloc(3, sizeof(*cfg->circuits));
	cfg->n_peerings = 4;
	cfg->peerings = calloc(4, sizeof(*cfg->peerings));
	for (int i = 0; i < 3; i++) {
		cfg->circuits[i].s_tag = encap == ERDP_ENCAP_QINQ ? (uint16_t)(100 + 10 * i) : 0;
		cfg->circuits[i].peering[0] = -1;
		cfg->circuits[i].peering[1] = -1;
	}
	/* circuit 0: private C 200 (vrf 0), microsoft C 300 (vrf 1); circuit 1: private C 200
	 * (vrf 2); circuit 2: no peering at all. Dot1Q: VLANs 200, 300, 201. */
	const struct {
		int circuit, type, vrf;
		uint16_t ctag, vlan;
	} pe[3] = {{0, 0, 0, 200, 200}, {0, 1, 1, 300, 300}, {1, 0, 2, 200, 201}};
	cfg->n_peerings = 3;
	for (int i = 0; i < 3; i++) {
		cfg->peerings[i].circuit = pe[i].circuit;
		cfg->peerings[i].type = (enum erdp_peering_type)pe[i].type;
		cfg->peerings[i].vrf = pe[i].vrf;
		cfg->peerings[i].vlan = encap == ERDP_ENCAP_QINQ ? pe[i].ctag : pe[i].vlan;
		cfg->circuits[pe[i].circuit].peering[pe[i].type] = i;
	}
	/* Gateways: vrf 0 on port 2 VLAN 10 (2 instances), vrf 2 untagged on port 2. */
	cfg->n_gateways = 2;
	cfg->gateways = calloc(2, sizeof(*cfg->gateways));
	cfg->gateways[0].vrf = 0;
	cfg->gateways[0].n_instances = 2;
	cfg->gateways[0].inst[0].port = 2;
	cfg->gateways[0].inst[0].vlan = 10;
	cfg->gateways[0].inst[1].port = 2;
	cfg->gateways[0].inst[1].vlan = 10;
	cfg->gateways[1].vrf = 2;
	cfg->gateways[1].n_instances = 2;
	cfg->gateways[1].inst[0].port = 2;
	cfg->gateways[1].inst[1].port = 2;
}

static void free_config(struct erdp_config *cfg)
{
	free(cfg->circuits);
	free(cfg->peerings);
	free(cfg->gateways);
}

static uint32_t qinq(uint8_t *f, uint16_t outer_tpid, uint16_t s, uint16_t c)
{
	memset(f, 0, 64);
	f[12] = (uint8_t)(outer_tpid >> 8);
	f[13] = (uint8_t)outer_tpid;
	f[14] = (uint8_t)(s >> 8);
	f[15] = (uint8_t)s;
	f[16] = 0x81;
	f[18] = (uint8_t)(c >> 8);
	f[19] = (uint8_t)c;
	f[20] = 0x08;
	return 64;
}

static uint32_t dot1q(uint8_t *f, uint16_t v)
{
	memset(f, 0, 64);
	f[12] = 0x81;
	f[14] = (uint8_t)(v >> 8);
	f[15] = (uint8_t)v;
	f[16] = 0x08;
	return 64;
}

static void test_qinq(void)
{
	struct erdp_config cfg;
	struct erdp_classifier *c = NULL;
	struct erdp_err err;
	struct erdp_cls r;
	uint8_t f[64];

	base_config(&cfg, ERDP_ENCAP_QINQ);
	CHECK_EQ(erdp_classifier_build(&cfg, &c, &err), 0);
	if (c == NULL)
		return;
	CHECK_EQ(erdp_classify(c, 0, f, qinq(f, 0x8100, 100, 200), &r), 0);
	CHECK_EQ(r.circuit, 0);
	CHECK_EQ(r.peering, 0);
	CHECK_EQ(r.vrf, 0);
	CHECK_EQ(r.link, ERDP_LINK_PRIMARY);
	CHECK_EQ(erdp_classify(c, 1, f, qinq(f, 0x88a8, 100, 300), &r), 0);
	CHECK_EQ(r.peering, 1);
	CHECK_EQ(r.vrf, 1);
	CHECK_EQ(r.link, ERDP_LINK_SECONDARY);
	/* The same C-tag in another circuit is another peering and VRF. */
	CHECK_EQ(erdp_classify(c, 0, f, qinq(f, 0x8100, 110, 200), &r), 0);
	CHECK_EQ(r.circuit, 1);
	CHECK_EQ(r.peering, 2);
	CHECK_EQ(r.vrf, 2);
	/* Unknown C-tag: circuit known, peering not. */
	CHECK_EQ(erdp_classify(c, 0, f, qinq(f, 0x8100, 110, 300), &r), ERDP_DROP_UNKNOWN_CTAG);
	CHECK_EQ(r.circuit, 1);
	CHECK_EQ(r.peering, ERDP_CLS_NONE);
	/* A circuit without peerings still owns its S-tag. */
	CHECK_EQ(erdp_classify(c, 0, f, qinq(f, 0x8100, 120, 200), &r), ERDP_DROP_UNKNOWN_CTAG);
	CHECK_EQ(r.circuit, 2);
	CHECK_EQ(erdp_classify(c, 0, f, qinq(f, 0x8100, 999, 200), &r), ERDP_DROP_UNKNOWN_STAG);
	CHECK_EQ(r.circuit, ERDP_CLS_NONE);
	/* Every S-tag: exactly the three configured ones are known. */
	int known = 0;
	for (uint16_t s = 1; s < 4095; s++)
		if (erdp_classify(c, 0, f, qinq(f, 0x8100, s, 4000), &r) == ERDP_DROP_UNKNOWN_CTAG)
			known++;
	CHECK_EQ(known, 3);
	/* Gateway port: VLAN 10 -> vrf 0, untagged -> vrf 2, VLAN 11 unknown. */
	CHECK_EQ(erdp_classify(c, 2, f, dot1q(f, 10), &r), 0);
	CHECK_EQ(r.vrf, 0);
	f[12] = 0x08;
	f[13] = 0x00;
	CHECK_EQ(erdp_classify(c, 2, f, 64, &r), 0);
	CHECK_EQ(r.vrf, 2);
	CHECK_EQ(erdp_classify(c, 2, f, dot1q(f, 11), &r), ERDP_DROP_UNKNOWN_VLAN);
	erdp_classifier_free(c);
	/* Two peerings of one circuit on one C-tag cannot be built. */
	cfg.peerings[1].vlan = 200;
	c = NULL;
	CHECK(erdp_classifier_build(&cfg, &c, &err) < 0);
	CHECK(strstr(err.msg, "C-tag 200") != NULL);
	free_config(&cfg);
}

static void test_dot1q(void)
{
	struct erdp_config cfg;
	struct erdp_classifier *c = NULL;
	struct erdp_err err;
	struct erdp_cls r;
	uint8_t f[64];

	base_config(&cfg, ERDP_ENCAP_DOT1Q);
	CHECK_EQ(erdp_classifier_build(&cfg, &c, &err), 0);
	if (c == NULL)
		return;
	CHECK_EQ(erdp_classify(c, 0, f, dot1q(f, 200), &r), 0);
	CHECK_EQ(r.peering, 0);
	CHECK_EQ(r.circuit, 0);
	CHECK_EQ(erdp_classify(c, 1, f, dot1q(f, 201), &r), 0);
	CHECK_EQ(r.peering, 2);
	CHECK_EQ(r.circuit, 1);
	CHECK_EQ(r.link, ERDP_LINK_SECONDARY);
	CHECK_EQ(erdp_classify(c, 0, f, dot1q(f, 202), &r), ERDP_DROP_UNKNOWN_VLAN);
	CHECK_EQ(erdp_classify(c, 0, f, qinq(f, 0x8100, 200, 5), &r), ERDP_DROP_TAG_COUNT);
	erdp_classifier_free(c);
	/* Two peerings on one VLAN cannot be built (the validator normally stops it first). */
	cfg.peerings[2].vlan = 200;
	c = NULL;
	CHECK(erdp_classifier_build(&cfg, &c, &err) < 0);
	CHECK(strstr(err.msg, "VLAN 200") != NULL);
	free_config(&cfg);
}

int main(void)
{
	test_qinq();
	test_dot1q();
	TEST_MAIN_END();
}
