/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erdp configuration: the in-memory model of a libconfig file.
 *
 * erdp_config_load() parses AND validates: on success every cross
 * reference is resolved to an index, every rule of the port pair holds
 * (see config/erdp.conf for the schema and the rules), and the data plane
 * can build its tables without further checks. On failure the error names
 * "FILE:LINE: field: what is wrong (rule)". No DPDK call is made here, so
 * `erdp --check-config` works without hugepages or EAL.
 *
 * Conventions: IPv4 addresses are host byte order; IPv6 are network order
 * bytes; "none" indices are -1; lines are libconfig source lines (0 when a
 * value is a default).
 */
#ifndef ERDP_CONFIG_H
#define ERDP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "erdp_err.h"

#define ERDP_NAME_LEN		  64
#define ERDP_DEVARGS_LEN	  512
#define ERDP_MAX_PORTS		  16
#define ERDP_MAX_OUTER_TPIDS	  4
#define ERDP_MAX_EAL_ARGS	  32
#define ERDP_MAX_GW_INSTANCES	  16
#define ERDP_MAX_VLAN		  4094
#define ERDP_VLAN_TABLE		  4096 /* direct tables are indexed by the 12-bit VID */
#define ERDP_MAX_VRFS		  4096
#define ERDP_MAX_CIRCUITS	  4094
#define ERDP_MAX_GATEWAYS	  4096
#define ERDP_PEERINGS_PER_CIRCUIT 2 /* one private, one microsoft */
#define ERDP_LINKS		  2 /* primary, secondary */
#define ERDP_RESERVED_ASN_MIN	  65515u
#define ERDP_RESERVED_ASN_MAX	  65520u
#define ERDP_PATH_LEN		  256
#define ERDP_NETNS_NAME_MAX	  63 /* a peering's namespace name, characters */
#define ERDP_MD5_KEY_MAX	  80 /* BGP TCP-MD5 key, characters (RFC 2385 keys, as FRR takes) */
#define ERDP_MAX_ADVERTISE	  200 /* prefixes per Microsoft peering session */
#define ERDP_MAX_COMMUNITIES	  16

enum erdp_encap { ERDP_ENCAP_QINQ = 0, ERDP_ENCAP_DOT1Q = 1 };

enum erdp_port_role { ERDP_ROLE_PRIMARY = 0, ERDP_ROLE_SECONDARY = 1, ERDP_ROLE_GATEWAY = 2 };

/* Link of the port pair; equals the port role for ExpressRoute ports. */
enum erdp_link { ERDP_LINK_PRIMARY = 0, ERDP_LINK_SECONDARY = 1 };

/*
 * A peering link: one peering on one link of the pair, the unit that has
 * its own /30 (/126), neighbour, counters and admin state. erdp and
 * erdp-cp index per-link tables by it (peering * ERDP_LINKS + link); these
 * helpers are the only place that arithmetic is written.
 */
#define ERDP_PLINK_NONE 0xffffu /* no peering link: a gateway port, or not classified */

static inline unsigned int erdp_plink(unsigned int peering, unsigned int link)
{
	return peering * ERDP_LINKS + link;
}

static inline unsigned int erdp_plink_peering(unsigned int plink)
{
	return plink / ERDP_LINKS;
}

static inline unsigned int erdp_plink_link(unsigned int plink)
{
	return plink % ERDP_LINKS;
}

/* Number of peering links of n_peerings peerings (table sizes). */
static inline unsigned int erdp_plink_count(unsigned int n_peerings)
{
	return n_peerings * ERDP_LINKS;
}

enum erdp_peering_type { ERDP_PEERING_PRIVATE = 0, ERDP_PEERING_MICROSOFT = 1 };

enum erdp_route_target {
	ERDP_TARGET_GATEWAY = 0,   /* target = gateway index */
	ERDP_TARGET_PEERING = 1,   /* target = peering index: the customer side */
	ERDP_TARGET_BLACKHOLE = 2, /* target unused */
};

