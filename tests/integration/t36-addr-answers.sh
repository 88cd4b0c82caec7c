#!/bin/sh
# t36-addr-answers: response addresses (block-response-addresses: yes).
# An answer whose A or AAAA records hold a listed address or fall in a
# listed prefix gets the block answer of that entry: for the query name
# itself, through a CNAME chain, in an RRset with other addresses, in
# IPv4 and IPv6 (an IPv4-mapped AAAA as its IPv4 address), with the
# entry's action and EDE.  Checked on the exact answer section, rcode, SOA and EDE, on a fresh resolution and on the
# second query; the chain's target asked directly afterwards and with
# the CD bit is blocked too (its records left the caches).  Longest
# prefix wins (an allowed /32 inside a listed /26 resolves); addresses
# outside every prefix resolve.  A name cached before its address was
# listed is blocked within a bounded time (the cache sweep), and so is
# an alias of it.  An exempt client (client-policy) gets the real answer
# and a would-block record, and the protected client after it the block
# (nothing cached).  The query log names the prefix and the address.  With
# block-response-addresses: no (after a reload) the same names resolve.
. "$(dirname "$0")/lib.sh"
fb_init addr-answers
QL="python3 $FB_SRCDIR/tests/integration/qlog.py"
LOG=$T/query.log

cat > "$T/main.txt" <<'EOF'
192.0.2.192/26
2001:db8:bad::/48
listed-name.example-test
EOF
echo 198.51.100.0/24 > "$T/nx.txt"
conf() {
	fbconf_main category scam
	feed_clause fb-nx "$T/nx.txt" action nxdomain category phishing \
		ede filtered
	printf 'log-file: "%s"\n' "$LOG"
	printf 'block-response-addresses: %s\n' "$1"
	printf 'client-policy:\n\tname: soc\n\tnetwork: 127.0.0.2\n'
	printf '\tpolicy: exempt\n'
}
conf yes > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync loads the address feeds (exit 0)"
fb_ctl lookup 192.0.2.200
is "$(sed 's/  since .*//' "$T/last.out" | head -n 1)" \
	"192.0.2.200: blocked (sinkhole) by fb-main at 192.0.2.192/26" \
	"ctl lookup 192.0.2.200 names fb-main's prefix"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "bad1.example-test. 300 IN A 192.0.2.200"
rr "bad6.example-test. 300 IN AAAA 2001:db8:bad:1::7"
rr "good6.example-test. 300 IN AAAA 2001:db8:600d::7"
rr "mapped.example-test. 300 IN AAAA ::ffff:192.0.2.203"
rr "alias1.example-test. 300 IN CNAME tgt1.example-test."
rr "tgt1.example-test. 300 IN A 192.0.2.201"
rr "multi.example-test. 300 IN A 192.0.2.10"
rr "multi.example-test. 300 IN A 192.0.2.202"
rr "ok.example-test. 300 IN A 192.0.2.100"
rr "edge.example-test. 300 IN A 192.0.2.191"
rr "allowed.example-test. 300 IN A 192.0.2.210"
rr "nx1.example-test. 300 IN A 198.51.100.9"
rr "late.example-test. 300 IN A 203.0.113.5"
rr "late2.example-test. 300 IN CNAME late.example-test."
rr "xempt.example-test. 300 IN A 192.0.2.204"
start_servers 1 example-test.

EDE_MAIN='ede 15 blocked by fraudblock: fb-main (scam)'
EDE_NX='ede 17 blocked by fraudblock: fb-nx (phishing)'
EDE_MAN='ede 15 blocked by fraudblock: manual-block (unspecified)'
sink() {
	printf 'rcode NOERROR | answer %s. %s IN %s %s | %s\n' "$1" \
		"$SINK_TTL" "${2:-A}" "${3:-$SINK4}" "${4:-$EDE_MAIN}"
}
real() {
	printf 'rcode NOERROR | answer %s. TTL IN A %s\n' "$1" "$2"
}

# ---- listed addresses in answers ---------------------------------------------
for round in fresh second; do
	is "$(dnsq_view bad1.example-test)" "$(sink bad1.example-test)" \
		"bad1 (192.0.2.200 in 192.0.2.192/26) ($round): sinkhole, fb-main's EDE"
	is "$(dnsq_view bad6.example-test AAAA)" \
		"$(sink bad6.example-test AAAA "$SINK6")" \
		"bad6 (2001:db8:bad:1::7 in 2001:db8:bad::/48) ($round): IPv6 sinkhole"
	is "$(dnsq_view alias1.example-test)" "$(sink alias1.example-test)" \
		"alias1 -> tgt1 (192.0.2.201) ($round): sinkhole for the alias"
	is "$(dnsq_view multi.example-test)" "$(sink multi.example-test)" \
		"multi (192.0.2.10 and 192.0.2.202) ($round): one listed is enough"
done
is "$(dnsq_view mapped.example-test AAAA)" \
	"$(sink mapped.example-test AAAA "$SINK6")" \
	"mapped (AAAA ::ffff:192.0.2.203): judged as 192.0.2.203, blocked"
is "$(dnsq_view tgt1.example-test)" "$(sink tgt1.example-test)" \
	"tgt1 asked directly after the alias: blocked (not from the cache)"
