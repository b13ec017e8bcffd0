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

/* Exclusive creations tried when another process keeps recreating the name. */
#define CTL_CREATE_ATTEMPTS 8

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

/* Start a segment from zero: a new one, or one from a build with another layout. */
static void hdr_init(struct erdp_ctl_hdr *h)
{
	memset(h, 0, ERDP_CTL_HDR_SIZE);
	h->version = ERDP_MSG_VERSION;
	h->msg_size = sizeof(struct erdp_msg);
	h->ack_size = sizeof(struct erdp_ack);
	h->req_slots = ERDP_CTL_REQ_SLOTS;
	h->ack_slots = ERDP_CTL_ACK_SLOTS;
	/* An opener that sees the magic sees every field above. */
	__atomic_store_n(&h->magic, ERDP_CTL_MAGIC, __ATOMIC_RELEASE);
}

/* "owner uid 65534, mode 0666, a regular file" for messages. */
static void describe_st(const struct stat *st, char *buf, size_t len)
{
	const char *kind = S_ISREG(st->st_mode)	   ? "a regular file"
			   : S_ISLNK(st->st_mode)  ? "a symbolic link"
			   : S_ISDIR(st->st_mode)  ? "a directory"
			   : S_ISFIFO(st->st_mode) ? "a FIFO"
						   : "a special file";

	snprintf(buf, len, "owner uid %u, mode %04o, %s, %lu link(s)", (unsigned int)st->st_uid,
		 (unsigned int)(st->st_mode & 07777), kind, (unsigned long)st->st_nlink);
}

/*
 * Proof that an existing segment is one that erdp's user made: a regular
 * file with one name, owned by our effective uid, readable and writable by
 * its owner only. Nobody else can create a file that we own, and with mode
 * 0600 nobody else (root aside) can have opened it, so its content came
 * from us. Checked on the open descriptor, so nothing can change between
 * the check and the use.
 */
static bool is_own_segment(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_uid == geteuid() &&
	       (st->st_mode & 07777) == ERDP_CTL_MODE && st->st_nlink == 1;
}

/*
 * Map our own segment and make it current: reuse a segment of the same
 * layout in place, or size and reset one that is new or from another build.
 */
static struct erdp_ctl *adopt(int fd, const struct stat *st, const char *name, struct erdp_err *err)
{
	bool same_size = (uint64_t)st->st_size == ERDP_CTL_SEG_SIZE;
	struct erdp_ctl *c;

