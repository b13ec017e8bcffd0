/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state file (store.h): the writer thread, the journal hook that feeds
 * it, and compaction. Reading the file at start is in replay.c.
 *
 * Records travel from the event loop to the writer in batches: the journal
 * hook appends one 32-byte record per change (a million-route load makes
 * 32 MB, freed once written), store_commit() hands the batch over under
 * the mutex and returns its ticket. The writer takes every batch waiting,
 * writes them in one transaction with prepared statements (appends to the
 * journal: no index but the rowid to update), commits, and publishes the
 * last ticket. A failed transaction leaves the file as it was; the next
 * batch then rewrites the whole runtime state (a "reset"), so nothing that
 * was handed over is missing once a write succeeds again.
 *
 * Compaction: the journal grows with every change; when it holds more than
 * twice the runtime state (plus COMPACT_SLACK rows), the next batch starts
 * with a reset of the journal followed by the runtime state as it is.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "cp.h"
#include "erdp_fs.h"
#include "store_impl.h"

#define COMPACT_SLACK	65536 /* journal rows beyond twice the runtime state before a rewrite */
#define BUSY_MS		5000  /* wait this long for a reader that holds the file (sqlite3 shell) */
#define RETRY_S		5.0   /* after a failed write, try again this often without new changes */
#define STORE_LOG_BATCH 10000 /* transactions this big are logged with their time */

int store_sql_error(struct store *st, struct erdp_err *err, const char *what)
{
	return erdp_errf(err, EIO,
			 "state file %s: %s: %s (erdp keeps forwarding; move the file away to "
			 "start from the config alone, or restore a copy)",
			 st->path, what, sqlite3_errmsg(st->db));
}

static int exec(struct store *st, const char *sql, struct erdp_err *err)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK
		       ? 0
		       : store_sql_error(st, err, sql);
}

static int prepare(struct store *st, const char *sql, sqlite3_stmt **out, struct erdp_err *err)
{
	return sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) ==
			       SQLITE_OK
		       ? 0
		       : store_sql_error(st, err, sql);
}

