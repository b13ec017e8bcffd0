/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A memif peer that goes away must not take erdp down.
 *
 * DPDK 22.11's memif driver (drivers/net/memif) runs its control channel
 * on the EAL interrupt thread, and two of its paths kill the process when
 * a peer (a traffic generator, a gateway VM) disconnects at the wrong
 * moment. Neither can be closed through the ethdev API, so erdp closes
 * them where the driver meets libc: erdp defines munmap() and sendmsg(),
 * which take precedence over libc's for every DSO (symbol interposition;
 * erdp exports both: see app/erdp/meson.build). Both act only on DPDK's
 * interrupt thread; every other caller gets the system call unchanged.
 *
 * 1. Disconnect under traffic (SIGSEGV in eth_memif_rx/tx on a worker).
 *    memif_disconnect() clears the port's "connected" flag, then
 *    memif_free_regions() unmaps the shared rings and packet buffers and
 *    frees the region descriptors, without waiting for the lcores that
 *    poll the port: a worker that read the flag a moment before is still
 *    copying to or from the rings. No link-state event comes first, and
 *    polling the link state (nexthop/linkstate.c) learns of it too late.
 *    Guard: while the workers run (armed), an unmap on the interrupt
 *    thread first waits for a grace period of the workers' QSBR variable
 *    (every worker reports a quiescent state once per poll loop, outside
 *    any rx/tx burst). By then no worker is in the driver, and each has
 *    seen the cleared flag (the grace period orders the flag store before
 *    its next loads), so its next burst returns at once. The cost: one
 *    poll loop of the slowest worker per unmap, only on a disconnect.
 *
 * 2. A client that hangs up before the server's hello (PANIC "Error
 *    adding fd N epoll_ctl, Bad file descriptor" in eal_intr_thread_main).
 *    memif_listener_handler() registers the new control channel with the
 *    interrupt thread, then sends the hello; when that send fails (the
 *    client is gone: EPIPE), its error path closes the socket and frees
 *    the channel but leaves the callback registered, and the interrupt
 *    thread panics on the closed descriptor when it rebuilds its epoll
 *    set (or, had the number been reused, calls back into freed memory).
 *    Guard: on the interrupt thread, a sendmsg() that fails because the
 *    peer is gone (EPIPE, ECONNRESET) reports the message as sent. The
 *    hang-up then reaches the driver as end of file on the next poll of
 *    that socket, where memif_intr_handler() unregisters and frees the
 *    channel properly; nothing is lost, as nobody is there to read.
 *
 * Both belong fixed in the driver (RCU before freeing regions; unregister
 * in the listener's error path); these guards hold until then. Not
 * covered: memif zero-copy mode, where the peer's memory goes with the
 * peer. Test: tests/app/erdp/e2e/test_memif_peer.py.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_interrupts.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "setup.h"

static rte_spinlock_t guard_lock = RTE_SPINLOCK_INITIALIZER;
static struct rte_rcu_qsbr *guard_rcu; /* the workers' QSBR variable while armed, else NULL */

void erdp_peer_guard_arm(struct erdp_dp *dp)
{
	rte_spinlock_lock(&guard_lock);
	guard_rcu = dp->rcu;
	rte_spinlock_unlock(&guard_lock);
}

void erdp_peer_guard_disarm(void)
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

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	ssize_t rc = syscall(SYS_sendmsg, fd, msg, flags);
	size_t len = 0;

	if (rc >= 0 || (errno != EPIPE && errno != ECONNRESET) || !rte_thread_is_intr())
		return rc;
	for (size_t i = 0; i < msg->msg_iovlen; i++)
		len += msg->msg_iov[i].iov_len;
	return (ssize_t)len; /* the peer is gone: its hang-up comes next, as end of file */
}
