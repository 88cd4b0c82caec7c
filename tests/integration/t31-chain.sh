#!/bin/sh
# t31-chain: CNAME and DNAME chains (cloaking).  When any name of an
# answer's chain (the query name, an owner, a CNAME or DNAME target) is
# blocked, the client gets the block answer of that name's entry: the
# same action and EDE as a direct hit, for the query name, never the
# chain.  Checked on the exact answer section, rcode and EDE, on a fresh
# resolution, on the second query (served from what the first cached)
# and with the CD bit; with benign -> listed, listed -> benign, a chain
# of four steps and a DNAME; an allowed query name does not reach a
# listed target; a target listed after the chain was cached blocks the
# alias within a bounded time (the cache sweep); the query log says
# cname: true and names the listed chain name.  The matching rule
# (doc/matching.md) live: an allowed platform does not unblock a listed
# name below it.
. "$(dirname "$0")/lib.sh"
fb_init chain
QL="python3 $FB_SRCDIR/tests/integration/qlog.py"
LOG=$T/query.log

cat > "$T/main.txt" <<'EOF'
listed1.example-test
listed2.example-test
listed7.example-test
listed8.example-test
moved.example-test
scam.plat.example-test
EOF
printf 'listed3.example-test\nlisted5.example-test\n' > "$T/nx.txt"
echo listed4.example-test > "$T/nd.txt"
{
	fbconf_main category scam
	feed_clause fb-nx "$T/nx.txt" action nxdomain category phishing
	feed_clause fb-nd "$T/nd.txt" action nodata category malware \
		ede censored
	printf 'log-file: "%s"\n' "$LOG"
} > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync loads three feeds (exit 0)"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
# benign -> listed (one and two steps)
rr "a1.example-test. 300 IN CNAME listed1.example-test."
rr "listed1.example-test. 300 IN A 192.0.2.81"
rr "a2.example-test. 300 IN CNAME a2b.example-test."
rr "a2b.example-test. 300 IN CNAME listed2.example-test."
rr "listed2.example-test. 300 IN A 192.0.2.82"
# listed -> benign, and benign -> listed (nodata) -> benign
rr "listed3.example-test. 300 IN CNAME plain.example-test."
rr "plain.example-test. 300 IN A 192.0.2.83"
rr "b4.example-test. 300 IN CNAME listed4.example-test."
rr "listed4.example-test. 300 IN CNAME plain4.example-test."
rr "plain4.example-test. 300 IN A 192.0.2.84"
rr "plain4.example-test. 300 IN AAAA 2001:db8::84"
# four steps, the last listed (nxdomain)
rr "c1.example-test. 300 IN CNAME c2.example-test."
rr "c2.example-test. 300 IN CNAME c3.example-test."
rr "c3.example-test. 300 IN CNAME listed5.example-test."
rr "listed5.example-test. 300 IN A 192.0.2.85"
# the DNAME target
rr "www.moved.example-test. 300 IN A 192.0.2.86"
# unlisted chain
rr "ok1.example-test. 300 IN CNAME ok2.example-test."
rr "ok2.example-test. 300 IN A 192.0.2.87"
# allowed alias -> listed; alias -> allowed target
rr "allowed.example-test. 300 IN CNAME listed7.example-test."
rr "listed7.example-test. 300 IN A 192.0.2.88"
rr "a8.example-test. 300 IN CNAME listed8.example-test."
rr "listed8.example-test. 300 IN A 192.0.2.89"
# listed only after the chain is cached
rr "late.example-test. 300 IN CNAME target-late.example-test."
rr "target-late.example-test. 300 IN A 192.0.2.90"
# a shared platform
rr "good.plat.example-test. 300 IN A 192.0.2.91"
rr "scam.plat.example-test. 300 IN A 192.0.2.92"
rr "p1.example-test. 300 IN CNAME scam.plat.example-test."
# the DNAME zone, served by an auth-zone of the upstream (local data
# does not synthesise from a DNAME); its clause comes after every
# local-data line of zones.conf
cat > "$T/dn-test.zone" <<'EOF'
$ORIGIN dn-test.
@	300 IN SOA ns.dn-test. host.dn-test. 1 3600 600 86400 300
@	300 IN NS ns.dn-test.
ns	300 IN A 192.0.2.53
@	300 IN A 192.0.2.54
old	300 IN DNAME moved.example-test.
EOF
printf 'auth-zone:\n\tname: "dn-test."\n\tzonefile: "%s"\n' \
	"$T/dn-test.zone" >> "$T/zones.conf"
