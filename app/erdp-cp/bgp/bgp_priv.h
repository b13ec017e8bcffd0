/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bgp/'s state, shared by its files (bgp.h says what the folder does):
 *   bgp.c    start, the loop turn, sessions as bgpd and bfdd report them,
 *            and what erdp-cp wants of them (admin down, maintenance, BFD)
 *   frr.c    the daemons: start, adopt, watch, restart, stop
 *   fpm.c    the FPM listener and connection of each peering
 *   table.c  the BGP table and its place under the operator's routes
 *   show.c   show-bgp, show-bfd, the metrics copy
 * Everything here belongs to the event loop's thread.
 */
#ifndef ERDP_CP_BGP_PRIV_H
#define ERDP_CP_BGP_PRIV_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "bgp.h"
#include "cp.h"
#include "fpm.h"
#include "frrconf.h"
#include "vty.h"

enum frr_daemon { FRR_ZEBRA = 0, FRR_BFDD = 1, FRR_BGPD = 2, FRR_DAEMONS = 3 };

enum frr_state {
	FRR_DOWN,     /* not started (or stopped) */
	FRR_STARTING, /* zebra started; bfdd and bgpd follow once its zserv socket is there */
	FRR_RUNNING,
	FRR_BACKOFF, /* a daemon died: all stopped, restart at next_start */
};

struct frr_proc {
	pid_t pid;  /* 0: none */
	int pidfd;  /* readable when it exits; -1: none */
	bool child; /* ours to reap (not adopted) */
};

/* One BGP session: a link and a family of a peering; as bgpd and bfdd last said. */
struct bgp_session {
	int spec;   /* index into the peering's frr_spec.s[] */
	bool known; /* in bgpd's last answer */
	char state[24];
	bool established;
	double up_since; /* monotonic */
	uint64_t pfx_rcvd, pfx_sent;
	uint32_t limit;
	bool pfx_exceeded; /* dropped for its prefix limit, waiting to retry */
	bool eor;	   /* End-of-RIB received since Established */
	bool shut;	   /* neighbor ... shutdown */
	bool maint;	   /* the MSEE-OUT-MAINT route-map is on */
	bool bfd_on;	   /* a BFD profile is on the neighbour */
	bool bfd_asked;	   /* F1: erdp-cp has put BFD on since this bgpd started */
	char bfd[16];	   /* bfdd's status of the session */
	double bfd_since;  /* monotonic, when bfdd last changed it */
	char last_error[128];
	/* counted by erdp-cp */
	uint64_t pfx_limit_drops, drops, ups;
	bool was_up; /* Established when the FPM stream was lost (stale sweep waits for it) */
};

struct fpm_conn_stats {
	struct fpm_counts c;
	uint64_t connections, closes[FPM_ERR_COUNT], eof, replaced;
	uint64_t routes_added, routes_replaced, routes_deleted;
	uint64_t ignored_protocol, ignored_table;
	uint64_t no_nexthop;	  /* no gateway on a known link (next-hop groups, blackhole, ...) */
	uint64_t unknown_gateway; /* a gateway that is not the customer's address on either link */
	uint64_t vrf_full;	  /* refused: the VRF holds its capacity */
	uint64_t stale_swept, grace_expired;
	char last_close[160];
};

struct bgp_peering {
	int index; /* config peering */
	char ns[64];
	struct frr_spec spec;
	char (*networks)[FRR_PREFIX_STR];
	int n_sessions;
	struct bgp_session s[FRR_MAX_SESSIONS]; /* same order as spec.s */
	uint32_t cust4[ERDP_LINKS];		/* customer addresses, host order */
	uint8_t cust6[ERDP_LINKS][16];
	bool has_v6;
	char dir[ERDP_PATH_LEN + 70]; /* state_dir/ns */
	char run[128];		      /* /var/run/frr/ns */

	/* FRR */
	struct frr_proc d[FRR_DAEMONS];
	enum frr_state frr;
	double frr_since, next_start, backoff;
	uint64_t restarts;
	bool adopted;
	bool config_changed; /* frr_prepare wrote a file that differed: do not adopt */
	char last_exit[160];
	struct vty *vty_bgpd, *vty_bfdd;
	bool poll_busy;
	double next_poll, polled_at;
	void *poll_ctx[2]; /* cp, this peering: for bgpd's answer */
	json_t *bfd_json;  /* bfdd's last "show bfd peers json" (show-bfd) */

	/* FPM */
	int listen_fd, conn_fd;
	uint8_t *buf;
	size_t have;
	double connected_at, last_msg, lost_at;
	bool stale;	  /* routes of a previous stream wait to be resent or swept */
	bool synced_once; /* a stream has delivered zebra's table since erdp-cp started */
	uint32_t link_ifindex[ERDP_LINKS]; /* learned from zebra's connected routes; 0: unknown */
	struct fpm_conn_stats st;
};

struct bgp {
	int n;
	struct bgp_peering *p;
	bool maint[ERDP_LINKS];
	double started;
	bool synced; /* the first full sync was allowed */
	/* The BGP table: every route FPM gave, keyed by (peering, prefix): a RIB whose "VRF" index
	 * is the peering. origin RIB_ORIGIN_BGP, or with BGP_TBL_STALE while a restarted stream
	 * has not resent it. */
	struct rib *tbl;
	int **by_vrf;		 /* per VRF: its peerings with BGP, -1 terminated */
	struct rib_route *dirty; /* prefixes (VRF keyed) to settle at the end of a batch */
	size_t n_dirty, cap_dirty;
	bool busy;
	char frr_path[ERDP_PATH_LEN];
	struct pollfd *pfd; /* bgp_poll's set: 7 per peering */
	int *pfd_what;
};

#define BGP_TBL_STALE 0x80 /* or'ed into a BGP table entry's origin */

/* bgp.c */
void bgp_sessions_lost(struct bgp_peering *p); /* bgpd restarted: what it said is gone */
void bgp_kick(struct bgp_peering *p);	       /* ask bgpd and bfdd again now */

/* frr.c */
int frr_prepare(struct cp *cp, struct bgp_peering *p, struct erdp_err *err);
void frr_begin(struct cp *cp, struct bgp_peering *p, double now); /* adopt, else start */
void frr_tick(struct cp *cp, struct bgp_peering *p, double now);
void frr_exited(struct cp *cp, struct bgp_peering *p, int d, double now);
void frr_stop(struct bgp_peering *p);
void frr_stop_orphans(struct cp *cp);
const char *frr_daemon_name(int d);
const char *frr_state_str(const struct bgp_peering *p, double now, char *buf, size_t n);

/* fpm.c */
int fpm_listen(struct bgp_peering *p, uint16_t port, struct erdp_err *err);
void fpm_accept(struct cp *cp, struct bgp_peering *p, double now);
void fpm_read(struct cp *cp, struct bgp_peering *p, double now);
void fpm_tick(struct cp *cp, struct bgp_peering *p, double now);
void fpm_close(struct bgp_peering *p);

/* table.c */
int table_init(struct cp *cp, struct bgp *b);
void table_free(struct bgp *b);
/* One route from peering p's stream (add, replace or delete), settled by table_flush. */
void table_route(struct cp *cp, struct bgp_peering *p, const struct fpm_route *r);
/* Settle the batch: the RIB and erdp get what changed. */
void table_flush(struct cp *cp);
void table_mark_stale(struct cp *cp, struct bgp_peering *p);
/* Remove p's stale routes (all: every route of p). Returns how many. */
size_t table_sweep(struct cp *cp, struct bgp_peering *p, bool all);
size_t table_count(const struct bgp *b, int peering, uint8_t family);

#endif
