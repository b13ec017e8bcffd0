/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture by dpdk-dumpcap or dpdk-pdump, DPDK secondary processes
 * that ask erdp (the primary) over EAL's multi-process channel to install
 * RX/TX callbacks on a port; the callbacks copy matching frames into a ring
 * and an mbuf pool that the capture process created in shared memory. No
 * callback exists while no capture runs: the fast path pays nothing then.
 *
 * A race in DPDK 22.11's pdump library, closed here: to stop a capture,
 * pdump removes the callbacks and answers the capture process at once,
 * which then frees its ring and pool; a worker that was still inside a
 * callback (preempted there, or just in the middle of a burst) then copies
 * into freed memory and erdp crashes in rte_pcapng_copy(). Later DPDK
 * releases make pdump wait for its callbacks before answering; erdp makes
 * 22.11 do the same: pdump answers with rte_mp_reply(), which this file
 * defines. The dynamic linker binds pdump's call to it (the executable
 * comes first in symbol lookup), and for pdump's messages it waits for a
 * QSBR grace period of the workers before it hands the message to EAL's
 * rte_mp_reply(). Workers run the callbacks only inside rx/tx bursts and
 * report a quiescent state once per loop, outside any burst: once each has
 * reported after the removal, none is in a callback any more. Requires
 * DPDK as shared libraries (Debian's); with newer DPDK the wait is merely
 * redundant.
 *
 * Who: rte_mp_reply() runs on EAL's multi-process thread; it reads
 * erdp.rcu (set before erdp_capture_init() is called, freed after
 * erdp_capture_fini()) and never blocks the workers.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pdump.h>
#include <rte_rcu_qsbr.h>

#include "telemetry.h"

#define PDUMP_MP_NAME	      "mp_pdump" /* the message name of DPDK's pdump library */
#define CAPTURE_GRACE_POLL_US 10
/* A worker away longer than this is stuck, not preempted: answer anyway, say so. */
#define CAPTURE_GRACE_MAX_US  (5 * 1000 * 1000)

typedef int (*mp_reply_fn)(struct rte_mp_msg *msg, const char *peer);

static struct rte_rcu_qsbr *capture_rcu; /* the workers' QSBR; NULL: no wait */

/* Until every worker has passed a quiescent state (or stopped), or the bound. */
static void capture_grace_period(void)
{
	struct rte_rcu_qsbr *v = __atomic_load_n(&capture_rcu, __ATOMIC_ACQUIRE);
	uint64_t token;
	unsigned int waited_us = 0;

	if (v == NULL)
		return;
	token = rte_rcu_qsbr_start(v);
	while (rte_rcu_qsbr_check(v, token, false) == 0) {
		if (waited_us >= CAPTURE_GRACE_MAX_US) {
			fprintf(stderr,
				"erdp: capture: a worker did not pass a quiescent state in %u s; "
				"answering dpdk-dumpcap anyway\n",
				CAPTURE_GRACE_MAX_US / 1000000);
			return;
		}
		usleep(CAPTURE_GRACE_POLL_US);
		waited_us += CAPTURE_GRACE_POLL_US;
	}
}

/* Interposes EAL's: see the top of the file. */
int rte_mp_reply(struct rte_mp_msg *msg, const char *peer)
{
	static mp_reply_fn eal_reply;
	mp_reply_fn fn = __atomic_load_n(&eal_reply, __ATOMIC_RELAXED);

	if (fn == NULL) {
		fn = (mp_reply_fn)(uintptr_t)dlsym(RTLD_NEXT, "rte_mp_reply");
		if (fn == NULL) {
			rte_errno = ENOSYS;
			return -1;
		}
		__atomic_store_n(&eal_reply, fn, __ATOMIC_RELAXED);
	}
	if (msg != NULL && strncmp(msg->name, PDUMP_MP_NAME, sizeof(msg->name)) == 0)
		capture_grace_period();
	return fn(msg, peer);
}

int erdp_capture_init(struct erdp_dp *dp)
{
	__atomic_store_n(&capture_rcu, dp->rcu, __ATOMIC_RELEASE);
	return rte_pdump_init();
}

void erdp_capture_fini(void)
{
	rte_pdump_uninit();
	__atomic_store_n(&capture_rcu, NULL, __ATOMIC_RELEASE);
}
