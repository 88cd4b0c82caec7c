/**
 * \file
 * IP addresses and prefixes as store keys (see fb_addr.h).  In libfbread:
 * the module builds keys of answer addresses with fb_addr_key(); the
 * parser and the protected ranges serve the feeds and the tools.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include "fb_addr.h"

/** Longest text fb_addr_parse() looks at: "[" + the longest IPv6 text
 * (45, with a dotted IPv4 tail) + "]" + "/128", with room to spare. */
#define FB_ADDR_INPUT_MAX 64

/** Address bytes of a family byte; 0 for none. */
static size_t
addr_bytes(uint8_t fam)
{
	return fam == FB_ADDR_V4 ? 4 : (fam == FB_ADDR_V6 ? 16 : 0);
}

/** Clear every bit of a (n bytes) past the first prefix bits. */
static void
mask_bits(uint8_t *a, size_t n, int prefix)
{
	size_t i;
	for(i = 0; i < n; i++) {
		int keep = prefix - (int)(i * 8);
		if(keep >= 8)
			continue;
		a[i] = keep <= 0 ? 0 : (uint8_t)(a[i] & (0xff << (8 - keep)));
	}
}

/** Group length (bits) of a family byte. */
static int
group_bits(uint8_t fam)
{
	return fam == FB_ADDR_V4 ? FB_ADDR_GROUP4 : FB_ADDR_GROUP6;
}

void
fb_addr_key(int family, const uint8_t *addr, int prefix, struct fb_key *key)
{
	uint8_t fam = family == AF_INET ? FB_ADDR_V4 :
		(family == AF_INET6 ? FB_ADDR_V6 : 0);
	size_t n = addr_bytes(fam), g;
	int max = (int)n * 8;
	uint8_t a[16];

	if(!n) {
		key->len = 0;
		return;
	}
	if(prefix < 0)
		prefix = 0;
	if(prefix > max)
		prefix = max;
	memcpy(a, addr, n);
	mask_bits(a, n, prefix);
	key->data[0] = fam;
	if(prefix < group_bits(fam)) {
		key->data[1] = FB_ADDR_SHORT;
		key->data[2] = (uint8_t)prefix;
		memcpy(key->data + 3, a, n);
	} else {
		/* the group, then the length, longest first: a group's
		 * prefixes together, the ones that decide first */
		g = (size_t)group_bits(fam) / 8;
		key->data[1] = FB_ADDR_LONG;
		memcpy(key->data + 2, a, g);
		key->data[2 + g] = (uint8_t)(max - prefix);
		memcpy(key->data + 3 + g, a + g, n - g);
	}
	key->len = 3 + n;
}

int
fb_addr_unkey(const uint8_t *key, size_t len, int *family, uint8_t *addr,
	int *prefix)
{
	size_t n, g, i;

	if(len < 3 || !(n = addr_bytes(key[0])) || len != 3 + n)
		return 0;
	g = (size_t)group_bits(key[0]) / 8;
	if(key[1] == FB_ADDR_SHORT) {
		*prefix = key[2];
		if(*prefix >= (int)g * 8)
			return 0;
		memcpy(addr, key + 3, n);
	} else if(key[1] == FB_ADDR_LONG) {
		*prefix = (int)n * 8 - key[2 + g];
		if(*prefix < (int)g * 8)
			return 0;
		memcpy(addr, key + 2, g);
		memcpy(addr + g, key + 3 + g, n - g);
	} else
		return 0;
	*family = key[0] == FB_ADDR_V4 ? AF_INET : AF_INET6;
	/* canonical: nothing set past the prefix */
	for(i = 0; i < n; i++) {
		int keep = *prefix - (int)(i * 8);
		if(keep >= 8)
			continue;
		if(keep <= 0 ? addr[i] != 0 : (addr[i] & (0xff >> keep)) != 0)
			return 0;
	}
	return 1;
}

int
fb_key_is_addr(const uint8_t *key, size_t len)
{
	uint8_t a[16];
	int af, prefix;
	return fb_addr_unkey(key, len, &af, a, &prefix);
}