struct erdp_prefix4 {
	uint32_t addr; /* host order, host bits zero */
	uint8_t len;   /* 0..32 */
};

struct erdp_prefix6 {
	uint8_t addr[16]; /* network order, host bits zero */
	uint8_t len;	  /* 0..128 */
};

struct erdp_mac {
	uint8_t b[6];
};

/* A prefix of either family (the other family's member is zero). */
struct erdp_route_prefix {
	bool v6;
	struct erdp_prefix4 p4;
	struct erdp_prefix6 p6;
};

struct erdp_eal_conf {
	char lcores[ERDP_NAME_LEN];	 /* EAL -l list; first lcore is the main lcore */
	uint32_t memory_mb;		 /* EAL -m; 0 = EAL default */
	char file_prefix[ERDP_NAME_LEN]; /* EAL --file-prefix */
	bool huge;			 /* false => --no-huge */
	int n_args;			 /* extra EAL arguments, passed verbatim */
	char *args[ERDP_MAX_EAL_ARGS];
};

struct erdp_dataplane_conf {
	uint16_t burst;		    /* rx/tx burst size, 1..64 (default 32) */
	uint32_t mbufs;		    /* mbufs in the packet pool (default 16383) */
	uint16_t rx_desc;	    /* default 1024 */
	uint16_t tx_desc;	    /* default 1024 */
	uint32_t stats_interval_ms; /* 0 = no periodic print (default 1000) */
};

/*
 * The MSEE's BGP and BFD toward the customer (config key `bgp`): erdp gives
 * each peering a network namespace with a tap per peering link (the
 * exception path), erdp-cp runs FRR per peering in that namespace.
 */
struct erdp_bgp_conf {
	bool enabled;
	char namespace_prefix[ERDP_NAME_LEN]; /* resolved: eal.file_prefix when not given */
	uint32_t keepalive;		      /* seconds, 1..21845 (default 60) */
	uint32_t hold_time;		      /* seconds, 3..65535, >= 3 x keepalive (180) */
	uint32_t min_hold_time;		      /* lowest hold time accepted from the customer (10) */
	uint32_t bfd_interval_ms;	      /* 50..10000 (300) */
	uint32_t bfd_multiplier;	      /* 2..255 (3) */
	uint32_t maintenance_prepend;	      /* extra 12076s on a link under maintenance (3) */
	uint32_t host_rate_pps;		      /* exception-path policer per peering link (2000) */
	uint32_t host_burst;		      /* its bucket depth, frames (500) */
	char frr_path[ERDP_PATH_LEN];	      /* zebra, bgpd, bfdd (/usr/lib/frr) */
	char state_dir[ERDP_PATH_LEN];	      /* erdp-cp's FRR files (/run/erdp/frr) */
	uint16_t fpm_port;		      /* zebra's FPM connects to 127.0.0.1:<port> (2620) */
};

struct erdp_port_conf {
	char name[ERDP_NAME_LEN];
	char device[ERDP_DEVARGS_LEN]; /* PCI address or vdev with arguments */
	enum erdp_port_role role;
	uint16_t rx_queues; /* default 1 */
	uint16_t mtu;	    /* IP MTU, default 1500 */
	bool has_mac;	    /* override the port's own MAC address */
	struct erdp_mac mac;
	bool promiscuous; /* accept frames for any destination MAC (labs); default false */
	int line;
};

struct erdp_port_pair_conf {
	enum erdp_encap encap;
	uint32_t speed_gbps; /* 10 or 100 */
	int n_outer_tpids;   /* default 1: 0x8100 */
	uint16_t outer_tpids[ERDP_MAX_OUTER_TPIDS];
	uint16_t egress_tpid;	   /* outer TPID put on frames toward the customer (default
				      outer_tpids[0]) */
	uint32_t oversubscription; /* circuit bandwidths may add up to this x speed (default 2) */
	int primary_port;	   /* index into ports, -1 when absent */
	int secondary_port;	   /* index into ports, -1 when absent */
};

