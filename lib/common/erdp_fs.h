/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small file-system helpers shared by the programs. Any thread; they touch
 * the file system only (syscalls: not for the fast path).
 */
#ifndef ERDP_FS_H
#define ERDP_FS_H

#include "erdp_err.h"

/*
 * Create the missing parent directories of `path` (mode 0755, like
 * `mkdir -p $(dirname path)`). 0, or -errno with err naming `what` (the
 * option the path came from, e.g. "--socket"), the path and the directory.
 */
int erdp_mkdir_parents(const char *path, const char *what, struct erdp_err *err);

#endif
