#!/bin/sh
# t33-addr-feeds: feeds and fraudblock-ctl fill the store's address
# entries (response addresses), kept per feed like names.  Every format
# that carries addresses gives them: a bare address or CIDR line in a
# domains list, IP-literal URL hosts (urls, csv, json; IPv6 in brackets,
# with a port, a numeric form browsers read), adblock ||ADDRESS^, rpz-ip
# triggers (rpz-passthru one is an allow); the first column of a hosts
# file (the sink) is none.  fraudblock-ctl lookup shows each applicable
# entry, longest prefix first, and the verdict; what it prints reads back
# into block.  A line a feed may not list (loopback, private, too short a
# prefix) is refused with file:line, and a feed made mostly of them is
# refused whole with the store byte for byte as before.  A feed over HTTP
# (nginx) gives addresses too.  verify passes; a removed feed takes its
# addresses along.
. "$(dirname "$0")/lib.sh"
fb_init addrfeeds
command -v mdb_dump >/dev/null 2>&1 ||
	skip_all "mdb_dump not found (apt-get install lmdb-utils)"

printf '%s\n' "# an address list in domains format" bad.example-test \
	198.51.100.7 203.0.113.0/24 "2001:db8:aa::/48" "[2001:db8::7]" \
	"198.51.100.200/24" > "$T/domains.txt"
printf '%s\n' "http://198.51.100.20/" "https://[2001:db8:bb::1]:8443" \
	"http://3405803790/" "http://url.example-test/" > "$T/urls.txt"
printf '%s\n' "url,kind" "http://192.0.2.33:8080,phishing" \
	"http://csv.example-test/,scam" > "$T/list.csv"
printf '%s\n' "[Adblock Plus 2.0]" "||192.0.2.44^" "||abp.example-test^" \
	> "$T/abp.txt"
printf '["http://192.0.2.66/", "json.example-test"]\n' > "$T/list.json"
printf '%s\n' "0.0.0.0 hosts.example-test" > "$T/hosts.txt"
cat > "$T/rpz.zone" <<EOF
\$TTL 60
@ SOA ns.rpz.fb-test. hostmaster.rpz.fb-test. 1 3600 600 86400 60
32.55.2.0.192.rpz-ip CNAME .
48.zz.cc.db8.2001.rpz-ip CNAME rpz-passthru.
64.zz.cc.db8.2001.rpz-ip CNAME *.
rpzname.example-test CNAME .
EOF
printf '198.51.100.7\n' > "$T/allow.txt"

conf() {
	fbconf_globals
	feed_clause dom "$T/domains.txt" action nxdomain
	feed_clause urls "$T/urls.txt" format urls
	feed_clause csv "$T/list.csv" format csv column url
	feed_clause abp "$T/abp.txt" format adblock
	feed_clause json "$T/list.json" format json
	feed_clause hosts "$T/hosts.txt" format hosts
	[ "$1" = norpz ] || feed_clause rpz "$T/rpz.zone" format rpz
	feed_clause ok "$T/allow.txt" action allow
}
conf > "$FBCONF"
fb_sync
is "$?" 0 "every feed syncs (exit 0)"
is "$(untimed "$T/last.out" | grep -v '^sync ' | sed 's/, generation [0-9]*//')" \
"feed dom: 1 names, 5 addresses (+6 -0 ~0), 0 invalid
feed urls: 1 names, 3 addresses (+4 -0 ~0), 0 invalid
feed csv: 1 names, 1 addresses (+2 -0 ~0), 0 invalid
feed abp: 1 names, 1 addresses (+2 -0 ~0), 0 invalid
feed json: 1 names, 1 addresses (+2 -0 ~0), 0 invalid
feed hosts: 1 names (+1 -0 ~0), 0 invalid
feed rpz: 1 names, 3 addresses (+4 -0 ~0), 0 invalid
feed ok: 0 names, 1 addresses (+1 -0 ~0), 0 invalid" \
	"each summary counts names and addresses apart"
is "$(cat "$T/last.err")" "" "nothing refused"

# lookup_of ADDRESS: lookup's lines without the since column
lookup_of() {
	fb_ctl lookup "$1"
	sed 's/  since .*//' "$T/last.out"
}
is "$(lookup_of 203.0.113.9)" "203.0.113.9: blocked (nxdomain) by dom at 203.0.113.0/24
  203.0.113.0/24  source dom  scope tree  action nxdomain  category unspecified" \
	"a CIDR line of a domains list: the /24 with the feed's action"
is "$(lookup_of 203.0.113.14)" "203.0.113.14: blocked (sinkhole) by urls at 203.0.113.14
  203.0.113.14  source urls  scope tree  action default  category unspecified
  203.0.113.0/24  source dom  scope tree  action nxdomain  category unspecified" \
	"a numeric URL host (3405803790) is 203.0.113.14; the longest prefix decides, listed first"
