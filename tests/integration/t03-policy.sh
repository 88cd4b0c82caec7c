#!/bin/sh
# t03-policy: hand-made entries and matching rules, live.
# `fraudblock-ctl allow` beats a feed's block of the same name and covers
# unlisted names below it, but not a deeper listed name (the most specific
# entry wins, doc/matching.md); ctl block/allow/unblock take effect on the
# next query; "*.name" and `block -s` block below a name but not the name;
# at one name a hand-made block beats a feed's; the deepest entry decides.
# One worker thread here (t01, t02 and t05 run two).
. "$(dirname "$0")/lib.sh"
fb_init policy

cat > "$T/main.txt" <<'EOF'
x.example-test
www.shop.example-test
*.star.example-test
deep.example-test
both.example-test
EOF
echo "a.deep.example-test" > "$T/nx.txt"
{
	fbconf_main
	feed_clause fb-nx "$T/nx.txt" action nxdomain
} > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync loads the feeds (exit 0)"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "x.example-test. 300 IN A 192.0.2.21"
rr "shop.example-test. 300 IN A 192.0.2.22"
rr "www.shop.example-test. 300 IN A 192.0.2.23"
rr "star.example-test. 300 IN A 192.0.2.24"
rr "a.star.example-test. 300 IN A 192.0.2.25"
rr "sub.example-test. 300 IN A 192.0.2.26"
rr "www.sub.example-test. 300 IN A 192.0.2.27"
rr "wild.example-test. 300 IN A 192.0.2.28"
rr "www.wild.example-test. 300 IN A 192.0.2.29"
rr "live1.example-test. 300 IN A 192.0.2.31"
rr "live2.example-test. 300 IN A 192.0.2.32"
rr "live3.example-test. 300 IN A 192.0.2.33"
rr "live3.example-test. 300 IN AAAA 2001:db8::33"
rr "flip.example-test. 300 IN A 192.0.2.34"
rr "a.deep.example-test. 300 IN A 192.0.2.35"
rr "b.deep.example-test. 300 IN A 192.0.2.36"
rr "both.example-test. 300 IN A 192.0.2.37"

start_servers 1 example-test.

# ---- allow beats block ----------------------------------------------------
ok "x.example-test (listed by fb-main) is blocked before any allow" \
	sinkholed $P x.example-test
fb_ctl allow x.example-test
is "$?" 0 "fraudblock-ctl allow x.example-test exits 0"
is "$(dig_sum $P x.example-test)" "NOERROR 192.0.2.21" \
	"allowed x resolves on the next query although fb-main lists it"
is "$(dnsq_ede $P x.example-test)" "" "allowed x: no EDE"
fb_ctl lookup x.example-test
is "$?" 1 "ctl lookup of an allowed name exits 1 (not blocked)"
like "$(head -n 1 "$T/last.out")" \
	'^x\.example-test: allowed by manual-allow at x\.example-test$' \
	"ctl lookup says which allow entry won"

ok "www.shop.example-test (listed) is blocked before any allow" \
	sinkholed $P www.shop.example-test
fb_ctl allow shop.example-test
is "$(dig_sum $P www.shop.example-test)" "NOERROR $SINK4" \
	"allow of parent shop does not unblock fb-main's deeper www.shop"
fb_ctl lookup www.shop.example-test
like "$(head -n 1 "$T/last.out")" \
	'^www\.shop\.example-test: blocked \(sinkhole\) by fb-main at www\.shop\.example-test$' \
	"ctl lookup: the deeper block entry won over the allow of shop"
fb_ctl allow www.shop.example-test
is "$(dig_sum $P www.shop.example-test)" "NOERROR 192.0.2.23" \
	"allow of www.shop itself (equal depth) beats the block, next query"

# removing the allow brings the feed's block back; x's answer was cached
fb_ctl unblock x.example-test
is "$?" 0 "fraudblock-ctl unblock x.example-test (the allow) exits 0"
ok_within 1000 "cached x blocked again" \
	"x (cached while allowed) blocked again within 1 s of removing the allow" \
	sinkholed $P x.example-test

