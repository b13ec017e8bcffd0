/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metrics endpoint's exposition writer (server/metrics_text.c): the
 * exact text of both formats, escaping, and the names it refuses.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server/metrics.h"
#include "unit_test.h"

/* The document of one counter family and one gauge family, in either format. */
static char *two_families(bool om)
{
	struct mtext *m = mt_new(om);
	struct mt_labels l = {0};
	size_t len = 0;
	char *out;

	mt_family(m, "erdp_x_packets_total", MT_COUNTER, "Frames.");
	mt_label(&l, "port", "gw0");
	mt_label(&l, "direction", "rx");
	mt_u64(m, &l, 18446744073709551615ULL);
	mt_family(m, "erdp_y_seconds", MT_GAUGE, "Time.");
	mt_f64(m, NULL, 0.25);
	out = mt_finish(m, &len);
	mt_free(m);
	CHECK(out == NULL || strlen(out) == len);
	return out;
}

static void test_formats(void)
{
	char *prom = two_families(false), *om = two_families(true);

	CHECK(prom != NULL && om != NULL);
	CHECK_MSG(prom != NULL &&
			  strcmp(prom, "# HELP erdp_x_packets_total Frames.\n"
				       "# TYPE erdp_x_packets_total counter\n"
				       "erdp_x_packets_total{port=\"gw0\",direction=\"rx\"} "
				       "18446744073709551615\n"
				       "# HELP erdp_y_seconds Time.\n"
				       "# TYPE erdp_y_seconds gauge\n"
				       "erdp_y_seconds 0.25\n") == 0,
		  "%s", prom);
	/* OpenMetrics: the counter family is named without _total, its samples with; # EOF. */
	CHECK_MSG(om != NULL && strcmp(om, "# HELP erdp_x_packets Frames.\n"
					   "# TYPE erdp_x_packets counter\n"
					   "erdp_x_packets_total{port=\"gw0\",direction=\"rx\"} "
					   "18446744073709551615\n"
					   "# HELP erdp_y_seconds Time.\n"
					   "# TYPE erdp_y_seconds gauge\n"
					   "erdp_y_seconds 0.25\n"
					   "# EOF\n") == 0,
		  "%s", om);
	CHECK(strcmp(mt_content_type(false), "text/plain; version=0.0.4; charset=utf-8") == 0);
	CHECK(strncmp(mt_content_type(true), "application/openmetrics-text; version=1.0.0", 43) ==
	      0);
	free(prom);
	free(om);
}

static void test_escaping(void)
{
	struct mtext *m = mt_new(false);
	struct mt_labels l = {0};
	size_t len;
	char *out;

	mt_family(m, "erdp_z", MT_GAUGE, "A \\ backslash\nand a line \"quoted\".");
	mt_label(&l, "name", "a\"b\\c\nd");
	mt_label_u64(&l, "lcore", 42);
	mt_label(&l, "empty", NULL);
	mt_u64(m, &l, 7);
	mt_f64(m, NULL, NAN);
	mt_f64(m, NULL, INFINITY);
	mt_f64(m, NULL, -INFINITY);
	mt_f64(m, NULL, 1.0 / 3);
	out = mt_finish(m, &len);
	mt_free(m);
	/* HELP: backslash and line feed escaped, quotes as they are; labels: all three. */
	CHECK_MSG(out != NULL &&
			  strcmp(out, "# HELP erdp_z A \\\\ backslash\\nand a line \"quoted\".\n"
				      "# TYPE erdp_z gauge\n"
				      "erdp_z{name=\"a\\\"b\\\\c\\nd\",lcore=\"42\",empty=\"\"} 7\n"
				      "erdp_z NaN\n"
				      "erdp_z +Inf\n"
				      "erdp_z -Inf\n"
				      "erdp_z 0.333333333333333\n") == 0,
		  "%s", out ? out : "(null)");
	free(out);
}

/*
 * A gauge with n_labels labels, named a, b, c... or all `bad` when given; no
 * family at all when family is false. Whether the document came out.
 */
static bool writes(bool family, const char *bad, int n_labels)
{
	static const char *const names[MT_MAX_LABELS + 1] = {"a", "b", "c", "d", "e",
							     "f", "g", "h", "i"};
	struct mtext *m = mt_new(false);
	struct mt_labels l = {0};
	size_t len;
	char *out;

	if (family)
		mt_family(m, "erdp_x", MT_GAUGE, "x");
	for (int i = 0; i < n_labels; i++)
		mt_label_u64(&l, bad != NULL ? bad : names[i], (uint64_t)i);
	mt_u64(m, &l, 1);
	out = mt_finish(m, &len);
	mt_free(m);
	free(out);
	return out != NULL;
}

/* Each misuse makes the whole document fail rather than produce text a scraper refuses. */
static void test_refused(void)
{
	static const struct {
		const char *name;
		enum mt_type type;
	} bad[] = {
		{"erdp_x", MT_COUNTER},	      /* a counter without _total */
		{"erdp_x_total", MT_GAUGE},   /* a gauge with it */
		{"9erdp_total", MT_COUNTER},  /* a digit first */
		{"erdp-x_total", MT_COUNTER}, /* a dash */
		{"erdp:x", MT_GAUGE},	      /* colons are for recording rules */
		{"", MT_GAUGE},
	};
	size_t len;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mtext *m = mt_new(false);
		char *out;

		mt_family(m, bad[i].name, bad[i].type, "x");
		mt_u64(m, NULL, 1);
		out = mt_finish(m, &len);
		CHECK_MSG(out == NULL, "'%s' accepted", bad[i].name);
		free(out);
		mt_free(m);
	}
	CHECK(!writes(true, "bad-label", 1));	       /* a bad label name */
	CHECK(!writes(true, NULL, MT_MAX_LABELS + 1)); /* more labels than fit */
	CHECK(writes(true, NULL, MT_MAX_LABELS));      /* as many as fit */
	CHECK(!writes(false, NULL, 0));		       /* a sample before any family */
}

int main(void)
{
	test_formats();
	test_escaping();
	test_refused();
	TEST_MAIN_END();
}
