/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routes from the control plane, and the table that remembers every route
 * the data plane holds: key (vrf, family, len, addr) -> stamp and next hop.
 *
 * The stamp is what makes a replay safe. SYNC_BEGIN starts a new internal
 * generation; every add stamps its route with the current one; SYNC_END
 * removes what carries an older stamp. A route that is replayed is
 * replaced in place (same prefix, maybe another next hop), so it forwards
 * without a gap; only routes the control plane no longer knows go away.
 * The stamp is internal, not erdp-cp's number, so a restarted erdp-cp that
 * counts its generations from 1 again cannot confuse it.
 *
 * Connected routes (link subnets and MSEE addresses, setup/fib.c) are in the
 * table too, with a stamp of their own, so that no message can replace or
 * remove them.
 *
 * The table is sized from the VRF capacities: the FIB refuses a route
 * before the table can be full.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "control.h"
#include "dp.h"
#include "setup/setup.h"

struct route_key {
	uint16_t vrf;
	uint8_t family;
	uint8_t len;
	uint8_t addr[16]; /* network order, IPv4 in the first 4 bytes, rest zero */
};

_Static_assert(sizeof(struct route_key) == 20, "no padding in the hash key");

/* The hash stores one pointer-sized value per key: stamp and dp next-hop id. */
static inline void *route_val(uint32_t gen, uint32_t nh)
{
	return (void *)(uintptr_t)(((uint64_t)gen << 32) | nh);
}
static inline uint32_t val_gen(void *v)
{
	return (uint32_t)((uint64_t)(uintptr_t)v >> 32);
}
static inline uint32_t val_nh(void *v)
{
	return (uint32_t)(uintptr_t)v;
}

static void key4(struct route_key *k, uint16_t vrf, uint32_t addr, uint8_t len)
{
	memset(k, 0, sizeof(*k));
	k->vrf = vrf;
	k->family = 4;
	k->len = len;
	k->addr[0] = (uint8_t)(addr >> 24);
	k->addr[1] = (uint8_t)(addr >> 16);
	k->addr[2] = (uint8_t)(addr >> 8);
	k->addr[3] = (uint8_t)addr;
}

static void key6(struct route_key *k, uint16_t vrf, const uint8_t addr[16], uint8_t len)
{
	memset(k, 0, sizeof(*k));
	k->vrf = vrf;
	k->family = 6;
	k->len = len;
	memcpy(k->addr, addr, 16);
}

static uint32_t key_addr4(const struct route_key *k)
{
	return (uint32_t)k->addr[0] << 24 | (uint32_t)k->addr[1] << 16 | (uint32_t)k->addr[2] << 8 |
	       k->addr[3];
}

/* Keep the per-gateway count of routes that point at a gateway. */
static void gw_ref(const struct erdp_dp *dp, struct erdp_ctrl *c, uint32_t nh, int delta)
{
	if (nh >= erdp_nh_id_gateway(0) && nh < erdp_nh_id_gateway(dp->max_gateways))
		c->gw_routes[nh - erdp_nh_id_gateway(0)] += (uint32_t)delta;
}

static int fib_add(struct erdp_dp *dp, const struct route_key *k, uint32_t nh)
{
	if (k->family == 4)
		return erdp_fib4_add(dp->fib4, k->vrf, key_addr4(k), k->len, nh);
	return erdp_fib6_add(dp->fib6, k->vrf, k->addr, k->len, nh);
}

static int fib_del(struct erdp_dp *dp, const struct route_key *k)
{
	if (k->family == 4)
		return erdp_fib4_del(dp->fib4, k->vrf, key_addr4(k), k->len);
	return erdp_fib6_del(dp->fib6, k->vrf, k->addr, k->len);
}

static int track(struct erdp_ctrl *c, const struct route_key *k, uint32_t gen, uint32_t nh)
{
	return rte_hash_add_key_data(c->routes, k, route_val(gen, nh));
}

