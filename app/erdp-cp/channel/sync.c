/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full sync and message building.
 *
 * A full sync is the whole truth between SYNC_BEGIN(gen) and SYNC_END(gen):
 * gateways first (routes name them), then every route, then every admin
 * state that differs from the default (up). erdp marks what it had before
 * SYNC_BEGIN and sweeps, at SYNC_END, what was not replayed; a route that
 * did not change is replaced by itself and never stops forwarding.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cp.h"

struct walk_ctx {
	struct cp *cp;
	int rc;
};

/*
 * A replayed route's "previous state" is absent: if erdp rejects it, the
 * sweep at SYNC_END removes whatever erdp had for the prefix, so the RIB
 * gives it up too (rollback.c) and the next sync does not send it again.
 */
static int queue_route(const struct rib_route *rt, void *arg)
{
	struct walk_ctx *w = arg;
	struct cp_op op = {
		.type = ERDP_MSG_ROUTE_ADD,
		.family = rt->family,
		.len = rt->len,
		.id = rt->vrf,
		.nh = rt->nh,
	};

	memcpy(op.addr, rt->addr, 16);
	w->rc = opq_push(&w->cp->chan.q, &op);
	return w->rc;
}

static int push(struct cp *cp, uint8_t type, uint16_t id, uint16_t aux, uint8_t up, uint32_t nh)
{
	struct cp_op op = {.type = type, .id = id, .aux = aux, .up = up, .nh = nh};

	return opq_push(&cp->chan.q, &op);
}

int chan_sync_full(struct cp *cp)
{
	const struct erdp_config *cfg = cp->cfg;
	struct chan *ch = &cp->chan;
	struct walk_ctx w = {.cp = cp};
	uint64_t start = ch->q.head;
	int rc;

	ch->generation++;
	ch->n_syncs++;
	rc = push(cp, ERDP_MSG_SYNC_BEGIN, 0, 0, 0, ch->generation);
	for (int g = 0; rc == 0 && g < cfg->n_gateways; g++)
		rc = push(cp, ERDP_MSG_GW_SET, (uint16_t)g, 0, 0, 0);
	if (rc == 0)
		rc = rib_walk(cp->state.rib, queue_route, &w);
	for (unsigned int k = 0; rc == 0 && k < erdp_plink_count((unsigned int)cfg->n_peerings);
	     k++)
		if (!cp->state.plink_up[k])
			rc = push(cp, ERDP_MSG_LINK_ADMIN, (uint16_t)k,
				  ERDP_LINK_TARGET_PEERING_LINK, 0, 0);
	for (int p = 0; rc == 0 && p < cfg->n_ports; p++)
		if (!cp->state.port_up[p])
			rc = push(cp, ERDP_MSG_LINK_ADMIN, (uint16_t)p, ERDP_LINK_TARGET_PORT, 0,
				  0);
	if (rc == 0)
		rc = push(cp, ERDP_MSG_SYNC_END, 0, 0, 0, ch->generation);
	if (rc != 0)
		return rc;
	ch->sync_end = ch->q.head - 1;
	ch->sync_msgs = ch->q.head - start;
	ch->sync_rejected = 0;
	ch->sync_start = cp_now();
	return 0;
}

static void build_gw(const struct cp *cp, uint16_t g, struct erdp_msg_gw *m)
{
	const struct erdp_gateway_conf *gc = &cp->cfg->gateways[g];

	m->gateway = g;
	m->vrf = (uint16_t)gc->vrf;
	m->n_instances = (uint8_t)gc->n_instances;
	for (int i = 0; i < gc->n_instances && i < ERDP_MSG_GW_MAX_INSTANCES; i++) {
		m->inst[i].port = (uint8_t)gc->inst[i].port;
		m->inst[i].up = cp->state.gw_up[g][i];
		m->inst[i].vlan = gc->inst[i].vlan;
		memcpy(m->inst[i].mac, gc->inst[i].mac.b, 6);
	}
}

