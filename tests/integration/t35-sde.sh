#!/bin/sh
# t35-sde: block answers that explain themselves, Structured DNS Error
# (draft-ietf-dnsop-structured-dns-error-22, doc/answers.md).  A client
# whose query carries the SDE option (sde-option-code, here 65123) gets
# a JSON object as its EDE text: parsed here with python3's json from the
# bytes tests/dnsq read off the wire, every member checked exactly, for
# each EDE code (15 with sub-error Phishing, 16 with none, 17 with
# Malware) and a feed's own justification and sub-error; the operator's
# hostile texts (quotes, backslash, tab, a control byte, Vietnamese) are
# escaped.  Without the option, with another code or without EDNS: the
# plain text as before.  Over UDP a small client size gets the short
# object (c and s), then no text, and never a truncated answer.  Two
# clients asking for the same chain-blocked name at once, one with the
# option and one without, each get their own form (no_aggregation), in
# both orders; the upstream holds its answers 300 ms so both are in
# flight together.
. "$(dirname "$0")/lib.sh"
fb_init sde
SDE=65123
EJ="python3 $FB_SRCDIR/tests/integration/ede_json.py"
TAB=$(printf '\t')
CTL1=$(printf '\001')
L63=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa

printf 'bad.example-test\nbad.slow-test\n' > "$T/main.txt"
echo cen.example-test > "$T/cen.txt"
echo fil.example-test > "$T/fil.txt"
echo jus.example-test > "$T/jus.txt"
echo long.example-test > "$T/long.txt"
LONGJ=$(printf 'j%.0s' $(seq 1 240))
{
	fbconf_main category scam
	feed_clause fb-cen "$T/cen.txt" action nxdomain category phishing \
		ede censored
	feed_clause fb-fil "$T/fil.txt" category malware ede filtered
	feed_clause fb-jus "$T/jus.txt" category scam sde-sub-error spam \
		justification "on \"{feed}\" \\ ({category})"
	feed_clause fb-long "$T/long.txt" category phishing \
		justification "$LONGJ {feed}"
	cat <<EOF
sde: yes
sde-option-code: $SDE
sde-contact: mailto:abuse@example.net TEL:+84-24-3555-0100
sde-organisation: Acme "Safe" \\ DNS${TAB}Việt$CTL1
sde-language: vi
EOF
} > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync loads five feeds with the sde keys (exit 0)"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "bad.example-test. 300 IN A 192.0.2.2"

# slow-test. is served by slowdns.py, 300 ms late (below Unbound's first
# retransmit timeout, 376 ms, so no retry muddles the timing)
start_slow_upstream 300 192.0.2.9
# one thread: Unbound aggregates queries per thread (each has its own
# mesh), so both clients of a pair must reach the same one
start_servers 1 example-test. "slowdns.py on $SLOW_PORT"

# ede PORT NAME TYPE [DNSQ-ARGS...]: ede_json.py's line of the reply
ede() {
	local _p _n _t
	_p=$1 _n=$2 _t=$3
	shift 3
	"$DNSQ" -p "$_p" -t "$_t" "$@" 127.0.0.1 "$_n" 2>&1 | $EJ
}
C='"c":["mailto:abuse@example.net","tel:+84-24-3555-0100"]'
O='"o":"Acme \"Safe\" \\ DNS\tVi\u1ec7t\u0001","l":"vi"'

is "$(ede $P bad.example-test A -o $SDE)" \
	"15 json {$C,\"j\":\"listed as fraudulent by fb-main\",\"s\":2,$O}" \
	"EDE 15 with the option: the JSON, minified, draft order; scam: sub-error 2 Phishing; organisation escaped"
o=$("$DNSQ" -p $P -o $SDE 127.0.0.1 bad.example-test 2>&1)
like "$o" "^answer bad\\.example-test\\.	$SINK_TTL	IN	A	$SINK4\$" \
	"with the option: the sinkhole answer is the same"
unlike "$o" '^truncated' "with the option: not truncated"
# dig (BIND 9.18 in Debian 12) prints the EXTRA-TEXT in parentheses
# after the code and its name
o=$(dig -4 -p $P @127.0.0.1 bad.example-test A +ednsopt=$SDE +time=2 \
	+tries=1 2>&1 | grep '^; EDE:')
is "$(printf '%s' "$o" | cut -c 1-67)" \
	'; EDE: 15 (Blocked): ({"c":["mailto:abuse@example.net","tel:+84-24-' \
	"dig +ednsopt=$SDE sends the option and shows the JSON after '; EDE: 15 (Blocked):'"
is "$(ede $P bad.example-test A)" \
	"15 text blocked by fraudblock: fb-main (scam)" \
	"without the option: the plain text as before"
is "$(ede $P bad.example-test A -o 65001)" \
	"15 text blocked by fraudblock: fb-main (scam)" \
	"another option code (the default 65001, not configured here): plain text"
is "$(ede $P bad.example-test A -E -o $SDE)" "" \
	"no EDNS at all: no EDE (and no option could be sent)"
is "$(ede $P cen.example-test AAAA -o $SDE)" \
	"16 json {$C,\"j\":\"listed as fraudulent by fb-cen\",$O}" \
	"EDE 16 Censored: no sub-error (draft 5.2), though the category is phishing"
