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
#define STORE_CHUNK  4096 /* journal records to a row */

/*
 * A journal record in the file, little endian: VRF name id (4), target
 * name id (4, 0 unless what is SET), what (1), family (1), length (1), 0
 * (1), address (16: network order, IPv4 in the first 4 bytes).
 */
#define STORE_REC_BYTES 28

static inline void store_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t store_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

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

/* Writer thread: the names table's id of each VRF and target of the config (0: not yet). */
struct store_ids {
	uint32_t *vrf, *gw, *peering;
	uint32_t blackhole;
};

struct store {
	char path[PATH_MAX];
	sqlite3 *db;
	sqlite3_stmt *ins_journal, *ins_admin, *del_admin, *ins_aside, *ins_name, *get_name;
	struct store_ids ids;
	uint8_t *chunk; /* writer: records of the journal row being filled */
	size_t chunk_n;
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
/* The config's VRF or target that a names row means: sets its id in st->ids. */
void store_ids_note(struct store *st, const char *kind, const char *name, uint32_t id);

#endif
