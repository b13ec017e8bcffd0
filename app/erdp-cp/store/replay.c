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

/* Set a route row aside; prefix is its text, or NULL: made from p. */
static void aside_put(struct replay *r, const char *vrf, const char *prefix,
		      const struct cp_prefix *p, const char *target, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void aside_put(struct replay *r, const char *vrf, const char *prefix,
		      const struct cp_prefix *p, const char *target, const char *fmt, ...)
{
	struct store *st = r->st;
	struct store_aside *a;
	char text[CP_PREFIX_STR];
	va_list ap;
	size_t i;

	if (prefix == NULL)
		prefix = prefix_format(p->family, p->addr, p->len, text, sizeof(text));
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

/* A later row of the prefix supersedes what was set aside for it (p: prefix when ps is NULL). */
static void aside_kill(struct store *st, const char *vrf, const char *prefix,
		       const struct cp_prefix *p)
{
	char text[CP_PREFIX_STR];
	size_t i;

	if (st->n_aside == 0)
		return;
	if (prefix == NULL)
		prefix = prefix_format(p->family, p->addr, p->len, text, sizeof(text));
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

/* A names row, resolved against the config. */
struct name {
	char *text;
	bool is_vrf;
	int vrf;     /* VRF index, -1 when the config has none of that name */
	uint32_t nh; /* target: the reference, valid when nh_ok */
	bool nh_ok;
};

/* "withdraw" and "config" (removals) or a target for the prefix. */
enum {
	WHAT_SET = STORE_ROUTE_SET,
	WHAT_WITHDRAW = STORE_ROUTE_WITHDRAW,
	WHAT_CONFIG = STORE_ROUTE_CONFIG
};

/* Is the target (resolved to nh) one of vrf's? Else why[] says why not. */
static bool target_in_vrf(const struct erdp_config *cfg, int vrf, const char *ts, uint32_t nh,
			  bool nh_ok, char *why, size_t n)
{
	uint32_t i = ERDP_NH_REF_INDEX(nh), dummy;

	if (nh_ok && (nh == ERDP_NH_REF_BLACKHOLE || (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_GATEWAY(0)
							      ? cfg->gateways[i].vrf
							      : cfg->peerings[i].vrf) == vrf))
		return true;
	target_parse(cfg, vrf, ts, &dummy, why, n); /* the operator's words for it */
	return false;
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

/*
 * One route row: vs/vrf the VRF's name and index (-1: not in the config),
 * p the prefix (ps its text, or NULL: made when needed), ts the target's
 * text and nh its reference.
 */
static void apply_route(struct replay *r, const char *vs, int vrf, const struct cp_prefix *p,
			const char *ps, int what, const char *ts, uint32_t nh, bool nh_ok)
{
	const struct erdp_config *cfg = r->cp->cfg;
	struct cp_state *s = &r->cp->state;
	struct rib_route rt = {.nh = nh};
	char why[400], text[CP_PREFIX_STR];
	uint32_t cap;

	r->rows++;
	if (what != WHAT_SET) {
		aside_kill(r->st, vs, ps, p); /* nothing to keep of a removal */
		if (vrf >= 0)
			apply_removal(r, (uint16_t)vrf, p, what == WHAT_WITHDRAW);
		return;
	}
	if (vrf < 0) {
		aside_put(r, vs, ps, p, ts, "no VRF named '%s' in %s", vs, cfg->path);
		return;
	}
	if (!target_in_vrf(cfg, vrf, ts, nh, nh_ok, why, sizeof(why))) {
		aside_put(r, vs, ps, p, ts, "%s", why);
		return;
	}
	if (state_connected(s, cfg, (uint16_t)vrf, p->family, p->addr, p->len, why, sizeof(why))) {
		aside_put(r, vs, ps, p, ts, "%s %s",
			  prefix_format(p->family, p->addr, p->len, text, sizeof(text)), why);
		return;
	}
	cap = p->family == 6 ? cfg->vrfs[vrf].ipv6_routes : cfg->vrfs[vrf].ipv4_routes;
	if (rib_find(s->rib, (uint16_t)vrf, p->family, p->addr, p->len) == NULL &&
	    rib_count_vrf(s->rib, (uint16_t)vrf, p->family) >= cap) {
		aside_put(r, vs, ps, p, ts, "VRF '%s' is full: %u IPv%u routes (vrfs.ipv%u_routes)",
			  vs, cap, p->family, p->family);
		return;
	}
	rt.vrf = (uint16_t)vrf;
	rt.family = p->family;
	rt.len = p->len;
	memcpy(rt.addr, p->addr, 16);
	if (state_route_set(s, cfg, &rt, NULL) < 0)
		aside_put(r, vs, ps, p, ts, "out of memory");
	else
		aside_kill(r->st, vs, ps, p);
}

static const char *col(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	return t != NULL ? (const char *)t : "";
}

/* The rows set aside last time, as text. */
static int replay_aside(struct replay *r, struct erdp_err *err)
{
	static const char *const sql = "SELECT vrf, prefix, target FROM aside";
	const struct erdp_config *cfg = r->cp->cfg;
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(r->st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(r->st, err, sql);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *vs = col(q, 0), *ps = col(q, 1), *ts = col(q, 2);
		int vrf = erdp_config_vrf_by_name(cfg, vs);
		uint32_t nh = 0;
		struct cp_prefix p;
		char why[400];
		bool ok = vrf >= 0 && target_parse(cfg, vrf, ts, &nh, why, sizeof(why)) == 0;

		if (prefix_parse(ps, &p, why, sizeof(why)) != 0) {
			aside_put(r, vs, ps, NULL, ts, "prefix: %s", why);
			continue;
		}
		apply_route(r, vs, vrf, &p, ps, WHAT_SET, ts, nh, ok);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_sql_error(r->st, err, sql);
}

static void names_free(struct name *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i].text);
	free(names);
}

/* The names table, resolved against the config; also the writer's id cache. */
static int replay_names(struct replay *r, struct name **out, size_t *n_out, struct erdp_err *err)
{
	static const char *const sql = "SELECT id, kind, name FROM names";
	const struct erdp_config *cfg = r->cp->cfg;
	struct name *names = NULL;
	size_t n = 0;
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(r->st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(r->st, err, sql);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(q, 0);
		const char *kind = col(q, 1), *text = col(q, 2);
		struct name *e;

		if (id <= 0 || id > (1 << 24))
			continue; /* not one we wrote */
		if ((size_t)id >= n) {
			size_t nn = (size_t)id * 2;
			struct name *g = realloc(names, nn * sizeof(*g));

			if (g == NULL) {
				sqlite3_finalize(q);
				names_free(names, n);
				return erdp_errf(err, ENOMEM, "state file: out of memory");
			}
			memset(g + n, 0, (nn - n) * sizeof(*g));
			names = g;
			n = nn;
		}
		e = &names[id];
		e->text = strdup(text);
		e->is_vrf = strcmp(kind, "vrf") == 0;
		e->vrf = e->is_vrf ? erdp_config_vrf_by_name(cfg, text) : -1;
		if (!e->is_vrf) {
			char why[300];
			int v = strncmp(text, "gateway:", 8) == 0
					? erdp_config_gateway_by_name(cfg, text + 8)
				: strncmp(text, "peering:", 8) == 0
					? erdp_config_peering_by_name(cfg, text + 8)
					: 0;
			int vrf = v < 0		   ? -1
				  : text[0] == 'g' ? cfg->gateways[v].vrf
				  : text[0] == 'p' ? cfg->peerings[v].vrf
						   : 0;

			/* resolved in the target's own VRF; apply_route checks the route's */
			e->nh_ok = vrf >= 0 && cfg->n_vrfs > 0 &&
				   target_parse(cfg, vrf, text, &e->nh, why, sizeof(why)) == 0;
		}
		store_ids_note(r->st, kind, text, (uint32_t)id);
	}
	sqlite3_finalize(q);
	*out = names;
	*n_out = n;
	return rc == SQLITE_DONE ? 0 : store_sql_error(r->st, err, sql);
}

/* One journal record (STORE_REC_BYTES); false when it is damaged. */
static bool replay_record(struct replay *r, const struct name *names, size_t n_names,
			  const uint8_t *rec)
{
	uint32_t vid = store_get32(rec), tid = store_get32(rec + 4);
	const struct name *v = vid < n_names ? &names[vid] : NULL;
	const struct name *t = tid < n_names ? &names[tid] : NULL;
	struct cp_prefix p = {.family = rec[9], .len = rec[10]};
	uint8_t net[16];
	int what = rec[8];

	memcpy(p.addr, rec + 12, 16);
	memcpy(net, p.addr, 16);
	if (v == NULL || v->text == NULL || !v->is_vrf || (p.family != 4 && p.family != 6) ||
	    p.len > (p.family == 6 ? 128 : 32) || what < WHAT_SET || what > WHAT_CONFIG ||
	    (what == WHAT_SET && (t == NULL || t->text == NULL || t->is_vrf)))
		return false;
	rib_mask(net, p.family, p.len);
	if (memcmp(net, p.addr, 16) != 0)
		return false;
	apply_route(r, v->text, v->vrf, &p, NULL, what, what == WHAT_SET ? t->text : "",
		    what == WHAT_SET ? t->nh : 0, what == WHAT_SET && t->nh_ok);
	return true;
}

static int replay_journal(struct replay *r, struct erdp_err *err)
{
	static const char *const sql = "SELECT n, recs FROM journal ORDER BY seq";
	struct name *names = NULL;
	size_t n_names = 0, damaged = 0;
	sqlite3_stmt *q;
	int rc = replay_names(r, &names, &n_names, err);

	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(r->st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		names_free(names, n_names);
		return store_sql_error(r->st, err, sql);
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const uint8_t *recs = sqlite3_column_blob(q, 1);
		size_t n = (size_t)sqlite3_column_int64(q, 0);

		if ((size_t)sqlite3_column_bytes(q, 1) != n * STORE_REC_BYTES) {
			damaged += n;
			continue;
		}
		for (size_t i = 0; i < n; i++)
			damaged += !replay_record(r, names, n_names, recs + i * STORE_REC_BYTES);
	}
	sqlite3_finalize(q);
	names_free(names, n_names);
	if (damaged != 0)
		cp_log("state file %s: %zu damaged journal records skipped", r->st->path, damaged);
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
	struct replay r = {.st = st, .cp = cp};
	double t0 = cp_now();
	size_t n_aside = 0;
	int rc;

	st->cp = cp;
	st->ids.vrf = calloc((size_t)cp->cfg->n_vrfs + 1, sizeof(uint32_t));
	st->ids.gw = calloc((size_t)cp->cfg->n_gateways + 1, sizeof(uint32_t));
	st->ids.peering = calloc((size_t)cp->cfg->n_peerings + 1, sizeof(uint32_t));
	if (st->ids.vrf == NULL || st->ids.gw == NULL || st->ids.peering == NULL)
		return erdp_errf(err, ENOMEM, "state file: out of memory");
	rc = replay_aside(&r, err);
	if (rc == 0)
		rc = replay_journal(&r, err);
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
