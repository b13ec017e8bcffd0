/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Log lines go to stderr with a wall-clock time stamp: erdp-cp runs under a
 * service manager or a test harness that keeps stderr. Thread-safe: a line
 * is written whole.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "core.h"

void cp_log(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	va_list ap;
	char stamp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	flockfile(stderr); /* one whole line: the metrics thread logs too */
	fprintf(stderr, "%s.%03ld erdp-cp: ", stamp, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	funlockfile(stderr);
}

double cp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
