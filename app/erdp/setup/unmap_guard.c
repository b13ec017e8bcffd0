/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A memif peer that goes away must not take erdp down.
 *
 * DPDK 22.11's memif driver (drivers/net/memif) handles a disconnect on
 * the EAL interrupt thread: memif_disconnect() clears the port's
 * "connected" flag, then memif_free_regions() unmaps the shared memory
 * that holds the rings and packet buffers, frees the region descriptors
 * and sets them to NULL. Nothing waits for the lcores that poll the port:
 * a worker that read the flag a moment before is still inside
 * eth_memif_rx() or eth_memif_tx(), copying to or from the rings, and
 * faults on the unmapped pages or the freed descriptors. The driver raises
 * no link-state event first, and ethdev has no way to pause a queue that a
 * PMD's own control thread tears down, so nothing erdp could do on its
 * side of the ethdev API closes the window (polling the link state, as
 * nexthop/linkstate.c does, only learns of the disconnect afterwards).
 *
 * What erdp can do is hold the unmap back until the workers are out of the
 * driver. erdp defines munmap(): a call from DPDK's interrupt thread,
 * while the workers run, first waits for a grace period of the workers'
 * QSBR variable (every worker reports a quiescent state once per poll
 * loop, outside any rx/tx burst), then unmaps. By then every worker has
 * left the burst it was in and has seen the cleared flag (the grace period
 * orders the flag store before the worker's next loads), so its next burst
 * returns at once and never reads the region again. Calls from any other
 * thread, and calls before the workers start or after they stop, go
 * straight to the system call. The executable's definition takes
 * precedence over libc's for every DSO (symbol interposition; erdp exports
 * the symbol: see app/erdp/meson.build).
 *
 * The wait costs the interrupt thread one poll loop of the slowest worker
 * (microseconds) per unmap, and the interrupt thread unmaps only when a
 * memif peer disconnects. The proper fix belongs in the driver (wait for
 * the datapath, e.g. RCU, before freeing regions); this guard holds for
 * any PMD that unmaps on the interrupt thread. Not covered: memif
 * zero-copy mode, where the peer's memory may go away with the peer.
 *
 * Test: tests/app/erdp/e2e/test_memif_peer.py.
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_interrupts.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "setup.h"

static rte_spinlock_t guard_lock = RTE_SPINLOCK_INITIALIZER;
static struct rte_rcu_qsbr *guard_rcu; /* the workers' QSBR variable while armed, else NULL */

void erdp_unmap_guard_arm(struct erdp_dp *dp)
{
	rte_spinlock_lock(&guard_lock);
	guard_rcu = dp->rcu;
	rte_spinlock_unlock(&guard_lock);
}

void erdp_unmap_guard_disarm(void)
{
	/* Waits for an unmap in progress: it may be reading dp->rcu. */
	rte_spinlock_lock(&guard_lock);
	guard_rcu = NULL;
	rte_spinlock_unlock(&guard_lock);
}

int munmap(void *addr, size_t len)
{
	if (rte_thread_is_intr()) {
		rte_spinlock_lock(&guard_lock);
		if (guard_rcu != NULL)
			rte_rcu_qsbr_check(guard_rcu, rte_rcu_qsbr_start(guard_rcu), true);
		rte_spinlock_unlock(&guard_lock);
	}
	return (int)syscall(SYS_munmap, addr, len);
}
