#!/bin/sh
# t02-cache: names resolved and cached before they are listed.
# With the upstream stopped (SIGSTOP) every answer for a cached name must
# come from the resolver's cache.  Listing such a name with
# `fraudblock-ctl block`, or with a sync that adds it, must block it on a
# query within 1 s (polled every 100 ms up to 2 s; the delay is printed)
# with no restart and no flush, while another cached name keeps answering
# from the cache.  Taking a name off the list (ctl unblock, or a sync that
# drops it) must let the next query resolve normally.
. "$(dirname "$0")/lib.sh"
fb_init cache

echo "seed.example-test" > "$T/main.txt"
echo "other.example-test" > "$T/sync.txt"
{
	fbconf_main
	feed_clause fb-sync "$T/sync.txt" max-shrink 100
} > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync creates the list (exit 0)"

zone example-test.
rr "example-test. 3600 IN A 192.0.2.1"
rr "c1.example-test. 3600 IN A 192.0.2.11"
rr "c1.example-test. 3600 IN AAAA 2001:db8::11"
rr "c2.example-test. 3600 IN A 192.0.2.12"
rr "c3.example-test. 3600 IN A 192.0.2.13"
rr "www.c4.example-test. 3600 IN A 192.0.2.14"
rr "c5.example-test. 3600 IN A 192.0.2.15"
rr "c6.example-test. 3600 IN A 192.0.2.16"
rr "c7.example-test. 3600 IN A 192.0.2.17"

start_servers 2 example-test.

# ---- fill the cache, then take the upstream away -------------------------
for n in c1 c2 c3 www.c4 c5; do
	dig_short $P $n.example-test A > /dev/null
done
dig_short $P c1.example-test AAAA > /dev/null
# the checking-disabled answer is a cache entry of its own
dig -4 -p $P @127.0.0.1 c1.example-test A +cd +short > /dev/null
kill -STOP "$UP_PID"
is "$(dig_rcode $UP_PORT c2.example-test)" "TIMEOUT" \
	"upstream stopped: it no longer answers"
ok "c1 answers from the cache while the upstream is stopped" \
	resolves $P c1.example-test 192.0.2.11
ok "c2 answers from the cache while the upstream is stopped" \
	resolves $P c2.example-test 192.0.2.12
ok "c3 answers from the cache while the upstream is stopped" \
	resolves $P c3.example-test 192.0.2.13
ok "www.c4 answers from the cache while the upstream is stopped" \
	resolves $P www.c4.example-test 192.0.2.14

# ---- ctl block of a cached name ---------------------------------------------
fb_ctl block c1.example-test
is "$?" 0 "fraudblock-ctl block c1.example-test exits 0"
ok_within 1000 "cached c1 blocked (ctl block)" \
	"cached c1 blocked within 1 s of ctl block (no restart, no flush)" \
	sinkholed $P c1.example-test
is "$(dig_short $P c1.example-test AAAA)" "$SINK6" \
	"cached c1 AAAA blocked as well"
like "$(dnsq_ede $P c1.example-test)" '^ede 15 ' \
	"blocked c1 carries EDE 15"
is "$(dig -4 -p $P @127.0.0.1 c1.example-test A +cd +short +time=2 +tries=1)" \
	"$SINK4" "cached c1 blocked for a query with the CD bit as well"
ok "c2 still answers from the cache after c1 was blocked" \
	resolves $P c2.example-test 192.0.2.12

# ---- sync that adds a cached name -----------------------------------------------
printf 'other.example-test\nc3.example-test\n' > "$T/sync.txt"
fb_sync -f fb-sync
is "$?" 0 "sync adding c3 exits 0 (changed)"
ok_within 1000 "cached c3 blocked (sync)" \
	"cached c3 blocked within 1 s of the sync commit" \
	sinkholed $P c3.example-test
like "$(dnsq_ede $P c3.example-test)" '^ede 15 .*fb-sync' \
	"blocked c3's EDE names feed fb-sync"
ok "c2 still answers from the cache after the sync" \
	resolves $P c2.example-test 192.0.2.12

# ---- a cached name below a newly listed parent ----------------------------------
fb_ctl block c4.example-test
ok_within 1000 "cached www.c4 blocked (parent listed)" \
	"cached www.c4 blocked within 1 s of listing its parent c4" \
	sinkholed $P www.c4.example-test
ok "c2 still answers from the cache after c4 was listed" \
	resolves $P c2.example-test 192.0.2.12
ok "c5 (cached, never listed) still answers from the cache" \
	resolves $P c5.example-test 192.0.2.15

# ---- removal --------------------------------------------------------------------
kill -CONT "$UP_PID"
ok "upstream answers again after SIGCONT" \
	resolves $UP_PORT c1.example-test 192.0.2.11
fb_ctl unblock c1.example-test
is "$?" 0 "fraudblock-ctl unblock c1.example-test exits 0"
is "$(dig_sum $P c1.example-test)" "NOERROR 192.0.2.11" \
	"c1 resolves normally on the next query after ctl unblock"
is "$(dnsq_ede $P c1.example-test)" "" "c1 has no EDE after ctl unblock"
echo "other.example-test" > "$T/sync.txt"
fb_sync -f fb-sync
is "$?" 0 "sync dropping c3 exits 0 (changed)"
is "$(dig_sum $P c3.example-test)" "NOERROR 192.0.2.13" \
	"c3 resolves normally on the next query after the sync dropped it"
fb_sync -f fb-sync
is "$?" 2 "the same feed again: sync exits 2 (unchanged)"
ok "www.c4 still blocked (its parent is still listed)" \
	sinkholed $P www.c4.example-test

finish_resolver

# ---- serve-expired: an expired entry must not be served for a listed name
# (serve-expired-client-timeout and serve-expired-ttl keep their defaults,
# 0: expired answers are served at once, with no age limit)
RES_EXTRA="	serve-expired: yes"
start_resolver 2 example-test. || bail "serve-expired resolver did not start"
P=$RES_PORT
diag "resolver with serve-expired: yes on port $P"
dig_short $P c6.example-test A > /dev/null
dig_short $P c7.example-test A > /dev/null
kill -STOP "$UP_PID"
ok "serve-expired: c6 answers from the cache, upstream stopped" \
	resolves $P c6.example-test 192.0.2.16
fb_ctl block c6.example-test
ok_within 1000 "serve-expired: cached c6 blocked" \
	"serve-expired: cached c6 blocked within 1 s of ctl block" \
	sinkholed $P c6.example-test
i=0
nblk=0
while [ $i -lt 5 ]; do
	sinkholed $P c6.example-test && nblk=$((nblk + 1))
	i=$((i + 1))
done
is "$nblk" 5 "serve-expired: c6 stays blocked (no expired answer served)"
ok "serve-expired: c7 still answers from the cache" \
	resolves $P c7.example-test 192.0.2.17
kill -CONT "$UP_PID"
finish_resolver
done_testing
