/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FRR 8.4 configuration text for one peering (frrconf.h). Syntax verified
 * against FRR 8.4.4 with a BIRD 2 customer (FINDINGS.md 3.1-3.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frrconf.h"

/* Text builder: a memory stream; NULL result when it could not grow. */
struct text {
	FILE *f;
	char *buf;
	size_t len;
};

static bool text_open(struct text *t)
{
	t->buf = NULL;
	t->f = open_memstream(&t->buf, &t->len);
	return t->f != NULL;
}

static char *text_close(struct text *t)
{
	bool ok = !ferror(t->f);

	if (fclose(t->f) != 0 || !ok) {
		free(t->buf);
		return NULL;
	}
	return t->buf;
}

static void header(FILE *f, const struct frr_spec *s)
{
	fprintf(f,
		"! Written by erdp-cp from %s for namespace %s: do not edit (erdp-cp rewrites\n"
		"! it, and restarts FRR when it changes).\n"
		"hostname msee-%s\n"
		"log timestamp precision 3\n",
		s->source, s->name, s->name);
}

char *frrconf_zebra(const struct frr_spec *s)
{
	struct text t;

	if (!text_open(&t))
		return NULL;
	header(t.f, s);
	fprintf(t.f,
		"! Routes go to erdp-cp over FPM (its listener is on this namespace's loopback),\n"
		"! every route with its own next hops.\n"
		"fpm address 127.0.0.1 port %u\n"
		"no fpm use-next-hop-groups\n",
		s->fpm_port);
	return text_close(&t);
}

char *frrconf_bfdd(const struct frr_spec *s)
{
	struct text t;

	if (!text_open(&t))
		return NULL;
	header(t.f, s);
	fprintf(t.f,
		"bfd\n"
		" profile %s\n"
		"  detect-multiplier %u\n"
		"  receive-interval %u\n"
		"  transmit-interval %u\n"
		" exit\n"
		"exit\n",
		FRR_BFD_PROFILE, s->bfd_multiplier, s->bfd_interval_ms, s->bfd_interval_ms);
	return text_close(&t);
}

/* What the customer may send: everything on private peering; on Microsoft peering no default
 * route and no private ranges (RFC 1918; IPv6: the unique-local fc00::/7). */
static void prefix_lists(FILE *f, const struct frr_spec *s)
{
	if (s->microsoft)
		fprintf(f, "ip prefix-list CUST-IN4 seq 5 deny 0.0.0.0/0\n"
			   "ip prefix-list CUST-IN4 seq 10 deny 10.0.0.0/8 le 32\n"
			   "ip prefix-list CUST-IN4 seq 15 deny 172.16.0.0/12 le 32\n"
			   "ip prefix-list CUST-IN4 seq 20 deny 192.168.0.0/16 le 32\n"
			   "ip prefix-list CUST-IN4 seq 100 permit 0.0.0.0/0 le 32\n"
			   "ipv6 prefix-list CUST-IN6 seq 5 deny ::/0\n"
			   "ipv6 prefix-list CUST-IN6 seq 10 deny fc00::/7 le 128\n"
			   "ipv6 prefix-list CUST-IN6 seq 100 permit ::/0 le 128\n");
	else
		fprintf(f, "ip prefix-list CUST-IN4 seq 5 permit 0.0.0.0/0 le 32\n"
			   "ipv6 prefix-list CUST-IN6 seq 5 permit ::/0 le 128\n");
}

static void communities(FILE *f, const struct frr_spec *s)
{
	if (s->n_communities == 0)
		return;
	fprintf(f, " set community");
	for (int i = 0; i < s->n_communities && i < FRR_MAX_COMMUNITIES; i++)
		fprintf(f, " %u:%u", s->communities[i] >> 16, s->communities[i] & 0xffffu);
	fprintf(f, " additive\n");
}

static void route_maps(FILE *f, const struct frr_spec *s)
{
	fprintf(f, "! The customer's communities are ignored.\n"
		   "route-map CUST-IN4 permit 10\n"
		   " match ip address prefix-list CUST-IN4\n"
		   " set community none\n"
		   "exit\n"
		   "route-map CUST-IN6 permit 10\n"
		   " match ipv6 address prefix-list CUST-IN6\n"
		   " set community none\n"
		   "exit\n"
		   "! Only what this MSEE originates goes out, never what the customer sent.\n"
		   "bgp as-path access-list LOCAL-ONLY seq 5 permit ^$\n");
	fprintf(f, "route-map %s permit 10\n match as-path LOCAL-ONLY\n", FRR_MAP_OUT);
	communities(f, s);
	fprintf(f,
		"exit\n! A link under maintenance: a longer AS path moves the customer's traffic "
		"away.\n");
	fprintf(f, "route-map %s permit 10\n match as-path LOCAL-ONLY\n", FRR_MAP_OUT_MAINT);
	communities(f, s);
	fprintf(f, " set as-path prepend");
	for (uint32_t i = 0; i < s->maintenance_prepend; i++)
		fprintf(f, " %u", FRR_LOCAL_AS);
	fprintf(f, "\nexit\n");
}

static const char *link_name(uint8_t link)
{
	return link ? "secondary" : "primary";
}

static void neighbors(FILE *f, const struct frr_spec *s)
{
	for (int i = 0; i < s->n_sessions; i++) {
		const struct frr_session *n = &s->s[i];

		fprintf(f,
			" neighbor %s remote-as %u\n"
			" neighbor %s description %s ipv%u\n"
			" neighbor %s update-source %s\n"
			" neighbor %s timers connect %u\n",
			n->neighbor, s->peer_as, n->neighbor, link_name(n->link), n->family,
			n->neighbor, n->local, n->neighbor, FRR_CONNECT_RETRY_S);
		if (s->md5[0] != '\0')
			fprintf(f, " neighbor %s password %s\n", n->neighbor, s->md5);
	}
}

static void address_family(FILE *f, const struct frr_spec *s, uint8_t family)
{
	bool any = false;

	for (int i = 0; i < s->n_sessions; i++)
		any |= s->s[i].family == family;
	for (int i = 0; i < s->n_networks; i++)
		any |= (strchr(s->networks[i], ':') != NULL) == (family == 6);
	if (!any)
		return;
	fprintf(f, " address-family ipv%u unicast\n", family);
	for (int i = 0; i < s->n_networks; i++)
		if ((strchr(s->networks[i], ':') != NULL) == (family == 6))
			fprintf(f, "  network %s\n", s->networks[i]);
	for (int i = 0; i < s->n_sessions; i++) {
		const struct frr_session *n = &s->s[i];

		if (n->family != family)
			continue;
		fprintf(f,
			"  neighbor %s activate\n"
			"  neighbor %s route-map CUST-IN%u in\n"
			"  neighbor %s route-map %s out\n"
			"  neighbor %s maximum-prefix %u restart %u\n",
			n->neighbor, n->neighbor, family, n->neighbor, FRR_MAP_OUT, n->neighbor,
			family == 6 ? s->max_prefix6 : s->max_prefix4, FRR_PREFIX_RESTART_M);
	}
	fprintf(f, " exit-address-family\n");
}

char *frrconf_bgpd(const struct frr_spec *s)
{
	struct text t;

	if (!text_open(&t))
		return NULL;
	header(t.f, s);
	prefix_lists(t.f, s);
	route_maps(t.f, s);
	fprintf(t.f,
		"router bgp %u\n"
		" bgp router-id %s\n"
		" no bgp default ipv4-unicast\n"
		" no bgp network import-check\n"
		" bgp graceful-restart\n"
		" bgp minimum-holdtime %u\n"
		" timers bgp %u %u\n",
		FRR_LOCAL_AS, s->router_id, s->min_hold, s->keepalive, s->hold);
	neighbors(t.f, s);
	address_family(t.f, s, 4);
	address_family(t.f, s, 6);
	fprintf(t.f, "exit\n");
	return text_close(&t);
}

char *frrconf_maintenance(const struct frr_spec *s, int session, bool on)
{
	const struct frr_session *n = &s->s[session];
	char *out = NULL;

	if (asprintf(&out,
		     "router bgp %u\n"
		     "address-family ipv%u unicast\n"
		     "neighbor %s route-map %s out",
		     FRR_LOCAL_AS, n->family, n->neighbor,
		     on ? FRR_MAP_OUT_MAINT : FRR_MAP_OUT) < 0)
		return NULL;
	return out;
}

char *frrconf_shutdown(const struct frr_spec *s, int session, bool down)
{
	char *out = NULL;

	if (asprintf(&out, "router bgp %u\n%sneighbor %s shutdown", FRR_LOCAL_AS, down ? "" : "no ",
		     s->s[session].neighbor) < 0)
		return NULL;
	return out;
}

char *frrconf_bfd(const struct frr_spec *s, int session)
{
	char *out = NULL;

	if (asprintf(&out, "router bgp %u\nneighbor %s bfd profile %s", FRR_LOCAL_AS,
		     s->s[session].neighbor, FRR_BFD_PROFILE) < 0)
		return NULL;
	return out;
}