static int schema(struct store *st, struct erdp_err *err)
{
	static const char *const ddl =
		"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) "
		"WITHOUT ROWID;"
		"CREATE TABLE IF NOT EXISTS names(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
		"name TEXT NOT NULL, UNIQUE(kind, name));"
		"CREATE TABLE IF NOT EXISTS journal(seq INTEGER PRIMARY KEY, n INTEGER NOT NULL, "
		"recs BLOB NOT NULL);"
		"CREATE TABLE IF NOT EXISTS admin(kind TEXT NOT NULL, name TEXT NOT NULL, "
		"member TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY(kind, name, member)) "
		"WITHOUT ROWID;"
		"CREATE TABLE IF NOT EXISTS aside(vrf TEXT NOT NULL, prefix TEXT NOT NULL, "
		"target TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY(vrf, prefix)) WITHOUT "
		"ROWID;"
		"INSERT OR IGNORE INTO meta VALUES('schema', '" STORE_SCHEMA "');";
	sqlite3_stmt *q;
	int rc;

	rc = exec(st, "PRAGMA journal_mode=WAL", err);
	if (rc == 0)
		rc = exec(st, "PRAGMA synchronous=FULL", err);
	if (rc == 0) /* the writer checkpoints after publishing, not inside a commit */
		rc = exec(st, "PRAGMA wal_autocheckpoint=0", err);
	if (rc == 0)
		rc = exec(st, ddl, err);
	if (rc != 0 || prepare(st, "SELECT value FROM meta WHERE key='schema'", &q, err) != 0)
		return rc != 0 ? rc : -EIO;
	if (sqlite3_step(q) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(q, 0), STORE_SCHEMA) != 0)
		rc = erdp_errf(err, EPROTO,
			       "state file %s: schema %s, this erdp-cp knows schema " STORE_SCHEMA
			       " (a newer erdp-cp wrote it?)",
			       st->path, (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return rc;
}

struct store *store_open(const char *path, struct erdp_err *err)
{
	struct store *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		erdp_errf(err, ENOMEM, "state file: out of memory");
		return NULL;
	}
	snprintf(st->path, sizeof(st->path), "%s", path);
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	st->tail = &st->head;
	if (erdp_mkdir_parents(path, "--state", err) != 0)
		goto fail;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		store_sql_error(st, err, "open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, BUSY_MS);
	st->chunk = malloc((size_t)STORE_CHUNK * STORE_REC_BYTES);
	if (st->chunk == NULL) {
		erdp_errf(err, ENOMEM, "state file: out of memory");
		goto fail;
	}
	if (schema(st, err) != 0 ||
	    prepare(st, "INSERT INTO journal(n, recs) VALUES(?,?)", &st->ins_journal, err) != 0 ||
	    prepare(st, "INSERT OR IGNORE INTO names(kind, name) VALUES(?,?)", &st->ins_name,
		    err) != 0 ||
	    prepare(st, "SELECT id FROM names WHERE kind=? AND name=?", &st->get_name, err) != 0 ||
	    prepare(st, "INSERT OR REPLACE INTO admin VALUES(?,?,?,?)", &st->ins_admin, err) != 0 ||
	    prepare(st, "DELETE FROM admin WHERE kind=? AND name=? AND member=?", &st->del_admin,
		    err) != 0 ||
	    prepare(st, "INSERT OR REPLACE INTO aside VALUES(?,?,?,?)", &st->ins_aside, err) != 0)
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

/* ---- records (event loop) ---- */

static int push(struct store *st, const struct store_rec *r)
{
	if (st->n_pend == st->cap_pend) {
		size_t cap = st->cap_pend ? st->cap_pend * 2 : 4096;
		struct store_rec *n = realloc(st->pend, cap * sizeof(*n));

		if (n == NULL) {
			/* the next batch rewrites everything: nothing is lost, only delayed */
			st->resync = true;
			return -ENOMEM;
		}
		st->pend = n;
		st->cap_pend = cap;
	}
	st->pend[st->n_pend++] = *r;
	return 0;
}

static void route_rec(struct store_rec *r, uint16_t vrf, uint8_t family, const uint8_t *addr,
		      uint8_t len, uint8_t what, uint32_t nh)
{
	memset(r, 0, sizeof(*r));
	r->kind = STORE_REC_ROUTE;
	r->vrf = vrf;
	r->family = family;
	r->len = len;
	r->what = what;
	r->nh = nh;
	memcpy(r->addr, addr, family == 6 ? 16 : 4);
}

void store_journal_route(void *arg, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
			 const struct rib_route *now, bool runtime)
{
	struct store *st = arg;
	struct store_rec r;

	route_rec(&r, vrf, family, addr, len,
		  !runtime	? STORE_ROUTE_CONFIG
		  : now != NULL ? STORE_ROUTE_SET
				: STORE_ROUTE_WITHDRAW,
		  now != NULL ? now->nh : 0);
	if (push(st, &r) == 0)
		st->journal_rows++;
}

void store_journal_admin(void *arg, enum cp_admin kind, uint16_t idx, uint16_t sub, bool up)
{
	struct store *st = arg;
	struct store_rec r = {
		.kind = STORE_REC_ADMIN, .what = (uint8_t)kind, .vrf = idx, .sub = sub, .nh = up};

	r.len = up != state_admin_config(st->cp->cfg, kind, idx, sub); /* a row, or none */
	push(st, &r);
}

struct snap {
	struct store *st;
	size_t n;
};

static int snap_runtime(const struct rib_route *rt, void *arg)
{
	struct snap *s = arg;
	struct store_rec r;

	if (rt->origin != RIB_ORIGIN_RUNTIME)
		return 0;
	route_rec(&r, rt->vrf, rt->family, rt->addr, rt->len, STORE_ROUTE_SET, rt->nh);
	s->n++;
	return push(s->st, &r);
}

static int snap_withdrawn(const struct rib_route *rt, void *arg)
{
	struct snap *s = arg;
	struct store_rec r;

	if (rib_find(s->st->cp->state.rib, rt->vrf, rt->family, rt->addr, rt->len) != NULL)
		return 0;
	route_rec(&r, rt->vrf, rt->family, rt->addr, rt->len, STORE_ROUTE_WITHDRAW, 0);
	s->n++;
	return push(s->st, &r);
}

static void snap_admin(struct store *st)
{
	const struct erdp_config *cfg = st->cp->cfg;

	for (int g = 0; g < cfg->n_gateways; g++)
		for (int i = 0; i < cfg->gateways[g].n_instances; i++)
			store_journal_admin(st, CP_ADMIN_GW_INSTANCE, (uint16_t)g, (uint16_t)i,
					    st->cp->state.gw_up[g][i]);
	for (unsigned int k = 0; k < erdp_plink_count((unsigned int)cfg->n_peerings); k++)
		store_journal_admin(st, CP_ADMIN_PEERING_LINK, (uint16_t)k, 0,
				    st->cp->state.plink_up[k]);
	for (int p = 0; p < cfg->n_ports; p++)
		store_journal_admin(st, CP_ADMIN_PORT, (uint16_t)p, 0, st->cp->state.port_up[p]);
}

/*
 * The whole runtime state, after a reset record: the changes gathered so
 * far are superseded (they are part of it). `all`: the admin and aside
 * tables too (at start, and after a failed write).
 */
void store_snapshot(struct store *st, bool all)
{
	struct snap s = {.st = st};
	struct store_rec r = {.kind = all ? STORE_REC_RESET_ALL : STORE_REC_RESET_JOURNAL};

	st->n_pend = 0;
	st->resync = false;
	push(st, &r);
	rib_walk(st->cp->state.rib, snap_runtime, &s);
	rib_walk(st->cp->state.config, snap_withdrawn, &s);
	if (all)
		snap_admin(st);
	st->journal_rows = s.n;
}

uint64_t store_commit(struct store *st)
{
	struct store_batch *b;

	if (st == NULL)
		return 0;
	if (__atomic_exchange_n(&st->need_resync, false, __ATOMIC_ACQ_REL))
		st->resync = true; /* the file missed a batch: rewrite it whole */
	if (st->resync)
		store_snapshot(st, true);
	else if (st->journal_rows > 2 * st->cp->state.n_runtime + COMPACT_SLACK)
		store_snapshot(st, false);
	if (st->n_pend == 0)
		return st->issued;
	b = malloc(sizeof(*b));
	if (b == NULL) {
		st->resync = true;
		return st->issued;
	}
	b->rec = st->pend;
	b->n = st->n_pend;
	b->ticket = ++st->issued;
	b->next = NULL;
	st->pend = NULL;
	st->n_pend = st->cap_pend = 0;
	pthread_mutex_lock(&st->lock);
	*st->tail = b;
	st->tail = &b->next;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
	return b->ticket;
}

void store_tick(struct store *st, double now)
{
	if (st == NULL || !__atomic_load_n(&st->need_resync, __ATOMIC_ACQUIRE) ||
	    now < st->next_retry || store_busy(st))
		return;
	st->next_retry = now + RETRY_S;
	store_commit(st);
}

bool store_durable(const struct store *st, uint64_t ticket)
{
	return st == NULL || __atomic_load_n(&st->durable, __ATOMIC_ACQUIRE) >= ticket;
}

uint64_t store_done(const struct store *st)
{
	return st == NULL ? 0 : __atomic_load_n(&st->durable, __ATOMIC_ACQUIRE);
}

bool store_busy(const struct store *st)
{
	return st != NULL && store_done(st) < st->issued;
}

const char *store_error(struct store *st)
{
	if (st == NULL || !__atomic_load_n(&st->failed, __ATOMIC_ACQUIRE))
		return NULL;
	pthread_mutex_lock(&st->lock);
	snprintf(st->err_copy, sizeof(st->err_copy), "%s", st->err);
	pthread_mutex_unlock(&st->lock);
	return st->err_copy;
}

const char *store_path(const struct store *st)
{
	return st != NULL ? st->path : "none";
}

/* ---- the writer thread ---- */

static const char *admin_kind(uint8_t k)
{
	return k == CP_ADMIN_GW_INSTANCE ? "gateway" : k == CP_ADMIN_PEERING_LINK ? "link" : "port";
}

/* Names of an admin record: (gateway, instance), (peering, link) or (port, ""). */
static void admin_names(const struct erdp_config *cfg, const struct store_rec *r, const char **name,
			char *member, size_t n)
{
	member[0] = '\0';
	if (r->what == CP_ADMIN_GW_INSTANCE) {
		*name = cfg->gateways[r->vrf].name;
		snprintf(member, n, "%u", r->sub);
	} else if (r->what == CP_ADMIN_PEERING_LINK) {
		*name = cfg->peerings[erdp_plink_peering(r->vrf)].name;
		snprintf(member, n, "%s",
			 erdp_plink_link(r->vrf) == ERDP_LINK_SECONDARY ? "secondary" : "primary");
	} else {
		*name = cfg->ports[r->vrf].name;
	}
}

static int step(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/* The names id of (kind, name), added to the table when new (in the running transaction). */
static uint32_t name_id(struct store *st, const char *kind, const char *name)
{
	uint32_t id = 0;

	sqlite3_bind_text(st->ins_name, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st->ins_name, 2, name, -1, SQLITE_STATIC);
	if (step(st->ins_name) != 0)
		return 0;
	sqlite3_bind_text(st->get_name, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st->get_name, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st->get_name) == SQLITE_ROW)
		id = (uint32_t)sqlite3_column_int64(st->get_name, 0);
	sqlite3_reset(st->get_name);
	return id;
}

/* The id cache slot of a route target (ERDP_NH_REF_*). */
static uint32_t *target_slot(struct store *st, uint32_t nh)
{
	uint32_t i = ERDP_NH_REF_INDEX(nh);

	if (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_GATEWAY(0))
		return &st->ids.gw[i];
	if (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_PEERING(0))
		return &st->ids.peering[i];
	return &st->ids.blackhole;
}

static int flush_chunk(struct store *st)
{
	sqlite3_stmt *q = st->ins_journal;

	if (st->chunk_n == 0)
		return 0;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)st->chunk_n);
	sqlite3_bind_blob(q, 2, st->chunk, (int)(st->chunk_n * STORE_REC_BYTES), SQLITE_STATIC);
	st->chunk_n = 0;
	return step(q);
}

