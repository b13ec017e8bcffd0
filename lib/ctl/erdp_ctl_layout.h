/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory layout of the control segment /dev/shm/erdp-<instance>.ctl.
 *
 * This is ABI between two processes that may come from different builds:
 * the first six 32-bit words never move, so any build can read the magic,
 * version and sizes of a segment and refuse it with a clear message.
 *
 *   [0, 4096)        struct erdp_ctl_hdr
 *   [4096, ...)      req slots: ERDP_CTL_REQ_SLOTS x struct erdp_msg
 *   [...]            ack slots: ERDP_CTL_ACK_SLOTS x struct erdp_ack
 *
 * Each ring has a head (written only by its producer) and a tail (written
 * only by its consumer), 64-bit counters that never wrap in practice and
 * are reduced modulo the slot count to index a slot. head - tail is the
 * number of elements in the ring. Each counter sits on a cache line of its
 * own so that the two processes do not bounce one line between them.
 */
#ifndef ERDP_CTL_LAYOUT_H
#define ERDP_CTL_LAYOUT_H

#include <stdint.h>

#include "erdp_ctl.h"

#define ERDP_CTL_LINE	  64
#define ERDP_CTL_HDR_SIZE 4096

struct erdp_ctl_ring_idx {
	uint64_t head; /* producer: elements ever written */
	uint8_t pad0[ERDP_CTL_LINE - 8];
	uint64_t tail; /* consumer: elements ever read */
	uint8_t pad1[ERDP_CTL_LINE - 8];
};

struct erdp_ctl_hdr {
	/* Identification: fixed offsets, see above. */
	uint32_t magic;	    /* ERDP_CTL_MAGIC, written last at creation */
	uint32_t version;   /* ERDP_MSG_VERSION */
	uint32_t msg_size;  /* sizeof(struct erdp_msg) */
	uint32_t ack_size;  /* sizeof(struct erdp_ack) */
	uint32_t req_slots; /* ERDP_CTL_REQ_SLOTS */
	uint32_t ack_slots; /* ERDP_CTL_ACK_SLOTS */
	uint8_t pad0[ERDP_CTL_LINE - 24];
	/* Liveness: one line per writer. */
	uint64_t dp_boot_id;
	uint64_t dp_heartbeat;
	uint8_t pad1[ERDP_CTL_LINE - 16];
	uint64_t cp_boot_id;
	uint64_t cp_heartbeat;
	uint8_t pad2[ERDP_CTL_LINE - 16];
	struct erdp_ctl_ring_idx req;
	struct erdp_ctl_ring_idx ack;
};

_Static_assert(sizeof(struct erdp_ctl_hdr) <= ERDP_CTL_HDR_SIZE, "header fits its page");
_Static_assert((ERDP_CTL_REQ_SLOTS & (ERDP_CTL_REQ_SLOTS - 1)) == 0, "power of two");
_Static_assert((ERDP_CTL_ACK_SLOTS & (ERDP_CTL_ACK_SLOTS - 1)) == 0, "power of two");

#define ERDP_CTL_SEG_SIZE                                                                          \
	((uint64_t)ERDP_CTL_HDR_SIZE + (uint64_t)ERDP_CTL_REQ_SLOTS * sizeof(struct erdp_msg) +    \
	 (uint64_t)ERDP_CTL_ACK_SLOTS * sizeof(struct erdp_ack))

#endif
