/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <sys/stat.h>

#include "erdp_fs.h"

#define PARENT_MODE 0755

static int make(const char *path, const char *what, const char *dir, struct erdp_err *err)
{
	if (mkdir(dir, PARENT_MODE) != 0 && errno != EEXIST)
		return erdp_errf(err, errno, "%s %s: cannot create directory %s: %s", what, path,
				 dir, strerror(errno));
	return 0;
}

int erdp_mkdir_parents(const char *path, const char *what, struct erdp_err *err)
{
	char dir[PATH_MAX], *slash;
	int rc = 0;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return erdp_errf(err, ENAMETOOLONG, "%s %s: path too long", what, path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p != '\0' && rc == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		rc = make(path, what, dir, err);
		*p = '/';
	}
	return rc != 0 ? rc : make(path, what, dir, err);
}
