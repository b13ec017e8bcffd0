/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "erdp_counters.h"

static size_t n_or_one(int n)
{
	return n > 0 ? (size_t)n : 1;
}

struct erdp_counters *erdp_counters_alloc(int n_circuits, int n_peerings, int socket)
{
	struct erdp_counters *c;
	size_t nc = n_or_one(n_circuits), npl = n_or_one(n_peerings) * ERDP_LINKS;

	c = rte_zmalloc_socket("erdp_counters", sizeof(*c), RTE_CACHE_LINE_SIZE, socket);
	if (c == NULL)
		return NULL;
	c->circuit =
		rte_zmalloc_socket(NULL, nc * sizeof(*c->circuit), RTE_CACHE_LINE_SIZE, socket);
	c->circuit_drop = rte_zmalloc_socket(NULL, nc * sizeof(*c->circuit_drop),
					     RTE_CACHE_LINE_SIZE, socket);
	c->plink = rte_zmalloc_socket(NULL, npl * sizeof(*c->plink), RTE_CACHE_LINE_SIZE, socket);
	c->plink_drop =
		rte_zmalloc_socket(NULL, npl * sizeof(*c->plink_drop), RTE_CACHE_LINE_SIZE, socket);
	if (c->circuit == NULL || c->circuit_drop == NULL || c->plink == NULL ||
	    c->plink_drop == NULL) {
		erdp_counters_free(c);
		return NULL;
	}
	return c;
}

void erdp_counters_free(struct erdp_counters *c)
{
	if (c == NULL)
		return;
	rte_free(c->circuit);
	rte_free(c->circuit_drop);
	rte_free(c->plink);
	rte_free(c->plink_drop);
	rte_free(c);
}

static void add_ctr(struct erdp_ctr *dst, const struct erdp_ctr *src)
{
	dst->rx_pkts += src->rx_pkts;
	dst->rx_bytes += src->rx_bytes;
	dst->tx_pkts += src->tx_pkts;
	dst->tx_bytes += src->tx_bytes;
	dst->local_pkts += src->local_pkts;
}

static void add_drops(uint64_t *dst, const uint64_t *src)
{
	for (int r = 0; r < ERDP_DROP_MAX; r++)
		dst[r] += src[r];
}

void erdp_counters_sum(struct erdp_counters *out, struct erdp_counters *const *blocks,
		       unsigned int n, int n_circuits, int n_peerings)
{
	int npl = n_peerings * ERDP_LINKS;

	memset(out->port, 0, sizeof(out->port));
	memset(out->port_drop, 0, sizeof(out->port_drop));
	memset(out->circuit, 0, n_or_one(n_circuits) * sizeof(*out->circuit));
	memset(out->circuit_drop, 0, n_or_one(n_circuits) * sizeof(*out->circuit_drop));
	memset(out->plink, 0, n_or_one(n_peerings) * ERDP_LINKS * sizeof(*out->plink));
	memset(out->plink_drop, 0, n_or_one(n_peerings) * ERDP_LINKS * sizeof(*out->plink_drop));
	for (unsigned int b = 0; b < n; b++) {
		const struct erdp_counters *c = blocks[b];

		for (int p = 0; p < ERDP_MAX_PORTS; p++) {
			add_ctr(&out->port[p], &c->port[p]);
			add_drops(out->port_drop[p], c->port_drop[p]);
		}
		for (int i = 0; i < n_circuits; i++) {
			add_ctr(&out->circuit[i], &c->circuit[i]);
			add_drops(out->circuit_drop[i], c->circuit_drop[i]);
		}
		for (int i = 0; i < npl; i++) {
			add_ctr(&out->plink[i], &c->plink[i]);
			add_drops(out->plink_drop[i], c->plink_drop[i]);
		}
	}
}

void erdp_counters_peering(const struct erdp_counters *c, int peering, struct erdp_ctr *out,
			   uint64_t drops[ERDP_DROP_MAX])
{
	memset(out, 0, sizeof(*out));
	memset(drops, 0, sizeof(uint64_t) * ERDP_DROP_MAX);
	for (unsigned int l = 0; l < ERDP_LINKS; l++) {
		add_ctr(out, &c->plink[erdp_plink(peering, l)]);
		add_drops(drops, c->plink_drop[erdp_plink(peering, l)]);
	}
}

void erdp_counters_circuit(const struct erdp_counters *c, const struct erdp_config *cfg,
			   int circuit, struct erdp_ctr *out, uint64_t drops[ERDP_DROP_MAX])
{
	const struct erdp_circuit_conf *ci = &cfg->circuits[circuit];

	*out = c->circuit[circuit];
	memcpy(drops, c->circuit_drop[circuit], sizeof(uint64_t) * ERDP_DROP_MAX);
	for (int t = 0; t < ERDP_PEERINGS_PER_CIRCUIT; t++) {
		struct erdp_ctr pc;
		uint64_t pd[ERDP_DROP_MAX];

		if (ci->peering[t] < 0)
			continue;
		erdp_counters_peering(c, ci->peering[t], &pc, pd);
		add_ctr(out, &pc);
		add_drops(drops, pd);
	}
}
