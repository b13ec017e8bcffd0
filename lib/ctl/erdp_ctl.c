/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control segment: creation, opening, and the two SPSC rings.
 *
 * No DPDK here on purpose: erdp-cp links this file without an EAL. The
 * only synchronisation is C11 acquire/release on the ring counters and the
 * liveness fields, which is enough for one producer and one consumer per
 * ring, across processes, on any cache-coherent machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "erdp_ctl.h"
#include "erdp_ctl_layout.h"

#define SHM_DIR "/dev/shm"

struct erdp_ctl {
	struct erdp_ctl_hdr *hdr;
	struct erdp_msg *req;
	struct erdp_ack *ack;
	size_t size;
	int fd; /* kept open so that erdp_ctl_stale() can see the name go away */
};

int erdp_ctl_shm_name(const char *instance, char *buf, size_t len)
{
	int n;

	if (instance == NULL || instance[0] == '\0' || strchr(instance, '/') != NULL)
		return -EINVAL;
	n = snprintf(buf, len, "/erdp-%s.ctl", instance);
	return n < 0 || (size_t)n >= len || n > 255 ? -ENAMETOOLONG : 0;
}

static int name_of(const char *instance, char *buf, size_t len, struct erdp_err *err)
{
	int rc = erdp_ctl_shm_name(instance, buf, len);

	if (rc == -EINVAL)
		return erdp_errf(err, EINVAL,
				 "control segment: instance name '%s' must be non-empty and "
				 "contain no '/'",
				 instance != NULL ? instance : "(null)");
	if (rc != 0)
		return erdp_errf(err, ENAMETOOLONG,
				 "control segment: instance name '%.40s...' is too long", instance);
	return 0;
}

static bool hdr_matches(const struct erdp_ctl_hdr *h)
{
	return __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) == ERDP_CTL_MAGIC &&
	       h->version == ERDP_MSG_VERSION && h->msg_size == sizeof(struct erdp_msg) &&
	       h->ack_size == sizeof(struct erdp_ack) && h->req_slots == ERDP_CTL_REQ_SLOTS &&
	       h->ack_slots == ERDP_CTL_ACK_SLOTS;
}

static struct erdp_ctl *map_segment(int fd, struct erdp_err *err, const char *name)
{
	struct erdp_ctl *c = calloc(1, sizeof(*c));
	void *p;

	if (c == NULL) {
		erdp_errf(err, ENOMEM, "control segment %s%s: out of memory", SHM_DIR, name);
		return NULL;
	}
	p = mmap(NULL, ERDP_CTL_SEG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		erdp_errf(err, errno, "control segment %s%s: mmap: %s", SHM_DIR, name,
			  strerror(errno));
		free(c);
		return NULL;
	}
	c->hdr = p;
	c->req = (struct erdp_msg *)((uint8_t *)p + ERDP_CTL_HDR_SIZE);
	c->ack = (struct erdp_ack *)(c->req + ERDP_CTL_REQ_SLOTS);
	c->size = ERDP_CTL_SEG_SIZE;
	c->fd = fd;
	return c;
}

/*
 * A segment left by an earlier erdp with the same layout is reused in
 * place rather than replaced, so that a control plane that still has it
 * mapped sees the new boot id and replays into the same rings. Each side
 * only ever writes its own counters: the new data plane, consumer of the
 * request ring, discards what is pending by moving its tail up to the
 * head, which never races with a producer that is writing at that moment.
 */
struct erdp_ctl *erdp_ctl_create(const char *instance, struct erdp_err *err)
{
	char name[300];
	struct erdp_ctl *c;
	struct stat st;
	int fd;

	if (name_of(instance, name, sizeof(name), err) != 0)
		return NULL;
	fd = shm_open(name, O_RDWR | O_CREAT, 0600);
	if (fd < 0) {
		erdp_errf(err, errno, "control segment %s%s: cannot create: %s", SHM_DIR, name,
			  strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 ||
	    ((uint64_t)st.st_size != ERDP_CTL_SEG_SIZE && ftruncate(fd, ERDP_CTL_SEG_SIZE) != 0)) {
		erdp_errf(err, errno, "control segment %s%s: cannot size to %llu bytes: %s",
			  SHM_DIR, name, (unsigned long long)ERDP_CTL_SEG_SIZE, strerror(errno));
		close(fd);
		return NULL;
	}
	c = map_segment(fd, err, name);
	if (c == NULL) {
		close(fd);
		return NULL;
	}
	struct erdp_ctl_hdr *h = c->hdr;

	if ((uint64_t)st.st_size == ERDP_CTL_SEG_SIZE && hdr_matches(h)) {
		uint64_t head = __atomic_load_n(&h->req.head, __ATOMIC_ACQUIRE);

		__atomic_store_n(&h->req.tail, head, __ATOMIC_RELEASE);
		return c;
	}
	/* New, or from a build with another layout: start from zero. */
	memset(h, 0, ERDP_CTL_HDR_SIZE);
	h->version = ERDP_MSG_VERSION;
	h->msg_size = sizeof(struct erdp_msg);
	h->ack_size = sizeof(struct erdp_ack);
	h->req_slots = ERDP_CTL_REQ_SLOTS;
	h->ack_slots = ERDP_CTL_ACK_SLOTS;
	/* An opener that sees the magic sees every field above. */
	__atomic_store_n(&h->magic, ERDP_CTL_MAGIC, __ATOMIC_RELEASE);
	return c;
}

/* Why a segment's first words do not describe what this build speaks. */
static int hdr_error(const struct erdp_ctl_hdr *h, const char *name, struct erdp_err *err)
{
	uint32_t magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);

