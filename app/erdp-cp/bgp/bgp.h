/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erdp-cp's BGP side (issue 12): the MSEE's BGP and BFD toward the
 * customer, emulated with FRR, and the routes the customer advertises
 * fed into the RIB and on to erdp.
 *
 *   customer ──(erdp's tap `primary`/`secondary` in the peering's namespace)──> FRR
 *   FRR's zebra ──FPM (127.0.0.1:fpm_port in that namespace)──> bgp/fpm.c
 *       ──> BGP table (bgp/table.c) ──> RIB (origin bgp) ──> channel/ ──> erdp
 *
 * Per peering (config bgp.enabled): the namespace "<prefix>-<circuit>-<type>"
 * (lib/netns; erdp puts its taps there), FRR's zebra, bfdd and bgpd running
 * in it with the pathspace of the same name (-N), configured from the
 * config (bgp/frrconf.h) in bgp.state_dir/<namespace>/, and an FPM listener
 * opened inside it: the connection says which peering, and so which VRF,
 * a route belongs to.
 *
 * FRR's lifetime is not erdp-cp's: the daemons run in their own session
 * and keep running, sessions up, when erdp-cp exits or is killed. A
 * restarted erdp-cp adopts the daemons it finds (pid files whose process
 * is that daemon of that pathspace) when the configuration it writes is
 * unchanged, else it restarts them. If a daemon dies, erdp-cp restarts all
 * three of that peering (1 s, doubling to 30 s while they keep dying).
 * bgp_close(stop = true) stops them (erdp-cp --bgp-on-exit stop).
 *
 * No route is lost to a restart: routes stay in the RIB (and erdp) while
 * a peering's FPM stream is down, for BGP_FPM_GRACE_S; when zebra connects
 * again it resends its whole table, and what it did not resend is removed
 * once the sessions that were up are up again with their End-of-RIB (or
 * after BGP_STALE_CAP_S). After erdp-cp's own restart, the first full sync
 * to erdp waits (bgp_sync_ready) until every peering's stream has
 * delivered zebra's table, at most BGP_SYNC_HOLD_S: erdp keeps every BGP
 * route meanwhile and none stops forwarding.
 *
 * Who: the event loop's thread only. bgp_poll() never blocks: child
 * processes are watched through pidfds, FPM and the daemons' vty sockets
 * are non-blocking, all polled once per loop turn.
 * Errors: bgp_init fails (err says why) only on what an operator must fix
 * (not root, a namespace that cannot be made, a state_dir that cannot be
 * written); everything at run time is logged, counted and retried.
 */
#ifndef ERDP_CP_BGP_H
#define ERDP_CP_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/rib.h"
#include "erdp_err.h"

#define BGP_FPM_GRACE_S 60.0 /* routes kept while a peering's FPM stream is down */
#define BGP_STALE_CAP_S 60.0 /* longest wait for the sessions after zebra reconnects */
#define BGP_QUIET_S	1.0  /* a stream quiet this long after connecting has sent its table */
#define BGP_SYNC_HOLD_S 10.0 /* longest wait for the tables before the first full sync */
#define BGP_POLL_S	1.0  /* how often bgpd and bfdd are asked for their sessions */

struct cp;

/* Nothing when the config's bgp.enabled is false (every other call is then a no-op). */
int bgp_init(struct cp *cp, struct erdp_err *err);
void bgp_poll(struct cp *cp);
/* FPM bytes wait beyond this turn's budget: the loop should come back at once. */
bool bgp_busy(const struct cp *cp);
/* stop_frr: stop the daemons too (else they keep running, see above). */
void bgp_close(struct cp *cp, bool stop_frr);

/* May the first full sync to erdp start? (true when BGP is off) */
bool bgp_sync_ready(struct cp *cp);

/*
 * The operator deleted vrf:prefix from the RIB. If BGP has a route for it,
 * that route takes the prefix (RIB updated, *rt filled): queue *rt as an add
 * (it replaces the deleted route in erdp without a gap) and return true.
 */
bool bgp_reveal(struct cp *cp, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
		struct rib_route *rt);
/* A peering-link or port admin state changed: its sessions follow (shut down or back). */
void bgp_admin_changed(struct cp *cp);
/* erdpctl maintenance: link (enum erdp_link) on or off. Sessions on it, or -ENOTSUP. */
int bgp_maintenance(struct cp *cp, int link, bool on);
bool bgp_enabled(const struct cp *cp);

/* Results of the show-bgp and show-bfd requests (docs/control-plane.md). */
json_t *bgp_show(struct cp *cp);
json_t *bgp_show_bfd(struct cp *cp);

/*
 * One BGP session, copied for a reader that is not the event loop (the
 * metrics endpoint, server/metrics.c): call bgp_sessions() on the event
 * loop's thread (metrics_refresh) and publish the copies.
 */
struct bgp_session_stat {
	char peering[130]; /* "circuit/type" */
	char link[10];	   /* "primary", "secondary" */
	uint8_t family;	   /* 4 or 6 */
	char neighbor[46]; /* the customer's address */
	char state[24];	   /* FRR's: Idle, Active, Established, ... ("unknown" when not polled) */
	bool established;
	double uptime_s;	      /* while established */
	uint64_t prefixes_received;   /* accepted */
	uint64_t prefixes_advertised; /* sent */
	uint32_t prefix_limit;	      /* maximum-prefix */
	uint64_t prefix_limit_drops;  /* times the limit dropped the session (counted here) */
	uint64_t session_drops;	      /* times it left Established */
	bool maintenance;	      /* advertising with the longer AS path */
	bool admin_down;	      /* shut down: its link or port is admin down */
	char bfd[16];		      /* up, down, init, "" (no BFD yet) */
	char last_error[128];
};
/* Up to max sessions into out; returns how many there are (may exceed max). */
size_t bgp_sessions(const struct cp *cp, struct bgp_session_stat *out, size_t max);

#endif