struct erdp_peering_conf {
	char name[ERDP_NAME_LEN * 2 + 2]; /* "<circuit>/<type>", for messages and counters */
	enum erdp_peering_type type;
	int circuit;   /* index into circuits */
	uint16_t vlan; /* QinQ: C-tag; Dot1Q: the one VLAN */
	int vrf;       /* index into vrfs */
	/* Per link /30: customer = first usable (odd), MSEE = second (even). */
	struct erdp_prefix4 v4[ERDP_LINKS];
	bool has_v6;
	struct erdp_prefix6 v6[ERDP_LINKS]; /* /126 per link */
	uint32_t peer_asn;
	bool has_customer_mac[ERDP_LINKS]; /* static neighbour, else learned */
	struct erdp_mac customer_mac[ERDP_LINKS];
	char md5_key[ERDP_MD5_KEY_MAX + 1]; /* BGP TCP-MD5 key; "" = none */
	/* Microsoft peering: the prefixes the MSEE advertises (NULL when none). */
	int n_advertise;
	struct erdp_route_prefix *advertise;
	int n_communities;
	uint32_t communities[ERDP_MAX_COMMUNITIES]; /* (A << 16) | B, added to what is advertised */
	int line;
};

struct erdp_circuit_conf {
	char name[ERDP_NAME_LEN];
	uint16_t s_tag;		 /* QinQ only; 0 in Dot1Q mode */
	uint32_t bandwidth_mbps; /* SKU */
	bool rate_limit;
	bool premium; /* private peering takes 10,000 IPv4 prefixes instead of 4,000 */
	int peering[ERDP_PEERINGS_PER_CIRCUIT]; /* by type: index into peerings or -1 */
	int line;
};

struct erdp_vrf_conf {
	char name[ERDP_NAME_LEN];
	uint32_t ipv4_routes; /* capacity (default 16384) */
	uint32_t ipv6_routes; /* capacity (default 4096) */
	int line;
};

struct erdp_gw_instance_conf {
	int port; /* index into ports; must be a gateway port */
	struct erdp_mac mac;
	uint16_t vlan; /* 0 = untagged */
	char zone[ERDP_NAME_LEN];
	bool up;     /* initial state (default true) */
	bool has_ip; /* health checking: erdp ARP-probes `ip` (host order) */
	uint32_t ip;
	int line;
};

struct erdp_gateway_conf {
	char name[ERDP_NAME_LEN];
	int vrf;
	int n_instances; /* 2..ERDP_MAX_GW_INSTANCES */
	struct erdp_gw_instance_conf inst[ERDP_MAX_GW_INSTANCES];
	uint32_t health_interval_ms; /* probe period (default 300, like Azure's BFD) */
	uint32_t health_multiplier;  /* missed probes before down (default 3) */
	int line;
};

/* A static route; gateway "prefixes" are expanded into routes too. */
struct erdp_route_conf {
	int vrf;
	bool v6;
	struct erdp_prefix4 p4;
	struct erdp_prefix6 p6;
	enum erdp_route_target target;
	int target_idx;
	int line;
};

struct erdp_config {
	char path[512];
	struct erdp_eal_conf eal;
	struct erdp_dataplane_conf dp;
	struct erdp_bgp_conf bgp;
	struct erdp_port_pair_conf pair;
	int n_ports;
	struct erdp_port_conf ports[ERDP_MAX_PORTS];
	int n_vrfs;
	struct erdp_vrf_conf *vrfs;
	int n_circuits;
	struct erdp_circuit_conf *circuits;
	int n_peerings;
	struct erdp_peering_conf *peerings;
	int n_gateways;
	struct erdp_gateway_conf *gateways;
	int n_routes;
	struct erdp_route_conf *routes;
};

/* Parse and validate FILE. On success *out owns everything; free with erdp_config_free(). */
int erdp_config_load(const char *path, struct erdp_config **out, struct erdp_err *err);

