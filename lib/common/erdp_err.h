/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Errors with context. Functions that can fail take a `struct erdp_err *`,
 * fill it with an errno-style code and a message that names what was wrong
 * (file, line, field, value, rule), and return -code. The caller prints
 * err.msg as is: messages are complete sentences for an operator.
 */
#ifndef ERDP_ERR_H
#define ERDP_ERR_H

#include <stdarg.h>

#define ERDP_ERR_MSG_LEN 512

struct erdp_err {
	int code;		    /* positive errno value, 0 when no error */
	char msg[ERDP_ERR_MSG_LEN]; /* human message, NUL terminated */
};

/* Record an error and return -code. A NULL err is allowed (message dropped). */
int erdp_errf(struct erdp_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int erdp_verrf(struct erdp_err *err, int code, const char *fmt, va_list ap);

/* Reset to "no error". */
static inline void erdp_err_clear(struct erdp_err *err)
{
	if (err != NULL) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

#endif