/* What routes.c installed: connected routes first, then the config's. */
static int track_initial(struct erdp_dp *dp, struct erdp_ctrl *c)
{
	const struct erdp_config *cfg = dp->cfg;
	struct route_key k;
	int rc = 0;

	for (int p = 0; p < cfg->n_peerings && rc == 0; p++) {
		const struct erdp_peering_conf *pe = &cfg->peerings[p];
		uint16_t vrf = (uint16_t)pe->vrf;

		for (int l = 0; l < ERDP_LINKS && rc == 0; l++) {
			uint8_t msee6[16];

			key4(&k, vrf, pe->v4[l].addr, pe->v4[l].len);
			rc |= track(c, &k, ERDP_CTRL_GEN_CONNECTED, 0);
			key4(&k, vrf, erdp_p4_msee(&pe->v4[l]), 32);
			rc |= track(c, &k, ERDP_CTRL_GEN_CONNECTED, 0);
			if (!pe->has_v6)
				continue;
			erdp_p6_msee(&pe->v6[l], msee6);
			key6(&k, vrf, pe->v6[l].addr, pe->v6[l].len);
			rc |= track(c, &k, ERDP_CTRL_GEN_CONNECTED, 0);
			key6(&k, vrf, msee6, 128);
			rc |= track(c, &k, ERDP_CTRL_GEN_CONNECTED, 0);
		}
	}
	c->n_connected = (uint32_t)rte_hash_count(c->routes);
	for (int i = 0; i < cfg->n_routes && rc == 0; i++) {
		const struct erdp_route_conf *r = &cfg->routes[i];
		uint32_t nh = erdp_route_conf_nh(dp, r);
		void *v;

		if (r->v6)
			key6(&k, (uint16_t)r->vrf, r->p6.addr, r->p6.len);
		else
			key4(&k, (uint16_t)r->vrf, r->p4.addr, r->p4.len);
		if (rte_hash_lookup_data(c->routes, &k, &v) >= 0)
			continue; /* the validator forbids duplicates; connected ones stay */
		rc = track(c, &k, 0, nh);
		if (rc == 0)
			gw_ref(dp, c, nh, +1);
	}
	return rc;
}

int erdp_ctrl_routes_init(struct erdp_dp *dp, struct erdp_ctrl *c, struct erdp_err *err)
{
	const struct erdp_config *cfg = dp->cfg;
	uint64_t n = 8ull * (uint64_t)cfg->n_peerings + 64;
	struct rte_hash_parameters prm = {
		.name = "erdp_ctrl_routes",
		.key_len = sizeof(struct route_key),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
		/* Every key fits: no cuckoo failure before `entries`. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	for (int v = 0; v < cfg->n_vrfs; v++)
		n += (uint64_t)cfg->vrfs[v].ipv4_routes + cfg->vrfs[v].ipv6_routes;
	if (n > (1ull << 30))
		return erdp_errf(err, E2BIG,
				 "control route table: the VRF capacities add up to %llu routes, "
				 "more than 2^30",
				 (unsigned long long)n);
	prm.entries = (uint32_t)n;
	c->gw_routes = calloc(dp->max_gateways, sizeof(*c->gw_routes));
	if (c->gw_routes == NULL)
		return erdp_errf(err, ENOMEM, "control route table: out of memory");
	c->routes = rte_hash_create(&prm);
	if (c->routes == NULL)
		return erdp_errf(err, rte_errno,
				 "control route table of %llu entries: %s (raise eal.memory_mb or "
				 "lower VRF capacities)",
				 (unsigned long long)n, rte_strerror(rte_errno));
	if (track_initial(dp, c) != 0)
		return erdp_errf(err, ENOSPC,
				 "control route table: cannot hold the config's routes");
	return 0;
}

void erdp_ctrl_routes_free(struct erdp_ctrl *c)
{
	rte_hash_free(c->routes);
	free(c->gw_routes);
	c->routes = NULL;
	c->gw_routes = NULL;
}

uint32_t erdp_ctrl_routes_count(const struct erdp_ctrl *c)
{
	if (c->routes == NULL)
		return 0;
	return (uint32_t)rte_hash_count(c->routes) - c->n_connected;
}

/* A peering's next hop over `links`, if the peering exists and is in the route's VRF. */
static enum erdp_ack_status peering_nh(const struct erdp_dp *dp, uint16_t vrf, uint32_t peering,
				       enum erdp_nh_links links, uint32_t *nh, char *detail)
{
	if (peering >= (uint32_t)dp->cfg->n_peerings)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_UNKNOWN_NH, "no peering %u", peering);
	if (dp->cfg->peerings[peering].vrf != vrf)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE, "peering %u is in vrf %d",
					peering, dp->cfg->peerings[peering].vrf);
	*nh = erdp_nh_id_peering(&dp->nh, peering, links);
	return ERDP_ACK_OK;
}