int
fb_addr_format(const uint8_t *key, size_t len, char *out, size_t outlen)
{
	char t[INET6_ADDRSTRLEN];
	uint8_t a[16];
	size_t al;
	int af, prefix;

	if(out && outlen)
		out[0] = 0;
	if(!out || !fb_addr_unkey(key, len, &af, a, &prefix))
		return 0;
	if(!inet_ntop(af, a, t, sizeof(t)))
		return 0;
	al = strlen(t);
	if(prefix == (af == AF_INET ? 32 : 128)) {
		if(al + 1 > outlen)
			return 0;
		memcpy(out, t, al + 1);
		return 1;
	}
	/* "/" + up to 3 digits + NUL */
	if(al + 5 > outlen)
		return 0;
	memcpy(out, t, al);
	out[al++] = '/';
	if(prefix >= 100)
		out[al++] = (char)('0' + prefix / 100);
	if(prefix >= 10)
		out[al++] = (char)('0' + prefix / 10 % 10);
	out[al++] = (char)('0' + prefix % 10);
	out[al] = 0;
	return 1;
}

/**
 * Read a prefix length: decimal, 1 to 3 digits, no leading zero.
 * @return the number, or -1.
 */
static int
parse_prefix(const char *t, size_t n)
{
	int v = 0;
	size_t i;
	if(n == 0 || n > 3 || (n > 1 && t[0] == '0'))
		return -1;
	for(i = 0; i < n; i++) {
		if(t[i] < '0' || t[i] > '9')
			return -1;
		v = v * 10 + (t[i] - '0');
	}
	return v;
}

int
fb_addr_parse_net(const char *text, size_t len, int *family,
	uint8_t addr[16], int *prefix_out, const char **why)
{
	char buf[FB_ADDR_INPUT_MAX + 1];
	uint8_t a[16];
	const char *slash, *w = NULL;
	size_t alen;
	int af, prefix = -1, max;

	if(!why)
		why = &w;
	if(!text || len == 0) {
		*why = "empty address";
		return 0;
	}
	if(len > FB_ADDR_INPUT_MAX) {
		*why = "address text too long";
		return 0;
	}
	/* inet_pton reads to a NUL: one inside would hide the rest */
	if(memchr(text, 0, len)) {
		*why = "NUL byte in an address";
		return 0;
	}
	slash = memchr(text, '/', len);
	alen = slash ? (size_t)(slash - text) : len;
	if(slash) {
		prefix = parse_prefix(slash + 1, len - alen - 1);
		if(prefix < 0) {
			*why = "bad prefix length";
			return 0;
		}
	}
	if(alen >= 2 && text[0] == '[' && text[alen - 1] == ']') {
		memcpy(buf, text + 1, alen - 2);
		buf[alen - 2] = 0;
		af = AF_INET6;
	} else {
		memcpy(buf, text, alen);
		buf[alen] = 0;
		af = memchr(buf, ':', alen) ? AF_INET6 : AF_INET;
	}
	if(inet_pton(af, buf, a) != 1) {
		*why = af == AF_INET ? "not an IPv4 address" :
			"not an IPv6 address";
		return 0;
	}
	max = af == AF_INET ? 32 : 128;
	if(prefix < 0)
		prefix = max;
	if(prefix > max) {
		*why = af == AF_INET ? "prefix length over 32" :
			"prefix length over 128";
		return 0;
	}
	*family = af;
	memcpy(addr, a, af == AF_INET ? 4 : 16);
	*prefix_out = prefix;
	return 1;
}

int
fb_addr_parse(const char *text, size_t len, struct fb_key *key,
	const char **why)
{
	uint8_t a[16];
	int af, prefix;

	if(!fb_addr_parse_net(text, len, &af, a, &prefix, why))
		return 0;
	fb_addr_key(af, a, prefix, key);
	return 1;
}

/** A range no address entry may overlap. */
struct addr_range {
	uint8_t fam;		/**< FB_ADDR_V4 or FB_ADDR_V6 */
	uint8_t prefix;		/**< its length */
	uint8_t addr[16];	/**< its first address */
	int admin_too;		/**< refused for the admin as well */
	const char *what;	/**< the reason given */
};

