/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's truth and the words to talk about it, with no I/O:
 * the RIB (rib.h), prefixes (prefix.h), route targets, and the runtime
 * state that a full sync replays besides the routes.
 *
 * A route's origin says whether it is the config's: "config" when the
 * config has this prefix with this target, "runtime" otherwise (added at
 * run time, or a config prefix given another target). A config route
 * deleted at run time is simply absent. What differs from the config is
 * the runtime state that the store (store/) keeps across restarts; every
 * change of it is reported to the journal hook, after the change.
 *
 * Connected routes (each peering link's subnet and MSEE address) belong to
 * erdp, which refuses any change to them: they are never in the RIB, and
 * state_connected() says when a prefix is one of them.
 *
 * Who: the event loop's thread only; nothing here blocks or talks to erdp.
 * Memory: heap, owned by struct cp_state; pointers into the RIB are valid
 * until its next change. Errors: -errno, and for operator input a `why`
 * text that says what is wrong and what would be valid.
 */
#ifndef ERDP_CP_CORE_H
#define ERDP_CP_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "erdp_config.h"
#include "erdp_ctl.h"
#include "erdp_err.h"
#include "prefix.h"
#include "rib.h"

/* Admin states the operator can change. */
enum cp_admin { CP_ADMIN_GW_INSTANCE = 1, CP_ADMIN_PEERING_LINK = 2, CP_ADMIN_PORT = 3 };

/* What a prefix held before a change: enough to put it back. */
struct cp_route_prev {
	bool present;
	uint8_t origin; /* of what was there: RIB_ORIGIN_BGP is bgp/'s (0 when not present) */
	uint32_t nh;
};

/*
 * Told of every change of the runtime state, after it happened (not of the
 * config's own routes entering the RIB at start). now: the prefix's RIB
 * entry (NULL: none); runtime: whether that differs from the config.
 */
struct cp_journal {
	void (*route)(void *arg, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
		      const struct rib_route *now, bool runtime);
	void (*admin)(void *arg, enum cp_admin kind, uint16_t idx, uint16_t sub, bool up);
	void *arg;
};

struct cp_state {
	struct rib *rib;
	struct rib *config;	    /* the config's routes, as they entered the RIB at start */
	struct rib *connected;	    /* erdp's connected routes; nh: the peering's reference */
	bool connected_len[2][129]; /* per family: lengths connected routes have (a fast "no") */
	bool (*gw_up)[ERDP_MAX_GW_INSTANCES]; /* per config gateway and instance */
	bool *plink_up;			      /* per peering link (erdp_plink()) */
	bool port_up[ERDP_MAX_PORTS];
	/* Routes per target, for listings. */
	uint32_t *gw_routes, *peering_routes;
	uint32_t blackhole_routes;
	/* Prefixes that differ from the config (runtime routes, deleted config routes). */
	size_t n_runtime;
	struct cp_journal journal; /* route NULL: nobody listens */
};

/* state.c: built from the config (its routes enter the RIB with origin "config"). */
int state_init(struct cp_state *s, const struct erdp_config *cfg, struct erdp_err *err);
void state_free(struct cp_state *s);
/*
 * Add or replace a route: RIB, per-target counts, journal. The origin is
 * computed (rt->origin is ignored). enum rib_set_result or -errno; *prev
 * (may be NULL) gets what the prefix held before.
 */
int state_route_set(struct cp_state *s, const struct erdp_config *cfg, const struct rib_route *rt,
		    struct cp_route_prev *prev);
/* Delete a route; 0 or -ENOENT. *prev (may be NULL) as above. */
int state_route_del(struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf, uint8_t family,
		    const uint8_t *addr, uint8_t len, struct cp_route_prev *prev);
/*
 * BGP's routes (bgp/table.c): the RIB and per-target counts with origin
 * bgp, never journaled (the state file keeps the operator's changes only;
 * BGP relearns its routes). bgp/ puts them only where the operator has no
 * route. Return and *prev as state_route_set / state_route_del.
 */
int state_route_set_bgp(struct cp_state *s, const struct erdp_config *cfg,
			const struct rib_route *rt, struct cp_route_prev *prev);
int state_route_del_bgp(struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf,
			uint8_t family, const uint8_t *addr, uint8_t len,
			struct cp_route_prev *prev);
/* Put a prefix back to prev (a change erdp rejected): set or delete, BGP's as BGP's. */
void state_route_restore(struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf,
			 uint8_t family, const uint8_t *addr, uint8_t len,
			 const struct cp_route_prev *prev);
/* The config's route for this exact prefix, or NULL. */
const struct rib_route *state_config_route(const struct cp_state *s, uint16_t vrf, uint8_t family,
					   const uint8_t *addr, uint8_t len);
/*
 * Is vrf:prefix one of erdp's connected routes (a peering link's subnet or
 * MSEE address)? Then why[] says which and the answer is true.
 */
/* Is vrf's prefix one of erdp's connected routes? Which one (kind, link) of which peering. */
bool state_connected_find(const struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf,
			  uint8_t family, const uint8_t *addr, uint8_t len,
			  struct erdp_connected *out, int *peering);
bool state_connected(const struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf,
		     uint8_t family, const uint8_t *addr, uint8_t len, char *why, size_t why_len);
/* Admin states: set (journaled when it changes); false when it already was so. */
bool state_admin_set(struct cp_state *s, enum cp_admin kind, uint16_t idx, uint16_t sub, bool up);
bool state_admin_get(const struct cp_state *s, enum cp_admin kind, uint16_t idx, uint16_t sub);
/* The state the config starts with (instances: their `up`; links and ports: up). */
bool state_admin_config(const struct erdp_config *cfg, enum cp_admin kind, uint16_t idx,
			uint16_t sub);

/* log.c: one line on stderr with a wall-clock stamp; monotonic seconds. */
void cp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
double cp_now(void);

/*
 * target.c: "gateway:NAME" | "peering:CIRCUIT/TYPE" (both links) |
 * "peering:CIRCUIT/TYPE/primary|secondary" (one link) | "blackhole" for a
 * route of VRF vrf.
 */
int target_parse(const struct erdp_config *cfg, int vrf, const char *s, uint32_t *nh, char *why,
		 size_t why_len);
char *target_format(const struct erdp_config *cfg, uint32_t nh, char *buf, size_t n);
/* The peering a next hop leads to (both links or one), or -1 (gateway, blackhole). */
int target_peering(uint32_t nh);

#endif
