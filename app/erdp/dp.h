/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane's shared state: what the main lcore and the workers both
 * see. Only types and the one global live here; each folder's header says
 * who may write which part of it:
 *
 *   setup/     builds it all before the workers start, tears it down after
 *   datapath/  workers: read the tables, write their own counters and
 *              their own TX buffers and rings, nothing else
 *   slowpath/  main lcore: neighbours, hold queues, gateway health, the
 *              host interfaces (taps) of the exception path
 *   nexthop/   main lcore: the only writer of next hops (RCU publish)
 *   control/   main lcore: routes, gateways and admin states from erdp-cp
 *   telemetry/ any thread: reads counters (summed under erdp_stats_lock)
 *
 * Run-time writes happen on the main lcore only: table entries with single
 * aligned stores, structures by pointer, nothing freed before a QSBR grace
 * period (dp->rcu, one thread id per worker).
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

#define ERDP_BURST_MAX 64
#define ERDP_TXB_MAX   (2 * ERDP_BURST_MAX)
#define ERDP_MAX_RXQ   64
#define ERDP_RING_SIZE 1024

/* Why a worker handed a frame to the main lcore (stored in the mbuf meta). */
enum erdp_punt {
	ERDP_PUNT_ARP = 1,
	ERDP_PUNT_LOCAL = 2, /* to an MSEE address */
	ERDP_PUNT_TTL = 3,   /* TTL / hop limit expired: ICMP time exceeded */
	ERDP_PUNT_MTU = 4,   /* too big for egress: ICMP frag needed / PTB */
	ERDP_PUNT_NDP = 5,   /* IPv6 neighbour discovery, link-local or multicast */
	ERDP_PUNT_NEIGH = 6, /* customer MAC unresolved: hold and resolve */
	ERDP_PUNT_HOST = 7,  /* from the host (a peering link's tap), held for the customer's MAC */
};

/* Per-packet metadata kept in an mbuf dynamic field (punt and inject rings). */
struct erdp_meta {
	uint16_t plink; /* ingress peering link, ERDP_PLINK_NONE from a gateway port */
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
	bool shared_txq;  /* fewer TX queues than workers: lock per queue */
	bool pad_short;	  /* not a hardware NIC: pad frames to ERDP_ETH_MIN_FRAME in software */
	bool link_up;	  /* last link state seen by the main lcore */
	bool link_fixed;  /* the PMD has no link of its own: up while erdp runs (ports.c) */
	bool admin_up;	  /* operator state (always up until the control plane sets it) */
	bool promiscuous; /* config: frames for any destination MAC (datapath/receive.h) */
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

/*
 * Frames a worker has routed to one port and not yet sent, with the peering
 * link each one is counted on (kept here, not in the mbuf: no extra cache
 * line). Filled and sent by datapath/tx.h.
 */
struct erdp_txb {
	uint16_t n;
	struct rte_mbuf *m[ERDP_TXB_MAX];
	uint16_t plink[ERDP_TXB_MAX];
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

/*
 * The customer's MAC on one peering link, per family: the customer address
 * of a link /30 (/126) is the only neighbour there, so the table is a
 * direct array. Written by the slow path (slowpath/neigh.c), read when next
 * hops are built (nexthop/customer.c).
 */
enum erdp_neigh_state { ERDP_NEIGH_NONE = 0, ERDP_NEIGH_REACHABLE = 1, ERDP_NEIGH_STATIC = 2 };

struct erdp_neigh {
	struct rte_ether_addr mac;
	uint8_t state;	     /* enum erdp_neigh_state */
	uint64_t updated;    /* TSC of the last learn/refresh */
	uint64_t last_probe; /* TSC of the last ARP request / NS we sent */
};

struct erdp_hold;
struct erdp_host_link;

struct erdp_dp {
	struct erdp_config *cfg;
	struct erdp_classifier *cls;
	struct erdp_fib *fib4;
	struct erdp_fib *fib6;
	struct erdp_nh_table nh;
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *rcu;
	struct erdp_port port[ERDP_MAX_PORTS]; /* by config port index */
	unsigned int n_workers;
	struct erdp_worker *workers[RTE_MAX_LCORE];
	struct erdp_counters *main_ctr; /* counters of the main lcore (slow path) */
	struct erdp_counters *sum;	/* scratch for readers */
	struct erdp_neigh *neigh;	/* n_peerings x ERDP_LINKS x 2 families */
	struct erdp_hold *hold;		/* n_peerings x 2 families */
	struct rte_rcu_qsbr_dq *dq;	/* retired next hops */
	uint32_t *vrf_src4; /* per VRF: source of ICMP errors sent from a gateway side */
	uint8_t (*vrf_src6)[16];
	uint8_t *vrf_has_src;  /* bit 0: v4, bit 1: v6 */
	struct erdp_gw_rt *gw; /* max_gateways entries */
	uint32_t max_gateways;
	uint8_t *plink_admin_up;     /* per peering link: operator state */
	struct erdp_host_link *host; /* per peering link: exception path to the host (host.c) */
	uint16_t burst;
	bool portless; /* tables without DPDK ports (unit tests, fuzzing): never transmit */
	volatile bool quit;
};

extern struct erdp_dp erdp;

/* Entry of a peering link for IPv4 (v6 = false) or IPv6. */
static inline struct erdp_neigh *erdp_neigh_get(const struct erdp_dp *dp, unsigned int plink,
						bool v6)
{
	return &dp->neigh[plink * 2 + (v6 ? 1 : 0)];
}

/* A port the data plane may send on: link up and admin up. */
static inline bool erdp_port_usable(const struct erdp_dp *dp, int cfg_port)
{
	return dp->port[cfg_port].link_up && dp->port[cfg_port].admin_up;
}

#endif
