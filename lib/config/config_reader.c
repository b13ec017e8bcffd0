/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed access to libconfig settings. Every accessor either returns a value
 * of the expected type and range or fills the error in erdp's format
 * "FILE:LINE: PATH: what is wrong (rule)": nothing is converted silently.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config_priv.h"

int cfg_fail(struct cfg_ctx *c, int line, const char *path, const char *rule, const char *fmt, ...)
{
	char what[ERDP_ERR_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* Line 0 means "no key to point at" (a missing top-level section): use the file start. */
	return erdp_errf(c->err, EINVAL, "%s:%d: %s: %s (%s)", c->file, line > 0 ? line : 1, path,
			 what, rule);
}

void cfg_path_key(char *buf, const char *parent, const char *key)
{
	if (parent[0] == '\0')
		snprintf(buf, CFG_PATH_LEN, "%s", key);
	else
		snprintf(buf, CFG_PATH_LEN, "%s.%s", parent, key);
}

void cfg_path_idx(char *buf, const char *parent, int idx)
{
	snprintf(buf, CFG_PATH_LEN, "%s[%d]", parent, idx);
}

int cfg_line(const config_setting_t *s)
{
	return s != NULL ? (int)config_setting_source_line(s) : 0;
}

static const char *type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ]";
	case CONFIG_TYPE_LIST:
		return "a list ( )";
	default:
		return "an unknown type";
	}
}

static int wrong_type(struct cfg_ctx *c, const config_setting_t *s, const char *path,
		      const char *expected)
{
	return cfg_fail(c, cfg_line(s), path, "wrong type", "expected %s, got %s", expected,
			type_name(s));
}

static bool allowed_key(const char *name, const char *const allowed[])
{
	for (int i = 0; allowed[i] != NULL; i++)
		if (strcmp(name, allowed[i]) == 0)
			return true;
	return false;
}

/* Unknown keys are errors: a typo must not turn into a silent default. */
int cfg_keys(const struct cfg_grp *g, const char *const allowed[])
{
	char path[CFG_PATH_LEN], rule[256];
	int n = config_setting_length(g->s);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g->s, i);
		const char *name = config_setting_name(m);
		size_t off;

		if (allowed_key(name, allowed))
			continue;
		off = (size_t)snprintf(rule, sizeof(rule), "allowed in %s: ",
				       g->path[0] != '\0' ? g->path : "the top level");
		for (int k = 0; allowed[k] != NULL && off < sizeof(rule); k++)
			off += (size_t)snprintf(rule + off, sizeof(rule) - off, "%s%s",
						k > 0 ? ", " : "", allowed[k]);
		cfg_path_key(path, g->path, name);
		return cfg_fail(g->c, cfg_line(m), path, rule, "unknown setting '%s'", name);
	}
	return 0;
}

/* 1 when present, 0 when absent and optional, <0 when absent and required. */
int cfg_member(const struct cfg_grp *g, const char *key, bool required,
	       const config_setting_t **out)
{
	char path[CFG_PATH_LEN];

	*out = config_setting_get_member(g->s, key);
	if (*out != NULL)
		return 1;
	if (!required)
		return 0;
	cfg_path_key(path, g->path, key);
	return cfg_fail(g->c, cfg_line(g->s), path, "required setting", "missing");
}

int cfg_as_int(struct cfg_ctx *c, const config_setting_t *s, const char *path, int64_t min,
	       int64_t max, const char *rule, int64_t *v)
{
	char range[64];
	int t = config_setting_type(s);

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return wrong_type(c, s, path, "an integer");
	*v = config_setting_get_int64(s);
	if (*v >= min && *v <= max)
		return 0;
	if (rule == NULL) {
		snprintf(range, sizeof(range), "allowed: %lld..%lld", (long long)min,
			 (long long)max);
		rule = range;
	}
	return cfg_fail(c, cfg_line(s), path, rule, "%lld is out of range", (long long)*v);
}

int cfg_as_str(struct cfg_ctx *c, const config_setting_t *s, const char *path, const char **v)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return wrong_type(c, s, path, "a string");
	*v = config_setting_get_string(s);
	return 0;
}

int cfg_as_bool(struct cfg_ctx *c, const config_setting_t *s, const char *path, bool *v)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return wrong_type(c, s, path, "a boolean (true or false)");
	*v = config_setting_get_bool(s) != 0;
	return 0;
}

/* The setting `key` of g with its path and line: 1, 0 when absent and optional, or -EINVAL. */
static int cfg_find(const struct cfg_grp *g, const char *key, bool required,
		    const config_setting_t **s, char path[CFG_PATH_LEN], int *line)
{
	int rc = cfg_member(g, key, required, s);

	if (rc <= 0)
		return rc;
	cfg_path_key(path, g->path, key);
	if (line != NULL)
		*line = cfg_line(*s);
	return 1;
}