is "$(lookup_of 198.51.100.7)" "198.51.100.7: allowed by ok at 198.51.100.7
  198.51.100.7  source dom  scope tree  action nxdomain  category unspecified
  198.51.100.7  source ok  scope tree  action allow  category unspecified
  198.51.100.0/24  source dom  scope tree  action nxdomain  category unspecified" \
	"an allow feed's /32 beats a block at equal length; 198.51.100.200/24 is the /24"
fb_ctl lookup 198.51.100.8
is "$?" 0 "198.51.100.8: blocked by the /24 (exit 0)"
fb_ctl lookup 198.51.101.8
is "$?" 1 "198.51.101.8: not listed (exit 1)"
is "$(cat "$T/last.out")" "198.51.101.8: not listed" "... and says so"
for a in 2001:db8:aa:1::5 2001:db8::7 198.51.100.20 2001:db8:bb::1 \
	192.0.2.33 192.0.2.44 192.0.2.66 192.0.2.55; do
	fb_ctl lookup "$a"
	is "$?" 0 "$a is listed"
done
is "$(lookup_of 2001:db8:cc::1)" "2001:db8:cc::1: blocked (nodata) by rpz at 2001:db8:cc::/64
  2001:db8:cc::/64  source rpz  scope tree  action nodata  category unspecified
  2001:db8:cc::/48  source rpz  scope tree  action allow  category unspecified" \
	"rpz-ip: the /64 nodata inside the /48 passthru"
is "$(lookup_of 2001:db8:cc:1::1)" "2001:db8:cc:1::1: allowed by rpz at 2001:db8:cc::/48
  2001:db8:cc::/48  source rpz  scope tree  action allow  category unspecified" \
	"rpz-ip: rpz-passthru is an allow entry"
fb_ctl lookup 0.0.0.0
is "$?" 1 "the sink column of a hosts file is no entry"
fb_ctl lookup ::ffff:198.51.100.7
is "$?" 1 "IPv4-mapped IPv6 does not match the IPv4 entry"
fb_ctl lookup 198.51.100.0/24
is "$?" 2 "lookup of a prefix is refused (exit 2)"
is "$(cat "$T/last.err")" "fraudblock-ctl: 198.51.100.0/24: lookup takes an address, not a prefix" \
	"... saying why"
fb_ctl lookup bad.example-test
is "$?" 0 "names are listed beside the addresses"
fb_ctl status
is "$(sed -n '/^names /,/^records /p' "$T/last.out")" "names 7
addresses 14
records 22" "status counts 7 names and 14 address keys apart (22 records: 198.51.100.7 twice)"
fb_ctl verify
is "$?" 0 "verify: a store with address entries is clean"
like "$(cat "$T/last.out")" " 21 names, 22 records, 22 in bysource, .*: clean$" \
	"... 21 keys (names and addresses), 22 records"

# ---- hand-made address entries --------------------------------------------
fb_ctl block -a nodata 192.0.2.0/24
is "$?" 0 "block of a /24"
is "$(cat "$T/last.out")" "192.0.2.0/24: blocked (scope tree, action nodata)" \
	"... printed in its canonical form"
is "$(lookup_of 192.0.2.99 | head -1)" \
	"192.0.2.99: blocked (nodata) by manual-block at 192.0.2.0/24" \
	"an address of the /24 is blocked by manual-block"
fb_ctl block -a nodata 192.0.2.77/24
is "$(cat "$T/last.out")" "192.0.2.0/24: already blocked (scope tree, action nodata)" \
	"host bits are masked: the same /24"
fb_ctl allow 192.0.2.44
is "$?" 0 "allow of a /32"
is "$(lookup_of 192.0.2.44 | head -1)" "192.0.2.44: allowed by manual-allow at 192.0.2.44" \
	"the manual allow beats the adblock feed at /32"
fb_ctl unblock 192.0.2.44
is "$(cat "$T/last.out")" "192.0.2.44: hand-made entry removed" "unblock of an address"
fb_ctl block "[2001:db8:dd::]/48"
is "$(cat "$T/last.out")" "2001:db8:dd::/48: blocked (scope tree, action default)" \
	"an IPv6 prefix in brackets"
# what lookup prints reads back into block: the same key
listed=$(lookup_of 2001:db8:dd::1 | head -1 | sed 's/.* at //')
fb_ctl block "$listed"
is "$(cat "$T/last.out")" "2001:db8:dd::/48: already blocked (scope tree, action default)" \
	"lookup's prefix text ($listed) reads back as the same entry"
