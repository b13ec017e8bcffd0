/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BGP table and its place in the RIB.
 *
 * Every route a peering's FPM stream gave is kept here, keyed by (peering,
 * prefix): a struct rib whose "VRF" index is the config peering. What erdp
 * forwards is decided per VRF prefix by settle():
 *   - an operator's route (config or runtime) for the prefix wins; the BGP
 *     route waits here and takes the prefix when the operator's is deleted
 *     (bgp_reveal);
 *   - else the route of the first peering of the VRF (config order) that
 *     has one: a VRF with two peerings that learn the same prefix uses the
 *     first, and the second's takes over when the first withdraws;
 *   - else the prefix leaves the RIB if BGP had it.
 * Route events only update this table and note the prefix; table_flush()
 * settles each noted prefix once, at the end of the batch of frames that
 * came in one read. zebra's update is a delete and an add of the same
 * prefix in one frame, so erdp gets one ROUTE_ADD that replaces the route
 * (no gap), or nothing at all when the next hops did not change.
 *
 * Next hops: a gateway is mapped to a link by address (the customer's
 * address on the link's /30 or /126), or, for an IPv6 link-local gateway,
 * by interface, learned from zebra's connected routes of the link subnets
 * (protocol kernel) in the same stream. Both links: the peering's
 * two-link target; one: that link only (ERDP_NH_REF_PEERING_LINK).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "bgp_priv.h"

int table_init(struct cp *cp, struct bgp *b)
{
	const struct erdp_config *cfg = cp->cfg;

	b->tbl = rib_create((unsigned int)(cfg->n_peerings ? cfg->n_peerings : 1));
	b->by_vrf = calloc((size_t)(cfg->n_vrfs ? cfg->n_vrfs : 1), sizeof(*b->by_vrf));
	if (b->tbl == NULL || b->by_vrf == NULL)
		return -ENOMEM;
	for (int v = 0; v < cfg->n_vrfs; v++) {
		int n = 0;

		b->by_vrf[v] = calloc((size_t)b->n + 1, sizeof(int));
		if (b->by_vrf[v] == NULL)
			return -ENOMEM;
		for (int i = 0; i < b->n; i++)
			if (cfg->peerings[b->p[i].index].vrf == v)
				b->by_vrf[v][n++] = b->p[i].index;
		b->by_vrf[v][n] = -1;
	}
	return 0;
}

void table_free(struct bgp *b)
{
	rib_free(b->tbl);
	for (int v = 0; b->by_vrf != NULL && b->by_vrf[v] != NULL; v++)
		free(b->by_vrf[v]);
	free(b->by_vrf);
	free(b->dirty);
}

size_t table_count(const struct bgp *b, int peering, uint8_t family)
{
	return rib_count_vrf(b->tbl, (uint16_t)peering, family);
}

/* The BGP route for vrf:prefix: the first of the VRF's peerings that has one. */
static const struct rib_route *best(const struct bgp *b, const struct rib_route *k)
{
	for (const int *p = b->by_vrf[k->vrf]; *p >= 0; p++) {
		const struct rib_route *e =
			rib_find(b->tbl, (uint16_t)*p, k->family, k->addr, k->len);

		if (e != NULL)
			return e;
	}
	return NULL;
}

static bool vrf_full(const struct cp *cp, const struct rib_route *k)
{
	const struct erdp_vrf_conf *v = &cp->cfg->vrfs[k->vrf];

	return rib_count_vrf(cp->state.rib, k->vrf, k->family) >=
	       (k->family == 6 ? v->ipv6_routes : v->ipv4_routes);
}

static struct bgp_peering *peering_of(struct bgp *b, int index)
{
	for (int i = 0; i < b->n; i++)
		if (b->p[i].index == index)
			return &b->p[i];
	return NULL;
}

static void queue(struct cp *cp, bool add, const struct rib_route *rt,
		  const struct cp_route_prev *prev)
{
	if (chan_queue_route(cp, add, rt, 0, prev) != 0)
		cp_log("BGP: out of memory queueing a route for erdp; the next full sync carries "
		       "it");
}

/* Make the RIB (and erdp) agree with the BGP table for one VRF prefix. */
static void settle(struct cp *cp, const struct rib_route *k)
{
	struct bgp *b = cp->bgp;
	const struct rib_route *cur = rib_find(cp->state.rib, k->vrf, k->family, k->addr, k->len);
	const struct rib_route *e;
	struct cp_route_prev prev;
	struct rib_route rt = *k;
	int rc;

	if (cur != NULL && cur->origin != RIB_ORIGIN_BGP)
		return; /* the operator's route wins */
	e = best(b, k);
	if (e == NULL) {
		if (cur != NULL && state_route_del_bgp(&cp->state, cp->cfg, k->vrf, k->family,
						       k->addr, k->len, &prev) == 0)
			queue(cp, false, &rt, &prev);
		return;
	}
	if (cur == NULL && vrf_full(cp, k)) {
		struct bgp_peering *p = peering_of(b, e->vrf);

		if (p != NULL && p->st.vrf_full++ == 0)
			cp_log("BGP: VRF '%s' holds its capacity of IPv%u routes: routes of %s are "
			       "refused (counted as vrf_full; raise vrfs.ipv%u_routes)",
			       cp->cfg->vrfs[k->vrf].name, k->family,
			       cp->cfg->peerings[e->vrf].name, k->family);
		return;
	}
	rt.nh = e->nh;
	rt.origin = RIB_ORIGIN_BGP;
	rc = state_route_set_bgp(&cp->state, cp->cfg, &rt, &prev);
	if (rc == RIB_ADDED || rc == RIB_REPLACED)
		queue(cp, true, &rt, &prev);
}

void table_flush(struct cp *cp)
{
	struct bgp *b = cp->bgp;

	for (size_t i = 0; i < b->n_dirty; i++)
		settle(cp, &b->dirty[i]);
	b->n_dirty = 0;
	if (b->cap_dirty > 65536) { /* give a big burst's memory back */
		free(b->dirty);
		b->dirty = NULL;
		b->cap_dirty = 0;
	}
}

/* Note vrf:prefix for table_flush (peering key k). */
static void note(struct cp *cp, const struct rib_route *k)
{
	struct bgp *b = cp->bgp;
	struct rib_route d = *k;

	d.vrf = (uint16_t)cp->cfg->peerings[k->vrf].vrf;
	if (b->n_dirty == b->cap_dirty) {
		size_t cap = b->cap_dirty ? b->cap_dirty * 2 : 1024;
		struct rib_route *nd = realloc(b->dirty, cap * sizeof(*nd));

		if (nd == NULL) {
			table_flush(cp); /* settle what is noted: then there is room */
			settle(cp, &d);
			return;
		}
		b->dirty = nd;
		b->cap_dirty = cap;
	}
	b->dirty[b->n_dirty++] = d;
}

static bool in_p4(const struct erdp_prefix4 *p, const uint8_t *addr, uint8_t len)
{
	uint32_t a;

	memcpy(&a, addr, 4);
	return len == p->len && ntohl(a) == p->addr;
}

static bool in_p6(const struct erdp_prefix6 *p, const uint8_t *addr, uint8_t len)
{
	return len == p->len && memcmp(addr, p->addr, 16) == 0;
}

/* zebra's connected route of a link subnet names the link's interface index. */
static void learn_link(struct cp *cp, struct bgp_peering *p, const struct fpm_route *r)
{
	const struct erdp_peering_conf *pc = &cp->cfg->peerings[p->index];

	if (!r->add || r->oif == 0 || r->n_gw != 0)
		return;
	for (int l = 0; l < ERDP_LINKS; l++)
		if ((r->family == 4 && in_p4(&pc->v4[l], r->addr, r->len)) ||
		    (r->family == 6 && pc->has_v6 && in_p6(&pc->v6[l], r->addr, r->len)))
			p->link_ifindex[l] = r->oif;
}

/* The link of one gateway, or -1. */
static int gw_link(const struct bgp_peering *p, uint8_t family, const uint8_t *gw, uint32_t ifindex)
{
	for (int l = 0; l < ERDP_LINKS; l++) {
		if (family == 4) {
			uint32_t a;

			memcpy(&a, gw, 4);
			if (ntohl(a) == p->cust4[l])
				return l;
		} else if (p->has_v6 && memcmp(gw, p->cust6[l], 16) == 0) {
			return l;
		}
	}
	/* fe80::/10: the customer's link-local address, known by its interface only */
	if (family == 6 && gw[0] == 0xfe && (gw[1] & 0xc0) == 0x80 && ifindex != 0)
		for (int l = 0; l < ERDP_LINKS; l++)
			if (p->link_ifindex[l] == ifindex)
				return l;
	return -1;
}

/* Bit l set: a next hop on link l. */
static unsigned int route_links(struct bgp_peering *p, const struct fpm_route *r)
{
	unsigned int links = 0;

	if (r->type != RTN_UNICAST || r->nh_group)
		return 0;
	for (unsigned int i = 0; i < r->n_gw; i++) {
		int l = gw_link(p, r->family, r->gw[i].addr, r->gw[i].ifindex);

		if (l < 0)
			p->st.unknown_gateway++;
		else
			links |= 1u << l;
	}
	return links;
}

void table_route(struct cp *cp, struct bgp_peering *p, const struct fpm_route *r)
{
	struct bgp *b = cp->bgp;
	struct rib_route k = {.vrf = (uint16_t)p->index, .family = r->family, .len = r->len};
	unsigned int links;
	int rc;

	memcpy(k.addr, r->addr, 16);
	if (r->protocol != FPM_RTPROT_BGP) {
		learn_link(cp, p, r);
		p->st.ignored_protocol++;
		return;
	}
	if (r->table != RT_TABLE_MAIN) {
		p->st.ignored_table++;
		return;
	}
	links = r->add ? route_links(p, r) : 0;
	if (links == 0) {
		if (r->add)
			p->st.no_nexthop++;
		if (rib_del(b->tbl, k.vrf, k.family, k.addr, k.len, NULL) == 0) {
			p->st.routes_deleted++;
			note(cp, &k);
		}
		return;
	}
	k.nh = links == 3 ? ERDP_NH_REF_PEERING(p->index)
			  : ERDP_NH_REF_PEERING_LINK(p->index, links == 1 ? ERDP_LINK_PRIMARY
									  : ERDP_LINK_SECONDARY);
	k.origin = RIB_ORIGIN_BGP; /* fresh: clears the stale mark */
	rc = rib_set(b->tbl, &k, NULL);
	if (rc == RIB_ADDED)
		p->st.routes_added++;
	else if (rc == RIB_REPLACED)
		p->st.routes_replaced++;
	else if (rc < 0)
		cp_log("BGP %s: out of memory for the BGP table; route dropped",
		       cp->cfg->peerings[p->index].name);
	if (rc == RIB_ADDED || rc == RIB_REPLACED)
		note(cp, &k);
}

/* The BGP table's routes of one peering (stale ones only unless all). */
struct collect {
	uint16_t peering;
	bool all;
	struct rib_route *v;
	size_t n, cap;
	bool oom;
};

static int collect_one(const struct rib_route *rt, void *arg)
{
	struct collect *c = arg;

	if (rt->vrf != c->peering || (!c->all && !(rt->origin & BGP_TBL_STALE)))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct rib_route *nv = realloc(c->v, cap * sizeof(*nv));

		if (nv == NULL) {
			c->oom = true;
			return 1;
		}
		c->v = nv;
		c->cap = cap;
	}
	c->v[c->n++] = *rt;
	return 0;
}