printf '\tfor-downstream: yes\n\tfor-upstream: no\n' >> "$T/zones.conf"
echo dn-test. >> "$T/zones.list"
start_servers 1 example-test.

EDE_MAIN='ede 15 blocked by fraudblock: fb-main (scam)'
EDE_NX='ede 15 blocked by fraudblock: fb-nx (phishing)'
EDE_ND='ede 16 blocked by fraudblock: fb-nd (malware)'
sink() {
	printf 'rcode NOERROR | answer %s. %s IN A %s | %s\n' "$1" "$SINK_TTL" \
		"$SINK4" "$EDE_MAIN"
}
# neg RCODE OWNER EDE: a negative block answer as a pattern: its SOA
# (RFC 2308) is owned by the query name for a chain, by the listed name for
# a direct hit; its serial is the list generation
neg() {
	printf '^rcode %s \\| authority %s\\. %s IN SOA fraudblock\\.invalid\\. hostmaster\\.fraudblock\\.invalid\\. [0-9]+ 3600 600 86400 %s \\| %s$\n' \
		"$1" "$2" "$SINK_TTL" "$SINK_TTL" \
		"$(printf '%s' "$3" | sed 's/[][().*^$+?{}|\\]/\\&/g')"
}

# ---- benign -> listed -----------------------------------------------------
for round in fresh second; do
	is "$(dnsq_view a1.example-test)" "$(sink a1.example-test)" \
		"a1 -> listed1 ($round): sinkhole for a1, fb-main's EDE, no chain"
	is "$(dnsq_view a2.example-test)" "$(sink a2.example-test)" \
		"a2 -> a2b -> listed2 ($round): sinkhole for a2"
done
is "$(dig_cd_short a1.example-test)" "$SINK4" "a1 with the CD bit: sinkhole"
is "$(dnsq_view listed1.example-test)" "$(sink listed1.example-test)" \
	"listed1 asked directly after the chain: blocked"
is "$(dnsq_view a1.example-test AAAA)" \
	"rcode NOERROR | answer a1.example-test. $SINK_TTL IN AAAA $SINK6 | $EDE_MAIN" \
	"a1 AAAA: the IPv6 sinkhole"

# ---- listed -> benign, benign -> listed -> benign --------------------------
for round in fresh second; do
	like "$(dnsq_view listed3.example-test)" "$(neg NXDOMAIN listed3.example-test "$EDE_NX")" \
		"listed3 -> plain ($round): NXDOMAIN, fb-nx's EDE"
	like "$(dnsq_view b4.example-test)" "$(neg NOERROR b4.example-test "$EDE_ND")" \
		"b4 -> listed4 -> plain4 ($round): NODATA, EDE 16 of fb-nd"
	like "$(dnsq_view b4.example-test AAAA)" "$(neg NOERROR b4.example-test "$EDE_ND")" \
		"b4 AAAA ($round): NODATA"
done
is "$(dnsq_view plain.example-test)" \
	"rcode NOERROR | answer plain.example-test. TTL IN A 192.0.2.83" \
	"plain (the benign target of listed3) resolves"

# ---- four steps, the last listed -------------------------------------------
for round in fresh second; do
	like "$(dnsq_view c1.example-test)" "$(neg NXDOMAIN c1.example-test "$EDE_NX")" \
		"c1 -> c2 -> c3 -> listed5 ($round): NXDOMAIN, fb-nx's EDE"
	like "$(dnsq_view c2.example-test)" "$(neg NXDOMAIN c2.example-test "$EDE_NX")" \
		"c2 (a middle step, cached by c1's resolution) ($round): NXDOMAIN"
done

# ---- DNAME -----------------------------------------------------------------
for round in fresh second; do
	is "$(dnsq_view www.old.dn-test)" "$(sink www.old.dn-test)" \
		"www.old.dn-test via DNAME to listed moved ($round): sinkhole"
done
is "$(dig_cd_short www.old.dn-test)" "$SINK4" "the DNAME alias with CD: sinkhole"
is "$(dnsq_view dn-test)" "rcode NOERROR | answer dn-test. TTL IN A 192.0.2.54" \
	"the DNAME zone's own apex resolves"

