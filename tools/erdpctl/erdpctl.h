/* SPDX-License-Identifier: BSD-3-Clause */
/* erdpctl: command line client of erdp-cp (docs/control-plane.md). */
#ifndef ERDPCTL_H
#define ERDPCTL_H

#include <stdbool.h>

#include <jansson.h>

/* Exit statuses, also documented in --help and docs/control-plane.md. */
#define EXIT_REJECTED	 1 /* bad input, or erdp-cp / erdp refused the request */
#define EXIT_UNREACHABLE 2 /* erdp-cp cannot be reached, or the connection broke */
#define EXIT_BUSY	 3 /* erdp-cp is busy: refused for load, or no answer in time */

/*
 * Send one request (with an open file descriptor when fd >= 0) and wait up
 * to timeout_s, connecting included, for the reply. Returns 0 with *reply,
 * or, after printing why on stderr, EXIT_UNREACHABLE or EXIT_BUSY.
 */
int client_call(const char *socket_path, json_t *req, int fd, double timeout_s, json_t **reply);

/* Print a successful reply of command `cmd` for humans. */
void render(const char *cmd, json_t *result);

#endif
