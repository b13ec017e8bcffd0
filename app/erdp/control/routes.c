/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routes from the control plane, and the table that remembers every route
 * the data plane holds: key (vrf, family, len, addr) -> stamp and the
 * next-hop reference erdp-cp named (ERDP_NH_REF_*).
 *
 * The stamp is what makes a replay safe. SYNC_BEGIN starts a new internal
 * generation; every add stamps its route with the current one; SYNC_END
 * removes what carries an older stamp. A route that is replayed is
 * replaced in place (same prefix, maybe another next hop), so it forwards
 * without a gap; only routes the control plane no longer knows go away.
 * The stamp is internal, not erdp-cp's number, so a restarted erdp-cp that
 * counts its generations from 1 again cannot confuse it.
 *
 * The sweep is sliced: SYNC_END starts it, and each poll of the main lcore
 * does at most ERDP_CTRL_SWEEP_SLICE routes or ERDP_CTRL_SLICE_US of it, so
 * heartbeats, ARP/ND and health probes keep their pace while 200,000 stale
 * routes go; SYNC_END is acknowledged when the last one is gone. No other
 * message is taken meanwhile, so the table stands still while it is walked.
 *
 * Connected routes (link subnets, MSEE addresses, link /30 network and
 * broadcast addresses: erdp_config_connected()) are in the table too, with
 * a stamp of their own, so that no message can replace or remove them.
 *
 * Per VRF and family the table keeps a digest of its routes (count and sum
 * of erdp_route_digest(), lib/ctl/erdp_ctl_digest.h), updated at every
 * change, which `erdpctl verify` compares with erdp-cp's RIB (dump.c).
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
#include "erdp_ctl_digest.h"
#include "setup/setup.h"

_Static_assert(sizeof(struct erdp_route_key) == 20, "no padding in the hash key");

#define route_key erdp_route_key

/* The hash stores one pointer-sized value per key: stamp and next-hop reference. */
static inline void *route_val(uint32_t gen, uint32_t ref)
{
	return (void *)(uintptr_t)(((uint64_t)gen << 32) | ref);
}
static inline uint32_t val_gen(void *v)
{
	return (uint32_t)((uint64_t)(uintptr_t)v >> 32);
}
static inline uint32_t val_ref(void *v)
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
static void gw_ref(const struct erdp_dp *dp, struct erdp_ctrl *c, uint32_t ref, int delta)
{
	if (ERDP_NH_REF_KIND(ref) == ERDP_NH_REF_GATEWAY(0) &&
	    ERDP_NH_REF_INDEX(ref) < dp->max_gateways)
		c->gw_routes[ERDP_NH_REF_INDEX(ref)] += (uint32_t)delta;
}

/* Add (delta 1) or remove (-1) a route's term in its VRF's digest. */
static void digest(struct erdp_ctrl *c, const struct route_key *k, uint32_t ref, int delta)
{
	struct erdp_ctrl_digest *d = &c->digest[k->vrf][k->family == 6];
	uint64_t h = erdp_route_digest(k->vrf, k->family, k->len, k->addr, ref);

	d->count += (uint64_t)(int64_t)delta;
	d->sum += delta > 0 ? h : -h;
}

/* Every change of the table but the connected routes' goes through these two. */
static int track(struct erdp_dp *dp, struct erdp_ctrl *c, const struct route_key *k, uint32_t gen,
		 uint32_t ref)
{
	int rc = rte_hash_add_key_data(c->routes, k, route_val(gen, ref));

	if (rc == 0) {
		digest(c, k, ref, +1);
		gw_ref(dp, c, ref, +1);
	}
	return rc;
}

static void untrack(struct erdp_dp *dp, struct erdp_ctrl *c, const struct route_key *k,
		    uint32_t ref)
{
	rte_hash_del_key(c->routes, k);
	digest(c, k, ref, -1);
	gw_ref(dp, c, ref, -1);
}

