/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port set-up for any DPDK port (PCI or vdev).
 *
 * Each config port is found by the name EAL gave it (the PCI address or the
 * vdev name before the first comma). RX queues come from the config and use
 * RSS when there is more than one; TX queues are one per worker when the
 * device allows it, else workers share queues under a per-queue lock (net_pcap
 * has a single TX queue). VLAN offloads stay off: tags are parsed and pushed
 * in software, so NIC VLAN quirks cannot change classification.
 */
#include <errno.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "setup.h"

static void device_name(const char *devargs, char *out, size_t len)
{
	size_t n = strcspn(devargs, ",");

	if (n >= len)
		n = len - 1;
	memcpy(out, devargs, n);
	out[n] = '\0';
}

/*
 * The device MTU that lets a full-size IP packet in with the port's tags.
 * DPDK's MTU is the L3 payload, and a Linux device under a vdev (af_packet on
 * a veth, tap) takes its MTU plus one tag: a QinQ frame carries two, so at an
 * MTU equal to the IP MTU its largest frames were dropped before erdp saw
 * them. Customer ports carry the pair's tags, gateway ports at most one.
 */
static uint16_t device_mtu(const struct erdp_config *cfg, const struct erdp_port_conf *pc)
{
	unsigned int tags =
		pc->role != ERDP_ROLE_GATEWAY && cfg->pair.encap == ERDP_ENCAP_QINQ ? 2 : 1;

	return (uint16_t)(pc->mtu + tags * ERDP_VLAN_HLEN);
}

static int port_configure(struct erdp_dp *dp, int i, struct erdp_err *err)
{
	const struct erdp_port_conf *pc = &dp->cfg->ports[i];
	struct erdp_port *p = &dp->port[i];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0)
		return erdp_errf(err, -rc, "port '%s': cannot read device info: %s", pc->name,
				 rte_strerror(-rc));
	if (pc->rx_queues > info.max_rx_queues)
		return erdp_errf(err, EINVAL,
				 "port '%s' (config line %d): rx_queues %u exceeds the device "
				 "maximum %u",
				 pc->name, pc->line, pc->rx_queues, info.max_rx_queues);
	p->n_rxq = pc->rx_queues;
	p->n_txq = (uint16_t)RTE_MIN((unsigned int)info.max_tx_queues, dp->n_workers);
	if (p->n_txq == 0)
		p->n_txq = 1;
	p->shared_txq = p->n_txq < dp->n_workers;
	/*
	 * A NIC pads short frames in hardware; virtual devices (memif, pcap,
	 * ring, af_packet, tap...) send what they are given, and a frame that
	 * lost its QinQ tags may be under Ethernet's minimum. net_null drops
	 * what it is given, like a NIC's wire would not: no padding there
	 * either, so benchmarks with a net_null sink measure what a NIC sees.
	 */
	p->pad_short = info.device == NULL ||
		       (strcmp(rte_bus_name(rte_dev_bus(info.device)), "pci") != 0 &&
			strcmp(info.driver_name, "net_null") != 0);
	/*
	 * net_pcap has no link: its status says "started", and a DPDK 22.11
	 * secondary process (dpdk-dumpcap, dpdk-pdump, dpdk-proc-info) that exits
	 * stops its own copy of every device and so writes "down" into the state
	 * it shares with erdp. erdp never stops a port while it runs: up it is.
	 */
	p->link_fixed = strcmp(info.driver_name, "net_pcap") == 0;
	memset(&conf, 0, sizeof(conf));
	if (p->n_rxq > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	rc = rte_eth_dev_configure(p->port_id, p->n_rxq, p->n_txq, &conf);
	if (rc != 0)
		return erdp_errf(err, -rc, "port '%s': configure (%u rx, %u tx queues) failed: %s",
				 pc->name, p->n_rxq, p->n_txq, rte_strerror(-rc));
	/* MTU on the device is best effort: vdevs may not implement it. */
	rte_eth_dev_set_mtu(p->port_id, device_mtu(dp->cfg, pc));
	return 0;
}

