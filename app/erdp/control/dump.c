/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The route table and the FIB, read for telemetry (`erdpctl verify`).
 *
 * Only the main lcore reads or writes the route table and the FIB, so a
 * telemetry thread does not read them itself: it posts its request in a
 * one-slot mailbox and waits; the main lcore answers at its next poll.
 * Mailbox states, moved with acquire/release atomics:
 *
 *   IDLE --asker--> ASKED --main lcore--> SERVING --> ANSWERED --asker--> IDLE
 *                     \--asker gives up (timeout)--> IDLE
 *
 * One asker at a time (a mutex among the telemetry threads; the main lcore
 * never takes it). A page costs the main lcore a bounded walk: at most
 * DUMP_SCAN table entries, or ERDP_CTRL_DUMP_VRFS VRFs.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <rte_hash.h>

#include "control.h"
#include "dp.h"

#define DUMP_SCAN    16384 /* table entries one route page looks at, at most */
#define DUMP_WAIT_US 20	   /* asker's nap between looks at the mailbox */

enum { BOX_IDLE, BOX_ASKED, BOX_SERVING, BOX_ANSWERED };

static pthread_mutex_t ask_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	uint32_t state;
	struct erdp_ctrl_dump_req req;
	struct erdp_ctrl_dump_page page;
} box;

static uint32_t box_state(void)
{
	return __atomic_load_n(&box.state, __ATOMIC_ACQUIRE);
}

static void nap(void)
{
	struct timespec ts = {.tv_nsec = DUMP_WAIT_US * 1000};

	nanosleep(&ts, NULL);
}

int erdp_ctrl_dump_ask(const struct erdp_ctrl_dump_req *req, struct erdp_ctrl_dump_page *out,
		       unsigned int timeout_ms)
{
	uint64_t waited_us = 0;
	uint32_t asked = BOX_ASKED;
	int rc = 0;

	pthread_mutex_lock(&ask_lock);
	box.req = *req;
	__atomic_store_n(&box.state, BOX_ASKED, __ATOMIC_RELEASE);
	while (box_state() != BOX_ANSWERED) {
		if (waited_us >= (uint64_t)timeout_ms * 1000 &&
		    __atomic_compare_exchange_n(&box.state, &asked, BOX_IDLE, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			rc = -ETIMEDOUT; /* the main lcore never came (erdp is stopping) */
			break;
		}
		asked = BOX_ASKED; /* SERVING: a page takes microseconds, wait for it */
		nap();
		waited_us += DUMP_WAIT_US;
	}
	if (rc == 0) {
		*out = box.page;
		__atomic_store_n(&box.state, BOX_IDLE, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&ask_lock);
	return rc;
}

static void serve_digest(struct erdp_dp *dp, struct erdp_ctrl *c,
			 const struct erdp_ctrl_dump_req *rq, struct erdp_ctrl_dump_page *pg)
{
	uint32_t n_vrfs = (uint32_t)dp->cfg->n_vrfs;

	pg->total = n_vrfs;
	for (uint32_t v = rq->start; v < n_vrfs && pg->n < ERDP_CTRL_DUMP_VRFS; v++) {
		struct erdp_ctrl_dump_vrf *e = &pg->u.vrf[pg->n++];

		for (int f = 0; f < 2; f++) {
			e->dig[f] = c->digest[v][f];
			e->fib[f] = erdp_fib_count(f ? dp->fib6 : dp->fib4, (uint16_t)v) -
				    c->connected[v][f];
		}
	}
	if (rq->start + pg->n < n_vrfs)
		pg->next = rq->start + pg->n;
}

static void serve_routes(struct erdp_dp *dp, struct erdp_ctrl *c,
			 const struct erdp_ctrl_dump_req *rq, struct erdp_ctrl_dump_page *pg)
{
	uint32_t iter = rq->start;
	const void *key;
	void *v;

	if (rq->vrf >= dp->cfg->n_vrfs || (rq->family != 4 && rq->family != 6)) {
		pg->err = -EINVAL;
		return;
	}
	for (unsigned int scanned = 0; pg->n < ERDP_CTRL_DUMP_ROUTES; scanned++) {
		const struct erdp_route_key *k;
		struct erdp_ctrl_dump_route *e;
		uint32_t gen, want = 0, have = 0;
		char detail[ERDP_CTRL_DETAIL_LEN];

		if (scanned == DUMP_SCAN) {
			pg->next = iter;
			return;
		}
		if (rte_hash_iterate(c->routes, &key, &v, &iter) < 0)
			return; /* the end: next stays UINT32_MAX */
		k = key;
		gen = (uint32_t)((uint64_t)(uintptr_t)v >> 32);
		if (k->vrf != rq->vrf || k->family != rq->family || gen == ERDP_CTRL_GEN_CONNECTED)
			continue;
		e = &pg->u.route[pg->n++];
		e->key = *k;
		e->ref = (uint32_t)(uintptr_t)v;
		e->fib_ok = erdp_ctrl_route_nh(dp, k->vrf, e->ref, &want, detail) == ERDP_ACK_OK &&
			    erdp_ctrl_fib_get(dp, k, &have) == 0 && have == want;
	}
	pg->next = iter;
}

void erdp_ctrl_dump_serve(struct erdp_dp *dp, struct erdp_ctrl *c)
{
	uint32_t asked = BOX_ASKED;
	struct erdp_ctrl_dump_page *pg = &box.page;

	if (box_state() != BOX_ASKED ||
	    !__atomic_compare_exchange_n(&box.state, &asked, BOX_SERVING, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return;
	pg->err = 0;
	pg->n = 0;
	pg->total = 0;
	pg->next = UINT32_MAX;
	if (c->routes == NULL)
		pg->err = -ENODEV;
	else if (box.req.kind == ERDP_CTRL_DUMP_DIGEST)
		serve_digest(dp, c, &box.req, pg);
	else
		serve_routes(dp, c, &box.req, pg);
	__atomic_store_n(&box.state, BOX_ANSWERED, __ATOMIC_RELEASE);
}