is "$(dig_cd_short tgt1.example-test)" "$SINK4" "tgt1 with the CD bit: sinkhole"
is "$(dig_cd_short alias1.example-test)" "$SINK4" "alias1 with the CD bit: sinkhole"
like "$(dnsq_view nx1.example-test)" \
	"^rcode NXDOMAIN \\| authority nx1\\.example-test\\. $SINK_TTL IN SOA fraudblock\\.invalid\\. hostmaster\\.fraudblock\\.invalid\\. [0-9]+ 3600 600 86400 $SINK_TTL \\| ede 17 blocked by fraudblock: fb-nx \\(phishing\\)\$" \
	"nx1 (198.51.100.9, fb-nx action nxdomain): NXDOMAIN, SOA owned by the query name, EDE 17"

# ---- addresses outside every prefix -----------------------------------------
for round in fresh second; do
	is "$(dnsq_view ok.example-test)" "$(real ok.example-test 192.0.2.100)" \
		"ok (192.0.2.100) ($round): the real answer"
	is "$(dnsq_view edge.example-test)" "$(real edge.example-test 192.0.2.191)" \
		"edge (192.0.2.191, one below the /26) ($round): the real answer"
done
is "$(dnsq_view good6.example-test AAAA)" \
	"rcode NOERROR | answer good6.example-test. TTL IN AAAA 2001:db8:600d::7" \
	"good6 (2001:db8:600d::7): the real answer"

# ---- a client policy: exempt 127.0.0.2 -----------------------------------------
xdig() {
	dig -4 -b "$1" -p "$P" @127.0.0.1 +time=2 +tries=1 +short "$2" A 2>&1
}
is "$(xdig 127.0.0.2 xempt.example-test)" 192.0.2.204 \
	"exempt client 127.0.0.2: xempt's real answer (192.0.2.204 is listed)"
is "$(xdig 127.0.0.1 xempt.example-test)" "$SINK4" \
	"... and the next client, protected, gets the sinkhole (nothing cached)"
is "$(xdig 127.0.0.2 xempt.example-test)" 192.0.2.204 \
	"... and the exempt client again its real answer"

# ---- longest prefix wins ----------------------------------------------------
fb_ctl allow 192.0.2.210
is "$?" 0 "ctl allow 192.0.2.210 (inside the listed /26) exits 0"
is "$(dnsq_view allowed.example-test)" "$(real allowed.example-test 192.0.2.210)" \
	"allowed (192.0.2.210: allowed /32 inside the blocked /26): resolves"

# ---- listed after the answer was cached --------------------------------------
is "$(dnsq_view late.example-test)" "$(real late.example-test 203.0.113.5)" \
	"late (203.0.113.5) before the listing: the real answer"
is "$(dnsq_view late2.example-test)" \
	"rcode NOERROR | answer late2.example-test. TTL IN CNAME late.example-test. | answer late.example-test. TTL IN A 203.0.113.5" \
	"late2 -> late before the listing: the real chain (cached)"
fb_ctl block 203.0.113.5
is "$?" 0 "ctl block 203.0.113.5 exits 0"
late_blocked() {
	[ "$(dnsq_view late.example-test)" = \
		"$(sink late.example-test A "$SINK4" "$EDE_MAN")" ]
}
ok_within 1000 "the cached late blocked" \
	"a cached answer whose address is newly listed is blocked within 1 s" \
	late_blocked
is "$(dnsq_view late2.example-test)" \
	"$(sink late2.example-test A "$SINK4" "$EDE_MAN")" \
	"... and so is the cached alias late2"
is "$(dig_cd_short late.example-test)" "$SINK4" \
	"... and late with the CD bit (its own cache entry)"

# ---- the query log -------------------------------------------------------------
want() {
	printf '{"v":1,"ts":"TS","event":"block","client":"127.0.0.0/24",'
	printf '"qname":"%s","qtype":"%s","qclass":"IN","matched":"%s",' \
		"$1" "$2" "$3"
	printf '"feed":"%s","category":"%s","action":"%s","ede":%s,' \
		"$4" "$5" "$6" "$7"
	printf '"generation":G,"thread":0,"cname":false,"policy":%s,' \
		"${9:-null}"
	printf '"address":"%s"}\n' "$8"
}
is "$(qlog_rec bad1.example-test)" \
	"$(want bad1.example-test A 192.0.2.192/26 fb-main scam sinkhole 15 192.0.2.200)" \
	"log: bad1's record names the prefix and the address"
is "$(qlog_rec bad6.example-test)" \
	"$(want bad6.example-test AAAA 2001:db8:bad::/48 fb-main scam sinkhole 15 2001:db8:bad:1::7)" \
	"log: bad6's record, IPv6"
is "$(qlog_rec xempt.example-test 0)" \
	"$(want xempt.example-test A 192.0.2.192/26 fb-main scam sinkhole 15 192.0.2.204 '"soc"' |
		sed 's/"event":"block"/"event":"would-block"/')" \
	"log: the exempt client's would-block record names the prefix, the address and the policy"
ok "every line of the query log is valid JSON" $QL check "$LOG"

# ---- off ---------------------------------------------------------------------
conf no > "$FBCONF"
reload_resolver 2
is "$(dnsq_view bad1.example-test)" "$(real bad1.example-test 192.0.2.200)" \
	"block-response-addresses: no (after a reload): bad1 resolves"
is "$(dnsq_view alias1.example-test)" \
	"rcode NOERROR | answer alias1.example-test. TTL IN CNAME tgt1.example-test. | answer tgt1.example-test. TTL IN A 192.0.2.201" \
	"... and so does alias1's chain"
is "$(dnsq_view listed-name.example-test)" "$(sink listed-name.example-test)" \
	"... while a listed name is still blocked"

finish_resolver
done_testing
