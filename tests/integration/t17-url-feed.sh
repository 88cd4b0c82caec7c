#!/bin/sh
# t17-url-feed: a URL feed never blocks a platform for one of its pages.
# The harm of `www.platform.example/some-page` is in the path; by default
# (url-paths: skip) such URLs are counted and reported, not listed, while
# URLs without a path list their host; an IP-literal host is an address
# entry under the same rule.  With url-paths: host the hosts of URLs with
# a path are listed.
. "$(dirname "$0")/lib.sh"
fb_init urlfeed

printf '%s\n' "http://phish-only.example-test" \
	"https://Login.Phish-Only2.example-test/" \
	"https://www.platform-test.example/some-page?id=1" \
	"http://192.0.2.9/x" "http://198.51.100.9:8080" > "$T/urls.txt"
{
	fbconf_globals
	feed_clause urls "$T/urls.txt" format urls
} > "$FBCONF"
fb_sync
is "$?" 0 "a urls feed syncs (exit 0)"
like "$(cat "$T/last.out")" "^feed urls: 2 names, 1 addresses \(\+3 -0 ~0\), \
0 invalid, 2 with a path not listed \(url-paths: skip\)," \
	"the summary counts names, the address and the URLs with a path"
fb_ctl lookup 198.51.100.9
is "$?" 0 "the address of an IP-literal URL without a path is blocked"
fb_ctl lookup 192.0.2.9
is "$?" 1 "an IP-literal URL with a path is not listed by default"
fb_ctl lookup phish-only.example-test
is "$?" 0 "the host of a URL without a path is blocked"
fb_ctl lookup login.phish-only2.example-test
is "$?" 0 "a URL whose path is only '/' lists its host, case folded"
fb_ctl lookup www.platform-test.example
is "$?" 1 "the host of a URL with a path is not blocked by default"

{
	fbconf_globals
	feed_clause urls "$T/urls.txt" format urls url-paths host
} > "$FBCONF"
fb_sync
is "$?" 0 "the same feed with url-paths: host (exit 0)"
fb_ctl lookup www.platform-test.example
is "$?" 0 "url-paths: host lists the host of a URL with a path"
fb_ctl lookup 192.0.2.9
is "$?" 0 "... and the address of an IP-literal one"
printf '\turl-paths: everything\n' >> "$FBCONF"
fb_sync
is "$?" 1 "a bad url-paths value is refused (exit 1)"
like "$(cat "$T/last.err")" "fraudblock.conf:[0-9]+: .*url-paths" \
	"with file:line"

# csv's category column: each row's category is stored, the feed's
# where the row names none; a name on two rows keeps its first
printf '%s\n' "url,kind" "http://mal.example-test/,Malware" \
	"http://scam.example-test/,scam" "http://other.example-test/,unknown" \
	"http://mal.example-test/,phishing" > "$T/cat.csv"
{
	fbconf_globals
	feed_clause cat "$T/cat.csv" format csv column url \
		category-column kind category phishing action nxdomain
} > "$FBCONF"
fb_sync
is "$?" 0 "a csv feed with a category column syncs (exit 0)"
like "$(cat "$T/last.err")" "feed cat: 1 names listed more than once with \
different actions or categories" "the name on two rows is reported"
listing() {
	fb_ctl lookup "$1"
	sed -n 2p "$T/last.out" | sed 's/  since .*//; s/.*  action //'
}
is "$(listing mal.example-test)" "nxdomain  category malware" \
	"the row's category is stored (the first of two rows)"
is "$(listing scam.example-test)" "nxdomain  category scam" \
	"another row's category"
is "$(listing other.example-test)" "nxdomain  category phishing" \
	"a value naming no category gives the feed's"
done_testing
