/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal unit-test harness: CHECK() records a failure with file:line and
 * goes on; TEST_MAIN_END returns non-zero when anything failed. Every
 * CHECK counts, so a test binary reports "checks: N, failed: M".
 */
#ifndef ERDP_UNIT_TEST_H
#define ERDP_UNIT_TEST_H

#include <stdio.h>
#include <string.h>

static unsigned int ut_checks, ut_failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		ut_checks++;                                                                       \
		if (!(cond)) {                                                                     \
			ut_failed++;                                                               \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

#define CHECK_MSG(cond, ...)                                                                       \
	do {                                                                                       \
		ut_checks++;                                                                       \
		if (!(cond)) {                                                                     \
			ut_failed++;                                                               \
			fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);   \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b) CHECK_MSG((a) == (b), "%lld != %lld", (long long)(a), (long long)(b))

#define TEST_MAIN_END()                                                                            \
	do {                                                                                       \
		printf("checks: %u, failed: %u\n", ut_checks, ut_failed);                          \
		return ut_failed == 0 ? 0 : 1;                                                     \
	} while (0)

#endif