	if (magic == 0)
		return erdp_errf(err, ENOENT, "control segment %s%s is being created by erdp",
				 SHM_DIR, name);
	if (magic != ERDP_CTL_MAGIC)
		return erdp_errf(err, EPROTO,
				 "%s%s is not an erdp control segment (magic 0x%08x, want 0x%08x)",
				 SHM_DIR, name, magic, ERDP_CTL_MAGIC);
	if (h->version != ERDP_MSG_VERSION)
		return erdp_errf(err, EPROTO, "segment %s%s has version %u, this build speaks %u",
				 SHM_DIR, name, h->version, ERDP_MSG_VERSION);
	if (h->msg_size != sizeof(struct erdp_msg) || h->ack_size != sizeof(struct erdp_ack) ||
	    h->req_slots != ERDP_CTL_REQ_SLOTS || h->ack_slots != ERDP_CTL_ACK_SLOTS)
		return erdp_errf(err, EPROTO,
				 "segment %s%s has %u-byte messages, %u-byte acks, %u+%u slots; "
				 "this build uses %zu, %zu, %u+%u (erdp and erdp-cp from "
				 "different builds?)",
				 SHM_DIR, name, h->msg_size, h->ack_size, h->req_slots,
				 h->ack_slots, sizeof(struct erdp_msg), sizeof(struct erdp_ack),
				 ERDP_CTL_REQ_SLOTS, ERDP_CTL_ACK_SLOTS);
	return 0;
}

struct erdp_ctl *erdp_ctl_open(const char *instance, struct erdp_err *err)
{
	char name[300];
	struct erdp_ctl *c;
	struct stat st;
	int fd, rc;

	if (name_of(instance, name, sizeof(name), err) != 0)
		return NULL;
	fd = shm_open(name, O_RDWR, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			erdp_errf(err, ENOENT,
				  "control segment %s%s does not exist (is erdp running with "
				  "file prefix '%s'?)",
				  SHM_DIR, name, instance);
		else
			erdp_errf(err, errno, "control segment %s%s: %s", SHM_DIR, name,
				  strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		erdp_errf(err, errno, "control segment %s%s: %s", SHM_DIR, name, strerror(errno));
		close(fd);
		return NULL;
	}
	if (st.st_size == 0) { /* created, not sized yet */
		erdp_errf(err, ENOENT, "control segment %s%s is being created by erdp", SHM_DIR,
			  name);
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size < ERDP_CTL_HDR_SIZE) {
		erdp_errf(err, EPROTO, "control segment %s%s has %lld bytes, too few for a header",
			  SHM_DIR, name, (long long)st.st_size);
		close(fd);
		return NULL;
	}
	/* Read the identification words before trusting the size. */
	struct erdp_ctl_hdr *h = mmap(NULL, ERDP_CTL_HDR_SIZE, PROT_READ, MAP_SHARED, fd, 0);

	if (h == MAP_FAILED) {
		erdp_errf(err, errno, "control segment %s%s: mmap: %s", SHM_DIR, name,
			  strerror(errno));
		close(fd);
		return NULL;
	}
	rc = hdr_error(h, name, err);
	munmap(h, ERDP_CTL_HDR_SIZE);
	if (rc == 0 && (uint64_t)st.st_size != ERDP_CTL_SEG_SIZE)
		rc = erdp_errf(err, EPROTO, "control segment %s%s has %lld bytes, expected %llu",
			       SHM_DIR, name, (long long)st.st_size,
			       (unsigned long long)ERDP_CTL_SEG_SIZE);
	if (rc != 0) {
		close(fd);
		return NULL;
	}
	c = map_segment(fd, err, name);
	if (c == NULL)
		close(fd);
	return c;
}

void erdp_ctl_close(struct erdp_ctl *c)
{
	if (c == NULL)
		return;
	munmap(c->hdr, c->size);
	close(c->fd);
	free(c);
}

void erdp_ctl_unlink(const char *instance)
{
	char name[300];

	if (erdp_ctl_shm_name(instance, name, sizeof(name)) == 0)
		shm_unlink(name);
}

bool erdp_ctl_stale(const struct erdp_ctl *c)
{
	struct stat st;

	return fstat(c->fd, &st) != 0 || st.st_nlink == 0;
}

/* ---- rings ---- */

static unsigned int ring_put(struct erdp_ctl_ring_idx *r, uint8_t *slots, size_t esz,
			     uint64_t nslots, const void *src, unsigned int n)
{
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	/* Acquire: the consumer's reads of the slots we reuse are done. */
	uint64_t used = head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	if (used > nslots)
		return 0; /* counters make no sense (a peer wrote garbage): move nothing */
	if (n > nslots - used)
		n = (unsigned int)(nslots - used);
	for (unsigned int i = 0; i < n; i++)
		memcpy(slots + ((head + i) & (nslots - 1)) * esz, (const uint8_t *)src + i * esz,
		       esz);
	/* Release: the slots are written before the consumer can see them. */
	__atomic_store_n(&r->head, head + n, __ATOMIC_RELEASE);
	return n;
}

static unsigned int ring_get(struct erdp_ctl_ring_idx *r, const uint8_t *slots, size_t esz,
			     uint64_t nslots, void *dst, unsigned int n)
{
	uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	uint64_t avail = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) - tail;