static int write_route(struct store *st, const struct store_rec *r)
{
	const struct erdp_config *cfg = st->cp->cfg;
	uint32_t *vslot = &st->ids.vrf[r->vrf], *tslot = NULL;
	uint8_t *o = st->chunk + st->chunk_n * STORE_REC_BYTES;

	if (*vslot == 0 && (*vslot = name_id(st, "vrf", cfg->vrfs[r->vrf].name)) == 0)
		return -EIO;
	if (r->what == STORE_ROUTE_SET) {
		char t[200];

		tslot = target_slot(st, r->nh);
		if (*tslot == 0 &&
		    (*tslot = name_id(st, "target", target_format(cfg, r->nh, t, sizeof(t)))) == 0)
			return -EIO;
	}
	store_put32(o, *vslot);
	store_put32(o + 4, tslot != NULL ? *tslot : 0);
	o[8] = r->what;
	o[9] = r->family;
	o[10] = r->len;
	o[11] = 0;
	memcpy(o + 12, r->addr, 16);
	return ++st->chunk_n == STORE_CHUNK ? flush_chunk(st) : 0;
}

void store_ids_note(struct store *st, const char *kind, const char *name, uint32_t id)
{
	const struct erdp_config *cfg = st->cp->cfg;
	int i;

	if (strcmp(kind, "vrf") == 0) {
		i = erdp_config_vrf_by_name(cfg, name);
		if (i >= 0)
			st->ids.vrf[i] = id;
	} else if (strcmp(name, "blackhole") == 0) {
		st->ids.blackhole = id;
	} else if (strncmp(name, "gateway:", 8) == 0) {
		i = erdp_config_gateway_by_name(cfg, name + 8);
		if (i >= 0)
			st->ids.gw[i] = id;
	} else if (strncmp(name, "peering:", 8) == 0) {
		i = erdp_config_peering_by_name(cfg, name + 8);
		if (i >= 0)
			st->ids.peering[i] = id;
	}
}

