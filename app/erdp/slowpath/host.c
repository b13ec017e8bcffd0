/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path to the host: a net_tap interface per peering link in
 * the peering's network namespace, where the MSEE's BGP and BFD (FRR, run
 * by erdp-cp) live. The contract is in slowpath.h; the measurements that
 * chose net_tap are in docs/exception-path.md.
 *
 * Why the taps are made the way they are:
 *   - inside the namespace, probe to start: net_tap attaches its queues to
 *     the interface by name (TUNSETIFF) in the calling thread's namespace;
 *     set up outside, they would create a second interface of that name
 *     in erdp's own namespace. Control calls later work from anywhere
 *     (net_tap keeps a socket opened at probe time).
 *   - persist: the interface and its addresses outlive erdp (FRR keeps
 *     them; sessions just go idle), and a restarted erdp attaches again.
 *   - the port's MAC: a frame for the host is addressed to it (the kernel
 *     takes it as its own, whatever destination the customer used), and
 *     what the host sends carries the right source already.
 *   - NOARP: the kernel never resolves the customer; erdp owns the
 *     neighbour (it answers ARP/ND for the MSEE address and learns the
 *     customer's MAC), and rewrites the destination of what the host sends.
 *
 * The policer is a pair of integer token buckets per link: `shared` takes
 * every frame, `reserved` (ERDP_HOST_RESERVED_SHARE of rate and burst) only
 * BGP and BFD from the link's customer address, which try it first. A flood
 * at the MSEE address empties `shared` and nothing more: the sessions keep
 * their share.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "erdp_netns.h"
#include "erdp_rewrite.h"
#include "erdp_tags.h"
#include "slowpath.h"

#define BGP_PORT	  179
#define BFD_PORT	  3784		 /* single hop, RFC 5881 */
#define BFD_MULTIHOP_PORT 4784		 /* RFC 5883 */
#define TAP_DEV_PREFIX	  "net_tap_erdp" /* vdev names: net_tap (the driver) + ours */
#define IPV6_HLEN	  40
#define L4_PORTS_LEN	  4

struct erdp_host_link {
	uint16_t port_id; /* ERDP_HOST_NO_PORT: no host interface */
	bool owned;	  /* a tap erdp made: stopped and closed at exit */
	uint8_t cfg_port; /* the link's port (primary or secondary) */
	char ifname[IF_NAMESIZE];
	char netns[ERDP_NETNS_NAME_MAX + 1];
	struct erdp_host_policer pol;
	/* main lcore only; telemetry reads them (aligned 64-bit loads) */
	uint64_t rx_pkts, rx_bytes; /* from the host */
	uint64_t tx_pkts, tx_bytes; /* to the host */
} __rte_cache_aligned;

static uint64_t tsc_now(void)
{
	return rte_rdtsc();
}

static uint64_t (*host_now)(void) = tsc_now;
static unsigned int n_attached; /* host interfaces in use: polling skips the rest */

/* ---- policer ---- */

static void tb_init(struct erdp_tb *tb, uint64_t rate, uint64_t burst, uint64_t hz, uint64_t now)
{
	tb->rate = rate;
	tb->hz = hz;
	tb->cap = burst * hz;
	tb->tokens = tb->cap;
	tb->last = now;
}

static void tb_refill(struct erdp_tb *tb, uint64_t now)
{
	uint64_t elapsed;

	if (now <= tb->last)
		return;
	elapsed = now - tb->last;
	tb->last = now;
	if (tb->rate == 0)
		return;
	/* Once it would be full, it is full: no product that could overflow. */
	if (elapsed > (tb->cap - tb->tokens) / tb->rate)
		tb->tokens = tb->cap;
	else
		tb->tokens += elapsed * tb->rate;
}

static bool tb_take(struct erdp_tb *tb, uint64_t now)
{
	tb_refill(tb, now);
	if (tb->tokens < tb->hz)
		return false;
	tb->tokens -= tb->hz;
	return true;
}

void erdp_host_policer_init(struct erdp_host_policer *p, uint32_t rate_pps, uint32_t burst,
			    uint64_t hz, uint64_t now)
{
	uint32_t r = rate_pps / ERDP_HOST_RESERVED_SHARE, b = burst / ERDP_HOST_RESERVED_SHARE;

	tb_init(&p->reserved, r, b, hz, now);
	tb_init(&p->shared, rate_pps - r, burst - b, hz, now);
}

bool erdp_host_policer_allow(struct erdp_host_policer *p, bool control, uint64_t now)
{
	if (control && tb_take(&p->reserved, now))
		return true;
	return tb_take(&p->shared, now);
}

/* ---- frames to the host ---- */

/* BGP or BFD from the customer address of the frame's link: they get the reserved share. */
static bool is_control(const struct erdp_dp *dp, const struct rte_mbuf *m)
{
	const struct erdp_meta *meta = erdp_meta((struct rte_mbuf *)(uintptr_t)m);
	const struct erdp_peering_conf *pe = &dp->cfg->peerings[erdp_plink_peering(meta->plink)];
	unsigned int link = erdp_plink_link(meta->plink);
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	uint32_t avail = rte_pktmbuf_data_len(m) - meta->l3_off;
	const uint8_t *l4;
	uint16_t sport, dport;
	uint8_t proto;

	if (meta->etype == ERDP_ETYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		uint32_t ihl = (ip->version_ihl & 0x0f) * 4u;

		if (avail < ihl + L4_PORTS_LEN ||
		    rte_be_to_cpu_32(ip->src_addr) != erdp_p4_customer(&pe->v4[link]) ||
		    (rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0)
			return false;
		proto = ip->next_proto_id;
		l4 = l3 + ihl;
	} else {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
		uint8_t cust[16];

		if (!pe->has_v6 || avail < IPV6_HLEN + L4_PORTS_LEN)
			return false;
		erdp_p6_customer(&pe->v6[link], cust);
		if (memcmp(ip->src_addr, cust, 16) != 0)
			return false;
		proto = ip->proto; /* extension headers: not BGP or BFD as sent in practice */
		l4 = l3 + IPV6_HLEN;
	}
	sport = (uint16_t)(l4[0] << 8 | l4[1]);
	dport = (uint16_t)(l4[2] << 8 | l4[3]);
	if (proto == IPPROTO_TCP)
		return sport == BGP_PORT || dport == BGP_PORT;
	if (proto == IPPROTO_UDP)
		return dport == BFD_PORT || dport == BFD_MULTIHOP_PORT;
	return false;
}

void erdp_host_untag(struct rte_mbuf *m, uint16_t l3_off, const struct rte_ether_addr *dst)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t tags = (uint16_t)(l3_off - ERDP_ETH_HLEN);

	/* [dst][src][tags][etype] -> [dst'][src][etype]: the EtherType stays where it is. */
	memmove(f + tags + RTE_ETHER_ADDR_LEN, f + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
	memcpy(f + tags, dst->addr_bytes, RTE_ETHER_ADDR_LEN);
	rte_pktmbuf_adj(m, tags);
}

void erdp_host_input(struct erdp_dp *dp, struct rte_mbuf *m)
{
	const struct erdp_meta *meta = erdp_meta(m);
	uint16_t plink = meta->plink;
	uint8_t port = meta->in_port;
	struct erdp_counters *c = dp->main_ctr;
	struct erdp_host_link *h;
	uint32_t len;

	if (dp->host == NULL || plink == ERDP_PLINK_NONE ||
	    dp->host[plink].port_id == ERDP_HOST_NO_PORT) {
		erdp_sp_drop(dp, m, ERDP_DROP_LOCAL);
		return;
	}
	h = &dp->host[plink];
	if (!dp->plink_admin_up[plink] || !dp->port[port].admin_up) {
		erdp_sp_drop(dp, m, ERDP_DROP_LINK_DOWN); /* the sessions on it go down */
		return;
	}
	if (!erdp_host_policer_allow(&h->pol, is_control(dp, m), host_now())) {
		erdp_sp_drop(dp, m, ERDP_DROP_HOST_RATELIMIT);
		return;
	}
	erdp_host_untag(m, meta->l3_off, &dp->port[port].mac);
	len = m->pkt_len;
	if (rte_eth_tx_burst(h->port_id, 0, &m, 1) != 1) {
		erdp_sp_drop(dp, m, ERDP_DROP_HOST_QUEUE_FULL);
		return;
	}
	/* m belongs to the tap now: count from the copies taken above. */
	c->port[port].local_pkts++;
	c->plink[plink].local_pkts++;
	h->tx_pkts++;
	h->tx_bytes += len;
}

/* ---- frames from the host ---- */

static void from_host(struct erdp_dp *dp, unsigned int plink, struct rte_mbuf *m)
{
	struct erdp_host_link *h = &dp->host[plink];
	unsigned int peering = erdp_plink_peering(plink);
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	/* Its drops count on the link and the link's port (meta below), where it would leave. */
	struct erdp_meta *meta = erdp_meta(m);
	enum erdp_drop reason = ERDP_DROP_LINK_DOWN;
	const struct erdp_nh *nh;
	const struct erdp_l2 *l2;
	uint32_t ip_len;
	bool v6;

	h->rx_pkts++;
	h->rx_bytes += m->pkt_len;
	memset(meta, 0, sizeof(*meta));
	meta->plink = (uint16_t)plink;
	meta->vrf = (uint16_t)dp->cfg->peerings[peering].vrf;
	meta->in_port = h->cfg_port;
	meta->l3_off = ERDP_ETH_HLEN;
	meta->punt = ERDP_PUNT_HOST; /* if it waits for the customer's MAC: no TTL change */
	meta->nh_id = erdp_nh_id_peering(&dp->nh, peering,
					 erdp_plink_link(plink) == ERDP_LINK_PRIMARY
						 ? ERDP_NH_LINKS_PRIMARY
						 : ERDP_NH_LINKS_SECONDARY);
	if (rte_pktmbuf_data_len(m) < ERDP_ETH_HLEN) {
		erdp_sp_drop(dp, m, ERDP_DROP_TRUNCATED);
		return;
	}
	meta->etype = (uint16_t)(f[12] << 8 | f[13]);
	v6 = meta->etype == ERDP_ETYPE_IPV6;
	if ((f[0] & 1) != 0 || (meta->etype != ERDP_ETYPE_IPV4 && !v6)) {
		erdp_sp_drop(dp, m, ERDP_DROP_HOST_NOT_UNICAST);
		return;
	}
	if (rte_pktmbuf_data_len(m) <
	    ERDP_ETH_HLEN + (v6 ? IPV6_HLEN : sizeof(struct rte_ipv4_hdr))) {
		erdp_sp_drop(dp, m, ERDP_DROP_TRUNCATED);
		return;
	}
	if (!dp->plink_admin_up[plink]) {
		erdp_sp_drop(dp, m, ERDP_DROP_LINK_DOWN);
		return;
	}
	nh = erdp_nh_get(&dp->nh, meta->nh_id);
	/* One member: no flow hash to compute. */
	l2 = nh != NULL ? erdp_nh_select_hash(nh, 0, v6, &reason) : NULL;
	if (l2 == NULL) {
		if (reason == ERDP_DROP_NEIGH)
			erdp_neigh_hold(dp, m); /* resolves, then erdp_sp_forward sends it */
		else
			erdp_sp_drop(dp, m, reason);
		return;
	}
	ip_len = v6 ? rte_be_to_cpu_16(
			      ((const struct rte_ipv6_hdr *)(f + ERDP_ETH_HLEN))->payload_len) +
				 IPV6_HLEN
		    : rte_be_to_cpu_16(
			      ((const struct rte_ipv4_hdr *)(f + ERDP_ETH_HLEN))->total_length);
	if (ip_len > l2->mtu) { /* the tap has the port's MTU: only a misconfigured host */
		erdp_sp_drop(dp, m, ERDP_DROP_MTU);
		return;
	}
	if (erdp_rewrite_l2(m, ERDP_ETH_HLEN, l2, meta->etype) == NULL) {
		erdp_sp_drop(dp, m, ERDP_DROP_TRUNCATED);
		return;
	}
	erdp_sp_send(dp, m, (uint8_t)l2->cfg_port, l2->plink);
}

unsigned int erdp_host_poll(struct erdp_dp *dp)
{
	unsigned int total = 0, n_plinks;

	if (dp->host == NULL || n_attached == 0)
		return 0;
	n_plinks = erdp_plink_count((unsigned int)dp->cfg->n_peerings);
	for (unsigned int k = 0; k < n_plinks; k++) {
		struct rte_mbuf *pkts[ERDP_BURST_MAX];
		uint16_t n;

		if (dp->host[k].port_id == ERDP_HOST_NO_PORT)
			continue;
		n = rte_eth_rx_burst(dp->host[k].port_id, 0, pkts, ERDP_BURST_MAX);
		for (uint16_t i = 0; i < n; i++)
			from_host(dp, k, pkts[i]);
		total += n;
	}
	return total;
}

/* ---- the taps ---- */

static const char *link_name(unsigned int link)
{
	return link == ERDP_LINK_PRIMARY ? "primary" : "secondary";
}

/* Probe, configure, set up queues and start plink's tap: on this thread, inside its namespace. */
static int tap_start(struct erdp_dp *dp, unsigned int plink, struct erdp_err *err)
{
	struct erdp_host_link *h = &dp->host[plink];
	const char *pname = dp->cfg->peerings[erdp_plink_peering(plink)].name;
	char name[RTE_ETH_NAME_MAX_LEN], args[RTE_ETH_NAME_MAX_LEN + 64];
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint16_t pid;
	int rc;

	snprintf(name, sizeof(name), TAP_DEV_PREFIX "%u", plink);
	snprintf(args, sizeof(args), "%s,iface=%s,persist", name, h->ifname);
	rc = rte_dev_probe(args);
	if (rc == 0)
		rc = rte_eth_dev_get_port_by_name(name, &pid);
	if (rc != 0)
		return erdp_errf(err, -rc,
				 "peering %s %s link: cannot create tap '%s' in namespace '%s': %s "
				 "(another process holding it? DPDK ports left: %u of %u)",
				 pname, link_name(erdp_plink_link(plink)), h->ifname, h->netns,
				 rte_strerror(-rc), RTE_MAX_ETHPORTS - rte_eth_dev_count_total(),
				 RTE_MAX_ETHPORTS);
	h->port_id = pid;
	h->owned = true;
	n_attached++;
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(pid, &info);
	/* A jumbo MTU takes more than one mbuf a frame. */
	if (rc == 0)
		conf.rxmode.offloads = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER;
	if (rc == 0)
		rc = rte_eth_dev_configure(pid, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_set_mtu(pid, dp->cfg->ports[h->cfg_port].mtu);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(pid, 0, ERDP_HOST_RX_DESC, rte_socket_id(), NULL,
					    dp->pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(pid, 0, ERDP_HOST_TX_DESC, rte_socket_id(), NULL);
	if (rc == 0)
		rc = rte_eth_dev_default_mac_addr_set(pid, &dp->port[h->cfg_port].mac);
	if (rc == 0)
		rc = erdp_netif_set(h->ifname, false, true, err); /* NOARP before it is up */
	if (rc == 0)
		rc = rte_eth_dev_start(pid);
	if (rc != 0 && err->code == 0) /* an rte_* call failed (erdp_netif_set fills err) */
		erdp_errf(err, -rc,
			  "peering %s %s link: tap '%s' in namespace '%s': set-up failed: %s",
			  pname, link_name(erdp_plink_link(plink)), h->ifname, h->netns,
			  rte_strerror(-rc));
	return rc;
}

static int sysctl_if(const char *ifname, const char *leaf, const char *value, struct erdp_err *err)
{
	char key[128];

	snprintf(key, sizeof(key), "net/ipv6/conf/%s/%s", ifname, leaf);
	return erdp_netns_sysctl(key, value, err);
}

/* The interface as the MSEE's: up, NOARP, its MSEE addresses; no router advertisements. */
static int tap_address(struct erdp_dp *dp, unsigned int plink, struct erdp_err *err)
{
	const struct erdp_host_link *h = &dp->host[plink];
	const struct erdp_peering_conf *pe = &dp->cfg->peerings[erdp_plink_peering(plink)];
	unsigned int link = erdp_plink_link(plink);
	uint32_t a4 = rte_cpu_to_be_32(erdp_p4_msee(&pe->v4[link]));
	uint8_t a6[16];
	int rc;

	rc = sysctl_if(h->ifname, "accept_ra", "0", err);
	if (rc == 0) /* an erdp restart (link down, up) keeps the IPv6 address too */
		rc = sysctl_if(h->ifname, "keep_addr_on_down", "1", err);
	if (rc == 0)
		rc = erdp_netif_set(h->ifname, true, true, err);
	if (rc == 0)
		rc = erdp_netif_addr_add(h->ifname, AF_INET, (const uint8_t *)&a4, pe->v4[link].len,
					 err);
	if (rc == 0 && pe->has_v6) {
		erdp_p6_msee(&pe->v6[link], a6);
		rc = erdp_netif_addr_add(h->ifname, AF_INET6, a6, pe->v6[link].len, err);
	}
	return rc;
}

static int tap_open(struct erdp_dp *dp, unsigned int plink, struct erdp_err *err)
{
	struct erdp_host_link *h = &dp->host[plink];
	int saved = erdp_netns_enter(h->netns, err), rc;

	if (saved < 0)
		return saved;
	/* Interfaces made from now on in this namespace take no router advertisements. */
	rc = erdp_netns_sysctl("net/ipv6/conf/default/accept_ra", "0", err);
	if (rc == 0)
		rc = tap_start(dp, plink, err);
	if (rc == 0)
		rc = tap_address(dp, plink, err);
	if (erdp_netns_leave(saved) != 0 && rc == 0)
		rc = erdp_errf(err, errno, "cannot leave namespace '%s': %s", h->netns,
			       strerror(errno));
	return rc;
}

static void tap_close(struct erdp_host_link *h)
{
	int saved = erdp_netns_enter(h->netns, NULL); /* gone: close from here, it still works */

	rte_eth_dev_stop(h->port_id);
	rte_eth_dev_close(h->port_id);
	if (saved >= 0)
		erdp_netns_leave(saved);
}

static int peering_taps(struct erdp_dp *dp, unsigned int p, struct erdp_err *err)
{
	const struct erdp_config *cfg = dp->cfg;
	char ns[ERDP_NETNS_NAME_MAX + 1];
	int rc;

	if (erdp_peering_namespace(cfg, (int)p, ns, sizeof(ns)) != 0)
		return erdp_errf(err, ENAMETOOLONG, "peering %s: namespace name too long",
				 cfg->peerings[p].name);
	rc = erdp_netns_ensure(ns, err);
	if (rc < 0)
		return rc;
	for (unsigned int l = 0; l < ERDP_LINKS; l++) {
		struct erdp_host_link *h = &dp->host[erdp_plink(p, l)];

		if (h->cfg_port == UINT8_MAX)
			continue; /* the pair has no such port */
		snprintf(h->netns, sizeof(h->netns), "%s", ns);
		snprintf(h->ifname, sizeof(h->ifname), "%s", link_name(l));
		rc = tap_open(dp, erdp_plink(p, l), err);
		if (rc < 0)
			return rc;
		printf("erdp: host interface %s of %s: namespace %s, port %u\n", h->ifname,
		       cfg->peerings[p].name, ns, h->port_id);
	}
	return 0;
}

/* Every link needs a DPDK port of its own for its tap: say so before creating any. */
static int check_port_budget(const struct erdp_dp *dp, struct erdp_err *err)
{
	const struct erdp_config *cfg = dp->cfg;
	unsigned int links = (cfg->pair.primary_port >= 0) + (cfg->pair.secondary_port >= 0);
	unsigned int need = (unsigned int)cfg->n_peerings * links;
	unsigned int have = RTE_MAX_ETHPORTS - rte_eth_dev_count_total();

	if (need <= have)
		return 0;
	return erdp_errf(err, ENOSPC,
			 "bgp.enabled: %d peerings x %u links need %u host interfaces (DPDK "
			 "ports); this DPDK build has %u ports in all (RTE_MAX_ETHPORTS) and %u "
			 "are left",
			 cfg->n_peerings, links, need, RTE_MAX_ETHPORTS, have);
}

int erdp_host_init(struct erdp_dp *dp, struct erdp_err *err)
{
	const struct erdp_config *cfg = dp->cfg;
	unsigned int n =
		erdp_plink_count((unsigned int)(cfg->n_peerings > 0 ? cfg->n_peerings : 1));
	int rc;

	n_attached = 0;
	dp->host = rte_zmalloc("erdp_host", n * sizeof(*dp->host), RTE_CACHE_LINE_SIZE);
	if (dp->host == NULL)
		return erdp_errf(err, ENOMEM, "host interfaces: out of memory");
	for (unsigned int k = 0; k < n; k++) {
		int port = erdp_plink_link(k) == ERDP_LINK_PRIMARY ? cfg->pair.primary_port
								   : cfg->pair.secondary_port;

		dp->host[k].port_id = ERDP_HOST_NO_PORT;
		dp->host[k].cfg_port = port >= 0 ? (uint8_t)port : UINT8_MAX;
		erdp_host_policer_init(&dp->host[k].pol, cfg->bgp.host_rate_pps,
				       cfg->bgp.host_burst, rte_get_tsc_hz(), host_now());
	}
	if (!cfg->bgp.enabled || dp->portless)
		return 0;
	rc = check_port_budget(dp, err);
	for (int p = 0; rc == 0 && p < cfg->n_peerings; p++)
		rc = peering_taps(dp, (unsigned int)p, err);
	fflush(stdout);
	return rc;
}

void erdp_host_fini(struct erdp_dp *dp)
{
	unsigned int n;

	if (dp->host == NULL)
		return;
	n = erdp_plink_count((unsigned int)dp->cfg->n_peerings);
	for (unsigned int k = 0; k < n; k++)
		if (dp->host[k].owned)
			tap_close(&dp->host[k]);
	rte_free(dp->host);
	dp->host = NULL;
	n_attached = 0;
}

bool erdp_host_enabled(const struct erdp_dp *dp)
{
	return dp->host != NULL && n_attached > 0;
}

void erdp_host_link_info(const struct erdp_dp *dp, unsigned int plink, struct erdp_host_info *out)
{
	const struct erdp_host_link *h = dp->host != NULL ? &dp->host[plink] : NULL;
	struct rte_eth_link link;

	memset(out, 0, sizeof(*out));
	out->port_id = ERDP_HOST_NO_PORT;
	if (h == NULL || h->port_id == ERDP_HOST_NO_PORT)
		return;
	out->present = true;
	out->port_id = h->port_id;
	out->link_up = rte_eth_link_get_nowait(h->port_id, &link) == 0 &&
		       link.link_status == RTE_ETH_LINK_UP;
	snprintf(out->ifname, sizeof(out->ifname), "%s", h->ifname);
	snprintf(out->netns, sizeof(out->netns), "%s", h->netns);
	out->rx_pkts = h->rx_pkts;
	out->rx_bytes = h->rx_bytes;
	out->tx_pkts = h->tx_pkts;
	out->tx_bytes = h->tx_bytes;
}

int erdp_host_attach(struct erdp_dp *dp, unsigned int plink, uint16_t port_id)
{
	if (dp->host == NULL || plink >= erdp_plink_count((unsigned int)dp->cfg->n_peerings) ||
	    dp->host[plink].cfg_port == UINT8_MAX)
		return -EINVAL;
	if (dp->host[plink].port_id == ERDP_HOST_NO_PORT)
		n_attached++;
	dp->host[plink].port_id = port_id;
	snprintf(dp->host[plink].ifname, sizeof(dp->host[plink].ifname), "%s",
		 link_name(erdp_plink_link(plink)));
	return 0;
}

void erdp_host_set_clock(struct erdp_dp *dp, uint64_t (*now)(void), uint64_t hz)
{
	unsigned int n = erdp_plink_count((unsigned int)dp->cfg->n_peerings);

	host_now = now != NULL ? now : tsc_now;
	for (unsigned int k = 0; dp->host != NULL && k < n; k++)
		erdp_host_policer_init(&dp->host[k].pol, dp->cfg->bgp.host_rate_pps,
				       dp->cfg->bgp.host_burst, hz, host_now());
}