	if (avail > nslots)
		return 0; /* see ring_put */
	if (n > avail)
		n = (unsigned int)avail;
	for (unsigned int i = 0; i < n; i++)
		memcpy((uint8_t *)dst + i * esz, slots + ((tail + i) & (nslots - 1)) * esz, esz);
	/* Release: our copies are done before the producer may overwrite. */
	__atomic_store_n(&r->tail, tail + n, __ATOMIC_RELEASE);
	return n;
}

static unsigned int ring_free(const struct erdp_ctl_ring_idx *r, uint64_t nslots)
{
	uint64_t used = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) -
			__atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	return used > nslots ? 0 : (unsigned int)(nslots - used);
}

unsigned int erdp_ctl_send(struct erdp_ctl *c, const struct erdp_msg *m, unsigned int n)
{
	return ring_put(&c->hdr->req, (uint8_t *)c->req, sizeof(*m), ERDP_CTL_REQ_SLOTS, m, n);
}

unsigned int erdp_ctl_recv(struct erdp_ctl *c, struct erdp_msg *m, unsigned int n)
{
	return ring_get(&c->hdr->req, (const uint8_t *)c->req, sizeof(*m), ERDP_CTL_REQ_SLOTS, m,
			n);
}

unsigned int erdp_ctl_ack_send(struct erdp_ctl *c, const struct erdp_ack *a, unsigned int n)
{
	return ring_put(&c->hdr->ack, (uint8_t *)c->ack, sizeof(*a), ERDP_CTL_ACK_SLOTS, a, n);
}

unsigned int erdp_ctl_ack_recv(struct erdp_ctl *c, struct erdp_ack *a, unsigned int n)
{
	return ring_get(&c->hdr->ack, (const uint8_t *)c->ack, sizeof(*a), ERDP_CTL_ACK_SLOTS, a,
			n);
}

unsigned int erdp_ctl_req_free(const struct erdp_ctl *c)
{
	return ring_free(&c->hdr->req, ERDP_CTL_REQ_SLOTS);
}

unsigned int erdp_ctl_ack_free(const struct erdp_ctl *c)
{
	return ring_free(&c->hdr->ack, ERDP_CTL_ACK_SLOTS);
}

/* ---- liveness ---- */

void erdp_ctl_dp_hello(struct erdp_ctl *c, uint64_t boot_id)
{
	__atomic_store_n(&c->hdr->dp_boot_id, boot_id, __ATOMIC_RELEASE);
}

void erdp_ctl_dp_beat(struct erdp_ctl *c)
{
	__atomic_fetch_add(&c->hdr->dp_heartbeat, 1, __ATOMIC_RELEASE);
}

void erdp_ctl_cp_hello(struct erdp_ctl *c, uint64_t boot_id)
{
	__atomic_store_n(&c->hdr->cp_boot_id, boot_id, __ATOMIC_RELEASE);
}

void erdp_ctl_cp_beat(struct erdp_ctl *c)
{
	__atomic_fetch_add(&c->hdr->cp_heartbeat, 1, __ATOMIC_RELEASE);
}

uint64_t erdp_ctl_dp_boot_id(const struct erdp_ctl *c)
{
	return __atomic_load_n(&c->hdr->dp_boot_id, __ATOMIC_ACQUIRE);
}

uint64_t erdp_ctl_dp_heartbeat(const struct erdp_ctl *c)
{
	return __atomic_load_n(&c->hdr->dp_heartbeat, __ATOMIC_ACQUIRE);
}

uint64_t erdp_ctl_cp_boot_id(const struct erdp_ctl *c)
{
	return __atomic_load_n(&c->hdr->cp_boot_id, __ATOMIC_ACQUIRE);
}

uint64_t erdp_ctl_cp_heartbeat(const struct erdp_ctl *c)
{
	return __atomic_load_n(&c->hdr->cp_heartbeat, __ATOMIC_ACQUIRE);
}
