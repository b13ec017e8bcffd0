/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateway instance health, BFD-like: for each instance with an address,
 * an ARP probe (sender 0.0.0.0 as in RFC 5227, since the gateway side has
 * no erdp address) every health_interval_ms; health_multiplier probes in a
 * row without a reply take the instance out of its gateway's flow hash,
 * and the first reply puts it back. Resilient hashing means only that
 * instance's flows move either way.
 *
 * An interval counts as missed only if the workers polled during it: when
 * the machine starves erdp's own threads, replies wait unread in the RX
 * queues and the instances are not to blame.
 */
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_lcore.h>

#include "nexthop/nexthop.h"
#include "slowpath.h"

static void set_alive(struct erdp_dp *dp, uint32_t g, int i, bool alive)
{
	char ip[16];
	uint32_t a = dp->gw[g].inst[i].ip;

	dp->gw[g].inst[i].alive = alive;
	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
		 a & 0xff);
	printf("erdp: gateway %s instance %d (%s) %s\n",
	       g < (uint32_t)dp->cfg->n_gateways ? dp->cfg->gateways[g].name : "?", i, ip,
	       alive ? "up: answers probes" : "down: probes unanswered");
	fflush(stdout);
	erdp_nh_republish_gateway(dp, (int)g);
}

static void send_probe(struct erdp_dp *dp, uint32_t g, int i)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const struct erdp_gw_rt *gw = &dp->gw[g];
	uint8_t port = gw->inst[i].port;
	uint16_t tpid = ERDP_TPID_8021Q, vlan = gw->inst[i].vlan;
	struct rte_mbuf *m;
	struct erdp_l2 l2;

	erdp_l2_build(&l2, bcast, dp->port[port].mac.addr_bytes, vlan != 0, &tpid, &vlan);
	m = erdp_arp_request_frame(dp, &l2, 0, gw->inst[i].ip);
	if (m != NULL)
		erdp_sp_send(dp, m, port, ERDP_PLINK_NONE);
}

/* Worker loop iterations that prove the RX queues were read during an interval. */
#define HEALTH_MIN_LOOPS 8

/* Sum of the workers' loop counters: did the workers run since a probe went out? */
static uint64_t workers_loops(const struct erdp_dp *dp)
{
	uint64_t n = 0;
	unsigned int lcore;

	RTE_LCORE_FOREACH_WORKER(lcore)
	if (dp->workers[lcore] != NULL)
		n += __atomic_load_n(&dp->workers[lcore]->loops, __ATOMIC_RELAXED);
	return n;
}

void erdp_health_poll(struct erdp_dp *dp)
{
	static uint64_t last;
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz(), loops = workers_loops(dp);

	if (now - last < hz / 100) /* 10 ms: finer than any probe period */
		return;
	last = now;
	for (uint32_t g = 0; g < dp->max_gateways; g++) {
		struct erdp_gw_rt *gw = &dp->gw[g];

		if (!gw->in_use)
			continue;
		for (int i = 0; i < gw->n_instances; i++) {
			if (!gw->inst[i].has_ip ||
			    now - gw->inst[i].last_probe < hz * gw->health_interval_ms / 1000)
				continue;
			if (gw->inst[i].last_probe != 0 && !gw->inst[i].answered &&
			    loops - gw->inst[i].probe_loops >= HEALTH_MIN_LOOPS &&
			    gw->inst[i].missed < 255 &&
			    ++gw->inst[i].missed == gw->health_multiplier && gw->inst[i].alive)
				set_alive(dp, g, i, false);
			gw->inst[i].answered = false;
			gw->inst[i].last_probe = now;
			gw->inst[i].probe_loops = loops;
			send_probe(dp, g, i);
		}
	}
}

void erdp_health_reply(struct erdp_dp *dp, uint8_t port, uint16_t vlan, uint32_t ip)
{
	for (uint32_t g = 0; g < dp->max_gateways; g++) {
		struct erdp_gw_rt *gw = &dp->gw[g];

		for (int i = 0; gw->in_use && i < gw->n_instances; i++) {
			if (!gw->inst[i].has_ip || gw->inst[i].ip != ip ||
			    gw->inst[i].port != port || gw->inst[i].vlan != vlan)
				continue;
			gw->inst[i].answered = true;
			gw->inst[i].missed = 0;
			if (!gw->inst[i].alive)
				set_alive(dp, g, i, true);
		}
	}
}
