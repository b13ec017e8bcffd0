/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzzing erdp-cp's FPM decoder (app/erdp-cp/bgp/fpm.h): the bytes zebra's
 * dplane_fpm_nl sends, as erdp-cp's FPM connection reads them.
 *
 * Input: a stream, cut into frames as fpm.c cuts its read buffer
 * (fpm_frame, then fpm_decode of each complete frame), until a frame is
 * refused or the bytes run out.
 *
 * Invariants: a refused frame reports no route and names a known reason;
 * a reported route has family 4 or 6, a prefix length that fits it, host
 * bits zero, and no more kept gateways than FPM_MAX_GATEWAYS nor than the
 * next hops it counted; counters only grow.
 *
 * Build with the libFuzzer harnesses of tests/fuzz (-Dfuzz=true, clang):
 * register it in tests/fuzz/meson.build as
 *   'cp-fpm': [files('fuzz_fpm.c', '../../app/erdp-cp/bgp/fpm_decode.c'), [libmnl],
 *              ['-I' + root / 'app' / 'erdp-cp'], '200000', ['-max_len=70000']],
 * Seeds: the frames of tests/app/erdp-cp/bgp/test_fpm.c (a valid stream of
 * DEL + NEW, multipath, IPv6) are a good start. The same decoder runs 20,000
 * mutated frames in the unit test cp-bgp-fpm on every CI run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/fpm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t reported;

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "fuzz_fpm: invariant broken: " __VA_ARGS__);                       \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

static void on_route(void *arg, const struct fpm_route *r)
{
	unsigned int bits = r->family == 6 ? 128 : r->family == 4 ? 32 : 0;

	(void)arg;
	reported++;
	if (bits == 0 || r->len > bits)
		FAIL("route of family %u, length %u", r->family, r->len);
	for (unsigned int b = r->len; b < 128; b++)
		if (r->addr[b / 8] & (0x80u >> (b % 8)))
			FAIL("host bit %u set in a /%u", b, r->len);
	if (r->n_gw > FPM_MAX_GATEWAYS || r->n_gw > r->n_nexthops)
		FAIL("%u gateways kept of %u next hops", r->n_gw, r->n_nexthops);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fpm_counts c = {0}, before;
	size_t off = 0, len;
	int rc;

	while ((rc = fpm_frame(data + off, size - off, &len)) == 1) {
		size_t n0 = reported;

		before = c;
		rc = fpm_decode(data + off + FPM_HDR_LEN, len - FPM_HDR_LEN, on_route, NULL, &c);
		if (rc < 0) {
			if (reported != n0)
				FAIL("a refused frame (%s) reported %zu routes", fpm_err_str(rc),
				     reported - n0);
			break;
		}
		if (c.frames != before.frames + 1 || c.routes < before.routes)
			FAIL("counters went wrong");
		off += len;
	}
	if (rc < 0 && strcmp(fpm_err_str(rc), "?") == 0)
		FAIL("unnamed error %d", rc);
	return 0;
}