static int port_queues(struct erdp_dp *dp, int i, struct erdp_err *err)
{
	const struct erdp_port_conf *pc = &dp->cfg->ports[i];
	struct erdp_port *p = &dp->port[i];
	int socket = rte_eth_dev_socket_id(p->port_id);
	uint16_t nrx = dp->cfg->dp.rx_desc, ntx = dp->cfg->dp.tx_desc;
	int rc;

	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nrx, &ntx);
	if (rc != 0)
		return erdp_errf(err, -rc, "port '%s': descriptor counts rejected: %s", pc->name,
				 rte_strerror(-rc));
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, nrx, socket, NULL, dp->pool);
		if (rc != 0)
			return erdp_errf(err, -rc, "port '%s': rx queue %u setup failed: %s",
					 pc->name, q, rte_strerror(-rc));
	}
	for (uint16_t q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->port_id, q, ntx, socket, NULL);
		if (rc != 0)
			return erdp_errf(err, -rc, "port '%s': tx queue %u setup failed: %s",
					 pc->name, q, rte_strerror(-rc));
		rte_spinlock_init(&p->txq_lock[q]);
	}
	return 0;
}

static int port_start(struct erdp_dp *dp, int i, struct erdp_err *err)
{
	const struct erdp_port_conf *pc = &dp->cfg->ports[i];
	struct erdp_port *p = &dp->port[i];
	int rc;

	if (pc->has_mac) {
		memcpy(p->mac.addr_bytes, pc->mac.b, 6);
		rc = rte_eth_dev_default_mac_addr_set(p->port_id, &p->mac);
		if (rc != 0 && rc != -ENOTSUP)
			return erdp_errf(err, -rc, "port '%s': cannot set MAC: %s", pc->name,
					 rte_strerror(-rc));
	}
	rc = rte_eth_dev_start(p->port_id);
	if (rc != 0)
		return erdp_errf(err, -rc, "port '%s': start failed: %s", pc->name,
				 rte_strerror(-rc));
	/*
	 * The receive rules (datapath/receive.h) filter destination MACs in
	 * software; the NIC must let through what they may accept: multicast
	 * for neighbour discovery, and everything on a promiscuous port.
	 * Best effort: vdevs may not implement either.
	 */
	p->promiscuous = pc->promiscuous;
	rte_eth_allmulticast_enable(p->port_id);
	if (pc->promiscuous)
		rte_eth_promiscuous_enable(p->port_id);
	/* With a config MAC we use it even where the PMD cannot program it. */
	if (!pc->has_mac)
		rte_eth_macaddr_get(p->port_id, &p->mac);
	struct rte_eth_link link;

	p->admin_up = true;
	p->link_up = p->link_fixed || (rte_eth_link_get_nowait(p->port_id, &link) == 0 &&
				       link.link_status == RTE_ETH_LINK_UP);
	return 0;
}

/*
 * Portless: the tables are built as if every port were up, with its config
 * MAC or a locally administered one, and a TX queue per worker. The port id
 * is one no DPDK port has, so a stray rte_eth_* call fails instead of
 * touching another port.
 */
static void ports_fake(struct erdp_dp *dp)
{
	for (int i = 0; i < dp->cfg->n_ports; i++) {
		const struct erdp_port_conf *pc = &dp->cfg->ports[i];
		struct erdp_port *p = &dp->port[i];
		const uint8_t local[6] = {0x02, 0, 0, 0, 0, (uint8_t)(i + 1)};

		p->port_id = RTE_MAX_ETHPORTS;
		p->n_rxq = pc->rx_queues;
		p->n_txq = (uint16_t)dp->n_workers;
		p->shared_txq = false;
		p->pad_short = true;
		p->link_up = true;
		p->admin_up = true;
		p->promiscuous = pc->promiscuous;
		memcpy(p->mac.addr_bytes, pc->has_mac ? pc->mac.b : local, 6);
	}
}

int erdp_ports_init(struct erdp_dp *dp, struct erdp_err *err)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	if (dp->portless) {
		ports_fake(dp);
		return 0;
	}
	for (int i = 0; i < dp->cfg->n_ports; i++) {
		const struct erdp_port_conf *pc = &dp->cfg->ports[i];
		uint16_t pid;

		device_name(pc->device, name, sizeof(name));
		if (rte_eth_dev_get_port_by_name(name, &pid) != 0)
			return erdp_errf(err, ENODEV,
					 "port '%s' (config line %d): no DPDK port named '%s' "
					 "(device not found, not bound to a DPDK driver, or PMD "
					 "missing)",
					 pc->name, pc->line, name);
		dp->port[i].port_id = pid;
		rc = port_configure(dp, i, err);
		if (rc == 0)
			rc = port_queues(dp, i, err);
		if (rc == 0)
			rc = port_start(dp, i, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void erdp_ports_close(struct erdp_dp *dp)
{
	for (int i = 0; !dp->portless && i < dp->cfg->n_ports; i++) {
		rte_eth_dev_stop(dp->port[i].port_id);
		rte_eth_dev_close(dp->port[i].port_id);
	}
}