o=$("$DNSQ" -p $P -t AAAA -o $SDE 127.0.0.1 cen.example-test 2>&1)
like "$o" '^rcode NXDOMAIN$' "censored feed with action nxdomain: NXDOMAIN"
is "$(printf '%s\n' "$o" | grep -c '^authority .*	SOA	')" 1 \
	"the SOA is still in the authority section"
is "$(ede $P fil.example-test A -o $SDE)" \
	"17 json {$C,\"j\":\"listed as fraudulent by fb-fil\",\"s\":1,$O}" \
	"EDE 17 Filtered, malware: sub-error 1 Malware"
is "$(ede $P www.jus.example-test TXT -o $SDE)" \
	"15 json {$C,\"j\":\"on \\\"fb-jus\\\" \\\\ (scam)\",\"s\":3,$O}" \
	"the feed's own justification (quote and backslash escaped) and sub-error spam"
is "$(ede $P jus.example-test TXT)" \
	"15 text blocked by fraudblock: fb-jus (scam)" \
	"the same name without the option: plain text"

# ---- UDP size: j and o go first, then the whole text (draft 5.2) -----
N1=$L63.$L63.x.long.example-test
N2=$L63.$L63.$L63.long.example-test
FULL_LONG="15 json {$C,\"j\":\"$LONGJ fb-long\",\"s\":2,$O}"
SHORT='{"c":["mailto:abuse@example.net","tel:+84-24-3555-0100"],"s":2}'
is "$(ede $P $N1 A -o $SDE)" "$FULL_LONG" \
	"a 150-byte name, 1232-byte client: the full object (over 500 bytes)"
o=$("$DNSQ" -p $P -b 512 -o $SDE 127.0.0.1 $N1 2>&1)
is "$(printf '%s\n' "$o" | grep '^ede ')" "ede 15 $SHORT" \
	"512-byte client: the short object, exact bytes (no j, o, l)"
like "$o" "^answer $N1\\.	$SINK_TTL	IN	A	$SINK4\$" \
	"512-byte client: the answer is whole"
unlike "$o" '^truncated' "512-byte client: not truncated"
o=$("$DNSQ" -p $P -b 512 -o $SDE 127.0.0.1 $N2 2>&1)
like "$o" '^ede 15$' \
	"a 211-byte name, 512-byte client: EDE 15 with no text (even c and s do not fit)"
like "$o" "^answer $N2\\.	$SINK_TTL	IN	A	$SINK4\$" \
	"the answer is whole"
unlike "$o" '^truncated' "not truncated"
is "$(ede $P $N2 A -b 1232 -o $SDE)" "$FULL_LONG" \
	"the same name, 1232-byte client: the full object"
is "$(ede $P $N2 A -b 512)" \
	"15 text blocked by fraudblock: fb-long (phishing)" \
	"512-byte client without the option: plain text, as before"

# ---- two clients at once on one chain-blocked name ----------------------
# pair NAME FIRST SECOND: start dnsq FIRST (plain or sde), 100 ms later
# dnsq SECOND for the same NAME; both wait for the slow upstream.  Leaves
# $T/pair.{1,2}.out and their start and end times.
pair() {
	local _i _kind _pids
	_i=0
	_pids=""
	for _kind in "$2" "$3"; do
		_i=$((_i + 1))
		now_ms > "$T/pair.$_i.start"
		if [ "$_kind" = sde ]; then
			( "$DNSQ" -p $P -o $SDE 127.0.0.1 "$1" \
				> "$T/pair.$_i.out" 2>&1; now_ms > "$T/pair.$_i.end" ) &
		else
			( "$DNSQ" -p $P 127.0.0.1 "$1" \
				> "$T/pair.$_i.out" 2>&1; now_ms > "$T/pair.$_i.end" ) &
		fi
		_pids="$_pids $!"
		[ $_i = 1 ] && sleep 0.1
	done
	for _i in $_pids; do
		wait "$_i"
	done
}
for order in "plain sde" "sde plain"; do
	set -- $order
	n=alias-$1-$2.slow-test
	pair $n $1 $2
	ok "$order: the second query started before the first was answered (both in flight)" \
		test "$(cat "$T/pair.2.start")" -lt "$(cat "$T/pair.1.end")"
	i=0
	for kind in $1 $2; do
		i=$((i + 1))
		got=$($EJ < "$T/pair.$i.out")
		if [ $kind = sde ]; then
			want="15 json {$C,\"j\":\"listed as fraudulent by fb-main\",\"s\":2,$O}"
		else
			want="15 text blocked by fraudblock: fb-main (scam)"
		fi
		is "$got" "$want" "$order: the $kind client ($i.) gets its own form"
		like "$(cat "$T/pair.$i.out")" \
			"^answer $n\\.	$SINK_TTL	IN	A	$SINK4\$" \
			"$order: the $kind client gets the block answer of the chain"
	done
done
ok "slowdns.py was asked for the aliases (the chain was resolved)" \
	grep -q '^alias-plain-sde' "$T/slow.log"

# ---- a bad sde value refuses the file, with file:line -------------------
{ fbconf_globals; echo "sde-contact: https://example.net/report"; } \
	> "$T/bad.conf"
"$FB_CTL" -c "$T/bad.conf" status > "$T/bad.out" 2>&1
like "$?:$(cat "$T/bad.out")" \
	"^[1-9][0-9]*:.*bad.conf:8: bad value for sde-contact: 'https://example.net/report'" \
	"sde-contact https: refused with file:line"

finish_resolver
done_testing
