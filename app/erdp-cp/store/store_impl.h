/* SPDX-License-Identifier: BSD-3-Clause */
/* Inside the store (store.c: writing; replay.c: reading at start). Not for other folders. */
#ifndef ERDP_CP_STORE_IMPL_H
#define ERDP_CP_STORE_IMPL_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/core.h"
#include "store.h"

#define STORE_SCHEMA "1"

enum store_rec_kind {
	STORE_REC_ROUTE = 1,
	STORE_REC_ADMIN = 2,
	STORE_REC_RESET_JOURNAL = 3, /* empty the journal (compaction) */
	STORE_REC_RESET_ALL = 4,     /* empty every table, write the rows set aside */
};

enum store_route_what { STORE_ROUTE_SET = 1, STORE_ROUTE_WITHDRAW = 2, STORE_ROUTE_CONFIG = 3 };

/*
 * One change, 32 bytes. Route: vrf, family, len, addr, what, nh (SET).
 * Admin: what = enum cp_admin, vrf = index, sub = instance, nh = up,
 * len = 1 when the state differs from the config (a row) or 0 (no row).
 */
struct store_rec {
	uint8_t kind;
	uint8_t family;
	uint8_t len;
	uint8_t what;
	uint16_t vrf;
	uint16_t sub;
	uint32_t nh;
	uint8_t pad[4];
	uint8_t addr[16];
};

_Static_assert(sizeof(struct store_rec) == 32, "a million changes stay at 32 MB");

struct store_batch {
	struct store_rec *rec;
	size_t n;
	uint64_t ticket;
	struct store_batch *next;
};

/* A row that did not fit the config at start. */
struct store_aside {
	char vrf[ERDP_NAME_LEN + 1];
	char prefix[CP_PREFIX_STR];
	char target[160];
	char reason[240];
	bool dead; /* a later row of the same prefix replaced it */
};

struct store {
	char path[PATH_MAX];
	sqlite3 *db;
	sqlite3_stmt *ins_journal, *ins_admin, *del_admin, *ins_aside;
	struct cp *cp; /* names (config) and snapshots (state); the writer reads the config only */
	/* event loop only */
	struct store_rec *pend;
	size_t n_pend, cap_pend;
	uint64_t issued;       /* last ticket handed out */
	uint64_t journal_rows; /* rows the journal holds once everything is written */
	bool resync;	       /* the next batch is a whole snapshot */
	double next_retry;
	char err_copy[300];
	/* shared with the writer */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct store_batch *head, **tail;
	bool stop, started;
	uint64_t durable; /* atomic: last ticket on disk (or failed: see failed) */
	bool failed;	  /* atomic: the last write failed */
	bool need_resync; /* atomic: a write failed, the file lacks a batch */
	char err[300];	  /* under lock */
	pthread_t thread;
	/* rows set aside at start: written by the event loop before the writer starts */
	struct store_aside *aside;
	size_t n_aside, cap_aside;
	uint32_t *aside_idx; /* open addressing over (vrf, prefix): index + 1, 0 = free */
	size_t aside_mask;
};

int store_sql_error(struct store *st, struct erdp_err *err, const char *what);
int store_start(struct store *st);
void store_snapshot(struct store *st, bool all);
void store_journal_route(void *arg, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
			 const struct rib_route *now, bool runtime);
void store_journal_admin(void *arg, enum cp_admin kind, uint16_t idx, uint16_t sub, bool up);
void store_aside_free(struct store *st);

#endif
