/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client of one FRR daemon's vty socket (/var/run/frr/<pathspace>/
 * <daemon>.vty), the socket vtysh uses, without vtysh: erdp-cp's event
 * loop must never wait for a daemon, and forking vtysh once a second per
 * peering would cost more than the daemons' work.
 *
 * Protocol (FRR 8.4 lib/vty.c, verified): the client writes a command
 * line and a NUL; the daemon answers with the output followed by three
 * NULs and a status byte (0: success; 2: unknown command, ...). A new
 * connection starts in view mode: "enable" comes first, then
 * "configure terminal" ... "end" for changes. Commands may be pipelined:
 * answers come in order.
 *
 * Who: the event loop's thread. vty_io() is called with the revents of
 * vty_fd(); nothing blocks (the socket is non-blocking, commands are
 * buffered). A connection that fails, closes or does not answer within
 * VTY_TIMEOUT_S answers every waiting command with status -1 and is
 * retried at the next command.
 */
#ifndef ERDP_CP_BGP_VTY_H
#define ERDP_CP_BGP_VTY_H

#include <stdbool.h>
#include <stddef.h>

#define VTY_TIMEOUT_S	10.0
#define VTY_MAX_REPLY	(4u << 20) /* one answer; larger closes the connection */
#define VTY_STATUS_LOST (-1)	   /* no answer: connection refused, closed or timed out */

/* A command's answer: status (daemon's, or VTY_STATUS_LOST), text NUL-terminated. */
typedef void (*vty_done_fn)(void *arg, int tag, int status, char *text, size_t len);

struct vty;

struct vty *vty_new(const char *path);
void vty_free(struct vty *v); /* waiting commands are dropped without callback */
/* Queue a command (NUL-free, one line); fn (may be NULL) gets its answer later. -ENOMEM. */
int vty_cmd(struct vty *v, const char *line, vty_done_fn fn, void *arg, int tag);
/* Queue "configure terminal", each line of `lines` ('\n'-separated), "end". */
int vty_config(struct vty *v, const char *lines, vty_done_fn fn, void *arg, int tag);
/* The socket to poll (-1: none) and the events wanted. */
int vty_fd(const struct vty *v);
short vty_events(const struct vty *v);
/* Progress: connect, write, read, time out. Call every loop turn. */
void vty_io(struct vty *v, short revents, double now);
/* Drop the connection (the daemon restarted): waiting commands get VTY_STATUS_LOST. */
void vty_reset(struct vty *v);
size_t vty_pending(const struct vty *v);

/*
 * Split answers out of received bytes: the length of the first complete
 * answer in buf[0..n) (terminator included) and its status, or 0 when it
 * is not complete yet. Exposed for unit tests.
 */
size_t vty_answer_len(const char *buf, size_t n, int *status);

#endif
