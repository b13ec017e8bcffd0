/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker lcore loop: RX burst per queue -> parse -> lookup -> forward
 * (datapath.h), frames injected by the main lcore, TX flush, and one QSBR
 * quiescent state per loop.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "datapath.h"

/* Frames built by the main lcore (ARP/ND/ICMP replies): meta.in_port is the egress port. */
static void drain_inject(const struct erdp_dp *dp, struct erdp_worker *w)
{
	struct rte_mbuf *m[ERDP_BURST_MAX];
	unsigned int n = rte_ring_sc_dequeue_burst(w->inject, (void **)m, ERDP_BURST_MAX, NULL);

	for (unsigned int i = 0; i < n; i++)
		erdp_tx_enqueue(dp, w, erdp_meta(m[i])->in_port, m[i], erdp_meta(m[i])->plink);
}

int erdp_worker_main(void *arg)
{
	const struct erdp_dp *dp = &erdp;
	struct erdp_worker *w = arg;
	struct rte_mbuf *pkts[ERDP_BURST_MAX];
	uint16_t burst = dp->burst;

	rte_rcu_qsbr_thread_register(dp->rcu, w->idx);
	rte_rcu_qsbr_thread_online(dp->rcu, w->idx);
	while (!erdp.quit) {
		bool busy = false;
		uint64_t t0 = rte_rdtsc();

		for (uint16_t q = 0; q < w->n_rxq; q++) {
			uint16_t n =
				rte_eth_rx_burst(w->rxq[q].port_id, w->rxq[q].queue, pkts, burst);

			if (n == 0)
				continue;
			busy = true;
			w->rx_pkts += n;
			erdp_process_burst(dp, w, w->rxq[q].cfg_port, pkts, n);
		}
		if (!rte_ring_empty(w->inject)) {
			drain_inject(dp, w);
			busy = true;
		}
		erdp_tx_flush(dp, w);
		if (busy)
			w->busy_cycles += rte_rdtsc() - t0;
		else
			w->idle_polls++;
		w->loops++;
		rte_rcu_qsbr_quiescent(dp->rcu, w->idx);
	}
	erdp_tx_flush(dp, w);
	rte_rcu_qsbr_thread_offline(dp->rcu, w->idx);
	rte_rcu_qsbr_thread_unregister(dp->rcu, w->idx);
	return 0;
}