/*
 * The dp next-hop id of a message's ERDP_NH_REF_*, if that next hop exists
 * and belongs to the route's VRF (the config's rule too: traffic never
 * leaves its VRF through a route).
 */
static enum erdp_ack_status route_nh(const struct erdp_dp *dp, uint16_t vrf, uint32_t ref,
				     uint32_t *nh, char *detail)
{
	uint32_t i = ERDP_NH_REF_INDEX(ref);

	switch (ERDP_NH_REF_KIND(ref)) {
	case ERDP_NH_REF_GATEWAY(0):
		if (i >= dp->max_gateways || !dp->gw[i].in_use)
			return ERDP_CTRL_REJECT(detail, ERDP_ACK_UNKNOWN_NH, "no gateway %u", i);
		if (dp->gw[i].vrf != vrf)
			return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE,
						"gateway %u is in vrf %u", i, dp->gw[i].vrf);
		*nh = erdp_nh_id_gateway(i);
		return ERDP_ACK_OK;
	case ERDP_NH_REF_PEERING(0):
		return peering_nh(dp, vrf, i, ERDP_NH_LINKS_BOTH, nh, detail);
	case ERDP_NH_REF_KIND_PEERING_LINK:
		/* One link: the peering's one-link next hop (the one its link /30 uses). */
		if (i >= erdp_plink_count((unsigned int)dp->cfg->n_peerings))
			return ERDP_CTRL_REJECT(detail, ERDP_ACK_UNKNOWN_NH, "no peering link %u",
						i);
		return peering_nh(dp, vrf, erdp_plink_peering(i),
				  erdp_plink_link(i) == ERDP_LINK_PRIMARY ? ERDP_NH_LINKS_PRIMARY
									  : ERDP_NH_LINKS_SECONDARY,
				  nh, detail);
	default: /* erdp_msg_check() let only the blackhole through */
		*nh = ERDP_NH_ID_BLACKHOLE;
		return ERDP_ACK_OK;
	}
}

static enum erdp_ack_status route_add(struct erdp_dp *dp, struct erdp_ctrl *c,
				      const struct route_key *k, uint32_t ref, char *detail)
{
	enum erdp_ack_status st;
	uint32_t nh = 0;
	void *old = NULL;
	bool exists;
	int rc;

	st = route_nh(dp, k->vrf, ref, &nh, detail);
	if (st != ERDP_ACK_OK)
		return st;
	exists = rte_hash_lookup_data(c->routes, k, &old) >= 0;
	if (exists && val_gen(old) == ERDP_CTRL_GEN_CONNECTED)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE, "connected route");
	/* Reserve the table entry first: undoing a table add cannot fail. */
	if (!exists && track(c, k, c->gen, nh) != 0)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_NO_SPACE, "route table full");
	rc = fib_add(dp, k, nh);
	if (rc != 0) {
		if (!exists)
			rte_hash_del_key(c->routes, k);
		if (rc == -ENOSPC)
			return ERDP_CTRL_REJECT(
				detail, ERDP_ACK_NO_SPACE, "%s",
				erdp_fib_nospc_reason(k->family == 4 ? dp->fib4 : dp->fib6));
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_INTERNAL, "fib add: %s", strerror(-rc));
	}
	if (exists) {
		track(c, k, c->gen, nh); /* existing key: overwrites, cannot fail */
		gw_ref(dp, c, val_nh(old), -1);
	}
	gw_ref(dp, c, nh, +1);
	return ERDP_ACK_OK;
}

