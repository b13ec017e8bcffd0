/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "erdp_classify.h"

void erdp_classifier_free(struct erdp_classifier *c)
{
	if (c == NULL)
		return;
	free(c->stag);
	free(c->gw);
	free(c->peering_vrf);
	free(c->peering_circuit);
	free(c);
}

static int fill_ports(struct erdp_classifier *c, const struct erdp_config *cfg)
{
	for (int i = 0; i < cfg->n_ports; i++) {
		const struct erdp_port_conf *p = &cfg->ports[i];

		c->port_kind[i] = p->role == ERDP_ROLE_GATEWAY ? ERDP_PORT_GW : ERDP_PORT_ER;
		c->port_link[i] =
			p->role == ERDP_ROLE_SECONDARY ? ERDP_LINK_SECONDARY : ERDP_LINK_PRIMARY;
	}
	return 0;
}

/* The config is validated, so collisions here are internal errors. */
static int fill_peerings(struct erdp_classifier *c, const struct erdp_config *cfg,
			 struct erdp_err *err)
{
	for (int i = 0; i < cfg->n_peerings; i++) {
		const struct erdp_peering_conf *p = &cfg->peerings[i];
		uint16_t *slot;

		c->peering_vrf[i] = (uint16_t)p->vrf;
		c->peering_circuit[i] = (uint16_t)p->circuit;
		if (cfg->pair.encap == ERDP_ENCAP_QINQ) {
			struct erdp_stag_entry *se = &c->stag[cfg->circuits[p->circuit].s_tag];
			int k = se->ctag[0] == 0 ? 0 : 1;

			if (se->ctag[0] == p->vlan || (k == 1 && se->ctag[1] != 0))
				return erdp_errf(
					err, EEXIST,
					"peering '%s': C-tag %u already classified, or more "
					"than %d peerings on the circuit",
					p->name, p->vlan, ERDP_PEERINGS_PER_CIRCUIT);
			se->ctag[k] = p->vlan;
			se->peering[k] = (uint16_t)(i + 1);
			se->vrf[k] = (uint16_t)p->vrf;
			continue;
		}
		slot = &c->vlan[p->vlan];
		if (*slot != 0)
			return erdp_errf(err, EEXIST, "peering '%s': VLAN %u already classified",
					 p->name, p->vlan);
		*slot = (uint16_t)(i + 1);
	}
	/* A circuit with no peering still owns its S-tag (frames count on it). */
	if (cfg->pair.encap == ERDP_ENCAP_QINQ)
		for (int i = 0; i < cfg->n_circuits; i++)
			c->stag[cfg->circuits[i].s_tag].circuit = (uint16_t)(i + 1);
	return 0;
}

static int fill_gateways(struct erdp_classifier *c, const struct erdp_config *cfg,
			 struct erdp_err *err)
{
	for (int g = 0; g < cfg->n_gateways; g++) {
		const struct erdp_gateway_conf *gw = &cfg->gateways[g];

		for (int i = 0; i < gw->n_instances; i++) {
			const struct erdp_gw_instance_conf *in = &gw->inst[i];
			uint16_t *slot = &c->gw[in->port * ERDP_VLAN_TABLE + in->vlan];

			if (*slot != 0 && *slot != gw->vrf + 1)
				return erdp_errf(err, EEXIST,
						 "gateway '%s': port %s VLAN %u already maps to "
						 "another VRF",
						 gw->name, cfg->ports[in->port].name, in->vlan);
			*slot = (uint16_t)(gw->vrf + 1);
		}
	}
	return 0;
}

int erdp_classifier_build(const struct erdp_config *cfg, struct erdp_classifier **out,
			  struct erdp_err *err)
{
	struct erdp_classifier *c = calloc(1, sizeof(*c));
	size_t np = cfg->n_peerings > 0 ? (size_t)cfg->n_peerings : 1;
	int rc;

	if (c == NULL)
		return erdp_errf(err, ENOMEM, "classifier: out of memory");
	c->encap = cfg->pair.encap;
	c->n_circuits = cfg->n_circuits;
	c->n_peerings = cfg->n_peerings;
	c->outer.n = (uint16_t)cfg->pair.n_outer_tpids;
	memcpy(c->outer.tpid, cfg->pair.outer_tpids, sizeof(c->outer.tpid));
	c->stag = calloc(ERDP_VLAN_TABLE, sizeof(*c->stag));
	c->gw = calloc((size_t)ERDP_MAX_PORTS * ERDP_VLAN_TABLE, sizeof(uint16_t));
	c->peering_vrf = calloc(np, sizeof(uint16_t));
	c->peering_circuit = calloc(np, sizeof(uint16_t));
	if (c->stag == NULL || c->gw == NULL || c->peering_vrf == NULL ||
	    c->peering_circuit == NULL) {
		erdp_classifier_free(c);
		return erdp_errf(err, ENOMEM, "classifier: out of memory for %zu peerings", np);
	}
	fill_ports(c, cfg);
	rc = fill_peerings(c, cfg, err);
	if (rc == 0)
		rc = fill_gateways(c, cfg, err);
	if (rc != 0) {
		erdp_classifier_free(c);
		return rc;
	}
	*out = c;
	return 0;
}
