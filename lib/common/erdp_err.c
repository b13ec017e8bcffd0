/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "erdp_err.h"

int erdp_verrf(struct erdp_err *err, int code, const char *fmt, va_list ap)
{
	if (code < 0)
		code = -code;
	if (err != NULL) {
		err->code = code;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	}
	return -code;
}

int erdp_errf(struct erdp_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = erdp_verrf(err, code, fmt, ap);
	va_end(ap);
	return rc;
}
