#!/bin/sh
# t05-subquery: queries the iterator makes on its own are not blocked.
# The resolver reaches zone example-test. through a stub-host, the name
# server ns.infra-test., whose address it must look up itself (zone
# infra-test. is stubbed to the upstream's address).  ns.infra-test. is on
# the list: client queries for it are blocked, yet names under
# example-test. still resolve, because the iterator's own lookup of its
# name server's address has no client and must pass the module.  The
# upstream logs every query, which shows the lookup really happened.
. "$(dirname "$0")/lib.sh"
fb_init subquery

printf 'ns.infra-test\n' > "$T/main.txt"
fbconf_main > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync lists ns.infra-test (exit 0)"

zone infra-test.
rr "ready.infra-test. 300 IN A 192.0.2.50"
rr "ns.infra-test. 300 IN A 127.0.0.1"
zone example-test.
rr "example-test. 300 IN NS ns.infra-test."
rr "www.example-test. 300 IN A 192.0.2.51"
rr "www.example-test. 300 IN AAAA 2001:db8::51"
rr "deep.www.example-test. 300 IN A 192.0.2.52"

# example-test. only by name server name, with the upstream's port
resolver_stubs() {
	printf 'stub-zone:\n\tname: "infra-test."\n\tstub-addr: 127.0.0.1@%s\n' \
		"$UP_PORT"
	printf 'stub-zone:\n\tname: "example-test."\n\tstub-host: "ns.infra-test@%s"\n' \
		"$UP_PORT"
}
# the readiness query must stay out of example-test.: the first query
# there has to be the one that makes the iterator look the NS up
start_servers 2 ready.infra-test.

is "$(grep -c ' ns\.infra-test\. A IN' "$T/upstream.log")" 0 \
	"before the test nobody asked the upstream for ns.infra-test"
is "$(dig_sum $P www.example-test A)" "NOERROR 192.0.2.51" \
	"www.example-test resolves through the listed name server (cold cache)"
ok "the iterator looked up ns.infra-test A itself (upstream log)" \
	grep -q ' ns\.infra-test\. A IN' "$T/upstream.log"
is "$(dig_sum $P www.example-test AAAA)" "NOERROR 2001:db8::51" \
	"www.example-test AAAA resolves too"
is "$(dig_sum $P deep.www.example-test A)" "NOERROR 192.0.2.52" \
	"deep.www.example-test resolves too"
is "$(dig_sum $P nosuch.example-test A)" "NXDOMAIN" \
	"nonexistent name under the zone: the upstream's NXDOMAIN"
is "$(dig_short $P ns.infra-test A)" "$SINK4" \
	"a client's own query for the listed ns.infra-test is blocked"
like "$(dnsq_ede $P ns.infra-test)" '^ede 15 .*fb-main' \
	"the blocked client query carries EDE 15"
is "$(dnsq_sum $P www.example-test A)" "NOERROR 192.0.2.51" \
	"dnsq agrees: www.example-test resolves"

finish_resolver

# ---- dnsq itself ----------------------------------------------------
"$DNSQ" > /dev/null 2> "$T/err"
is "$?" 1 "dnsq without arguments exits 1"
like "$(cat "$T/err")" '^usage: dnsq ' "dnsq prints its usage"
"$DNSQ" -p 0 127.0.0.1 x.example-test > /dev/null 2>&1
is "$?" 1 "dnsq -p 0 exits 1"
t0=$(now_ms)
"$DNSQ" -p "$P" 127.0.0.1 www.example-test > "$T/out" 2> "$T/err"
st=$?
t1=$(now_ms)
is "$st" 2 "dnsq exits 2 when nothing answers"
ok "dnsq gives up after about 2 s ($((t1 - t0)) ms)" \
	test $((t1 - t0)) -ge 1500 -a $((t1 - t0)) -le 4000
is "$(cat "$T/out")" "" "dnsq prints nothing on stdout without a reply"
done_testing
