/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The durable runtime state: what erdp-cp acknowledged survives a kill -9
 * of erdp-cp, of erdp, of every process of the host, and a power cut. An
 * SQLite database in WAL mode, --state FILE.
 *
 * What it holds is what differs from the config: runtime routes (added, or
 * a config prefix given another target), config routes deleted at run
 * time, and admin states that differ from the config's. By name, not by
 * index (VRF, gateway, peering and port names), so the file stays right
 * when the config is edited:
 *
 *   names(id, kind, name)       the VRF names ("vrf") and route targets
 *       ("target": gateway:NAME, peering:CIRCUIT/TYPE, blackhole) that the
 *       journal refers to by id.
 *   journal(seq, n, recs)       route changes in order, n to a row, packed
 *       (store_impl.h: 28 bytes each, little endian): VRF id, target id,
 *       what (a target; "withdraw": a config route deleted; "config": back
 *       to what the config says), family, length, address. A million
 *       routes are 245 rows, written in a fraction of a second: one row
 *       per route costs SQLite about a microsecond each, more than erdp
 *       takes to apply them. Rewritten compactly at start and whenever it
 *       grows past twice the runtime state. `erdpctl show runtime` and
 *       `erdpctl runtime export` read it out as text.
 *   admin(kind, name, member, state)   gateway instances, links, ports.
 *   aside(vrf, prefix, target, reason) routes that did not fit the config
 *       at the last start (unknown VRF or target, a connected prefix, a
 *       full VRF): kept, shown by erdpctl, retried at every start.
 *   meta(key, value)            schema version.
 *
 * Durability: WAL with synchronous=FULL, so a commit is on disk (power cut
 * included) before its ticket is published; the WAL is checkpointed into
 * the file after that, off the answer's path.
 *
 * Who: the event loop's thread calls everything here. Writing happens on a
 * thread of the store's own: each request's changes (core/'s journal hook)
 * are handed over as one batch by store_commit(), which returns a ticket;
 * the writer puts every batch it has in one transaction and publishes the
 * last ticket it made durable. A waiter (channel/waiter.c) answers its
 * client once its ticket is durable, so "acknowledged" means "on disk"
 * while erdp applies the same changes in parallel.
 *
 * Errors: a file that cannot be opened or read refuses the start (the
 * message says what to do: erdp keeps forwarding meanwhile, and nothing is
 * lost); a write that fails is logged, answered as not durable, and retried
 * with the next batch. A NULL store (--state none) accepts everything and
 * keeps nothing.
 */
#ifndef ERDP_CP_STORE_H
#define ERDP_CP_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "erdp_err.h"

struct cp;
struct store;

/* Open or create the state file (missing directories 0755). NULL and err on failure. */
struct store *store_open(const char *path, struct erdp_err *err);
/*
 * Read the file onto cp->state (built from the config already), set aside
 * what no longer fits, become the state's journal and start the writer. The
 * first batch rewrites the file compactly. 0 or -errno with err.
 */
int store_load(struct store *st, struct cp *cp, struct erdp_err *err);
/* Hand the changes gathered since the last call to the writer; their ticket. */
uint64_t store_commit(struct store *st);
bool store_durable(const struct store *st, uint64_t ticket);
/* Batches handed over and not on disk yet (the event loop naps short meanwhile). */
bool store_busy(const struct store *st);
/* The last ticket made durable (for the event loop to notice progress). */
uint64_t store_done(const struct store *st);
/* The last write error, or NULL when the last write succeeded. */
const char *store_error(struct store *st);
/* Event loop, every turn: after a failed write, write the whole state again now and then. */
void store_tick(struct store *st, double now);
const char *store_path(const struct store *st);
/* The rows set aside at start: [{vrf, prefix, target, reason}]. */
json_t *store_aside(const struct store *st);
/* Write everything handed over, stop the writer, close the file. */
void store_close(struct store *st);

#endif