static enum erdp_ack_status route_del(struct erdp_dp *dp, struct erdp_ctrl *c,
				      const struct route_key *k, char *detail)
{
	void *old;
	int rc;

	if (rte_hash_lookup_data(c->routes, k, &old) < 0)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_NOT_FOUND, "no such route");
	if (val_gen(old) == ERDP_CTRL_GEN_CONNECTED)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE, "connected route");
	rc = fib_del(dp, k);
	if (rc != 0 && rc != -ENOENT)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_INTERNAL, "fib del: %s", strerror(-rc));
	rte_hash_del_key(c->routes, k);
	gw_ref(dp, c, val_nh(old), -1);
	return ERDP_ACK_OK;
}

enum erdp_ack_status erdp_ctrl_route(struct erdp_dp *dp, struct erdp_ctrl *c,
				     const struct erdp_msg *m, char *detail)
{
	const struct erdp_msg_route *r = &m->u.route;
	struct route_key k;

	if (r->vrf >= dp->cfg->n_vrfs)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_UNKNOWN_VRF, "no vrf %u (%d vrfs)", r->vrf,
					dp->cfg->n_vrfs);
	memset(&k, 0, sizeof(k));
	k.vrf = r->vrf;
	k.family = r->family;
	k.len = r->len;
	memcpy(k.addr, r->addr, 16); /* checked: IPv4 leaves bytes 4-15 zero */
	if (m->type == ERDP_MSG_ROUTE_ADD)
		return route_add(dp, c, &k, r->nh, detail);
	return route_del(dp, c, &k, detail);
}

/* Remove every route whose stamp is not the current generation. */
static enum erdp_ack_status sweep(struct erdp_dp *dp, struct erdp_ctrl *c, char *detail)
{
	uint32_t n = (uint32_t)rte_hash_count(c->routes), n_old = 0, iter = 0;
	struct route_key *old = malloc(sizeof(*old) * ((size_t)n + 1));
	const void *key;
	void *v;

	if (old == NULL)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_INTERNAL, "sweep: out of memory");
	/* Collect first: the table is not changed while it is walked. */
	while (rte_hash_iterate(c->routes, &key, &v, &iter) >= 0)
		if (val_gen(v) != c->gen && val_gen(v) != ERDP_CTRL_GEN_CONNECTED && n_old < n)
			old[n_old++] = *(const struct route_key *)key;
	for (uint32_t i = 0; i < n_old; i++) {
		if (rte_hash_lookup_data(c->routes, &old[i], &v) < 0)
			continue;
		fib_del(dp, &old[i]);
		rte_hash_del_key(c->routes, &old[i]);
		gw_ref(dp, c, val_nh(v), -1);
	}
	free(old);
	__atomic_store_n(&c->swept, c->swept + n_old, __ATOMIC_RELAXED);
	return ERDP_ACK_OK;
}

enum erdp_ack_status erdp_ctrl_sync(struct erdp_dp *dp, struct erdp_ctrl *c,
				    const struct erdp_msg *m, char *detail)
{
	uint32_t token = m->u.sync.generation;

	if (m->type == ERDP_MSG_SYNC_BEGIN) {
		c->gen++;
		if (c->gen == ERDP_CTRL_GEN_CONNECTED)
			c->gen = 1; /* after 4 billion syncs: never the connected stamp */
		c->syncing = true;
		c->sync_token = token;
		return ERDP_ACK_OK;
	}
	if (!c->syncing)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE, "sync end %u: no sync running",
					token);
	if (token != c->sync_token)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE, "sync end %u: sync %u runs",
					token, c->sync_token);
	if (sweep(dp, c, detail) != ERDP_ACK_OK)
		return ERDP_ACK_INTERNAL;
	c->syncing = false;
	return ERDP_ACK_OK;
}