static void collect(struct bgp *b, struct bgp_peering *p, bool all, struct collect *c)
{
	memset(c, 0, sizeof(*c));
	c->peering = (uint16_t)p->index;
	c->all = all;
	rib_walk(b->tbl, collect_one, c);
}

void table_mark_stale(struct cp *cp, struct bgp_peering *p)
{
	struct collect c;

	collect(cp->bgp, p, true, &c);
	for (size_t i = 0; i < c.n; i++) {
		c.v[i].origin = RIB_ORIGIN_BGP | BGP_TBL_STALE;
		rib_set(cp->bgp->tbl, &c.v[i], NULL); /* same next hop: only the mark changes */
	}
	p->stale = c.n > 0;
	free(c.v);
}

size_t table_sweep(struct cp *cp, struct bgp_peering *p, bool all)
{
	struct collect c;
	size_t n;

	collect(cp->bgp, p, all, &c);
	for (size_t i = 0; i < c.n; i++) {
		rib_del(cp->bgp->tbl, c.v[i].vrf, c.v[i].family, c.v[i].addr, c.v[i].len, NULL);
		note(cp, &c.v[i]);
	}
	table_flush(cp);
	n = c.n;
	free(c.v);
	p->stale = false;
	return n;
}

bool bgp_reveal(struct cp *cp, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
		struct rib_route *rt)
{
	struct rib_route k = {.vrf = vrf, .family = family, .len = len};
	const struct rib_route *e;

	if (cp->bgp == NULL)
		return false;
	memcpy(k.addr, addr, family == 6 ? 16 : 4);
	rib_mask(k.addr, family, len);
	e = best(cp->bgp, &k);
	if (e == NULL)
		return false;
	*rt = k;
	rt->nh = e->nh;
	rt->origin = RIB_ORIGIN_BGP;
	return state_route_set_bgp(&cp->state, cp->cfg, rt, NULL) >= 0;
}
