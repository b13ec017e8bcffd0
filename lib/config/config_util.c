/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers around the configuration model: freeing, lookups by name, text
 * forms, and the address/MAC parsers shared with telemetry and the CLI.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

void erdp_config_free(struct erdp_config *cfg)
{
	if (cfg == NULL)
		return;
	for (int i = 0; i < cfg->eal.n_args; i++)
		free(cfg->eal.args[i]);
	free(cfg->vrfs);
	free(cfg->circuits);
	for (int i = 0; cfg->peerings != NULL && i < cfg->n_peerings; i++)
		free(cfg->peerings[i].advertise);
	free(cfg->peerings);
	free(cfg->gateways);
	free(cfg->routes);
	free(cfg);
}

int erdp_config_port_by_name(const struct erdp_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->n_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return i;
	return -1;
}

int erdp_config_vrf_by_name(const struct erdp_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->n_vrfs; i++)
		if (strcmp(cfg->vrfs[i].name, name) == 0)
			return i;
	return -1;
}

int erdp_config_gateway_by_name(const struct erdp_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->n_gateways; i++)
		if (strcmp(cfg->gateways[i].name, name) == 0)
			return i;
	return -1;
}

int erdp_config_peering_by_name(const struct erdp_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->n_peerings; i++)
		if (strcmp(cfg->peerings[i].name, name) == 0)
			return i;
	return -1;
}

/* 128-bit add of a small value, carrying across bytes (network order). */
static void p6_add(const struct erdp_prefix6 *p, unsigned int n, uint8_t out[16])
{
	unsigned int carry = n;

	for (int i = 15; i >= 0; i--) {
		unsigned int sum = p->addr[i] + carry;

		out[i] = (uint8_t)sum;
		carry = sum >> 8;
	}
}

void erdp_p6_customer(const struct erdp_prefix6 *p, uint8_t out[16])
{
	p6_add(p, 1, out);
}

void erdp_p6_msee(const struct erdp_prefix6 *p, uint8_t out[16])
{
	p6_add(p, 2, out);
}

static void connected(struct erdp_connected *c, uint16_t vrf, int link,
		      enum erdp_connected_kind kind, bool v6, uint8_t len)
{
	memset(c, 0, sizeof(*c));
	c->vrf = vrf;
	c->link = (uint8_t)link;
	c->kind = (uint8_t)kind;
	c->v6 = v6;
	c->len = len;
}

int erdp_config_connected(const struct erdp_config *cfg, int p, struct erdp_connected *out)
{
	const struct erdp_peering_conf *pe = &cfg->peerings[p];
	uint16_t vrf = (uint16_t)pe->vrf;
	int n = 0;

	for (int l = 0; l < ERDP_LINKS; l++) {
		const struct erdp_prefix4 *net = &pe->v4[l];

		connected(&out[n], vrf, l, ERDP_CONNECTED_SUBNET, false, net->len);
		out[n++].addr4 = net->addr;
		connected(&out[n], vrf, l, ERDP_CONNECTED_MSEE, false, 32);
		out[n++].addr4 = erdp_p4_msee(net);
		connected(&out[n], vrf, l, ERDP_CONNECTED_BROADCAST, false, 32);
		out[n++].addr4 = net->addr;
		connected(&out[n], vrf, l, ERDP_CONNECTED_BROADCAST, false, 32);
		out[n++].addr4 = net->addr | (UINT32_MAX >> net->len);
		if (!pe->has_v6)
			continue;
		connected(&out[n], vrf, l, ERDP_CONNECTED_SUBNET, true, pe->v6[l].len);
		memcpy(out[n++].addr6, pe->v6[l].addr, 16);
		connected(&out[n], vrf, l, ERDP_CONNECTED_MSEE, true, 128);
		erdp_p6_msee(&pe->v6[l], out[n++].addr6);
	}
	return n;
}

const char *erdp_connected_kind_str(enum erdp_connected_kind k)
{
	switch (k) {
	case ERDP_CONNECTED_SUBNET:
		return "the link subnet";
	case ERDP_CONNECTED_MSEE:
		return "the MSEE's address";
	default:
		return "the link subnet's network or broadcast address";
	}
}

const char *erdp_role_str(enum erdp_port_role r)
{
	switch (r) {
	case ERDP_ROLE_PRIMARY:
		return "primary";
	case ERDP_ROLE_SECONDARY:
		return "secondary";
	case ERDP_ROLE_GATEWAY:
		return "gateway";
	}
	return "?";
}

const char *erdp_peering_type_str(enum erdp_peering_type t)
{
	switch (t) {
	case ERDP_PEERING_PRIVATE:
		return "private";
	case ERDP_PEERING_MICROSOFT:
		return "microsoft";
	}
	return "?";
}

const char *erdp_encap_str(enum erdp_encap e)
{
	switch (e) {
	case ERDP_ENCAP_QINQ:
		return "qinq";
	case ERDP_ENCAP_DOT1Q:
		return "dot1q";
	}
	return "?";
}

bool cfg_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= ERDP_NAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* "ADDR/LEN" split; LEN is 1 to 3 decimal digits, at most max. */
static int split_prefix(const char *s, char *addr, size_t addr_len, unsigned int max, uint8_t *len)
{
	const char *slash = strchr(s, '/');
	size_t alen, dlen;
	unsigned int v = 0;

	if (slash == NULL)
		return -EINVAL;
	alen = (size_t)(slash - s);
	dlen = strlen(slash + 1);
	if (alen == 0 || alen >= addr_len || dlen == 0 || dlen > 3)
		return -EINVAL;
	for (size_t i = 0; i < dlen; i++) {
		if (!isdigit((unsigned char)slash[1 + i]))
			return -EINVAL;
		v = v * 10 + (unsigned int)(slash[1 + i] - '0');
	}
	if (v > max)
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	*len = (uint8_t)v;
	return 0;
}

