/**
 * \file
 * Fuzz harness for the list files of the protected-names filter
 * (feeds/fb_protect.h): fb_protect_add_popular() on the input, or, when
 * the first byte is 'C', fb_protect_add_critical() on the rest.  No
 * Public Suffix List is loaded: only the file readers and the key set
 * are under test.
 *
 * Properties checked on every input:
 * - a refusal returns -1 with a message naming the file;
 * - an accepted file gave at least one name;
 * - a filter is consistent whatever the file held: an allow entry and,
 *   for a popular list, an entry of a trusted feed are never dropped;
 *   a popular list never makes an entry critical, nor a critical list
 *   an entry popular.
 */
#include <string.h>
#include "fuzz.h"
#include "fb_protect.h"
#include "fb_name.h"

/** Names every input's filter is asked about. */
static const char *const probes[] = {
	"google.com", "www.google.com", "com", "scam.blogspot.com",
	"a.b.c.d.e.f.g", "-x.example", "xn--55qx5d.cn"
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_protect *p = fb_protect_new();
	int critical = size > 0 && data[0] == 'C';
	enum fb_protect_reason r;
	struct fb_key key;
	uint8_t scope;
	char err[512];
	size_t i;
	long n;

	FUZZ_CHECK(p != NULL);
	err[0] = 0;
	if(critical)
		n = fb_protect_add_critical(p, "fuzz", (const char *)data + 1,
			size - 1, err, sizeof(err));
	else
		n = fb_protect_add_popular(p, "fuzz", (const char *)data,
			size, NULL, err, sizeof(err));
	FUZZ_CHECK(n == -1 || n >= 1);
	if(n == -1)
		FUZZ_CHECK(strncmp(err, "fuzz", 4) == 0);
	for(i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if(fb_name_parse(probes[i], strlen(probes[i]),
			FB_NAME_ALLOW_TLD, &key, &scope) != FB_NAME_OK)
			continue;
		FUZZ_CHECK(fb_protect_check(p, &key, FB_SCOPE_TREE,
			FB_ACTION_ALLOW, 0) == FB_PROTECT_NONE);
		r = fb_protect_check(p, &key, FB_SCOPE_TREE,
			FB_ACTION_DEFAULT, 0);
		FUZZ_CHECK(r == FB_PROTECT_NONE || r == (critical ?
			FB_PROTECT_CRITICAL : FB_PROTECT_POPULAR));
		if(!critical)
			FUZZ_CHECK(fb_protect_check(p, &key, FB_SCOPE_TREE,
				FB_ACTION_DEFAULT, 1) == FB_PROTECT_NONE);
	}
	fb_protect_free(p);
	return 0;
}