# ---- unlisted chain --------------------------------------------------------
for round in fresh second; do
	is "$(dnsq_view ok1.example-test)" \
		"rcode NOERROR | answer ok1.example-test. TTL IN CNAME ok2.example-test. | answer ok2.example-test. TTL IN A 192.0.2.87" \
		"ok1 -> ok2, nothing listed ($round): the real chain, no EDE"
done

# ---- allow entries along a chain -------------------------------------------
fb_ctl allow allowed.example-test
is "$?" 0 "ctl allow allowed.example-test exits 0"
for round in fresh second; do
	is "$(dnsq_view allowed.example-test)" "$(sink allowed.example-test)" \
		"allowed alias -> listed7 ($round): still blocked (judged name by name)"
done
fb_ctl allow listed8.example-test
is "$?" 0 "ctl allow listed8.example-test exits 0"
is "$(dnsq_view a8.example-test)" \
	"rcode NOERROR | answer a8.example-test. TTL IN CNAME listed8.example-test. | answer listed8.example-test. TTL IN A 192.0.2.89" \
	"a8 -> listed8 allowed at the name itself: the real chain"

# ---- the matching rule: a platform allowed ---------------------------------
fb_ctl allow plat.example-test
is "$(dnsq_view good.plat.example-test)" \
	"rcode NOERROR | answer good.plat.example-test. TTL IN A 192.0.2.91" \
	"allowed platform: good.plat resolves"
is "$(dnsq_view scam.plat.example-test)" "$(sink scam.plat.example-test)" \
	"allowed platform: listed scam.plat (more specific) still blocked"
is "$(dnsq_view p1.example-test)" "$(sink p1.example-test)" \
	"an alias of scam.plat: blocked"

# ---- listed after the chain was cached -------------------------------------
is "$(dnsq_view late.example-test)" \
	"rcode NOERROR | answer late.example-test. TTL IN CNAME target-late.example-test. | answer target-late.example-test. TTL IN A 192.0.2.90" \
	"late -> target-late before the listing: the real chain (cached)"
is "$(dnsq_view late.example-test)" \
	"rcode NOERROR | answer late.example-test. TTL IN CNAME target-late.example-test. | answer target-late.example-test. TTL IN A 192.0.2.90" \
	"... and again from the cache"
fb_ctl block target-late.example-test
is "$?" 0 "ctl block target-late.example-test exits 0"
late_blocked() {
	[ "$(dnsq_view late.example-test)" = "$(sink late.example-test | \
		sed 's/fb-main (scam)/manual-block (unspecified)/')" ]
}
ok_within 1000 "the cached alias late blocked" \
	"the cached alias of a newly listed target is blocked within 1 s" \
	late_blocked
is "$(dig_cd_short late.example-test)" "$SINK4" \
	"... and with the CD bit (its own cache entry)"
is "$(dnsq_view late.example-test)" \
	"$(sink late.example-test | sed 's/fb-main (scam)/manual-block (unspecified)/')" \
	"... and on the next query"

# ---- the query log ---------------------------------------------------------
want() {
	printf '{"v":1,"ts":"TS","event":"block","client":"127.0.0.0/24",'
	printf '"qname":"%s","qtype":"A","qclass":"IN","matched":"%s",' \
		"$1" "$2"
	printf '"feed":"%s","category":"%s","action":"%s","ede":%s,' \
		"$3" "$4" "$5" "$6"
	printf '"generation":G,"thread":0,"cname":%s,"policy":null}\n' "$7"
}
is "$(qlog_rec a2.example-test)" \
	"$(want a2.example-test listed2.example-test fb-main scam sinkhole 15 true)" \
	"log: a2's record, cname true, matched the listed chain name"
is "$(qlog_rec www.old.dn-test)" \
	"$(want www.old.dn-test moved.example-test fb-main scam sinkhole 15 true)" \
	"log: the DNAME alias's record names the listed DNAME target"
is "$(qlog_rec listed3.example-test)" \
	"$(want listed3.example-test listed3.example-test fb-nx phishing nxdomain 15 false)" \
	"log: a listed query name is no chain block (cname false)"
ok "every line of the query log is valid JSON" $QL check "$LOG"

finish_resolver
done_testing