/* After a failed transaction the ids it added are gone: look them up again. */
static void forget_ids(struct store *st)
{
	const struct erdp_config *cfg = st->cp->cfg;

	memset(st->ids.vrf, 0, sizeof(*st->ids.vrf) * (size_t)(cfg->n_vrfs + 1));
	memset(st->ids.gw, 0, sizeof(*st->ids.gw) * (size_t)(cfg->n_gateways + 1));
	memset(st->ids.peering, 0, sizeof(*st->ids.peering) * (size_t)(cfg->n_peerings + 1));
	st->ids.blackhole = 0;
}

static int write_admin(struct store *st, const struct store_rec *r)
{
	sqlite3_stmt *q = r->len ? st->ins_admin : st->del_admin;
	const char *name;
	char member[16];

	admin_names(st->cp->cfg, r, &name, member, sizeof(member));
	sqlite3_bind_text(q, 1, admin_kind(r->what), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, member, -1, SQLITE_STATIC);
	if (r->len)
		sqlite3_bind_text(q, 4, r->nh ? "up" : "down", -1, SQLITE_STATIC);
	return step(q);
}

static int write_aside(struct store *st)
{
	sqlite3_stmt *q = st->ins_aside;
	int rc = 0;

	for (size_t i = 0; i < st->n_aside && rc == 0; i++) {
		const struct store_aside *a = &st->aside[i];

		if (a->dead)
			continue;
		sqlite3_bind_text(q, 1, a->vrf, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, a->prefix, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, a->target, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, a->reason, -1, SQLITE_STATIC);
		rc = step(q);
	}
	return rc;
}

