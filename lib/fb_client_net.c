/**
 * \file
 * The networks of client-policy clauses as text (see fb_config.h): read
 * from fraudblock.conf, and written back in messages and by
 * fraudblock-ctl check-config.  A network is an address and a prefix
 * length with every host bit zero; IPv4-mapped IPv6 networks of /96 or
 * longer become the IPv4 network they mean, since the module matches an
 * IPv4-mapped client address as IPv4.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "fb_config.h"

/** Longest network text read: an IPv6 address (45) plus "/128". */
#define FB_NET_TEXT_MAX 64

/** The 12 bytes that start an IPv4-mapped IPv6 address. */
static const uint8_t mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/** Clear the bits of addr (bytes long) past the first prefix.
 * @return 1 if any was set. */
static int
clear_host_bits(uint8_t *addr, size_t bytes, unsigned prefix)
{
	size_t i;
	int set = 0;

	for(i = 0; i < bytes; i++) {
		unsigned keep = prefix >= 8 * (i + 1) ? 8 :
			prefix > 8 * i ? prefix - 8 * i : 0;
		uint8_t mask = (uint8_t)(keep ? 0xff << (8 - keep) : 0);

		if(addr[i] & ~mask)
			set = 1;
		addr[i] &= mask;
	}
	return set;
}

int
fb_client_net_parse(const char *text, struct fb_client_net *out,
	char *why, size_t whylen)
{
	char buf[FB_NET_TEXT_MAX], meant[FB_NET_TEXT_MAX + 8];
	char *slash, *end;
	unsigned long n;
	unsigned max;
	size_t len = strlen(text);

	if(len == 0 || len >= sizeof(buf)) {
		snprintf(why, whylen, "not an address or address/prefix");
		return 0;
	}
	memcpy(buf, text, len + 1);
	memset(out->addr, 0, sizeof(out->addr));
	if((slash = strchr(buf, '/')))
		*slash++ = 0;
	if(inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if(inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		snprintf(why, whylen, "not an IPv4 or IPv6 address");
		return 0;
	}
	out->prefix = max;
	if(slash) {
		/* digits only: strtoul alone takes " 8", "+8" and "-0" */
		if(*slash < '0' || *slash > '9' || strlen(slash) > 3) {
			snprintf(why, whylen, "bad prefix length (0 to %u)",
				max);
			return 0;
		}
		errno = 0;
		n = strtoul(slash, &end, 10);
		if(errno || *end || n > max) {
			snprintf(why, whylen, "bad prefix length (0 to %u)",
				max);
			return 0;
		}
		out->prefix = (unsigned)n;
	}
	if(clear_host_bits(out->addr, max / 8, out->prefix)) {
		snprintf(why, whylen, "host bits set: the network is %s",
			fb_client_net_text(out, meant, sizeof(meant)));
		return 0;
	}
	if(out->family == AF_INET6 && out->prefix >= 96 &&
		memcmp(out->addr, mapped_prefix, 12) == 0) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = AF_INET;
		out->prefix -= 96;
	}
	return 1;
}

const char *
fb_client_net_text(const struct fb_client_net *n, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if(!inet_ntop(n->family, n->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, n->prefix);
	return buf;
}
