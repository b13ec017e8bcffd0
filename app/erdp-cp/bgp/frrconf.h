/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MSEE side of one peering as FRR 8.4 configuration: zebra.conf,
 * bfdd.conf and bgpd.conf text, and the commands that change a running
 * bgpd (maintenance, admin down, BFD). Pure text generation from a plain
 * description (struct frr_spec), so that the exact output is unit-tested
 * without FRR (tests/app/erdp-cp/bgp/test_frrconf.c).
 *
 * What the text says (ExpressRoute's rules, docs/bgp.md):
 *   - local AS 12076, router id = the MSEE's primary IPv4 address;
 *     per link one IPv4 session, and one IPv6 session where the peering has
 *     IPv6 link subnets; MD5 when configured; timers keepalive/hold with the
 *     customer's lower hold time accepted down to min_hold;
 *   - in (CUST-IN4/6): the customer's communities removed; on Microsoft
 *     peering no default route and no RFC 1918 (IPv6: no ::/0, no fc00::/7);
 *     a prefix limit per session with `restart 1` (FRR's shortest: 1 min);
 *   - out (MSEE-OUT): only what this MSEE originates (empty AS path), with
 *     the configured communities; MSEE-OUT-MAINT adds maintenance_prepend
 *     more 12076s (a link under maintenance);
 *   - `network` for every advertised prefix, without a RIB route behind it;
 *   - BFD profile "msee"; it is put on a neighbour only once that neighbour
 *     has been Established (FRR 8.4 resets a BFD session configured
 *     earlier at the first Established: FINDINGS F1), see frrconf_bfd();
 *   - graceful restart, so that zebra keeps the routes of a bgpd that
 *     died until its successor has relearned them (no FPM deletes);
 *   - zebra feeds FPM at 127.0.0.1:fpm_port, without next-hop groups.
 *
 * Memory: every function returns malloc'd text (NULL: out of memory) that
 * the caller frees.
 */
#ifndef ERDP_CP_BGP_FRRCONF_H
#define ERDP_CP_BGP_FRRCONF_H

#include <stdbool.h>
#include <stdint.h>

#define FRR_LOCAL_AS	     12076u
#define FRR_MAX_SESSIONS     4 /* two links x IPv4/IPv6 */
#define FRR_MAX_COMMUNITIES  16
#define FRR_ADDR_STR	     46 /* INET6_ADDRSTRLEN */
#define FRR_PREFIX_STR	     50
#define FRR_CONNECT_RETRY_S  10 /* FRR's default 120 s is long after a failed first try */
#define FRR_PREFIX_RESTART_M 1	/* minutes until a session dropped for its prefix limit retries */

/* Route-map names; show and reconcile code compares with them. */
#define FRR_MAP_OUT	  "MSEE-OUT"
#define FRR_MAP_OUT_MAINT "MSEE-OUT-MAINT"
#define FRR_BFD_PROFILE	  "msee"

struct frr_session {
	uint8_t family;		     /* 4 or 6 */
	uint8_t link;		     /* enum erdp_link */
	char neighbor[FRR_ADDR_STR]; /* the customer's address on the link */
	char local[FRR_ADDR_STR];    /* the MSEE's address: update-source */
};

struct frr_spec {
	char name[64];	  /* the peering's namespace: hostname msee-NAME */
	char source[256]; /* where it comes from, for the header comment */
	bool microsoft;
	uint32_t peer_as;
	char router_id[FRR_ADDR_STR];
	char md5[81]; /* "" = none */
	uint32_t keepalive, hold, min_hold;
	uint32_t bfd_interval_ms, bfd_multiplier;
	uint32_t maintenance_prepend;
	uint32_t max_prefix4, max_prefix6; /* per session */
	uint16_t fpm_port;
	int n_sessions;
	struct frr_session s[FRR_MAX_SESSIONS];
	int n_networks;
	char (*networks)[FRR_PREFIX_STR]; /* advertised, "A.B.C.D/N" or "X::/N" */
	int n_communities;
	uint32_t communities[FRR_MAX_COMMUNITIES]; /* (A << 16) | B */
};

char *frrconf_zebra(const struct frr_spec *s);
char *frrconf_bfdd(const struct frr_spec *s);
char *frrconf_bgpd(const struct frr_spec *s);

/*
 * Commands for a running bgpd, as lines to send after "configure terminal"
 * (each NUL-free, joined by '\n'; the caller sends them one by one):
 * the session on `session` to the maintenance (or normal) route-map, shut
 * down or not, and its BFD profile.
 */
char *frrconf_maintenance(const struct frr_spec *s, int session, bool on);
char *frrconf_shutdown(const struct frr_spec *s, int session, bool down);
char *frrconf_bfd(const struct frr_spec *s, int session);

#endif
