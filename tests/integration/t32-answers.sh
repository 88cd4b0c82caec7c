#!/bin/sh
# t32-answers: block answers that explain themselves.
# NXDOMAIN and NODATA block answers (actions nxdomain, nodata, and the
# sinkhole action's NODATA for other types than A/AAAA) carry exactly one
# SOA in the authority section: owner the listed name that matched, MNAME
# and RNAME from the config, TTL and MINIMUM the sinkhole TTL, serial the
# list generation; A/AAAA sinkhole answers carry none.  A stock Unbound
# forwarding to the module's resolver caches the NXDOMAIN for the sinkhole
# TTL and no longer.
. "$(dirname "$0")/lib.sh"
fb_init answers
SINK_TTL=4

printf 'bad.example-test\n' > "$T/main.txt"
printf 'nx.example-test\n' > "$T/nx.txt"
printf 'nd.example-test\n' > "$T/nd.txt"
write_conf() {
	fbconf_main
	echo "sinkhole-soa-mname: Block.Example-Test."
	echo "sinkhole-soa-rname: abuse.example-test"
	feed_clause fb-nx "$T/nx.txt" action nxdomain
	feed_clause fb-nd "$T/nd.txt" action nodata ede filtered
	printf '%s' "${EXTRA_CONF:-}"
}
write_conf > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync loads the feeds (exit 0)"
GEN=$("$FB_CTL" status 2>/dev/null | sed -n 's/^generation \([0-9]*\)$/\1/p')
diag "list generation $GEN"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "www.bad.example-test. 300 IN A 192.0.2.2"
rr "a.b.nx.example-test. 300 IN A 192.0.2.3"
rr "nd.example-test. 300 IN A 192.0.2.4"
start_servers 1 example-test.

# soa_of PORT NAME TYPE: "RCODE|authority lines" in one line, tabs as
# blanks
soa_of() {
	"$DNSQ" -p "$1" -t "$3" 127.0.0.1 "$2" 2>&1 |
		sed -n 's/^rcode //p; s/^authority //p' | tr '\t' ' ' |
		tr '\n' '|' | sed 's/|$//'
}
SOA_RD="block.example-test. abuse.example-test. $GEN 3600 600 86400 $SINK_TTL"

is "$(soa_of $P bad.example-test TXT)" \
	"NOERROR|bad.example-test. $SINK_TTL IN SOA $SOA_RD" \
	"sinkhole NODATA (TXT): one SOA, owner the listed name, TTL = sinkhole-ttl"
is "$(soa_of $P www.bad.example-test MX)" \
	"NOERROR|bad.example-test. $SINK_TTL IN SOA $SOA_RD" \
	"sinkhole NODATA below a listed parent: SOA owner is the listed parent"
is "$(soa_of $P a.b.nx.example-test A)" \
	"NXDOMAIN|nx.example-test. $SINK_TTL IN SOA $SOA_RD" \
	"action nxdomain: NXDOMAIN with one SOA at the listed nx.example-test"
is "$(soa_of $P nx.example-test AAAA)" \
	"NXDOMAIN|nx.example-test. $SINK_TTL IN SOA $SOA_RD" \
	"action nxdomain, AAAA: NXDOMAIN with the same SOA"
is "$(soa_of $P nd.example-test A)" \
	"NOERROR|nd.example-test. $SINK_TTL IN SOA $SOA_RD" \
	"action nodata: NODATA with one SOA"
o=$("$DNSQ" -p $P -t A 127.0.0.1 nd.example-test 2>&1)
unlike "$o" '^answer ' "action nodata: no answer record"
like "$o" '^ede 17 ' "action nodata: the feed's EDE 17 still there"
o=$("$DNSQ" -p $P -t A 127.0.0.1 bad.example-test 2>&1)
like "$o" "^answer bad\\.example-test\\.	$SINK_TTL	IN	A	$SINK4\$" \
	"sinkhole A: the sinkhole address"
unlike "$o" '^authority ' "sinkhole A: no SOA (no authority section)"
o=$("$DNSQ" -p $P -t AAAA 127.0.0.1 www.bad.example-test 2>&1)
like "$o" "^answer www\\.bad\\.example-test\\.	$SINK_TTL	IN	AAAA	$SINK6\$" \
	"sinkhole AAAA: the sinkhole address"
unlike "$o" '^authority ' "sinkhole AAAA: no SOA"
o=$("$DNSQ" -E -p $P -t TXT 127.0.0.1 nx.example-test 2>&1)
is "$(printf '%s\n' "$o" | grep -c '^authority .*SOA')" 1 \
	"no EDNS: the SOA is there too"
is "$(soa_of $P example-test A)" "NOERROR" \
	"an unlisted name resolves with no SOA from the module"

# ---- a stock Unbound downstream caches the NXDOMAIN for the sinkhole TTL
down_conf() {
	{
		fb_server_conf downstream "$1" 1
		cat <<EOF
	do-not-query-localhost: no
	module-config: "iterator"
forward-zone:
	name: "example-test."
	forward-addr: 127.0.0.1@$P
EOF
	} > "$T/downstream.conf"
}
fb_start_unbound downstream down_conf example-test. ||
	bail "the downstream unbound did not start"
DP=$FB_PORT
diag "downstream unbound on port $DP forwards to the resolver"
ttl_of() {
	"$DNSQ" -p "$DP" -t A 127.0.0.1 a.b.nx.example-test 2>&1 |
		awk -F '\t' '/^authority .*SOA/ { sub(/^authority /, "", $1);
		print $2 }'
}
first=$(ttl_of)
t0=$(now_ms)
is "$first" "$SINK_TTL" "downstream: NXDOMAIN with the SOA, TTL $SINK_TTL"
blocked0=$(grep -c . "$T/resolver.log")
sleep 2
second=$(ttl_of)
ok "downstream answers from its cache: SOA TTL went down ($second < $SINK_TTL)" \
	test -n "$second" -a "${second:-99}" -lt "$SINK_TTL" -a "${second:-0}" -ge 1
# past the sinkhole TTL the downstream asks again: a fresh TTL
while [ $(( $(now_ms) - t0 )) -lt $(( (SINK_TTL + 1) * 1000 + 200 )) ]; do
	sleep 0.2
done
third=$(ttl_of)
ok "downstream asks again once the sinkhole TTL ran out (TTL $third, was $second)" \
	test -n "$third" -a "${third:-0}" -gt "${second:-99}"

# ---- hostile SOA names are refused with file:line ---------------------
for bad in 'a..b' 'x y.example' 'q"x.example' "$(printf 'ctl\001.example')" \
	"$(printf '%064d' 0).example"; do
	{ fbconf_globals; printf 'sinkhole-soa-rname: %s\n' "$bad"; } \
		> "$T/bad.conf"
	"$FB_CTL" -c "$T/bad.conf" status > "$T/bad.out" 2>&1
	st=$?
	like "$st:$(cat "$T/bad.out")" "^[1-9][0-9]*:.*bad.conf:[0-9]*: bad value for sinkhole-soa-rname" \
		"sinkhole-soa-rname '$(printf '%s' "$bad" | tr -c '[:print:]' '?')' refused with file:line"
done

finish_resolver
done_testing
