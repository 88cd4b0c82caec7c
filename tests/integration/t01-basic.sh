#!/bin/sh
# t01-basic: what a client sees for listed and unlisted names.
# Sinkhole A/AAAA (address and TTL from fraudblock.conf), NODATA for other
# types, the nxdomain and nodata actions, names below a listed name, the
# parent and a look-alike sibling not blocked, case folding, IDN, EDE 15
# naming the feed (dig and dnsq) and no EDE for benign answers, benign
# answers identical to the upstream's, real feed names (hostsVN) blocked,
# hostile query names, dig and dnsq agreeing, two worker threads.
. "$(dirname "$0")/lib.sh"
fb_init basic

# ---- feeds --------------------------------------------------------
if [ -n "${FB_DATA:-}" ] && [ -r "$FB_DATA/hostsvn/threat-hosts" ]; then
	REAL_HOSTS=$FB_DATA/hostsvn/threat-hosts
	BENIGN_SRC=$FB_DATA/benign/umbrella-top-100k.txt
else
	REAL_HOSTS=$FB_FIXTURES/hostsvn-sample.hosts
	BENIGN_SRC=$FB_FIXTURES/umbrella-sample.txt
fi
diag "real feed: $REAL_HOSTS"

cat > "$T/main.txt" <<'EOF'
# fixture feed of t01
bad.example-test
Evil.Example-Test.
EOF
echo "nx.example-test" > "$T/nx.txt"
echo "nodata.example-test" > "$T/nodata.txt"
{
	fbconf_main
	feed_clause fb-nx "file://$T/nx.txt" action nxdomain
	feed_clause fb-nodata "$T/nodata.txt" action nodata category phishing
	feed_clause hostsvn "$REAL_HOSTS" format hosts category scam
} > "$FBCONF"

fb_sync
is "$?" 0 "fraudblock-sync loads four feeds (exit 0)"
like "$(cat "$T/last.out")" '^feed hostsvn: [0-9]+ names' \
	"fraudblock-sync prints a summary line for the hostsVN feed"

# a few real listed names, spread over the file, plain ASCII ones
awk '$1 == "0.0.0.0" { print $2 }' "$REAL_HOSTS" |
	grep -E '^[a-z0-9-]+(\.[a-z0-9-]+)+$' > "$T/real-all.txt"