# ---- ctl changes take effect on the next query ------------------------------------
fb_ctl block live1.example-test
is "$?" 0 "fraudblock-ctl block live1.example-test exits 0"
is "$(dig_short $P live1.example-test)" "$SINK4" \
	"ctl block: live1 sinkholed on the next query"
like "$(dnsq_ede $P live1.example-test)" '^ede 15 .*manual-block' \
	"ctl block: EDE 15 names source manual-block"
fb_ctl block -a nxdomain live2.example-test
is "$(dig_sum $P live2.example-test)" "NXDOMAIN" \
	"ctl block -a nxdomain: NXDOMAIN on the next query"
fb_ctl block -a nodata live3.example-test
is "$(dig_sum $P live3.example-test AAAA)" "NOERROR" \
	"ctl block -a nodata: empty AAAA answer on the next query"
fb_ctl unblock live1.example-test
is "$(dig_sum $P live1.example-test)" "NOERROR 192.0.2.31" \
	"ctl unblock: live1 resolves on the next query"
fb_ctl block flip.example-test
ok "flip blocked by ctl block" sinkholed $P flip.example-test
fb_ctl allow flip.example-test
is "$(dig_sum $P flip.example-test)" "NOERROR 192.0.2.34" \
	"ctl allow of a hand-blocked name replaces the block, next query"
fb_ctl block -a bogus flip.example-test
is "$?" 2 "ctl block with an unknown action exits 2"

# ---- "*." entries: below, not the name ---------------------------------------------
is "$(dig_short $P a.star.example-test)" "$SINK4" \
	"feed entry *.star.example-test blocks a.star.example-test"
is "$(dig_sum $P star.example-test)" "NOERROR 192.0.2.24" \
	"feed entry *.star.example-test does not block star.example-test"
fb_ctl block -s sub.example-test
is "$?" 0 "fraudblock-ctl block -s sub.example-test exits 0"
is "$(dig_short $P www.sub.example-test)" "$SINK4" \
	"ctl block -s sub: www.sub blocked"
is "$(dig_sum $P sub.example-test)" "NOERROR 192.0.2.26" \
	"ctl block -s sub: sub itself not blocked"
fb_ctl block '*.wild.example-test'
is "$?" 0 "fraudblock-ctl block '*.wild.example-test' exits 0"
is "$(dig_short $P www.wild.example-test)" "$SINK4" \
	"ctl block *.wild: www.wild blocked"
is "$(dig_sum $P wild.example-test)" "NOERROR 192.0.2.28" \
	"ctl block *.wild: wild itself not blocked"

# ---- matching order --------------------------------------------------------
is "$(dig_sum $P a.deep.example-test)" "NXDOMAIN" \
	"deepest entry decides: fb-nx's a.deep beats fb-main's deep"
is "$(dig_short $P b.deep.example-test)" "$SINK4" \
	"b.deep falls under fb-main's deep: sinkhole"
fb_ctl block -a nxdomain both.example-test
is "$(dig_sum $P both.example-test)" "NXDOMAIN" \
	"same name in fb-main and manual-block: manual-block wins"
fb_ctl allow deep.example-test
is "$(dig_sum $P a.deep.example-test)" "NXDOMAIN" \
	"allow of deep does not beat the deeper block a.deep in another feed"
is "$(dig_sum $P b.deep.example-test)" "NOERROR 192.0.2.36" \
	"allow of deep beats fb-main's deep at equal depth: b.deep resolves"

# ---- hostile admin input -----------------------------------------------------------
L64=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
fb_ctl block "$L64.example-test"
is "$?" 2 "ctl block of a name with a 64-byte label exits 2"
like "$(cat "$T/last.err")" '^fraudblock-ctl: ' \
	"ctl's error message starts with 'fraudblock-ctl: '"
fb_ctl block "a..example-test"
is "$?" 2 "ctl block of a name with an empty label exits 2"
ok "resolver still answers after refused admin input" \
	resolves $P example-test 192.0.2.1

finish_resolver
done_testing
