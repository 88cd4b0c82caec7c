#!/bin/sh
# t34-clients: per-client policy.  Queries come from several loopback
# source addresses (127.0.0.x, 127.0.3.x, 127.0.4.x and ::1), each
# network with a client-policy clause or none:
#   soc    127.0.0.2 ::1       exempt
#   staff  127.0.3.0/24        blocks phishing only, with nxdomain
#   lead   127.0.3.9           exempt (a /32 inside staff's /24)
#   branch 127.0.4.0/24        blocks every category, with nodata
#   none   127.0.0.1 127.0.5.1 the default policy
# Checked on the exact answer: the exempt client gets the real answer and
# the query log a would-block record with the exact fields; a protected
# client right after gets the block answer, not the exempt client's
# answer, both when it was just resolved and when it would be a cache hit
# (the upstream's query count shows the listed name's real answer is
# never cached, an unlisted one is); a CNAME chain to a listed name; the
# category selection; the action override; the longest prefix; two
# identical queries in flight at once from an exempt and a protected
# client (an upstream that answers 1.5 s late) each get their own
# outcome; the metrics count what the policies let through; a reload with
# a bad clause keeps the policies in force.
. "$(dirname "$0")/lib.sh"
fb_init clients
QL="python3 $FB_SRCDIR/tests/integration/qlog.py"
LOG=$T/query.log
MFILE=$T/metrics.prom

printf 'scam1.example-test\nscam2.example-test\ninflight.slow-test\ninflight2.slow-test\n' \
	> "$T/main.txt"
printf 'phish1.example-test\n' > "$T/phish.txt"
# client_clause NAME NETWORKS [KEY VALUE]...
client_clause() {
	printf 'client-policy:\n\tname: %s\n\tnetwork: %s\n' "$1" "$2"
	shift 2
	while [ $# -ge 2 ]; do
		printf '\t%s: %s\n' "$1" "$2"
		shift 2
	done
}
HAVE6=0
if [ -r /proc/net/if_inet6 ] &&
	grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6; then
	HAVE6=1
fi
SOC_NETS=127.0.0.2
if [ $HAVE6 = 1 ]; then
	SOC_NETS="127.0.0.2 ::1"
fi
write_conf() {
	fbconf_main category scam
	feed_clause fb-phish "$T/phish.txt" category phishing
	printf 'log-file: "%s"\nlog-privacy: full\n' "$LOG"
	printf 'metrics-file: "%s"\nmetrics-interval: 1\n' "$MFILE"
	client_clause soc "$SOC_NETS" policy exempt
	client_clause staff 127.0.3.0/24 categories phishing action nxdomain
	client_clause lead 127.0.3.9 policy exempt
	client_clause branch 127.0.4.0/24 action nodata
}
write_conf > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync loads two feeds (exit 0)"
ok "fraudblock-ctl check-config accepts the client policies" \
	"$FB_CTL" check-config "$FBCONF"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "ok.example-test. 300 IN A 192.0.2.10"
rr "scam1.example-test. 300 IN A 192.0.2.11"
rr "phish1.example-test. 300 IN A 192.0.2.12"
rr "alias1.example-test. 300 IN CNAME scam2.example-test."
rr "scam2.example-test. 300 IN A 192.0.2.13"

# the slow upstream of slow-test.: every answer 1.5 s late, also under
# ASan: Unbound 1.17.1 as Debian patches it (CVE-2024-33655) drops a
# client's query after discard-timeout, 1900 ms
SLOW_DELAY_MS=1500
start_slow_upstream "$SLOW_DELAY_MS" 192.0.2.77
# the slow upstream must not look dead: Unbound's first timeout for a
# server it does not know yet is 376 ms, then it resends
RES_EXTRA="	infra-cache-min-rtt: 10000"
if [ $HAVE6 = 1 ]; then
	RES_EXTRA="$RES_EXTRA
	interface: ::1
	do-ip6: yes
	access-control: ::1 allow"
else
	diag "no IPv6 loopback (::1): its cases are left out"
fi
start_servers 1 example-test.
like "$(grep 'client policies' "$T/resolver.log")" \
	'fraudblock: 4 client policies, [56] networks' \
	"the module says it loaded the client policies"

# q SRC NAME [TYPE]: "RCODE rdata|rdata" of the answer to a query from
# source address SRC (::1: to the resolver's ::1)
q() {
	local _srv
	_srv=127.0.0.1
	case $1 in *:*) _srv=::1 ;; esac
	fb_dig_sum_of "$(dig -b "$1" -p "$P" @"$_srv" "$2" "${3:-A}" +time=10 \
		+tries=1 +noall +comments +answer 2>&1)"
}
# upstream_count NAME: queries of NAME A the upstream got
upstream_count() {
	grep -c "$1\. A IN" "$T/upstream.log"
}
SINK="NOERROR $SINK4"