int erdp_ctrl_fib_get(const struct erdp_dp *dp, const struct route_key *k, uint32_t *nh)
{
	if (k->family == 4)
		return erdp_fib4_get(dp->fib4, k->vrf, key_addr4(k), k->len, nh);
	return erdp_fib6_get(dp->fib6, k->vrf, k->addr, k->len, nh);
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

static int track_connected(struct erdp_ctrl *c, const struct route_key *k)
{
	c->connected[k->vrf][k->family == 6]++;
	return rte_hash_add_key_data(c->routes, k, route_val(ERDP_CTRL_GEN_CONNECTED, 0));
}

/* The reference erdp-cp sends for a config route (core/state.c builds the same). */
static uint32_t conf_ref(const struct erdp_route_conf *r)
{
	switch (r->target) {
	case ERDP_TARGET_GATEWAY:
		return ERDP_NH_REF_GATEWAY((uint32_t)r->target_idx);
	case ERDP_TARGET_PEERING:
		return ERDP_NH_REF_PEERING((uint32_t)r->target_idx);
	default:
		return ERDP_NH_REF_BLACKHOLE;
	}
}

/* What routes.c installed: connected routes first, then the config's. */
static int track_initial(struct erdp_dp *dp, struct erdp_ctrl *c)
{
	const struct erdp_config *cfg = dp->cfg;
	struct route_key k;
	int rc = 0;

	for (int p = 0; p < cfg->n_peerings && rc == 0; p++) {
		struct erdp_connected cr[ERDP_CONNECTED_PER_PEERING];
		int n = erdp_config_connected(dp->cfg, p, cr);

		for (int i = 0; i < n; i++) {
			if (cr[i].v6)
				key6(&k, cr[i].vrf, cr[i].addr6, cr[i].len);
			else
				key4(&k, cr[i].vrf, cr[i].addr4, cr[i].len);
			rc |= track_connected(c, &k);
		}
	}
	c->n_connected = (uint32_t)rte_hash_count(c->routes);
	for (int i = 0; i < cfg->n_routes && rc == 0; i++) {
		const struct erdp_route_conf *r = &cfg->routes[i];
		void *v;

		if (r->v6)
			key6(&k, (uint16_t)r->vrf, r->p6.addr, r->p6.len);
		else
			key4(&k, (uint16_t)r->vrf, r->p4.addr, r->p4.len);
		if (rte_hash_lookup_data(c->routes, &k, &v) >= 0)
			continue; /* the validator forbids duplicates; connected ones stay */
		rc = track(dp, c, &k, 0, conf_ref(r));
	}
	return rc;
}

int erdp_ctrl_routes_init(struct erdp_dp *dp, struct erdp_ctrl *c, struct erdp_err *err)
{
	const struct erdp_config *cfg = dp->cfg;
	uint64_t n = (uint64_t)ERDP_CONNECTED_PER_PEERING * (uint64_t)cfg->n_peerings + 64;
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
	c->digest = calloc(cfg->n_vrfs > 0 ? (size_t)cfg->n_vrfs : 1, sizeof(*c->digest));
	c->connected = calloc(cfg->n_vrfs > 0 ? (size_t)cfg->n_vrfs : 1, sizeof(*c->connected));
	if (c->gw_routes == NULL || c->digest == NULL || c->connected == NULL)
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
	free(c->digest);
	free(c->connected);
	free(c->sweep.keys);
	c->routes = NULL;
	c->gw_routes = NULL;
	c->digest = NULL;
	c->connected = NULL;
	c->sweep.keys = NULL;
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
enum erdp_ack_status erdp_ctrl_route_nh(const struct erdp_dp *dp, uint16_t vrf, uint32_t ref,
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

	st = erdp_ctrl_route_nh(dp, k->vrf, ref, &nh, detail);
	if (st != ERDP_ACK_OK)
		return st;
	exists = rte_hash_lookup_data(c->routes, k, &old) >= 0;
	if (exists && val_gen(old) == ERDP_CTRL_GEN_CONNECTED)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE, "connected route");
	/* Reserve the table entry first: undoing a table add cannot fail. */
	if (!exists && track(dp, c, k, c->gen, ref) != 0)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_NO_SPACE, "route table full");
	rc = fib_add(dp, k, nh);
	if (rc != 0) {
		if (!exists)
			untrack(dp, c, k, ref);
		if (rc == -ENOSPC)
			return ERDP_CTRL_REJECT(
				detail, ERDP_ACK_NO_SPACE, "%s",
				erdp_fib_nospc_reason(k->family == 4 ? dp->fib4 : dp->fib6));
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_INTERNAL, "fib add: %s", strerror(-rc));
	}
	if (exists) {
		/* An existing key: the add overwrites and cannot fail. */
		digest(c, k, val_ref(old), -1);
		gw_ref(dp, c, val_ref(old), -1);
		rte_hash_add_key_data(c->routes, k, route_val(c->gen, ref));
		digest(c, k, ref, +1);
		gw_ref(dp, c, ref, +1);
	}
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
	untrack(dp, c, k, val_ref(old));
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

