/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane's runtime state, shared by the main lcore and workers.
 *
 * Built once at start-up from the config (ports, classifier, FIBs, next
 * hops); after that, workers only read it, and the main lcore is the single
 * writer of what changes at run time (routes and gateways from the control
 * channel, next hops, neighbours, link and health state): table entries
 * with single aligned stores, structures by pointer, and nothing freed
 * before a QSBR grace period.
 */
#ifndef ERDP_DP_H
#define ERDP_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "erdp_classify.h"
#include "erdp_config.h"
#include "erdp_counters.h"
#include "erdp_fib.h"
#include "erdp_nh.h"
#include "neigh.h"

#define ERDP_BURST_MAX 64
#define ERDP_TXB_MAX   (2 * ERDP_BURST_MAX)
#define ERDP_MAX_RXQ   64
#define ERDP_RING_SIZE 1024

/* Why a packet goes to the main lcore (stored in the mbuf meta). */
enum erdp_punt {
	ERDP_PUNT_ARP = 1,
	ERDP_PUNT_LOCAL = 2, /* to an MSEE address */
	ERDP_PUNT_TTL = 3,   /* TTL / hop limit expired: ICMP time exceeded */
	ERDP_PUNT_MTU = 4,   /* too big for egress: ICMP frag needed / PTB */
	ERDP_PUNT_NDP = 5,   /* IPv6 neighbour discovery, link-local or multicast */
	ERDP_PUNT_NEIGH = 6, /* customer MAC unresolved: hold and resolve */
};

/* Per-packet metadata kept in an mbuf dynamic field. */
struct erdp_meta {
	uint16_t plink; /* ingress peering link, 0xffff if from a gateway port */
	uint16_t vrf;
	uint16_t l3_off; /* at ingress */
	uint8_t in_port; /* config port index (inject ring: the egress port) */
	uint8_t punt;	 /* enum erdp_punt */
	uint16_t etype;	 /* L3 EtherType */
	uint8_t member;	 /* ERDP_PUNT_MTU: the chosen next-hop member */
	uint8_t pad;
	uint32_t nh_id; /* ERDP_PUNT_MTU / NEIGH: the route's next hop */
};

extern int erdp_meta_offset;

static inline struct erdp_meta *erdp_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, erdp_meta_offset, struct erdp_meta *);
}

struct erdp_port {
	uint16_t port_id; /* DPDK port */
	uint16_t n_rxq;
	uint16_t n_txq;
	bool shared_txq; /* fewer TX queues than workers: lock per queue */
	bool link_up;	 /* last link state seen by the main lcore */
	bool admin_up;	 /* operator state (always up until the control plane sets it) */
	struct rte_ether_addr mac;
	rte_spinlock_t txq_lock[RTE_MAX_QUEUES_PER_PORT];
};

/* A gateway as the data plane runs it: from the config, or set at run time. */
struct erdp_gw_rt {
	bool in_use;
	uint16_t vrf;
	uint8_t n_instances;
	uint32_t health_interval_ms;
	uint32_t health_multiplier;
	struct {
		uint8_t port;  /* config port index (a gateway port) */
		bool admin_up; /* operator / control-plane state */
		uint16_t vlan; /* 0 = untagged */
		struct rte_ether_addr mac;
		bool has_ip;	/* health-checked by ARP probes */
		bool alive;	/* health state (true when not checked) */
		bool answered;	/* a reply came since the last probe */
		uint8_t missed; /* probes in a row without an answer */
		uint32_t ip;	/* host order */
		uint64_t last_probe;
		uint64_t probe_loops; /* workers' loop count when the probe went out */
	} inst[ERDP_MAX_GW_INSTANCES];
};

/* Gateway ids: config gateways keep their index; this many more can be created. */
#define ERDP_DYN_GATEWAYS 1024

/* Frames waiting for a TX burst, with the peering link each one counted tx on. */
struct erdp_txb {
	uint16_t n;
	struct rte_mbuf *m[ERDP_TXB_MAX];
	uint16_t plink[ERDP_TXB_MAX]; /* kept here, not in the mbuf: no extra cache line */
};

struct erdp_worker {
	unsigned int lcore;
	unsigned int idx; /* 0..n_workers-1, also the RCU thread id */
	uint16_t n_rxq;
	struct {
		uint16_t port_id;
		uint16_t queue;
		uint8_t cfg_port;
	} rxq[ERDP_MAX_RXQ];
	uint16_t txq[ERDP_MAX_PORTS]; /* per config port */
	struct erdp_counters *ctr;
	struct rte_ring *punt;	 /* worker -> main */
	struct rte_ring *inject; /* main -> worker: frames to send */
	uint64_t busy_cycles;	 /* cycles of loop iterations that had packets */
	uint64_t idle_polls;
	uint64_t rx_pkts; /* frames received by this worker */
	uint64_t loops;	  /* poll loop iterations: proof the worker is running */
	struct erdp_txb txb[ERDP_MAX_PORTS];
} __rte_cache_aligned;