void chan_build_msg(const struct cp *cp, const struct cp_op *op, struct erdp_msg *m)
{
	int body;

	if (op->type == ERDP_MSG_ROUTE_ADD || op->type == ERDP_MSG_ROUTE_DEL) {
		erdp_msg_route(m, op->type == ERDP_MSG_ROUTE_ADD, op->id, op->family, op->addr,
			       op->len, op->nh);
		return;
	}
	body = erdp_msg_body_len(op->type);
	memset(m, 0, sizeof(*m));
	m->version = ERDP_MSG_VERSION;
	m->type = op->type;
	m->len = (uint16_t)(body > 0 ? body : 0);
	switch (op->type) {
	case ERDP_MSG_GW_SET:
		build_gw(cp, op->id, &m->u.gw);
		break;
	case ERDP_MSG_GW_INSTANCE:
		m->u.instance.gateway = op->id;
		m->u.instance.instance = (uint8_t)op->aux;
		m->u.instance.up = op->up;
		break;
	case ERDP_MSG_LINK_ADMIN:
		m->u.link.target = (uint8_t)op->aux;
		m->u.link.up = op->up;
		m->u.link.index = op->id;
		break;
	case ERDP_MSG_SYNC_BEGIN:
	case ERDP_MSG_SYNC_END:
		m->u.sync.generation = op->nh;
		break;
	default:
		break;
	}
}

static const char *link_name(const struct cp *cp, uint16_t k, char *buf, size_t n)
{
	if (erdp_plink_peering(k) < (unsigned int)cp->cfg->n_peerings)
		snprintf(buf, n, "%s %s", cp->cfg->peerings[erdp_plink_peering(k)].name,
			 erdp_plink_link(k) == ERDP_LINK_SECONDARY ? "secondary" : "primary");
	else
		snprintf(buf, n, "#%u", k);
	return buf;
}

void chan_op_describe(const struct cp *cp, const struct cp_op *op, char *buf, size_t n)
{
	const struct erdp_config *cfg = cp->cfg;
	char p[CP_PREFIX_STR], t[200], l[160];

	switch (op->type) {
	case ERDP_MSG_ROUTE_ADD:
	case ERDP_MSG_ROUTE_DEL:
		prefix_format(op->family, op->addr, op->len, p, sizeof(p));
		target_format(cfg, op->nh, t, sizeof(t));
		if (op->line != 0)
			snprintf(l, sizeof(l), " (line %u)", op->line);
		else
			l[0] = '\0';
		snprintf(buf, n, "route %s VRF '%s' %s%s%s%s",
			 op->type == ERDP_MSG_ROUTE_ADD ? "add" : "del",
			 op->id < cfg->n_vrfs ? cfg->vrfs[op->id].name : "?", p,
			 op->type == ERDP_MSG_ROUTE_ADD ? " -> " : "",
			 op->type == ERDP_MSG_ROUTE_ADD ? t : "", l);
		break;
	case ERDP_MSG_GW_SET:
		snprintf(buf, n, "gateway '%s' (id %u)",
			 op->id < cfg->n_gateways ? cfg->gateways[op->id].name : "?", op->id);
		break;
	case ERDP_MSG_GW_INSTANCE:
		snprintf(buf, n, "gateway '%s' instance %u %s",
			 op->id < cfg->n_gateways ? cfg->gateways[op->id].name : "?", op->aux,
			 op->up ? "up" : "down");
		break;
	case ERDP_MSG_LINK_ADMIN:
		if (op->aux == ERDP_LINK_TARGET_PORT)
			snprintf(buf, n, "port '%s' %s",
				 op->id < cfg->n_ports ? cfg->ports[op->id].name : "?",
				 op->up ? "up" : "down");
		else
			snprintf(buf, n, "link %s %s", link_name(cp, op->id, l, sizeof(l)),
				 op->up ? "up" : "down");
		break;
	default:
		snprintf(buf, n, "%s %u", erdp_msg_type_str(op->type), op->nh);
		break;
	}
}
