/**
 * \file
 * The networks of client-policy clauses: parsed from and written as text
 * (fraudblock.conf, messages), and the longest-prefix table the module
 * looks a client's address up in.
 *
 * The table is made once from a config's networks (no two alike: the
 * config refuses a network given twice) and is then read-only: a lookup
 * is one binary search over a sorted array, with no allocation, lock or
 * system call, from any thread.
 */
#ifndef FB_CLIENT_NET_H
#define FB_CLIENT_NET_H

#include <stddef.h>
#include <stdint.h>
#include "fb_config.h"

struct fb_client_table;

/**
 * Parse one network of a client-policy clause: an IPv4 or IPv6 address
 * (a /32 or /128) or address/prefix.  Host bits set are an error (the
 * message names the network meant), not silently masked: 10.1.2.5/24
 * is more likely a typo of a /32 than a way to write 10.1.2.0/24.
 * @param text: NUL-terminated.
 * @param out: out: family, addr, prefix (policy and line untouched).
 * @param why: out: what is wrong, on failure.
 * @return 1 on success, 0 on error.
 */
int fb_client_net_parse(const char *text, struct fb_client_net *out,
	char *why, size_t whylen);

/** @return the network in presentation form ("10.1.2.0/24"). */
const char *fb_client_net_text(const struct fb_client_net *n, char *buf,
	size_t len);

/**
 * Make the table of networks.
 * @param nets, n: the networks (cfg->client_nets); each policy is
 *	returned by fb_client_table_find() for the addresses its network is
 *	the longest prefix of.
 * @param out: out: the table, to free with fb_client_table_free().
 * @return 1, or 0 when out of memory (*out NULL).
 */
int fb_client_table_new(const struct fb_client_net *nets, size_t n,
	struct fb_client_table **out);

/** Free a table; NULL is fine. */
void fb_client_table_free(struct fb_client_table *t);

/**
 * The policy of an address.
 * @param family: AF_INET (addr: 4 bytes) or AF_INET6 (16 bytes; an
 *	IPv4-mapped address is looked up as its IPv4 address).
 * @return the policy of the longest network holding addr, or -1.
 */
int fb_client_table_find(const struct fb_client_table *t, int family,
	const uint8_t *addr);

/** @return the breakpoints of a family's array (for logs and tests). */
size_t fb_client_table_points(const struct fb_client_table *t, int family);

#endif /* FB_CLIENT_NET_H */