/* Same, from a string (tests); `name` stands in for the file name in messages. */
int erdp_config_load_string(const char *text, const char *name, struct erdp_config **out,
			    struct erdp_err *err);

void erdp_config_free(struct erdp_config *cfg);

/* Lookups by name; -1 when not found. */
int erdp_config_port_by_name(const struct erdp_config *cfg, const char *name);
int erdp_config_vrf_by_name(const struct erdp_config *cfg, const char *name);
int erdp_config_gateway_by_name(const struct erdp_config *cfg, const char *name);
/* "circuit/private" or "circuit/microsoft" */
int erdp_config_peering_by_name(const struct erdp_config *cfg, const char *name);

/*
 * The network namespace of a peering: "<bgp.namespace_prefix>-<circuit>-<type>",
 * e.g. "erdp-contoso-private". 0, or -ENAMETOOLONG when it does not fit in n
 * bytes or is longer than ERDP_NETNS_NAME_MAX (the loader refuses such a
 * config when bgp.enabled).
 */
int erdp_peering_namespace(const struct erdp_config *cfg, int peering, char *buf, size_t n);

/* MSEE (second usable) and customer (first usable) address of a link /30 or /126. */
static inline uint32_t erdp_p4_customer(const struct erdp_prefix4 *p)
{
	return p->addr + 1;
}
static inline uint32_t erdp_p4_msee(const struct erdp_prefix4 *p)
{
	return p->addr + 2;
}
void erdp_p6_customer(const struct erdp_prefix6 *p, uint8_t out[16]);

/*
 * A connected route: what a peering link brings by itself, and what no
 * route change may replace or remove (erdp installs them, erdp-cp refuses
 * changes to them). Per link: the link /30 (/126) toward the customer side
 * of that one link, the MSEE address /32 (/128), and (IPv4) the /30's
 * network and broadcast addresses as /32s: a directed broadcast is never
 * forwarded (RFC 1812 5.3.5.2).
 */
enum erdp_connected_kind {
	ERDP_CONNECTED_SUBNET = 0,    /* the link subnet: the customer side of that link */
	ERDP_CONNECTED_MSEE = 1,      /* the MSEE's own address: local */
	ERDP_CONNECTED_BROADCAST = 2, /* the subnet's network or broadcast address: dropped */
};

struct erdp_connected {
	bool v6;
	uint8_t len;
	uint8_t kind; /* enum erdp_connected_kind */
	uint8_t link; /* enum erdp_link */
	uint16_t vrf;
	uint32_t addr4;	   /* host order */
	uint8_t addr6[16]; /* network order */
};
#define ERDP_CONNECTED4_PER_PEERING (4 * ERDP_LINKS)
#define ERDP_CONNECTED6_PER_PEERING (2 * ERDP_LINKS)
#define ERDP_CONNECTED_PER_PEERING  (ERDP_CONNECTED4_PER_PEERING + ERDP_CONNECTED6_PER_PEERING)

/* The connected routes of peering p into out[ERDP_CONNECTED_PER_PEERING]; returns how many. */
int erdp_config_connected(const struct erdp_config *cfg, int p, struct erdp_connected *out);
/* "the link subnet", "the MSEE's address", "the link subnet's network or broadcast address" */
const char *erdp_connected_kind_str(enum erdp_connected_kind k);
void erdp_p6_msee(const struct erdp_prefix6 *p, uint8_t out[16]);

/* Text helpers shared by config, telemetry and CLI. */
const char *erdp_role_str(enum erdp_port_role r);
const char *erdp_peering_type_str(enum erdp_peering_type t);
const char *erdp_encap_str(enum erdp_encap e);
int erdp_parse_prefix4(const char *s, struct erdp_prefix4 *p); /* 0 or -EINVAL */
int erdp_parse_prefix6(const char *s, struct erdp_prefix6 *p); /* 0 or -EINVAL */
int erdp_parse_mac(const char *s, struct erdp_mac *m);	       /* 0 or -EINVAL */

#endif