int cfg_int(const struct cfg_grp *g, const char *key, bool required, int64_t min, int64_t max,
	    const char *rule, int64_t *v, int *line)
{
	char path[CFG_PATH_LEN];
	const config_setting_t *s;
	int rc = cfg_find(g, key, required, &s, path, line);

	if (rc <= 0)
		return rc;
	rc = cfg_as_int(g->c, s, path, min, max, rule, v);
	return rc < 0 ? rc : 1;
}

int cfg_str(const struct cfg_grp *g, const char *key, bool required, const char **v, int *line)
{
	char path[CFG_PATH_LEN];
	const config_setting_t *s;
	int rc = cfg_find(g, key, required, &s, path, line);

	if (rc <= 0)
		return rc;
	rc = cfg_as_str(g->c, s, path, v);
	return rc < 0 ? rc : 1;
}

/* A string copied into a fixed buffer: too long is an error, not a truncation. */
int cfg_strcpy(const struct cfg_grp *g, const char *key, bool required, char *buf, size_t len,
	       int *line)
{
	char path[CFG_PATH_LEN];
	const char *v;
	int l = 0;
	int rc = cfg_str(g, key, required, &v, &l);

	if (line != NULL)
		*line = l;
	if (rc <= 0)
		return rc;
	if (strlen(v) >= len) {
		cfg_path_key(path, g->path, key);
		return cfg_fail(g->c, l, path, "length limit",
				"string of %zu characters is too long, the limit is %zu", strlen(v),
				len - 1);
	}
	memcpy(buf, v, strlen(v) + 1);
	return 1;
}

int cfg_bool(const struct cfg_grp *g, const char *key, bool required, bool *v, int *line)
{
	char path[CFG_PATH_LEN];
	const config_setting_t *s;
	int rc = cfg_find(g, key, required, &s, path, line);

	if (rc <= 0)
		return rc;
	rc = cfg_as_bool(g->c, s, path, v);
	return rc < 0 ? rc : 1;
}

/* Names appear in messages, counters and CLI arguments: keep them plain. */
int cfg_name(const struct cfg_grp *g, const char *key, char out[ERDP_NAME_LEN], int *line)
{
	char path[CFG_PATH_LEN];
	const char *v;
	int l = 0;
	int rc = cfg_str(g, key, true, &v, &l);

	if (line != NULL)
		*line = l;
	if (rc < 0)
		return rc;
	if (cfg_valid_name(v)) {
		memcpy(out, v, strlen(v) + 1);
		return 1;
	}
	cfg_path_key(path, g->path, key);
	return cfg_fail(g->c, l, path, "names are 1 to 63 characters of A-Z a-z 0-9 _ . -",
			"invalid name '%s'", v);
}

/* Lists of objects must be libconfig lists ( ) of groups { }. */
int cfg_group_list(const struct cfg_grp *g, const char *key, bool required,
		   const config_setting_t **out)
{
	char path[CFG_PATH_LEN];
	int rc = cfg_member(g, key, required, out);

	if (rc <= 0)
		return rc;
	if (config_setting_type(*out) == CONFIG_TYPE_LIST)
		return 1;
	cfg_path_key(path, g->path, key);
	return wrong_type(g->c, *out, path, "a list ( { ... }, ... )");
}

/* Lists of scalars may be written as a list ( ) or an array [ ]. */
int cfg_scalar_seq(const struct cfg_grp *g, const char *key, bool required,
		   const config_setting_t **out)
{
	char path[CFG_PATH_LEN];
	int rc = cfg_member(g, key, required, out);
	int t;

	if (rc <= 0)
		return rc;
	t = config_setting_type(*out);
	if (t == CONFIG_TYPE_LIST || t == CONFIG_TYPE_ARRAY)
		return 1;
	cfg_path_key(path, g->path, key);
	return wrong_type(g->c, *out, path, "a list [ ... ]");
}

int cfg_elem_group(const struct cfg_grp *list_parent, const config_setting_t *list, const char *key,
		   int i, struct cfg_grp *out)
{
	char path[CFG_PATH_LEN];

	cfg_path_key(path, list_parent->path, key);
	cfg_path_idx(out->path, path, i);
	out->c = list_parent->c;
	out->s = config_setting_get_elem(list, (unsigned int)i);
	if (config_setting_type(out->s) == CONFIG_TYPE_GROUP)
		return 0;
	return wrong_type(out->c, out->s, out->path, "a group { }");
}

int cfg_mac(struct cfg_ctx *c, const config_setting_t *s, const char *path, struct erdp_mac *m)
{
	const char *v;
	int rc = cfg_as_str(c, s, path, &v);

	if (rc < 0)
		return rc;
	if (erdp_parse_mac(v, m) < 0)
		return cfg_fail(c, cfg_line(s), path, "MAC format is xx:xx:xx:xx:xx:xx",
				"invalid MAC address '%s'", v);
	if (!cfg_mac_unicast(m))
		return cfg_fail(c, cfg_line(s), path,
				"MACs must be unicast: first octet even, not all zero",
				"MAC address '%s' is not a unicast address", v);
	return 0;
}