static int write_rec(struct store *st, const struct store_rec *r)
{
	switch (r->kind) {
	case STORE_REC_ROUTE:
		return write_route(st, r);
	case STORE_REC_ADMIN:
		return write_admin(st, r);
	case STORE_REC_RESET_ALL:
		if (sqlite3_exec(st->db,
				 "DELETE FROM journal; DELETE FROM admin; DELETE FROM aside", NULL,
				 NULL, NULL) != SQLITE_OK)
			return -EIO;
		return write_aside(st);
	default:
		return sqlite3_exec(st->db, "DELETE FROM journal", NULL, NULL, NULL) == SQLITE_OK
			       ? 0
			       : -EIO;
	}
}

/* One transaction for every batch in the list. 0, or -EIO with the reason in st->err. */
static int write_batches(struct store *st, struct store_batch *list)
{
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
	double t0 = cp_now(), t1;
	size_t n = 0;

	st->chunk_n = 0;
	for (struct store_batch *b = list; b != NULL && rc == 0; b = b->next)
		for (size_t i = 0; i < b->n && rc == 0; i++, n++)
			rc = write_rec(st, &b->rec[i]);
	if (rc == 0)
		rc = flush_chunk(st);
	t1 = cp_now();
	if (rc == 0 && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
		if (n >= STORE_LOG_BATCH)
			cp_log("state file: %zu changes written in %.3f s (commit %.3f s)", n,
			       cp_now() - t0, cp_now() - t1);
		return 0;
	}
	pthread_mutex_lock(&st->lock);
	snprintf(st->err, sizeof(st->err), "%.200s: %.90s", st->path, sqlite3_errmsg(st->db));
	pthread_mutex_unlock(&st->lock);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	forget_ids(st);
	return -EIO;
}

static void *writer(void *arg)
{
	struct store *st = arg;

	for (;;) {
		struct store_batch *list;
		uint64_t last = 0;
		int rc;

		pthread_mutex_lock(&st->lock);
		while (st->head == NULL && !st->stop)
			pthread_cond_wait(&st->cond, &st->lock);
		list = st->head;
		st->head = NULL;
		st->tail = &st->head;
		pthread_mutex_unlock(&st->lock);
		if (list == NULL)
			break; /* stopping, and everything is written */
		rc = write_batches(st, list);
		while (list != NULL) {
			struct store_batch *b = list;

			last = b->ticket;
			list = b->next;
			free(b->rec);
			free(b);
		}
		if (rc != 0)
			cp_log("state file: cannot write: %s; changes are kept in memory and the "
			       "whole state is written again with the next change",
			       st->err);
		else if (__atomic_load_n(&st->failed, __ATOMIC_ACQUIRE))
			cp_log("state file %s: written again", st->path);
		if (rc != 0)
			__atomic_store_n(&st->need_resync, true, __ATOMIC_RELEASE);
		__atomic_store_n(&st->failed, rc != 0, __ATOMIC_RELEASE);
		__atomic_store_n(&st->durable, last, __ATOMIC_RELEASE);
		/* Answers are out: now move the WAL into the file (nobody waits for it). */
		if (rc == 0)
			sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
						  NULL);
	}
	return NULL;
}

int store_start(struct store *st)
{
	if (pthread_create(&st->thread, NULL, writer, st) != 0)
		return -errno;
	st->started = true;
	return 0;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->started) {
		store_commit(st);
		pthread_mutex_lock(&st->lock);
		st->stop = true;
		pthread_cond_signal(&st->cond);
		pthread_mutex_unlock(&st->lock);
		pthread_join(st->thread, NULL);
	}
	sqlite3_finalize(st->ins_journal);
	sqlite3_finalize(st->ins_admin);
	sqlite3_finalize(st->del_admin);
	sqlite3_finalize(st->ins_aside);
	sqlite3_finalize(st->ins_name);
	sqlite3_finalize(st->get_name);
	sqlite3_close(st->db);
	free(st->pend);
	free(st->chunk);
	free(st->ids.vrf);
	free(st->ids.gw);
	free(st->ids.peering);
	store_aside_free(st);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->cond);
	free(st);
}
