/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control messages: stateless validation, constructors, names.
 *
 * erdp_msg_check() is the data plane's first line of defence against a
 * control plane from another build or with a bug: everything that can be
 * judged from the message alone is judged here, each case with its own
 * status and a detail short enough for the ack (39 characters). What needs
 * the data plane's state (does the VRF, gateway, port exist) is checked
 * where the message is applied.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "erdp_ctl.h"

static enum erdp_ack_status reject(char *detail, unsigned int len, enum erdp_ack_status st,
				   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum erdp_ack_status reject(char *detail, unsigned int len, enum erdp_ack_status st,
				   const char *fmt, ...)
{
	va_list ap;

	if (detail != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(detail, len, fmt, ap);
		va_end(ap);
	}
	return st;
}

int erdp_msg_body_len(uint8_t type)
{
	switch (type) {
	case ERDP_MSG_NOP:
		return 0;
	case ERDP_MSG_ROUTE_ADD:
	case ERDP_MSG_ROUTE_DEL:
		return (int)sizeof(struct erdp_msg_route);
	case ERDP_MSG_GW_SET:
	case ERDP_MSG_GW_DEL:
		return (int)sizeof(struct erdp_msg_gw);
	case ERDP_MSG_GW_INSTANCE:
		return (int)sizeof(struct erdp_msg_instance);
	case ERDP_MSG_LINK_ADMIN:
		return (int)sizeof(struct erdp_msg_link);
	case ERDP_MSG_SYNC_BEGIN:
	case ERDP_MSG_SYNC_END:
		return (int)sizeof(struct erdp_msg_sync);
	default:
		return -1;
	}
}

/* Any bit at or past `plen` (0 = most significant) of a network-order address. */
static bool host_bits_set(const uint8_t *a, unsigned int plen, unsigned int bits)
{
	for (unsigned int i = plen; i < bits; i++)
		if (a[i / 8] & (0x80u >> (i % 8)))
			return true;
	return false;
}

static enum erdp_ack_status check_nh(uint32_t nh, char *d, unsigned int len)
{
	switch (ERDP_NH_REF_KIND(nh)) {
	case ERDP_NH_REF_BLACKHOLE:
		if (nh != ERDP_NH_REF_BLACKHOLE)
			return reject(d, len, ERDP_ACK_BAD_VALUE,
				      "blackhole next hop with index %u", ERDP_NH_REF_INDEX(nh));
		return ERDP_ACK_OK;
	case ERDP_NH_REF_GATEWAY(0):
	case ERDP_NH_REF_PEERING(0):
	case ERDP_NH_REF_KIND_PEERING_LINK:
		return ERDP_ACK_OK;
	default:
		return reject(d, len, ERDP_ACK_BAD_VALUE, "next hop 0x%08x: unknown kind", nh);
	}
}

static enum erdp_ack_status check_route(const struct erdp_msg *m, char *d, unsigned int len)
{
	const struct erdp_msg_route *r = &m->u.route;
	unsigned int bits;

	if (r->family != 4 && r->family != 6)
		return reject(d, len, ERDP_ACK_BAD_VALUE, "family %u, want 4 or 6", r->family);
	bits = r->family == 4 ? 32 : 128;
	if (r->len > bits)
		return reject(d, len, ERDP_ACK_BAD_VALUE, "prefix length %u > %u", r->len, bits);
	/* Unused bytes must be zero: the data plane keys its route table on all 16. */
	for (unsigned int i = 4; r->family == 4 && i < 16; i++)
		if (r->addr[i] != 0)
			return reject(d, len, ERDP_ACK_BAD_VALUE, "IPv4 address: byte %u not zero",
				      i);
	if (host_bits_set(r->addr, r->len, bits))
		return reject(d, len, ERDP_ACK_BAD_VALUE, "host bits set past /%u", r->len);
	if (m->type == ERDP_MSG_ROUTE_ADD)
		return check_nh(r->nh, d, len);
	return ERDP_ACK_OK;
}

static enum erdp_ack_status check_gw_set(const struct erdp_msg_gw *g, char *d, unsigned int len)
{
	static const uint8_t zero[6];

	if (g->n_instances < 2 || g->n_instances > ERDP_MSG_GW_MAX_INSTANCES)
		return reject(d, len, ERDP_ACK_BAD_VALUE, "n_instances %u, want 2..%u",
			      g->n_instances, ERDP_MSG_GW_MAX_INSTANCES);
	for (unsigned int i = 0; i < g->n_instances; i++) {
		const struct erdp_msg_gw_instance_desc *in = &g->inst[i];

		if (in->vlan > 4094)
			return reject(d, len, ERDP_ACK_BAD_VALUE, "instance %u: vlan %u > 4094", i,
				      in->vlan);
		if (memcmp(in->mac, zero, 6) == 0)
			return reject(d, len, ERDP_ACK_BAD_VALUE, "instance %u: zero mac", i);
		if (in->mac[0] & 1)
			return reject(d, len, ERDP_ACK_BAD_VALUE, "instance %u: multicast mac", i);
		if (in->up > 1)
			return reject(d, len, ERDP_ACK_BAD_VALUE, "instance %u: up %u, want 0/1", i,
				      in->up);
	}
	return ERDP_ACK_OK;
}

enum erdp_ack_status erdp_msg_check(const struct erdp_msg *m, char *d, unsigned int len)
{
	int body;

	if (d != NULL && len > 0)
		d[0] = '\0';
	if (m->version != ERDP_MSG_VERSION)
		return reject(d, len, ERDP_ACK_BAD_VERSION, "version %u, this build speaks %u",
			      m->version, ERDP_MSG_VERSION);
	body = erdp_msg_body_len(m->type);
	if (body < 0)
		return reject(d, len, ERDP_ACK_BAD_TYPE, "unknown type %u", m->type);
	if (m->len != body)
		return reject(d, len, ERDP_ACK_BAD_LENGTH, "len %u, %s needs %d", m->len,
			      erdp_msg_type_str(m->type), body);
	switch (m->type) {
	case ERDP_MSG_ROUTE_ADD:
	case ERDP_MSG_ROUTE_DEL:
		return check_route(m, d, len);
	case ERDP_MSG_GW_SET:
		return check_gw_set(&m->u.gw, d, len);
	case ERDP_MSG_GW_INSTANCE:
		if (m->u.instance.instance >= ERDP_MSG_GW_MAX_INSTANCES)
			return reject(d, len, ERDP_ACK_BAD_VALUE, "instance %u >= %u",
				      m->u.instance.instance, ERDP_MSG_GW_MAX_INSTANCES);
		if (m->u.instance.up > 1)
			return reject(d, len, ERDP_ACK_BAD_VALUE, "up %u, want 0 or 1",
				      m->u.instance.up);
		return ERDP_ACK_OK;
	case ERDP_MSG_LINK_ADMIN:
		if (m->u.link.target != ERDP_LINK_TARGET_PEERING_LINK &&
		    m->u.link.target != ERDP_LINK_TARGET_PORT)
			return reject(d, len, ERDP_ACK_BAD_VALUE, "link target %u unknown",
				      m->u.link.target);
		if (m->u.link.up > 1)
			return reject(d, len, ERDP_ACK_BAD_VALUE, "up %u, want 0 or 1",
				      m->u.link.up);
		return ERDP_ACK_OK;
	default:
		return ERDP_ACK_OK; /* NOP, GW_DEL, SYNC_*: nothing but the framing */
	}
}

/* ---- constructors: keep the sender's seq and session, zero the rest ---- */

static void msg_init(struct erdp_msg *m, uint8_t type)
{
	uint32_t seq = m->seq;
	uint64_t session = m->session;

	memset(m, 0, sizeof(*m));
	m->version = ERDP_MSG_VERSION;
	m->type = type;
	m->len = (uint16_t)erdp_msg_body_len(type);
	m->seq = seq;
	m->session = session;
}

void erdp_msg_route(struct erdp_msg *m, bool add, uint16_t vrf, int family, const uint8_t *addr,
		    uint8_t len, uint32_t nh)
{
	msg_init(m, add ? ERDP_MSG_ROUTE_ADD : ERDP_MSG_ROUTE_DEL);
	m->u.route.vrf = vrf;
	m->u.route.family = (uint8_t)family;
	m->u.route.len = len;
	m->u.route.nh = add ? nh : 0;
	memcpy(m->u.route.addr, addr, family == 6 ? 16 : 4);
}

void erdp_msg_gw_set(struct erdp_msg *m, uint16_t gateway, uint16_t vrf, uint8_t n,
		     const struct erdp_msg_gw_instance_desc *inst)
{
	msg_init(m, ERDP_MSG_GW_SET);
	m->u.gw.gateway = gateway;
	m->u.gw.vrf = vrf;
	m->u.gw.n_instances = n;
	if (n > ERDP_MSG_GW_MAX_INSTANCES)
		n = ERDP_MSG_GW_MAX_INSTANCES; /* erdp_msg_check() will say why */
	memcpy(m->u.gw.inst, inst, n * sizeof(*inst));
}

void erdp_msg_gw_del(struct erdp_msg *m, uint16_t gateway)
{
	msg_init(m, ERDP_MSG_GW_DEL);
	m->u.gw.gateway = gateway;
}

void erdp_msg_gw_instance(struct erdp_msg *m, uint16_t gateway, uint8_t instance, bool up)
{
	msg_init(m, ERDP_MSG_GW_INSTANCE);
	m->u.instance.gateway = gateway;
	m->u.instance.instance = instance;
	m->u.instance.up = up;
}

void erdp_msg_link(struct erdp_msg *m, enum erdp_link_target target, uint16_t index, bool up)
{
	msg_init(m, ERDP_MSG_LINK_ADMIN);
	m->u.link.target = (uint8_t)target;
	m->u.link.index = index;
	m->u.link.up = up;
}

void erdp_msg_sync(struct erdp_msg *m, bool begin, uint32_t generation)
{
	msg_init(m, begin ? ERDP_MSG_SYNC_BEGIN : ERDP_MSG_SYNC_END);
	m->u.sync.generation = generation;
}

void erdp_msg_nop(struct erdp_msg *m)
{
	msg_init(m, ERDP_MSG_NOP);
}

/* ---- names (telemetry keys, logs) ---- */

const char *erdp_msg_type_str(uint8_t type)
{
	static const char *const names[ERDP_MSG_TYPE_MAX] = {
		[ERDP_MSG_NOP] = "nop",
		[ERDP_MSG_ROUTE_ADD] = "route_add",
		[ERDP_MSG_ROUTE_DEL] = "route_del",
		[ERDP_MSG_GW_SET] = "gw_set",
		[ERDP_MSG_GW_DEL] = "gw_del",
		[ERDP_MSG_GW_INSTANCE] = "gw_instance",
		[ERDP_MSG_LINK_ADMIN] = "link_admin",
		[ERDP_MSG_SYNC_BEGIN] = "sync_begin",
		[ERDP_MSG_SYNC_END] = "sync_end",
	};

	return type < ERDP_MSG_TYPE_MAX ? names[type] : "unknown";
}

const char *erdp_ack_status_str(uint8_t status)
{
	static const char *const names[ERDP_ACK_STATUS_MAX] = {
		[ERDP_ACK_OK] = "ok",
		[ERDP_ACK_BAD_VERSION] = "bad_version",
		[ERDP_ACK_BAD_TYPE] = "bad_type",
		[ERDP_ACK_BAD_LENGTH] = "bad_length",
		[ERDP_ACK_BAD_VALUE] = "bad_value",
		[ERDP_ACK_UNKNOWN_VRF] = "unknown_vrf",
		[ERDP_ACK_UNKNOWN_NH] = "unknown_nh",
		[ERDP_ACK_NO_SPACE] = "no_space",
		[ERDP_ACK_NOT_FOUND] = "not_found",
		[ERDP_ACK_IN_USE] = "in_use",
		[ERDP_ACK_INTERNAL] = "internal",
	};

	return status < ERDP_ACK_STATUS_MAX ? names[status] : "unknown";
}