# ---- exempt, then protected: fresh and where a cache hit would be -----------
for round in fresh second; do
	is "$(q 127.0.0.2 scam1.example-test)" "NOERROR 192.0.2.11" \
		"exempt 127.0.0.2 ($round): scam1's real answer"
	is "$(q 127.0.0.1 scam1.example-test)" "$SINK" \
		"protected 127.0.0.1 right after ($round): the sinkhole"
done
is "$(upstream_count scam1.example-test)" 2 \
	"the exempt client's answer was never cached: each of its queries went upstream"
ok "protected: fb-main's EDE" test "$(dig_ede "$P" scam1.example-test)" = \
	"; EDE: 15 (Blocked): (blocked by fraudblock: fb-main (scam))"
is "$(q 127.0.0.2 ok.example-test)" "NOERROR 192.0.2.10" "exempt: an unlisted name"
is "$(q 127.0.0.1 ok.example-test)" "NOERROR 192.0.2.10" \
	"protected: the same unlisted name"
is "$(upstream_count ok.example-test)" 1 \
	"an unlisted name's answer is cached and shared (one upstream query)"

# ---- a CNAME chain to a listed name ------------------------------------------
for round in fresh second; do
	is "$(q 127.0.0.2 alias1.example-test)" \
		"NOERROR 192.0.2.13|scam2.example-test." \
		"exempt ($round): alias1 -> scam2, the real chain"
	is "$(q 127.0.0.1 alias1.example-test)" "$SINK" \
		"protected ($round): alias1 -> scam2 is blocked"
done
is "$(q 127.0.0.1 scam2.example-test)" "$SINK" \
	"protected: scam2 asked directly after the exempt chain: blocked"

# ---- category selection, action override, longest prefix --------------------
is "$(q 127.0.3.5 phish1.example-test)" NXDOMAIN \
	"staff: phishing is selected, answered with staff's nxdomain"
is "$(q 127.0.3.5 scam1.example-test)" "NOERROR 192.0.2.11" \
	"staff: scam is not selected, the real answer"
is "$(q 127.0.0.1 scam1.example-test)" "$SINK" \
	"protected right after staff: still the sinkhole"
is "$(q 127.0.3.9 phish1.example-test)" "NOERROR 192.0.2.12" \
	"lead (a /32 exempt inside staff's /24): the real answer"
is "$(q 127.0.3.5 phish1.example-test)" NXDOMAIN \
	"staff right after lead: NXDOMAIN"
is "$(q 127.0.4.1 scam1.example-test)" NOERROR \
	"branch: scam1 answered with branch's nodata (the entry's is sinkhole)"
is "$(q 127.0.4.1 phish1.example-test)" NOERROR \
	"branch: phish1 with nodata too"
is "$(q 127.0.4.1 ok.example-test)" "NOERROR 192.0.2.10" \
	"branch: an unlisted name resolves"
is "$(q 127.0.5.1 phish1.example-test)" "$SINK" \
	"127.0.5.1 (no client policy): the default, fb-phish's sinkhole"
is "$(q 127.0.0.1 phish1.example-test)" "$SINK" \
	"127.0.0.1 (no client policy): the sinkhole"
if [ $HAVE6 = 1 ]; then
	is "$(q ::1 scam1.example-test)" "NOERROR 192.0.2.11" \
		"exempt ::1: the real answer"
	is "$(q 127.0.0.1 scam1.example-test)" "$SINK" \
		"protected right after ::1: the sinkhole"
fi

# ---- identical queries in flight at once ------------------------------------
# inflight ONE TWO NAME: ONE asks NAME, TWO asks it 0.3 s later while the
# slow upstream still works on ONE's query; prints both summaries, and
# how long it took in $T/if.ms
inflight() {
	local _t0
	_t0=$(now_ms)
	q "$1" "$3" > "$T/if.1" &
	_a=$!
	sleep 0.3
	q "$2" "$3" > "$T/if.2" &
	_b=$!
	wait $_a $_b
	echo $(($(now_ms) - _t0)) > "$T/if.ms"
	echo "$(cat "$T/if.1") / $(cat "$T/if.2")"
}
is "$(inflight 127.0.0.2 127.0.0.1 inflight.slow-test)" \
	"NOERROR 192.0.2.77 / $SINK" \
	"in flight together: exempt gets the real answer, protected the sinkhole"
diag "both answered within $(cat "$T/if.ms") ms (upstream delay $SLOW_DELAY_MS ms)"
is "$(grep -c '^inflight.slow-test. 1$' "$T/slow.log")" 1 \
	"... the upstream got one query (the exempt client's)"
is "$(inflight 127.0.3.5 127.0.4.1 inflight2.slow-test)" \
	"NOERROR 192.0.2.77 / NOERROR" \
	"in flight together: staff (scam not selected) real, branch nodata"