	if (!same_size && ftruncate(fd, ERDP_CTL_SEG_SIZE) != 0) {
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
	if (same_size && hdr_matches(c->hdr)) {
		/* Discard what is pending: the consumer moves its tail up to the head. */
		uint64_t head = __atomic_load_n(&c->hdr->req.head, __ATOMIC_ACQUIRE);

		__atomic_store_n(&c->hdr->req.tail, head, __ATOMIC_RELEASE);
	} else {
		hdr_init(c->hdr);
	}
	return c;
}

/*
 * The name exists and is not provably ours (fd: it opened, st its fstat;
 * fd < 0: it did not open, e.g. a symbolic link or a directory). Remove the
 * name so that the next exclusive create makes a segment of our own; the
 * other user's object is never read, written or mapped. Returns 0, or
 * -errno with err filled when the name cannot be removed.
 */
static int evict(int fd, const struct stat *st, const char *name, struct erdp_err *err)
{
	char path[320], what[128];
	struct stat lst;

	snprintf(path, sizeof(path), "%s%s", SHM_DIR, name);
	if (fd >= 0)
		describe_st(st, what, sizeof(what));
	else if (lstat(path, &lst) == 0)
		describe_st(&lst, what, sizeof(what));
	else
		snprintf(what, sizeof(what), "unreadable: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	if (shm_unlink(name) != 0 && errno != ENOENT)
		return erdp_errf(
			err, errno,
			"control segment %s exists and is not erdp's (%s; erdp runs as uid "
			"%u and needs mode %04o): cannot remove it: %s; remove it and start "
			"erdp again",
			path, what, (unsigned int)geteuid(), ERDP_CTL_MODE, strerror(errno));
	/* Code 0: a warning for the caller to log, not an error. */
	erdp_errf(err, 0,
		  "control segment %s existed and was not erdp's (%s; expected owner uid %u, "
		  "mode %04o): removed it and created a new one",
		  path, what, (unsigned int)geteuid(), ERDP_CTL_MODE);
	return 0;
}

/*
 * The name lives in /dev/shm, where any user may create files, so erdp
 * never trusts what it finds there: it creates the segment exclusively
 * (O_EXCL: a new inode that only we hold), and when the name exists it
 * reuses it only if is_own_segment() proves that an earlier erdp of the
 * same user made it. A segment reused in place keeps its inode, so that a
 * control plane that still has it mapped sees the new boot id and replays
 * into the same rings. Anything else is removed first. Another user who
 * recreates the name between our unlink and our create only makes us try
 * again, never use their file.
 */
struct erdp_ctl *erdp_ctl_create(const char *instance, struct erdp_err *err)
{
	char name[300];
	struct stat st;
	int fd;

	erdp_err_clear(err);
	if (name_of(instance, name, sizeof(name), err) != 0)
		return NULL;
	for (int attempt = 0; attempt < CTL_CREATE_ATTEMPTS; attempt++) {
		fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, ERDP_CTL_MODE);
		if (fd >= 0) {
			/* The umask may have taken bits that erdp-cp checks for. */
			if (fchmod(fd, ERDP_CTL_MODE) != 0 || fstat(fd, &st) != 0) {
				erdp_errf(err, errno, "control segment %s%s: %s", SHM_DIR, name,
					  strerror(errno));
				close(fd);
				shm_unlink(name);
				return NULL;
			}
			return adopt(fd, &st, name, err);
		}
		if (errno != EEXIST) {
			erdp_errf(err, errno, "control segment %s%s: cannot create: %s", SHM_DIR,
				  name, strerror(errno));
			return NULL;
		}
		/* O_NONBLOCK: the name may be a FIFO; opening it must not wait. */
		fd = shm_open(name, O_RDWR | O_NOFOLLOW | O_NONBLOCK, 0);
		if (fd < 0 && errno == ENOENT)
			continue; /* removed meanwhile: create it */
		if (fd >= 0 && fstat(fd, &st) != 0) {
			close(fd);
			fd = -1;
		}
		if (fd >= 0 && is_own_segment(&st))
			return adopt(fd, &st, name, err);
		if (evict(fd, &st, name, err) != 0)
			return NULL;
	}
	erdp_errf(err, EEXIST,
		  "control segment %s%s: another process keeps creating this name (%d attempts); "
		  "find it and stop it",
		  SHM_DIR, name, CTL_CREATE_ATTEMPTS);
	return NULL;
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

/*
 * A control plane sends its whole RIB into the segment and believes the
 * acks it reads there, so it opens only a segment that erdp's user made and
 * that nobody else can write: owned by `owner`, no group or other access,
 * one name, a regular file. Anyone can create the name while erdp is
 * stopped; such a segment is refused, and erdp replaces it when it starts.
 */
static int trust_error(const struct stat *st, uid_t owner, const char *name, struct erdp_err *err)
{
	char what[128];

	if (S_ISREG(st->st_mode) && st->st_uid == owner && (st->st_mode & 077) == 0 &&
	    st->st_nlink == 1)
		return 0;
	describe_st(st, what, sizeof(what));
	return erdp_errf(err, EPERM,
			 "control segment %s%s is not erdp's (%s); expected a regular file of "
			 "owner uid %u with no group or other access (erdp makes it %04o) and "
			 "one link: refusing it (erdp replaces it when it starts)",
			 SHM_DIR, name, what, (unsigned int)owner, ERDP_CTL_MODE);
}

struct erdp_ctl *erdp_ctl_open(const char *instance, struct erdp_err *err)
{
	return erdp_ctl_open_owner(instance, geteuid(), err);
}

struct erdp_ctl *erdp_ctl_open_owner(const char *instance, uid_t owner, struct erdp_err *err)
{
	char name[300];
	struct erdp_ctl *c;
	struct stat st;
	int fd, rc;

	if (name_of(instance, name, sizeof(name), err) != 0)
		return NULL;
	fd = shm_open(name, O_RDWR | O_NOFOLLOW | O_NONBLOCK, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			erdp_errf(err, ENOENT,
				  "control segment %s%s does not exist (is erdp running with "
				  "file prefix '%s'?)",
				  SHM_DIR, name, instance);
		else if (errno == ELOOP)
			erdp_errf(err, EPERM,
				  "control segment %s%s is a symbolic link, not erdp's: refusing "
				  "it (erdp replaces it when it starts)",
				  SHM_DIR, name);
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
	if (trust_error(&st, owner, name, err) != 0) {
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