uint32_t cfg_p4_mask(uint8_t len)
{
	return len == 0 ? 0 : ~(uint32_t)0 << (32 - len);
}

int cfg_parse_p4_loose(const char *s, struct erdp_prefix4 *p)
{
	char addr[INET_ADDRSTRLEN];
	struct in_addr a;

	if (split_prefix(s, addr, sizeof(addr), 32, &p->len) < 0)
		return -EINVAL;
	if (inet_pton(AF_INET, addr, &a) != 1)
		return -EINVAL;
	p->addr = ntohl(a.s_addr);
	return 0;
}

int cfg_parse_p6_loose(const char *s, struct erdp_prefix6 *p)
{
	char addr[INET6_ADDRSTRLEN];

	if (split_prefix(s, addr, sizeof(addr), 128, &p->len) < 0)
		return -EINVAL;
	if (inet_pton(AF_INET6, addr, p->addr) != 1)
		return -EINVAL;
	return 0;
}

bool cfg_p6_host_bits(const struct erdp_prefix6 *p)
{
	struct erdp_prefix6 q = *p;

	cfg_p6_clear_host(&q);
	return memcmp(q.addr, p->addr, 16) != 0;
}

void cfg_p6_clear_host(struct erdp_prefix6 *p)
{
	for (int i = 0; i < 16; i++) {
		int keep = (int)p->len - i * 8;

		if (keep <= 0)
			p->addr[i] = 0;
		else if (keep < 8)
			p->addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

/* Strict forms: a prefix with host bits set is refused, as the structs promise. */
int erdp_parse_prefix4(const char *s, struct erdp_prefix4 *p)
{
	struct erdp_prefix4 q;

	if (cfg_parse_p4_loose(s, &q) < 0 || (q.addr & ~cfg_p4_mask(q.len)) != 0)
		return -EINVAL;
	*p = q;
	return 0;
}

int erdp_parse_prefix6(const char *s, struct erdp_prefix6 *p)
{
	struct erdp_prefix6 q;

	if (cfg_parse_p6_loose(s, &q) < 0 || cfg_p6_host_bits(&q))
		return -EINVAL;
	*p = q;
	return 0;
}

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)tolower((unsigned char)ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

int erdp_parse_mac(const char *s, struct erdp_mac *m)
{
	struct erdp_mac v;

	if (strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hex_val(s[i * 3]), lo = hex_val(s[i * 3 + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return -EINVAL;
		v.b[i] = (uint8_t)(hi << 4 | lo);
	}
	*m = v;
	return 0;
}

bool cfg_mac_unicast(const struct erdp_mac *m)
{
	static const struct erdp_mac zero;

	return (m->b[0] & 1) == 0 && memcmp(m, &zero, sizeof(zero)) != 0;
}

void cfg_p4_str(const struct erdp_prefix4 *p, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u/%u", p->addr >> 24, (p->addr >> 16) & 0xff,
		 (p->addr >> 8) & 0xff, p->addr & 0xff, p->len);
}

void cfg_p6_str(const struct erdp_prefix6 *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

void cfg_route_path(const struct cfg_ctx *c, int r, char *buf)
{
	const struct cfg_src_route *s = &c->src.route[r];

	if (s->from_gw)
		snprintf(buf, CFG_PATH_LEN, "gateways[%d].prefixes[%d]", s->owner, s->pos);
	else
		snprintf(buf, CFG_PATH_LEN, "vrfs[%d].routes[%d].prefix", s->owner, s->pos);
}

#define PREFIX_RULE "an IPv4 or IPv6 prefix such as 10.0.0.0/16 or fd00::/48"

int cfg_prefix(struct cfg_ctx *c, const config_setting_t *s, const char *path,
	       struct erdp_route_prefix *out)
{
	char fixed[64];
	const char *v;

	memset(out, 0, sizeof(*out));
	if (cfg_as_str(c, s, path, &v) < 0)
		return -EINVAL;
	if (cfg_parse_p4_loose(v, &out->p4) == 0) {
		if ((out->p4.addr & ~cfg_p4_mask(out->p4.len)) == 0)
			return 0;
		out->p4.addr &= cfg_p4_mask(out->p4.len);
		cfg_p4_str(&out->p4, fixed, sizeof(fixed));
	} else if (cfg_parse_p6_loose(v, &out->p6) == 0) {
		out->v6 = true;
		if (!cfg_p6_host_bits(&out->p6))
			return 0;
		cfg_p6_clear_host(&out->p6);
		cfg_p6_str(&out->p6, fixed, sizeof(fixed));
	} else {
		return cfg_fail(c, cfg_line(s), path, PREFIX_RULE, "'%s' is not a prefix", v);
	}
	return cfg_fail(c, cfg_line(s), path, "prefix host bits must be zero",
			"%s has host bits set; did you mean %s?", v, fixed);
}

int erdp_peering_namespace(const struct erdp_config *cfg, int peering, char *buf, size_t n)
{
	const struct erdp_peering_conf *pe = &cfg->peerings[peering];
	int len = snprintf(buf, n, "%s-%s-%s", cfg->bgp.namespace_prefix,
			   cfg->circuits[pe->circuit].name, erdp_peering_type_str(pe->type));

	if (len < 0 || (size_t)len >= n || len > ERDP_NETNS_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}