is "$(inflight 127.0.0.1 127.0.0.2 inflight.slow-test)" \
	"$SINK / NOERROR 192.0.2.77" \
	"protected first, exempt 0.3 s later: each its own"

# ---- the query log ----------------------------------------------------------
# the records of scam1, in order: 0-3 the first section (would-block,
# block, twice), 4 the EDE query's block, 5 staff, 6 protected, 7 branch
# want EVENT CLIENT QNAME MATCHED FEED CATEGORY ACTION CNAME POLICY
want() {
	printf '{"v":1,"ts":"TS","event":"%s","client":"%s",' "$1" "$2"
	printf '"qname":"%s","qtype":"A","qclass":"IN","matched":"%s",' \
		"$3" "$4"
	printf '"feed":"%s","category":"%s","action":"%s","ede":15,' \
		"$5" "$6" "$7"
	printf '"generation":G,"thread":0,"cname":%s,"policy":%s}\n' "$8" "$9"
}
is "$(qlog_rec scam1.example-test 0)" \
	"$(want would-block 127.0.0.2 scam1.example-test scam1.example-test fb-main scam sinkhole false '"soc"')" \
	"log: the exempt client's would-block, with what would have blocked"
is "$(qlog_rec scam1.example-test 1)" \
	"$(want block 127.0.0.1 scam1.example-test scam1.example-test fb-main scam sinkhole false null)" \
	"log: the protected client's block right after"
is "$(qlog_rec alias1.example-test 0)" \
	"$(want would-block 127.0.0.2 alias1.example-test scam2.example-test fb-main scam sinkhole true '"soc"')" \
	"log: the exempt chain's would-block names the listed chain name"
is "$(qlog_rec phish1.example-test 0)" \
	"$(want block 127.0.3.5 phish1.example-test phish1.example-test fb-phish phishing nxdomain false '"staff"')" \
	"log: staff's block, with staff's action and name"
is "$(qlog_rec scam1.example-test 5)" \
	"$(want would-block 127.0.3.5 scam1.example-test scam1.example-test fb-main scam sinkhole false '"staff"')" \
	"log: staff's would-block of a category it does not select"
is "$(qlog_rec phish1.example-test 1)" \
	"$(want would-block 127.0.3.9 phish1.example-test phish1.example-test fb-phish phishing sinkhole false '"lead"')" \
	"log: lead's would-block (the longest prefix decided)"
is "$(qlog_rec scam1.example-test 7)" \
	"$(want block 127.0.4.1 scam1.example-test scam1.example-test fb-main scam nodata false '"branch"')" \
	"log: branch's block, action nodata"
is "$(grep -c '"qname":"alias1.example-test"' "$LOG")" 4 \
	"log: one record per query of alias1 (would-block, block, twice)"
ok "every line of the query log is valid JSON" $QL check "$LOG"

# ---- metrics ----------------------------------------------------------------
# would-blocks: soc scam1 x2 (+1 from ::1), alias1 x2, inflight x2; staff
# scam1, inflight2; lead phish1
SOC=6
[ $HAVE6 = 1 ] && SOC=7
metric() {
	sed -n "s/^fraudblock_would_block_total{policy=\"$1\",category=\"$2\"} //p" \
		"$MFILE" 2>/dev/null
}
metrics_at() {
	[ "$(metric soc scam)" = "$SOC" ] && [ "$(metric staff scam)" = 2 ] &&
		[ "$(metric lead phishing)" = 1 ]
}
poll_until 5000 metrics_at
is "$(metric soc scam) $(metric staff scam) $(metric lead phishing) $(metric branch scam)" \
	"$SOC 2 1 " \
	"metrics: would-blocks by policy and category (branch has none)"

# ---- a reload with a bad clause keeps the policies in force -----------------
{
	write_conf
	client_clause bad 10.1.2.5/24
} > "$FBCONF"
"$FB_CTL" check-config "$FBCONF" > /dev/null 2> "$T/check.err"
is "$(cat "$T/check.err")" \
	"$FBCONF:$(grep -c '' "$FBCONF"): bad network '10.1.2.5/24': host bits set: the network is 10.1.2.0/24" \
	"check-config names file:line and the network meant"
reload_resolver 2
like "$(grep 'keeping the settings' "$T/resolver.log")" \
	"host bits set.*keeping the settings loaded from" \
	"reload with the bad clause: logged, last good settings kept"
is "$(q 127.0.0.2 scam1.example-test)" "NOERROR 192.0.2.11" \
	"after the reload: the exempt client is still exempt"
is "$(q 127.0.0.1 scam1.example-test)" "$SINK" \
	"after the reload: the protected client is still protected"
finish_resolver
done_testing
