/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of lib/config shared by the reader, the section parsers and the
 * validator. Not installed, not for other libraries.
 *
 * The parser checks what one setting can tell on its own (type, range,
 * syntax, references by name); the validator checks rules that span
 * objects (uniqueness, sums, overlaps, capacities). The validator needs
 * the line and position of the exact key that breaks a rule, which the
 * public structs do not carry: the "source map" below keeps them.
 */
#ifndef ERDP_CONFIG_PRIV_H
#define ERDP_CONFIG_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <libconfig.h>

#include "erdp_config.h"

#define CFG_PATH_LEN 192

/* Default of port_pair.oversubscription: Azure lets circuits add up to 2x the port. */
#define CFG_DEFAULT_OVERSUB 2

/* Source lines of the keys the validator points at; 0 = key absent. */
struct cfg_src_port {
	int name_line;
	int device_line;
	int role_line;
};

struct cfg_src_vrf {
	int name_line;
	int v4cap_line;
	int v6cap_line;
};

struct cfg_src_circuit {
	int name_line;
	int s_tag_line;
	int bw_line;
};

struct cfg_src_peering {
	int pos;      /* position in its circuit's peerings list */
	int tag_line; /* c_tag (qinq) or vlan (dot1q) */
	bool v4_list; /* ipv4 given as [primary, secondary] */
	bool v6_list;
	int v4_line[ERDP_LINKS];
	int v6_line[ERDP_LINKS];
};

struct cfg_src_inst {
	int port_line;
	int vlan_line;
};

struct cfg_src_gw {
	int name_line;
	struct cfg_src_inst inst[ERDP_MAX_GW_INSTANCES];
};

/* A route comes from vrfs[owner].routes[pos] or gateways[owner].prefixes[pos]. */
struct cfg_src_route {
	bool from_gw;
	int owner;
	int pos;
};

/* The bgp group's keys whose lines cross-checks point at. */
struct cfg_src_bgp {
	int group_line;
	int prefix_line;
	int keepalive_line;
	int hold_line;
	int min_hold_line;
};

struct cfg_src {
	struct cfg_src_bgp bgp;
	int ports_line;
	int circuits_line;
	struct cfg_src_port port[ERDP_MAX_PORTS];
	struct cfg_src_vrf *vrf;
	struct cfg_src_circuit *circuit;
	struct cfg_src_peering *peering;
	struct cfg_src_gw *gw;
	struct cfg_src_route *route;
};

struct cfg_ctx {
	struct erdp_config *cfg;
	struct erdp_err *err;
	const char *file; /* name used in messages */
	struct cfg_src src;
};

/* A group being read: its setting and its path ("circuits[3].peerings[0]"). */
struct cfg_grp {
	struct cfg_ctx *c;
	const config_setting_t *s;
	char path[CFG_PATH_LEN];
};

/* config_reader.c: error format, paths, typed access. */
int cfg_fail(struct cfg_ctx *c, int line, const char *path, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void cfg_path_key(char *buf, const char *parent, const char *key);
void cfg_path_idx(char *buf, const char *parent, int idx);
int cfg_line(const config_setting_t *s);
int cfg_keys(const struct cfg_grp *g, const char *const allowed[]);
int cfg_member(const struct cfg_grp *g, const char *key, bool required,
	       const config_setting_t **out);
int cfg_as_int(struct cfg_ctx *c, const config_setting_t *s, const char *path, int64_t min,
	       int64_t max, const char *rule, int64_t *v);
int cfg_as_str(struct cfg_ctx *c, const config_setting_t *s, const char *path, const char **v);
int cfg_as_bool(struct cfg_ctx *c, const config_setting_t *s, const char *path, bool *v);
int cfg_int(const struct cfg_grp *g, const char *key, bool required, int64_t min, int64_t max,
	    const char *rule, int64_t *v, int *line);
int cfg_str(const struct cfg_grp *g, const char *key, bool required, const char **v, int *line);
int cfg_strcpy(const struct cfg_grp *g, const char *key, bool required, char *buf, size_t len,
	       int *line);
int cfg_bool(const struct cfg_grp *g, const char *key, bool required, bool *v, int *line);
int cfg_name(const struct cfg_grp *g, const char *key, char out[ERDP_NAME_LEN], int *line);
int cfg_group_list(const struct cfg_grp *g, const char *key, bool required,
		   const config_setting_t **out);
int cfg_scalar_seq(const struct cfg_grp *g, const char *key, bool required,
		   const config_setting_t **out);
int cfg_elem_group(const struct cfg_grp *list_parent, const config_setting_t *list, const char *key,
		   int i, struct cfg_grp *out);
int cfg_mac(struct cfg_ctx *c, const config_setting_t *s, const char *path, struct erdp_mac *m);

/* config_literal.c: make libconfig 1.5 keep integers above 32 bits. */
int cfg_widen_literals(const char *in, const char *file, char **out, struct erdp_err *err);

/* config_parse*.c: the sections. */
int cfg_parse_eal(struct cfg_ctx *c, const struct cfg_grp *root);
int cfg_parse_dataplane(struct cfg_ctx *c, const struct cfg_grp *root);
int cfg_parse_port_pair(struct cfg_ctx *c, const struct cfg_grp *root);
int cfg_parse_ports(struct cfg_ctx *c, const struct cfg_grp *root);
int cfg_parse_vrfs(struct cfg_ctx *c, const struct cfg_grp *root);
int cfg_parse_circuits(struct cfg_ctx *c, const struct cfg_grp *root);
int cfg_parse_gateways(struct cfg_ctx *c, const struct cfg_grp *root);
int cfg_parse_routes(struct cfg_ctx *c, const struct cfg_grp *root);
/* config_parse_bgp.c: the bgp group, and a peering's BGP keys (md5_key, advertise, communities). */
int cfg_parse_bgp(struct cfg_ctx *c, const struct cfg_grp *root);
int cfg_parse_peering_bgp(const struct cfg_grp *g, struct erdp_peering_conf *p);

/* config_validate.c: rules across objects, run after each section. */
int cfg_validate_ports(struct cfg_ctx *c);
int cfg_validate_vrfs(struct cfg_ctx *c);
int cfg_validate_circuits(struct cfg_ctx *c);
int cfg_validate_gateways(struct cfg_ctx *c);
int cfg_validate_routes(struct cfg_ctx *c);
int cfg_validate_bgp(struct cfg_ctx *c); /* after circuits: namespace names fit */

/* config_util.c */
bool cfg_valid_name(const char *s);
int cfg_parse_p4_loose(const char *s, struct erdp_prefix4 *p); /* host bits allowed */
int cfg_parse_p6_loose(const char *s, struct erdp_prefix6 *p);
uint32_t cfg_p4_mask(uint8_t len);
bool cfg_p6_host_bits(const struct erdp_prefix6 *p);
void cfg_p6_clear_host(struct erdp_prefix6 *p);
void cfg_p4_str(const struct erdp_prefix4 *p, char *buf, size_t len);
void cfg_p6_str(const struct erdp_prefix6 *p, char *buf, size_t len);
bool cfg_mac_unicast(const struct erdp_mac *m);
void cfg_route_path(const struct cfg_ctx *c, int r, char *buf);
/* A prefix string of either family at s; host bits set is an error (with the fix). */
int cfg_prefix(struct cfg_ctx *c, const config_setting_t *s, const char *path,
	       struct erdp_route_prefix *out);

#endif