struct erdp_dp {
	struct erdp_config *cfg;
	struct erdp_classifier *cls;
	struct erdp_fib *fib4;
	struct erdp_fib *fib6;
	struct erdp_nh_table nh;
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *rcu;
	struct erdp_port port[ERDP_MAX_PORTS]; /* by config port index */
	uint16_t dpdk_to_cfg[RTE_MAX_ETHPORTS];
	unsigned int n_workers;
	struct erdp_worker *workers[RTE_MAX_LCORE];
	struct erdp_counters *main_ctr; /* counters of the main lcore (punt path) */
	struct erdp_counters *sum;	/* scratch for readers */
	struct erdp_neigh *neigh;	/* n_peerings x ERDP_LINKS x 2 families */
	struct erdp_hold *hold;		/* n_peerings x 2 families */
	struct rte_rcu_qsbr_dq *dq;	/* retired next hops */
	uint32_t *vrf_src4; /* per VRF: source of ICMP errors sent from a gateway side */
	uint8_t (*vrf_src6)[16];
	uint8_t *vrf_has_src;  /* bit 0: v4, bit 1: v6 */
	struct erdp_gw_rt *gw; /* max_gateways entries */
	uint32_t max_gateways;
	uint8_t *plink_admin_up; /* per peering link: operator state */
	uint16_t burst;
	volatile bool quit;
};

extern struct erdp_dp erdp;

/* dp.c: after rte_eal_init and with dp->cfg loaded; teardown after the workers stopped */
int erdp_dp_setup(struct erdp_dp *dp, struct erdp_err *err);
void erdp_dp_teardown(struct erdp_dp *dp);

/* ports.c */
int erdp_ports_init(struct erdp_dp *dp, struct erdp_err *err);
void erdp_ports_close(struct erdp_dp *dp);
/* Send and count tx (port, and plink[i] per frame, 0xffff none); n <= ERDP_TXB_MAX. */
int erdp_eth_tx(struct erdp_dp *dp, struct erdp_counters *c, uint8_t cfg_port, uint16_t queue,
		struct rte_mbuf **m, const uint16_t *plink, uint16_t n);

/* routes.c */
int erdp_routes_init(struct erdp_dp *dp, struct erdp_err *err);
void erdp_routes_free(struct erdp_dp *dp);
struct erdp_nh *erdp_nh_customer(struct erdp_dp *dp, int peering, enum erdp_nh_links links);
struct erdp_nh *erdp_nh_gateway(struct erdp_dp *dp, int gateway);
/* Next-hop id a config route points at. */
uint32_t erdp_route_conf_nh(const struct erdp_dp *dp, const struct erdp_route_conf *r);
/* Publish `nh` at its id and retire the previous one under RCU. */
void erdp_nh_publish(struct erdp_dp *dp, struct erdp_nh *nh);
static inline bool erdp_port_usable(const struct erdp_dp *dp, int cfg_port)
{
	return dp->port[cfg_port].link_up && dp->port[cfg_port].admin_up;
}

/* Sum of the workers' loop counters (main lcore: did the workers run since?). */
uint64_t erdp_workers_loops(const struct erdp_dp *dp);

/* health.c: ARP health probes of gateway instances that have an address */
void erdp_health_poll(struct erdp_dp *dp);
/* An ARP reply from `ip` on gateway port `port` VLAN `vlan`: that instance is alive. */
void erdp_health_reply(struct erdp_dp *dp, uint8_t port, uint16_t vlan, uint32_t ip);

/* linkstate.c: follow port link state; republish next hops on change */
void erdp_link_poll(struct erdp_dp *dp);
/* Rebuild the next hops that use a port after its link or admin state changed; -ENOMEM. */
int erdp_port_republish(struct erdp_dp *dp, int port);
/* Set a gateway instance's operator state; -EINVAL for bad indices. */
int erdp_gateway_instance_set(struct erdp_dp *dp, int gateway, int instance, bool up);
/* Egress L2 toward the customer of a peering link with destination `dst`; -1 if no link. */
int erdp_customer_l2(struct erdp_dp *dp, int peering, int link, const uint8_t dst[6],
		     struct erdp_l2 *l2);

/* worker.c */
int erdp_worker_main(void *arg);
int erdp_workers_init(struct erdp_dp *dp, struct erdp_err *err);   /* allocate, assign queues */
int erdp_workers_launch(struct erdp_dp *dp, struct erdp_err *err); /* start polling */

/* punt.c: main-lcore exception path */
void erdp_punt_poll(struct erdp_dp *dp);

/* stats.c; readers of dp->sum hold erdp_stats_lock */
extern rte_spinlock_t erdp_stats_lock;
void erdp_stats_collect(struct erdp_dp *dp);
void erdp_stats_print(struct erdp_dp *dp, double interval_s);
int erdp_stats_write_json(struct erdp_dp *dp, const char *path, struct erdp_err *err);
/* telemetry.c */
int erdp_telemetry_init(struct erdp_dp *dp);

#endif
