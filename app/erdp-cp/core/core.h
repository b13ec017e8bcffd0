/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's truth and the words to talk about it, with no I/O:
 * the RIB (rib.h), prefixes (prefix.h), route targets, and the runtime
 * state that a full sync replays besides the routes.
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
#include "erdp_err.h"
#include "prefix.h"
#include "rib.h"

struct cp_state {
	struct rib *rib;
	bool (*gw_up)[ERDP_MAX_GW_INSTANCES]; /* per config gateway and instance */
	bool *plink_up;			      /* per peering link (erdp_plink()) */
	bool port_up[ERDP_MAX_PORTS];
	/* Routes per target, for listings. */
	uint32_t *gw_routes, *peering_routes;
	uint32_t blackhole_routes;
};

/* state.c: built from the config (its routes enter the RIB with origin "config"). */
int state_init(struct cp_state *s, const struct erdp_config *cfg, struct erdp_err *err);
void state_free(struct cp_state *s);
/* Add or replace a route: RIB and per-target counts. enum rib_set_result or -errno. */
int state_route_set(struct cp_state *s, const struct erdp_config *cfg, const struct rib_route *rt);
/* Delete a route; 0 or -ENOENT. */
int state_route_del(struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf, uint8_t family,
		    const uint8_t *addr, uint8_t len);

/* log.c: one line on stderr with a wall-clock stamp; monotonic seconds. */
void cp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
double cp_now(void);

/* target.c: "gateway:NAME" | "peering:CIRCUIT/TYPE" | "blackhole" for a route of VRF vrf. */
int target_parse(const struct erdp_config *cfg, int vrf, const char *s, uint32_t *nh, char *why,
		 size_t why_len);
char *target_format(const struct erdp_config *cfg, uint32_t nh, char *buf, size_t n);

#endif
