/* SPDX-License-Identifier: BSD-3-Clause */
/* erdpctl: command line client of erdp-cp (docs/control-plane.md). */
#ifndef ERDPCTL_H
#define ERDPCTL_H

#include <stdbool.h>

#include <jansson.h>

/* Exit statuses, also documented in --help. */
#define EXIT_REJECTED	 1 /* bad input, or erdp-cp / erdp refused the request */
#define EXIT_UNREACHABLE 2 /* erdp-cp cannot be reached, or the connection broke */

/*
 * Send one request (with an open file descriptor when fd >= 0) and wait up
 * to timeout_s for the reply. Returns the reply, or NULL after printing why
 * on stderr (the caller exits EXIT_UNREACHABLE).
 */
json_t *client_call(const char *socket_path, json_t *req, int fd, double timeout_s);

/* Print a successful reply of command `cmd` for humans. */
void render(const char *cmd, json_t *result);

#endif
