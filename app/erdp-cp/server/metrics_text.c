/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exposition text of the metrics endpoint, in either format:
 *
 *   Prometheus text 0.0.4            OpenMetrics 1.0
 *   # HELP erdp_x_total Frames.      # HELP erdp_x Frames.
 *   # TYPE erdp_x_total counter      # TYPE erdp_x counter
 *   erdp_x_total{port="gw0"} 12      erdp_x_total{port="gw0"} 12
 *                                    # EOF
 *
 * Label values escape backslash, double quote and line feed; HELP text
 * escapes backslash and line feed. Names are the program's constants and
 * are checked here: a bad one fails the document (mt_finish returns NULL)
 * rather than produce text a scraper rejects as a whole.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

struct mtext {
	FILE *f;
	char *buf;
	size_t len;
	bool openmetrics;
	bool failed;
	char family[128]; /* the current family's sample name */
};

static const char *const type_name[] = {[MT_COUNTER] = "counter", [MT_GAUGE] = "gauge"};

/* [a-zA-Z_][a-zA-Z0-9_]* (no colons: those are for recording rules). */
static bool valid_name(const char *s)
{
	if (s == NULL || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s != '\0'; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

void mt_label(struct mt_labels *l, const char *name, const char *value)
{
	if (l->n >= MT_MAX_LABELS) {
		l->n = MT_MAX_LABELS + 1; /* marks the overflow; mt_u64 refuses it */
		return;
	}
	l->name[l->n] = name;
	l->value[l->n] = value != NULL ? value : "";
	l->n++;
}

void mt_label_u64(struct mt_labels *l, const char *name, uint64_t value)
{
	if (l->n < MT_MAX_LABELS) {
		snprintf(l->buf[l->n], sizeof(l->buf[l->n]), "%" PRIu64, value);
		mt_label(l, name, l->buf[l->n]);
	} else {
		mt_label(l, name, NULL);
	}
}

struct mtext *mt_new(bool openmetrics)
{
	struct mtext *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->f = open_memstream(&m->buf, &m->len);
	if (m->f == NULL) {
		free(m);
		return NULL;
	}
	m->openmetrics = openmetrics;
	return m;
}

static void put_escaped(struct mtext *m, const char *s, bool quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", m->f);
		else if (*s == '\n')
			fputs("\\n", m->f);
		else if (*s == '"' && quote)
			fputs("\\\"", m->f);
		else
			fputc(*s, m->f);
	}
}

void mt_family(struct mtext *m, const char *name, enum mt_type type, const char *help)
{
	size_t n = strlen(name);
	const size_t suffix = strlen("_total");
	bool total = n > suffix && strcmp(name + n - suffix, "_total") == 0;
	int family_len = (int)n;

	if (!valid_name(name) || n >= sizeof(m->family) || (type == MT_COUNTER) != total) {
		m->failed = true; /* counters, and only counters, end in _total */
		return;
	}
	snprintf(m->family, sizeof(m->family), "%s", name);
	if (m->openmetrics && type == MT_COUNTER)
		family_len -= (int)suffix; /* OpenMetrics names the family without it */
	fprintf(m->f, "# HELP %.*s ", family_len, name);
	put_escaped(m, help, false);
	fprintf(m->f, "\n# TYPE %.*s %s\n", family_len, name, type_name[type]);
}

/* Name and labels of a sample of the current family; false if it cannot be written. */
static bool sample_start(struct mtext *m, const struct mt_labels *l)
{
	if (m->family[0] == '\0' || (l != NULL && l->n > MT_MAX_LABELS)) {
		m->failed = true;
		return false;
	}
	fputs(m->family, m->f);
	for (int i = 0; l != NULL && i < l->n; i++) {
		if (!valid_name(l->name[i])) {
			m->failed = true;
			return false;
		}
		fprintf(m->f, "%s%s=\"", i == 0 ? "{" : ",", l->name[i]);
		put_escaped(m, l->value[i], true);
		fputc('"', m->f);
	}
	if (l != NULL && l->n > 0)
		fputc('}', m->f);
	return true;
}

void mt_u64(struct mtext *m, const struct mt_labels *l, uint64_t v)
{
	if (sample_start(m, l))
		fprintf(m->f, " %" PRIu64 "\n", v);
}

void mt_u64_1(struct mtext *m, const char *label, const char *value, uint64_t v)
{
	struct mt_labels l = {0};

	mt_label(&l, label, value);
	mt_u64(m, &l, v);
}

void mt_f64(struct mtext *m, const struct mt_labels *l, double v)
{
	if (!sample_start(m, l))
		return;
	if (isnan(v))
		fputs(" NaN\n", m->f);
	else if (isinf(v))
		fputs(v > 0 ? " +Inf\n" : " -Inf\n", m->f);
	else
		fprintf(m->f, " %.15g\n", v);
}

char *mt_finish(struct mtext *m, size_t *len)
{
	char *out;

	if (m->openmetrics)
		fputs("# EOF\n", m->f);
	if (fclose(m->f) != 0 || m->failed) {
		m->f = NULL;
		return NULL;
	}
	m->f = NULL;
	out = m->buf;
	*len = m->len;
	m->buf = NULL;
	return out;
}

void mt_free(struct mtext *m)
{
	if (m == NULL)
		return;
	if (m->f != NULL)
		fclose(m->f);
	free(m->buf);
	free(m);
}

const char *mt_content_type(bool openmetrics)
{
	return openmetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
			   : "text/plain; version=0.0.4; charset=utf-8";
}
