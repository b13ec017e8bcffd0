/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading the state file at start, on top of the config: first the rows
 * set aside last time (the oldest state), then the journal in order (a
 * later row of a prefix wins), then the admin states. Each route row goes
 * through the same checks as `erdpctl route add`; a row that fails them
 * (its VRF, gateway or peering is gone from the config, the prefix is now
 * a connected one, the VRF is full, the text is damaged) is set aside with
 * the reason, never dropped and never fatal. Rows "withdraw" and "config"
 * of a prefix replace what was set aside for it.
 *
 * Then the store becomes the state's journal and the first batch rewrites
 * the file compactly (the runtime state, the rows set aside, the admin
 * states), in the writer thread, while erdp-cp already serves.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"
#include "store_impl.h"

struct replay {
	struct store *st;
	struct cp *cp;
	size_t rows, set_aside, admin;
	/* one-entry cache: a journal repeats the same VRF and target */
	int t_vrf;
	char t_text[160];
	uint32_t t_nh;
};

/* ---- rows set aside: an array and an open-addressing index over (vrf, prefix) ---- */

static uint64_t key_hash(const char *vrf, const char *prefix)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *s = vrf; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	h = (h ^ 0x1f) * 0x100000001b3ull;
	for (const char *s = prefix; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

/* Slot of (vrf, prefix) in the index: its entry, or the free slot where it would go. */
static size_t aside_slot(const struct store *st, const char *vrf, const char *prefix)
{
	size_t i = (size_t)key_hash(vrf, prefix) & st->aside_mask;

	while (st->aside_idx[i] != 0) {
		const struct store_aside *a = &st->aside[st->aside_idx[i] - 1];

		if (strcmp(a->vrf, vrf) == 0 && strcmp(a->prefix, prefix) == 0)
			break;
		i = (i + 1) & st->aside_mask;
	}
	return i;
}

static int aside_grow(struct store *st)
{
	size_t slots = st->aside_mask ? (st->aside_mask + 1) * 2 : 1024;
	uint32_t *idx = calloc(slots, sizeof(*idx));
	struct store_aside *arr = realloc(st->aside, slots / 2 * sizeof(*arr));

	if (idx == NULL || arr == NULL) {
		free(idx);
		if (arr != NULL)
			st->aside = arr;
		return -ENOMEM;
	}
	st->aside = arr;
	st->cap_aside = slots / 2;
	free(st->aside_idx);
	st->aside_idx = idx;
	st->aside_mask = slots - 1;
	for (size_t k = 0; k < st->n_aside; k++)
		st->aside_idx[aside_slot(st, st->aside[k].vrf, st->aside[k].prefix)] =
			(uint32_t)k + 1;
	return 0;
}

static void aside_put(struct replay *r, const char *vrf, const char *prefix, const char *target,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void aside_put(struct replay *r, const char *vrf, const char *prefix, const char *target,
		      const char *fmt, ...)
{
	struct store *st = r->st;
	struct store_aside *a;
	va_list ap;
	size_t i;

	if (st->n_aside == st->cap_aside && aside_grow(st) != 0) {
		cp_log("state file: out of memory setting aside %s %s %s", vrf, prefix, target);
		return;
	}
	i = aside_slot(st, vrf, prefix);
	if (st->aside_idx[i] != 0) {
		a = &st->aside[st->aside_idx[i] - 1];
	} else {
		a = &st->aside[st->n_aside++];
		st->aside_idx[i] = (uint32_t)st->n_aside;
	}
	snprintf(a->vrf, sizeof(a->vrf), "%s", vrf);
	snprintf(a->prefix, sizeof(a->prefix), "%s", prefix);
	snprintf(a->target, sizeof(a->target), "%s", target);
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
	a->dead = false;
	r->set_aside++;
}

/* A later row of the prefix supersedes what was set aside for it. */
static void aside_kill(struct store *st, const char *vrf, const char *prefix)
{
	size_t i;

	if (st->n_aside == 0)
		return;
	i = aside_slot(st, vrf, prefix);
	if (st->aside_idx[i] != 0)
		st->aside[st->aside_idx[i] - 1].dead = true;
}

void store_aside_free(struct store *st)
{
	free(st->aside);
	free(st->aside_idx);
	st->aside = NULL;
	st->aside_idx = NULL;
	st->n_aside = st->cap_aside = st->aside_mask = 0;
}

json_t *store_aside(const struct store *st)
{
	json_t *arr = json_array();

	for (size_t i = 0; st != NULL && i < st->n_aside; i++) {
		const struct store_aside *a = &st->aside[i];

		if (!a->dead)
			json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "vrf", a->vrf,
							     "prefix", a->prefix, "target",
							     a->target, "reason", a->reason));
	}
	return arr;
}