/*
 * Start removing every route whose stamp is not the current generation:
 * first collect their keys (the table is walked, never changed, while the
 * walk spans polls), then delete them. ERDP_CTRL_PENDING, or a rejection.
 */
static enum erdp_ack_status sweep_start(struct erdp_ctrl *c, char *detail)
{
	struct erdp_ctrl_sweep *sw = &c->sweep;

	memset(sw, 0, sizeof(*sw));
	sw->cap = (uint32_t)rte_hash_count(c->routes) + 1;
	sw->keys = malloc(sizeof(*sw->keys) * sw->cap);
	if (sw->keys == NULL)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_INTERNAL, "sweep: out of memory");
	sw->running = true;
	return ERDP_CTRL_PENDING;
}

bool erdp_ctrl_sweep_step(struct erdp_dp *dp, struct erdp_ctrl *c, uint64_t deadline)
{
	struct erdp_ctrl_sweep *sw = &c->sweep;
	unsigned int done = 0;
	const void *key;
	void *v;

	__atomic_store_n(&c->sweep_slices, c->sweep_slices + 1, __ATOMIC_RELAXED);
	while (!sw->collected) {
		if (rte_hash_iterate(c->routes, &key, &v, &sw->iter) < 0) {
			sw->collected = true;
			break;
		}
		if (val_gen(v) != c->gen && val_gen(v) != ERDP_CTRL_GEN_CONNECTED &&
		    sw->n < sw->cap)
			sw->keys[sw->n++] = *(const struct route_key *)key;
		/* Walking is cheap: a slice may look at a few times more entries than it deletes.
		 */
		if (++done == ERDP_CTRL_SWEEP_SLICE * 8 || rte_rdtsc() >= deadline)
			return false;
	}
	for (; sw->pos < sw->n; sw->pos++) {
		const struct route_key *k = &sw->keys[sw->pos];

		if (done >= ERDP_CTRL_SWEEP_SLICE || (done % 64 == 0 && rte_rdtsc() >= deadline))
			return false;
		done++;
		if (rte_hash_lookup_data(c->routes, k, &v) < 0)
			continue;
		fib_del(dp, k);
		untrack(dp, c, k, val_ref(v));
		__atomic_store_n(&c->swept, c->swept + 1, __ATOMIC_RELAXED);
	}
	free(sw->keys);
	memset(sw, 0, sizeof(*sw));
	__atomic_store_n(&c->syncing, false, __ATOMIC_RELAXED);
	return true;
}

enum erdp_ack_status erdp_ctrl_sync(struct erdp_dp *dp, struct erdp_ctrl *c,
				    const struct erdp_msg *m, char *detail)
{
	uint32_t token = m->u.sync.generation;

	(void)dp;
	if (m->type == ERDP_MSG_SYNC_BEGIN) {
		c->gen++;
		if (c->gen == ERDP_CTRL_GEN_CONNECTED)
			c->gen = 1; /* after 4 billion syncs: never the connected stamp */
		__atomic_store_n(&c->syncing, true, __ATOMIC_RELAXED);
		c->sync_token = token;
		return ERDP_ACK_OK;
	}
	if (!c->syncing)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE, "sync end %u: no sync running",
					token);
	if (token != c->sync_token)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE, "sync end %u: sync %u runs",
					token, c->sync_token);
	return sweep_start(c, detail);
}