before=$(mdb_dump -a "$T/db")
for bad in 127.0.0.1 "::1" 0.0.0.0/8 "::ffff:192.0.2.1" 10.0.0.0/7 \
	"2001::/15" 1.2.3.4/33 1.2.3; do
	fb_ctl block "$bad"
	is "$?" 2 "block $bad refused (exit 2)"
done
fb_ctl block 127.0.0.1
is "$(cat "$T/last.err")" "fraudblock-ctl: 127.0.0.1: overlaps 127.0.0.0/8 (loopback)" \
	"the loopback refusal says why"
fb_ctl block 10.0.0.0/7
is "$(cat "$T/last.err")" "fraudblock-ctl: 10.0.0.0/7: IPv4 prefix shorter than /8" \
	"a /7 is too short even by hand"
fb_ctl block -s 198.51.100.9
is "$(cat "$T/last.err")" "fraudblock-ctl: 198.51.100.9: -s is for names, not addresses" \
	"-s is refused for an address"
is "$(mdb_dump -a "$T/db")" "$before" "refused blocks left the store byte for byte as it was"
fb_ctl block 10.1.2.3
is "$?" 0 "a private address may be blocked by hand"
fb_ctl unblock 10.1.2.3
fb_ctl unblock 192.0.2.0/24
is "$(cat "$T/last.out")" "192.0.2.0/24: hand-made entry removed" \
	"unblock of the /24"

# ---- refused lines, and a feed refused whole --------------------------------
printf '%s\n' bad.example-test 198.51.100.7 203.0.113.0/24 127.0.0.1 \
	"2001:db8:aa::/48" "[2001:db8::7]" 192.168.1.1 "198.51.100.200/24" \
	10.0.0.0/8 > "$T/domains.txt"
fb_sync -f dom
is "$?" 2 "a list with refused lines: the rest unchanged (exit 2)"
is "$(cat "$T/last.err")" "$T/domains.txt:4: overlaps 127.0.0.0/8 (loopback): '127.0.0.1'
$T/domains.txt:7: overlaps 192.168.0.0/16 (private): '192.168.1.1'
$T/domains.txt:9: IPv4 prefix shorter than /16: '10.0.0.0/8'" \
	"each refused address with file:line and the reason"
like "$(cat "$T/last.out")" "^feed dom: unchanged \\(1 names, 5 addresses\\)" \
	"... counted apart, the entries as before"
before=$(mdb_dump -a "$T/db" | grep -v '^ ')
before_entries=$(mdb_dump -s names "$T/db"; mdb_dump -s bysource "$T/db")
printf '%s\n' 127.0.0.1 127.0.0.2 10.1.1.1 198.51.100.7 "::1" 1.0.0.0/8 \
	> "$T/domains.txt"
fb_sync -f dom
is "$?" 1 "a list mostly of refused addresses is refused (exit 1)"
like "$(cat "$T/last.err")" "5 of 6 lines invalid, refused" "... as not a list"
like "$(cat "$T/last.err")" "domains.txt:6: IPv4 prefix shorter than /16: '1.0.0.0/8'" \
	"... each refused line shown"
is "$(mdb_dump -s names "$T/db"; mdb_dump -s bysource "$T/db")" \
	"$before_entries" "the entries in force are byte for byte as before"

# ---- a removed feed takes its addresses along --------------------------------
conf norpz > "$FBCONF"
fb_sync
fb_ctl lookup 192.0.2.55
is "$?" 1 "the rpz feed removed: its rpz-ip address is gone"
fb_ctl lookup 2001:db8:cc:1::1
is "$(cat "$T/last.out")" "2001:db8:cc:1::1: not listed" "... and its allow"
fb_ctl verify
is "$?" 0 "verify after the removal: clean"

# ---- over HTTP ------------------------------------------------------------
NG=nginx
command -v nginx >/dev/null 2>&1 || NG=/usr/sbin/nginx
if command -v "$NG" >/dev/null 2>&1; then
	. "$(dirname "$0")/lib-http.sh"
	http_require nginx
	mkdir -p "$T/www"
	printf '%s\n' "http://198.51.100.99/" "https://[2001:db8:ee::9]/" \
		> "$T/www/urls.txt"
	start_nginx "server {
	listen 127.0.0.1:@PORT@;
	root $T/www;
}"
	{
		fbconf_globals
		feed_clause web "http://127.0.0.1:$NGX_PORT/urls.txt" format urls
	} > "$FBCONF"
	fb_sync
	is "$?" 0 "an address list over HTTP syncs (exit 0)"
	like "$(cat "$T/last.out")" "feed web: 0 names, 2 addresses \\(\\+2 -0 ~0\\)" \
		"... its two addresses"
	fb_ctl lookup 2001:db8:ee::9
	is "$?" 0 "the downloaded IPv6 address is listed"
else
	pass "# SKIP nginx not installed: no HTTP part"
fi
done_testing