/* ---- rows ---- */

static int target_cached(struct replay *r, int vrf, const char *ts, uint32_t *nh, char *why,
			 size_t n)
{
	int rc;

	if (vrf == r->t_vrf && strcmp(ts, r->t_text) == 0) {
		*nh = r->t_nh;
		return 0;
	}
	rc = target_parse(r->cp->cfg, vrf, ts, nh, why, n);
	if (rc == 0 && strlen(ts) < sizeof(r->t_text)) {
		r->t_vrf = vrf;
		snprintf(r->t_text, sizeof(r->t_text), "%s", ts);
		r->t_nh = *nh;
	}
	return rc;
}

/* "withdraw" or "config": the prefix is deleted, or back to the config's route. */
static void apply_removal(struct replay *r, uint16_t vrf, const struct cp_prefix *p, bool withdraw)
{
	struct cp_state *s = &r->cp->state;
	const struct rib_route *c =
		withdraw ? NULL : state_config_route(s, vrf, p->family, p->addr, p->len);

	if (c != NULL)
		state_route_set(s, r->cp->cfg, c, NULL);
	else
		state_route_del(s, r->cp->cfg, vrf, p->family, p->addr, p->len, NULL);
}

static void apply_row(struct replay *r, const char *vs, const char *ps, const char *ts)
{
	const struct erdp_config *cfg = r->cp->cfg;
	struct cp_state *s = &r->cp->state;
	bool removal = strcmp(ts, "withdraw") == 0 || strcmp(ts, "config") == 0;
	struct rib_route rt = {0};
	struct cp_prefix p;
	char why[400];
	uint32_t cap;
	int vrf;

	r->rows++;
	vrf = erdp_config_vrf_by_name(cfg, vs);
	if (vrf < 0 || prefix_parse(ps, &p, why, sizeof(why)) != 0) {
		if (removal)
			aside_kill(r->st, vs, ps); /* nothing to keep of a removal */
		else if (vrf < 0)
			aside_put(r, vs, ps, ts, "no VRF named '%s' in %s", vs, cfg->path);
		else
			aside_put(r, vs, ps, ts, "prefix: %s", why);
		return;
	}
	if (removal) {
		aside_kill(r->st, vs, ps);
		apply_removal(r, (uint16_t)vrf, &p, ts[0] == 'w');
		return;
	}
	if (target_cached(r, vrf, ts, &rt.nh, why, sizeof(why)) != 0) {
		aside_put(r, vs, ps, ts, "%s", why);
		return;
	}
	if (state_connected(s, cfg, (uint16_t)vrf, p.family, p.addr, p.len, why, sizeof(why))) {
		aside_put(r, vs, ps, ts, "%s %s", ps, why);
		return;
	}
	cap = p.family == 6 ? cfg->vrfs[vrf].ipv6_routes : cfg->vrfs[vrf].ipv4_routes;
	if (rib_find(s->rib, (uint16_t)vrf, p.family, p.addr, p.len) == NULL &&
	    rib_count_vrf(s->rib, (uint16_t)vrf, p.family) >= cap) {
		aside_put(r, vs, ps, ts, "VRF '%s' is full: %u IPv%u routes (vrfs.ipv%u_routes)",
			  vs, cap, p.family, p.family);
		return;
	}
	rt.vrf = (uint16_t)vrf;
	rt.family = p.family;
	rt.len = p.len;
	memcpy(rt.addr, p.addr, 16);
	if (state_route_set(s, cfg, &rt, NULL) < 0) {
		aside_put(r, vs, ps, ts, "out of memory");
		return;
	}
	aside_kill(r->st, vs, ps);
}