/** The protected ranges (doc/feeds.md lists them). */
static const struct addr_range protected_ranges[] = {
	{ FB_ADDR_V4, 8, { 0 }, 1, "overlaps 0.0.0.0/8 (unspecified)" },
	{ FB_ADDR_V4, 8, { 127 }, 1, "overlaps 127.0.0.0/8 (loopback)" },
	{ FB_ADDR_V4, 8, { 10 }, 0, "overlaps 10.0.0.0/8 (private)" },
	{ FB_ADDR_V4, 10, { 100, 64 }, 0,
		"overlaps 100.64.0.0/10 (shared address space)" },
	{ FB_ADDR_V4, 16, { 169, 254 }, 0,
		"overlaps 169.254.0.0/16 (link-local)" },
	{ FB_ADDR_V4, 12, { 172, 16 }, 0, "overlaps 172.16.0.0/12 (private)" },
	{ FB_ADDR_V4, 16, { 192, 168 }, 0,
		"overlaps 192.168.0.0/16 (private)" },
	{ FB_ADDR_V4, 4, { 224 }, 0, "overlaps 224.0.0.0/4 (multicast)" },
	{ FB_ADDR_V4, 4, { 240 }, 0,
		"overlaps 240.0.0.0/4 (reserved, broadcast)" },
	{ FB_ADDR_V6, 128, { 0 }, 1, "overlaps ::/128 (unspecified)" },
	{ FB_ADDR_V6, 128, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		1, "overlaps ::1/128 (loopback)" },
	{ FB_ADDR_V6, 96, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 1,
		"overlaps ::ffff:0:0/96 (IPv4-mapped)" },
	{ FB_ADDR_V6, 7, { 0xfc }, 0, "overlaps fc00::/7 (unique local)" },
	{ FB_ADDR_V6, 10, { 0xfe, 0x80 }, 0,
		"overlaps fe80::/10 (link-local)" },
	{ FB_ADDR_V6, 8, { 0xff }, 0, "overlaps ff00::/8 (multicast)" }
};

/** @return 1 if the first bits bits of a and b are equal. */
static int
same_bits(const uint8_t *a, const uint8_t *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	if(memcmp(a, b, (size_t)full) != 0)
		return 0;
	return rest == 0 ||
		((a[full] ^ b[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

const char *
fb_addr_refused(const uint8_t *key, size_t len, int from)
{
	uint8_t a[16], fam;
	size_t i;
	int af, prefix, min;

	if(!fb_addr_unkey(key, len, &af, a, &prefix))
		return "not an address";
	fam = key[0];
	if(fam == FB_ADDR_V4) {
		/* feeds list only long-tier prefixes (fb_addr.h) */
		min = from == FB_ADDR_FROM_ADMIN ? 8 : FB_ADDR_GROUP4;
		if(prefix < min)
			return from == FB_ADDR_FROM_ADMIN ?
				"IPv4 prefix shorter than /8" :
				"IPv4 prefix shorter than /16";
	} else {
		min = from == FB_ADDR_FROM_ADMIN ? 16 : FB_ADDR_GROUP6;
		if(prefix < min)
			return from == FB_ADDR_FROM_ADMIN ?
				"IPv6 prefix shorter than /16" :
				"IPv6 prefix shorter than /32";
	}
	for(i = 0; i < sizeof(protected_ranges) / sizeof(protected_ranges[0]);
		i++) {
		const struct addr_range *p = &protected_ranges[i];
		if(p->fam != fam ||
		   (from == FB_ADDR_FROM_ADMIN && !p->admin_too))
			continue;
		/* two prefixes overlap when one contains the other: they
		 * agree on the bits of the shorter */
		if(same_bits(a, p->addr,
			prefix < p->prefix ? prefix : p->prefix))
			return p->what;
	}
	return NULL;
}

void fb_addr_unmap(int *family, const uint8_t **addr)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	if(*family == AF_INET6 && memcmp(*addr, mapped, sizeof(mapped)) == 0) {
		*family = AF_INET;
		*addr += sizeof(mapped);
	}
}