N=$(wc -l < "$T/real-all.txt")
REAL=$(awk -v n="$N" 'NR == 1 || NR == int(n / 4) || NR == int(n / 2) ||
	NR == int(3 * n / 4) || NR == n' "$T/real-all.txt" | sort -u)
diag "real listed names: $(echo $REAL)"
# listed in mixed case and in Unicode in the feed; queried folded / A-label
REAL_CASE=free-4paid.com
REAL_IDN=xn--shpmobaviet-v89e.vn	# shọpmobaviet.vn
grep -qx '0.0.0.0 Free-4paid.com' "$REAL_HOSTS" || REAL_CASE=""
grep -qx '0.0.0.0 shọpmobaviet.vn' "$REAL_HOSTS" || REAL_IDN=""

# benign: popular names the feeds do not list
BENIGN=""
for n in $(grep -v '^#' "$BENIGN_SRC" | head -n 30 |
	grep -E '^[a-z0-9-]+(\.[a-z0-9-]+)+$'); do
	fb_ctl lookup "$n"
	if [ $? -eq 1 ] && grep -q 'not listed' "$T/last.out"; then
		BENIGN="${BENIGN:+$BENIGN }$n"
	fi
	[ $(echo $BENIGN | wc -w) -ge 3 ] && break
done
diag "benign names: $BENIGN"

# ---- upstream data ---------------------------------------------------
zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "www.example-test. 300 IN A 192.0.2.2"
rr "www.example-test. 300 IN AAAA 2001:db8::2"
rr 'www.example-test. 300 IN TXT "benign www"'
rr "www.example-test. 300 IN MX 10 mail.example-test."
rr "mail.example-test. 300 IN A 192.0.2.3"
rr "notbad.example-test. 300 IN A 192.0.2.4"
rr "bad.example-test. 300 IN A 198.51.100.1"
rr "bad.example-test. 300 IN AAAA 2001:db8:bad::1"
rr 'bad.example-test. 300 IN TXT "evil"'
rr "bad.example-test. 300 IN MX 10 mx.bad.example-test."
rr "www.bad.example-test. 300 IN A 198.51.100.2"
rr "a.b.bad.example-test. 300 IN A 198.51.100.3"
rr "nx.example-test. 300 IN A 198.51.100.4"
rr "www.nx.example-test. 300 IN A 198.51.100.5"
rr "nodata.example-test. 300 IN A 198.51.100.6"
rr "nodata.example-test. 300 IN AAAA 2001:db8:bad::6"
rr "evil.example-test. 300 IN A 198.51.100.7"
i=10
for n in $REAL $REAL_CASE $REAL_IDN; do
	zone "$n."
	rr "$n. 300 IN A 203.0.113.$i"
	i=$((i + 1))
done
for n in $BENIGN; do
	zone "$n."
	rr "$n. 300 IN A 203.0.113.$i"
	rr "$n. 300 IN AAAA 2001:db8:beef::$i"
	i=$((i + 1))
done

start_servers 2 example-test.

# ---- sinkhole action -------------------------------------------------
is "$(dig_short $P bad.example-test A)" "$SINK4" \
	"listed name: A answer is sinkhole-ipv4"
is "$(dig_short $P bad.example-test AAAA)" "$SINK6" \
	"listed name: AAAA answer is sinkhole-ipv6"
ttl=$(dig -4 -p $P @127.0.0.1 bad.example-test A +time=2 +tries=1 \
	+noall +answer | awk '!/^;/ && NF >= 5 { print $2; exit }')
is "$ttl" "$SINK_TTL" "sinkhole answer has sinkhole-ttl"
is "$(dig_sum $P bad.example-test TXT)" "NOERROR" \
	"listed name: TXT gets NOERROR with an empty answer (NODATA)"
is "$(dig_sum $P bad.example-test MX)" "NOERROR" \
	"listed name: MX gets NOERROR with an empty answer (NODATA)"

# ---- names below, parent, sibling, case -------------------------------
is "$(dig_short $P www.bad.example-test)" "$SINK4" \
	"www.bad.example-test blocked (below a listed name)"
is "$(dig_short $P a.b.bad.example-test)" "$SINK4" \
	"a.b.bad.example-test blocked (two labels below)"
is "$(dig_short $P zzz.bad.example-test)" "$SINK4" \
	"name below a listed name that the upstream does not have: blocked"
is "$(dig_sum $P example-test)" "$(dig_sum $UP_PORT example-test)" \
	"parent example-test. is not blocked (same answer as the upstream)"
is "$(dig_sum $P example-test)" "NOERROR 192.0.2.1" \
	"parent example-test. answers its upstream address"
is "$(dig_short $P notbad.example-test)" "192.0.2.4" \
	"notbad.example-test (same suffix, other label) is not blocked"
is "$(dig_short $P BAD.Example-TEST)" "$SINK4" \
	"query in mixed case (BAD.Example-TEST) blocked"
is "$(dig_short $P evil.example-test)" "$SINK4" \
	"name listed in mixed case with trailing dot (Evil.Example-Test.) blocked"

# ---- nxdomain and nodata actions ---------------------------------------
is "$(dig_sum $P nx.example-test)" "NXDOMAIN" \
	"feed with action nxdomain: NXDOMAIN"
is "$(dig_sum $P www.nx.example-test AAAA)" "NXDOMAIN" \
	"feed with action nxdomain: name below gets NXDOMAIN too"
is "$(dig_sum $P nodata.example-test A)" "NOERROR" \
	"feed with action nodata: A gets NOERROR, empty answer"
is "$(dig_sum $P nodata.example-test AAAA)" "NOERROR" \
	"feed with action nodata: AAAA gets NOERROR, empty answer"

# ---- EDE -------------------------------------------------------------
like "$(dig_ede $P bad.example-test)" '^; EDE: 15 \(Blocked\): \(.*fb-main.*\)' \
	"dig: sinkhole answer carries EDE 15 (Blocked) naming feed fb-main"
like "$(dnsq_ede $P www.bad.example-test)" '^ede 15 .*fb-main' \
	"dnsq: sinkhole answer carries EDE 15 naming feed fb-main"
like "$(dnsq_ede $P bad.example-test TXT)" '^ede 15 .*fb-main' \
	"dnsq: sinkhole NODATA (TXT) carries EDE 15"
like "$(dig_ede $P nx.example-test)" '^; EDE: 15 \(Blocked\): \(.*fb-nx.*\)' \
	"dig: NXDOMAIN answer carries EDE 15 naming feed fb-nx"
like "$(dnsq_ede $P nodata.example-test)" '^ede 15 .*fb-nodata' \
	"dnsq: NODATA answer carries EDE 15 naming feed fb-nodata"
o=$("$DNSQ" -E -p $P 127.0.0.1 www.bad.example-test 2>&1)
like "$o" "^answer www\.bad\.example-test\.[[:space:]].*A[[:space:]]+$SINK4\$" \
	"dnsq -E (no EDNS): blocked answer still sinkholed"
unlike "$o" '^ede ' "dnsq -E (no EDNS): no OPT, so no EDE"
# the same over TCP: the module answers whatever the transport
o=$(dig -4 -p $P @127.0.0.1 www.bad.example-test A +tcp +time=2 +tries=1 \
	+nocmd +nostats 2>&1)
like "$o" "^www\.bad\.example-test\.[[:space:]].*A[[:space:]]+$SINK4\$" \
	"dig +tcp: blocked name gets the sinkhole address"
like "$o" '^; EDE: 15 \(Blocked\): \(.*fb-main.*\)' \
	"dig +tcp: and EDE 15 naming feed fb-main"
is "$(dig_ede $P www.example-test)" "" "dig: benign answer has no EDE"
is "$(dnsq_ede $P www.example-test)" "" "dnsq: benign answer has no EDE"
is "$(dnsq_ede $P notbad.example-test)" "" \
	"dnsq: unlisted sibling's answer has no EDE"

# ---- benign names unchanged ----------------------------------------------
for t in A AAAA TXT MX; do
	is "$(dig_sum $P www.example-test $t)" \
		"$(dig_sum $UP_PORT www.example-test $t)" \
		"benign www.example-test $t: same answer as the upstream"
done
is "$(dig_sum $P nosuch.example-test)" "NXDOMAIN" \
	"benign nonexistent name: upstream's NXDOMAIN passes through"
for n in $BENIGN; do
	is "$(dig_sum $P "$n" A)" "$(dig_sum $UP_PORT "$n" A)" \
		"popular name $n: same A answer as the upstream"
	is "$(dnsq_ede $P "$n" AAAA)" "" "popular name $n: no EDE"
done
if [ -z "$BENIGN" ]; then
	not_ok "at least one popular name is not listed by the feeds"
fi

# ---- real feed names -----------------------------------------------------
for n in $REAL; do
	is "$(dig_short $P "$n")" "$SINK4" "hostsVN name $n blocked"
done
first=$(echo $REAL | awk '{ print $1 }')
like "$(dnsq_ede $P "$first")" '^ede 15 .*hostsvn' \
	"dnsq: hostsVN name's EDE names feed hostsvn"
if [ -n "$REAL_CASE" ]; then
	is "$(dig_short $P "$REAL_CASE")" "$SINK4" \
		"hostsVN 'Free-4paid.com' (mixed case in the feed) blocked"
fi
if [ -n "$REAL_IDN" ]; then
	is "$(dig_short $P "$REAL_IDN")" "$SINK4" \
		"hostsVN Unicode name shọpmobaviet.vn blocked as $REAL_IDN"
fi

# ---- fraudblock-ctl lookup agrees ---------------------------------------------
fb_ctl lookup www.bad.example-test
is "$?" 0 "ctl lookup of a blocked name exits 0"
like "$(head -n 1 "$T/last.out")" \
	'^www\.bad\.example-test: blocked \((sinkhole|default)\) by fb-main at bad\.example-test$' \
	"ctl lookup names the feed and the listed parent"
fb_ctl lookup notbad.example-test
is "$?" 1 "ctl lookup of an unlisted name exits 1"
is "$(head -n 1 "$T/last.out")" "notbad.example-test: not listed" \
	"ctl lookup says 'not listed'"

# ---- hostile query names ---------------------------------------------------
L63=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
is "$(dig_short $P "$L63.bad.example-test")" "$SINK4" \
	"63-byte label below a listed name blocked"
long="$L63.$L63.$L63.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.bad.example-test"
is "$(dig_short $P "$long")" "$SINK4" \
	"${#long}-character name below a listed name blocked"
is "$(dig_short $P 'a\000b.bad.example-test')" "$SINK4" \
	"label with a NUL byte below a listed name blocked"
is "$(dig_short $P 'x\255y.bad.example-test')" "$SINK4" \
	"label with a non-ASCII byte below a listed name blocked"
is "$(dig_short $P 'a b.bad.example-test')" "$SINK4" \
	"label with a space below a listed name blocked"
is "$(dig_sum $P 'x\255y.example-test')" "NXDOMAIN" \
	"non-ASCII label under an unlisted name: upstream's NXDOMAIN"
is "$(dig_sum $P 'bad\.example-test.example-test')" "NXDOMAIN" \
	"label 'bad.example-test' with an escaped dot is not the listed name"
ok "resolver still running after hostile names" alive "$RES_PID"

# ---- dig and dnsq agree ---------------------------------------------------------
for q in "bad.example-test A" "bad.example-test AAAA" "bad.example-test TXT" \
	"www.bad.example-test MX" "nx.example-test A" "nodata.example-test AAAA" \
	"www.example-test A" "www.example-test AAAA" "www.example-test TXT" \
	"www.example-test MX" "nosuch.example-test A" "example-test A"; do
	set -- $q
	is "$(dnsq_sum $P "$1" "$2")" "$(dig_sum $P "$1" "$2")" \
		"dnsq and dig agree on $1 $2"
done

# ---- both worker threads: many queries from many source ports -----------
# one dig, one socket per query: SO_REUSEPORT spreads them over the threads
dig_bulk $P 40 'q%d.bad.example-test A www.example-test A' > "$T/bulk.txt"
is "$(grep -Ec '^q[0-9]+\.bad\.example-test\.[[:space:]].*A[[:space:]]+'"$SINK4"'$' "$T/bulk.txt")" 40 \
	"40 distinct listed names over 2 threads: all blocked"
is "$(grep -Ec '^www\.example-test\.[[:space:]].*A[[:space:]]+192\.0\.2\.2$' "$T/bulk.txt")" 40 \
	"40 benign queries over 2 threads: all answered"

# ---- shutdown -------------------------------------------------------------------
finish_resolver
# unbound's shutdown statistics: both workers really served queries
for th in 0 1; do
	n=$(sed -n "s/.*server stats for thread $th: \([0-9]*\) queries.*/\1/p" \
		"$T/resolver.log" | tail -n 1)
	ok "worker thread $th answered queries (${n:-none})" test "${n:-0}" -gt 0
done
done_testing