static const char *col(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	return t != NULL ? (const char *)t : "";
}

static int replay_routes(struct replay *r, const char *sql, struct erdp_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(r->st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(r->st, err, sql);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		apply_row(r, col(q, 0), col(q, 1), col(q, 2));
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_sql_error(r->st, err, sql);
}

/* (kind, name, member) of an admin row -> the state to set, or -1 when it names nothing. */
static int admin_target(const struct erdp_config *cfg, const char *kind, const char *name,
			const char *member, enum cp_admin *k, uint16_t *idx, uint16_t *sub)
{
	int i;

	*sub = 0;
	if (strcmp(kind, "gateway") == 0) {
		char *end;
		long n = strtol(member, &end, 10);

		i = erdp_config_gateway_by_name(cfg, name);
		if (i < 0 || *end != '\0' || n < 0 || n >= cfg->gateways[i].n_instances)
			return -1;
		*k = CP_ADMIN_GW_INSTANCE;
		*sub = (uint16_t)n;
	} else if (strcmp(kind, "link") == 0) {
		int p = erdp_config_peering_by_name(cfg, name);
		bool sec = strcmp(member, "secondary") == 0;

		if (p < 0 || (!sec && strcmp(member, "primary") != 0))
			return -1;
		*k = CP_ADMIN_PEERING_LINK;
		i = (int)erdp_plink((unsigned int)p, sec ? ERDP_LINK_SECONDARY : ERDP_LINK_PRIMARY);
	} else if (strcmp(kind, "port") == 0) {
		i = erdp_config_port_by_name(cfg, name);
		*k = CP_ADMIN_PORT;
	} else {
		return -1;
	}
	*idx = (uint16_t)i;
	return i < 0 ? -1 : 0;
}

static int replay_admin(struct replay *r, struct erdp_err *err)
{
	static const char *const sql = "SELECT kind, name, member, state FROM admin";
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(r->st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(r->st, err, sql);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		enum cp_admin k;
		uint16_t idx, sub;

		if (admin_target(r->cp->cfg, col(q, 0), col(q, 1), col(q, 2), &k, &idx, &sub) !=
		    0) {
			cp_log("state file: %s '%s' %s %s: not in the config any more; dropped",
			       col(q, 0), col(q, 1), col(q, 2), col(q, 3));
			continue;
		}
		state_admin_set(&r->cp->state, k, idx, sub, strcmp(col(q, 3), "up") == 0);
		r->admin++;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_sql_error(r->st, err, sql);
}

int store_load(struct store *st, struct cp *cp, struct erdp_err *err)
{
	struct replay r = {.st = st, .cp = cp, .t_vrf = -1};
	double t0 = cp_now();
	size_t n_aside = 0;
	int rc;

	st->cp = cp;
	rc = replay_routes(&r, "SELECT vrf, prefix, target FROM aside", err);
	if (rc == 0)
		rc = replay_routes(&r, "SELECT vrf, prefix, target FROM journal ORDER BY seq", err);
	if (rc == 0)
		rc = replay_admin(&r, err);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < st->n_aside; i++)
		n_aside += !st->aside[i].dead;
	cp_log("state file %s: %zu rows read in %.3f s: %zu prefixes differ from the config, "
	       "%zu admin states; %zu rows set aside%s",
	       st->path, r.rows, cp_now() - t0, cp->state.n_runtime, r.admin, n_aside,
	       n_aside ? " (erdpctl show runtime lists them)" : "");
	for (size_t i = 0, shown = 0; i < st->n_aside && shown < 5; i++)
		if (!st->aside[i].dead) {
			cp_log("  set aside: %s %s %s: %s", st->aside[i].vrf, st->aside[i].prefix,
			       st->aside[i].target, st->aside[i].reason);
			shown++;
		}
	cp->state.journal = (struct cp_journal){
		.route = store_journal_route, .admin = store_journal_admin, .arg = st};
	store_snapshot(st, true);
	rc = store_start(st);
	if (rc != 0)
		return erdp_errf(err, -rc, "state file %s: cannot start its writer thread: %s",
				 st->path, strerror(-rc));
	store_commit(st);
	return 0;
}
