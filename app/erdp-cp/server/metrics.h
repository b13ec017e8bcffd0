/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OpenMetrics / Prometheus endpoint of erdp-cp: GET /metrics answers
 * every counter of erdp (ports, circuits, peerings, peering links, drops by
 * reason, workers, the control channel), read from erdp's DPDK telemetry at
 * scrape time, and erdp-cp's own state (routes per VRF, the channel to
 * erdp), in the Prometheus text format 0.0.4, or OpenMetrics 1.0 when the
 * scraper asks for it (Accept: application/openmetrics-text).
 *
 * Who: HTTP is libmicrohttpd's, on its own thread (metrics.c), so that a
 * slow or hostile client never holds up erdp-cp's event loop; connections
 * are bounded in number, time and memory. That thread reads only what does
 * not change after start-up (the config, the telemetry socket's path) and a
 * snapshot of erdp-cp's state that the event loop refreshes under a mutex
 * (metrics_refresh). It talks to erdp over its own telemetry connection.
 *
 * metrics_text.c writes the exposition text; it has no other dependency
 * and is unit-tested alone.
 */
#ifndef ERDP_CP_METRICS_H
#define ERDP_CP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include "erdp_err.h"

struct cp;

#define METRICS_LISTEN_DEFAULT	"127.0.0.1:9111"
#define METRICS_MAX_CONNECTIONS 64	   /* served at once; more wait in the listen backlog */
#define METRICS_MAX_PER_IP	32	   /* one host cannot take every slot: more are closed */
#define METRICS_TIMEOUT_S	10	   /* a connection idle this long is closed */
#define METRICS_MEMORY_LIMIT	(32 << 10) /* per connection: request line and headers */

/* ---- metrics.c ---- */
/*
 * Parse --metrics: "ADDR:PORT", "[IPv6]:PORT", "PORT" (on 127.0.0.1), or
 * "off" / "0" (*off set). 0, or -1 with why (what would be valid).
 */
int metrics_parse_listen(const char *s, struct sockaddr_storage *sa, bool *off, char *why,
			 size_t why_len);
/*
 * Start serving on sa (port 0: any free port, logged). The event loop's
 * thread, once. 0 or -errno with err.
 */
int metrics_open(struct cp *cp, const struct sockaddr_storage *sa, struct erdp_err *err);
/* The event loop, every turn: refresh the snapshot of erdp-cp's own state (rate-limited). */
void metrics_refresh(struct cp *cp);
void metrics_close(void);

/* ---- metrics_text.c: the exposition format ---- */
enum mt_type { MT_COUNTER, MT_GAUGE };

#define MT_MAX_LABELS 8

/* A sample's labels: names are constants, values borrowed (or in buf). */
struct mt_labels {
	int n;
	const char *name[MT_MAX_LABELS];
	const char *value[MT_MAX_LABELS];
	char buf[MT_MAX_LABELS][24]; /* numbers formatted by mt_label_u64 */
};

void mt_label(struct mt_labels *l, const char *name, const char *value);
void mt_label_u64(struct mt_labels *l, const char *name, uint64_t value);

struct mtext;
/* A document; openmetrics: OpenMetrics 1.0 (family names without _total, "# EOF"). */
struct mtext *mt_new(bool openmetrics);
/*
 * Begin metric family `name` (a counter's ends in _total): its HELP and TYPE
 * lines. Every sample until the next mt_family() belongs to it: the formats
 * want a family's samples together.
 */
void mt_family(struct mtext *m, const char *name, enum mt_type type, const char *help);
void mt_u64(struct mtext *m, const struct mt_labels *l, uint64_t v);
/* A sample with one label. */
void mt_u64_1(struct mtext *m, const char *label, const char *value, uint64_t v);
void mt_f64(struct mtext *m, const struct mt_labels *l, double v);
/* The text (malloc'ed, the caller frees it) and its length; NULL if any step failed. */
char *mt_finish(struct mtext *m, size_t *len);
void mt_free(struct mtext *m);
/* Content-Type of the document. */
const char *mt_content_type(bool openmetrics);

#endif
