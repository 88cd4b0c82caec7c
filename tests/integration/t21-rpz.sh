#!/bin/sh
# t21-rpz: an RPZ zone imported by fraudblock-sync answers as Unbound's
# own RPZ answers for the same zone.  One zone file, two resolvers on the
# same upstream: stock Unbound with `rpz: zonefile:` (module respip, no
# fraudblock), and Unbound with the module over a store fraudblock-sync
# filled from that file.  The same queries go to both; rcode and answer
# rdata are compared, each case asserted exactly on both sides.
#
# Known differences, asserted as such (doc/fraudblock.conf.5.in lists
# them): rpz-drop (Unbound answers nothing; we answer NXDOMAIN) and a
# name below a listed
# trigger that a parent's "*." would cover (Unbound follows DNS wildcard
# rules, where an existing name shadows the wildcard; the module's
# matching does not).  The authority section is compared as a count:
# Unbound 1.17's RPZ puts no SOA in its NXDOMAIN and NODATA answers, and
# neither does the module.  Local data: the module answers with the
# configured sinkhole, so this zone's local data uses exactly those
# addresses; the sync summary counts them.
. "$(dirname "$0")/lib.sh"
fb_init rpz

Z=$T/rpz.zone
cat > "$Z" <<EOF
; the test's policy zone
\$TTL $SINK_TTL
@ SOA ns.rpz.fb-test. hostmaster.rpz.fb-test. 2024010101 3600 600 86400 60
  NS localhost.
nx.example-test CNAME .
*.wild.example-test CNAME .
nodata.example-test CNAME *.
*.pt.example-test CNAME .
ok.pt.example-test CNAME rpz-passthru.
local.example-test A $SINK4
local.example-test AAAA $SINK6
drop.example-test CNAME rpz-drop.
24.0.100.51.198.rpz-ip CNAME .
EOF

zone example-test.
for n in example-test other nx sub.nx wild a.wild b.a.wild nodata pt x.pt \
	ok.pt sub.ok.pt local drop; do
	case $n in
	example-test) o=example-test. ;;
	*) o=$n.example-test. ;;
	esac
	rr "$o 3600 IN A 192.0.2.10"
	rr "$o 3600 IN AAAA 2001:db8::10"
	rr "$o 3600 IN TXT \"real $n\""
done
rr "ipt.example-test. 3600 IN A 198.51.100.7"

{
	fbconf_globals
	feed_clause rpz "$Z" format rpz
	echo 'block-response-addresses: yes'
} > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync imports the zone (exit 0)"
like "$(cat "$T/last.out")" "^feed rpz: 7 names, 1 addresses \\(\\+8 -0 ~0\\), \
0 invalid, 2 local-data records answered with the sinkhole instead, \
1 rpz-drop answered nxdomain, generation 1, [0-9]+ ms$" \
	"the summary counts the rpz-ip trigger's address, local data and rpz-drop"

# a zone whose SOA serial went backwards (RFC 1982) is a stale copy
before=$(mdb_dump -s names "$T/db")
sed 's/ 2024010101 / 2024010100 /' "$Z" > "$T/old.zone"
cp "$Z" "$T/rpz.zone.good"
cp "$T/old.zone" "$Z"
fb_sync
is "$?" 1 "a zone with an older SOA serial is refused (exit 1)"
like "$(cat "$T/last.err")" "declares version 2024010100, older than version 2024010101" \
	"... saying both serials"
is "$(mdb_dump -s names "$T/db")" "$before" "... and the list in force is unchanged"
# serials wrap: 2024010101 -> 4000000000 -> 5 -> 2024010101 all go forward
for serial in 4000000000 5 2024010101; do
	sed "s/ 2024010101 / $serial /" "$T/rpz.zone.good" > "$Z"
	fb_sync
	is "$?" 2 "serial $serial follows the last one in serial arithmetic (exit 2, unchanged)"
done
cp "$T/rpz.zone.good" "$Z"
# the listings as stored: each trigger's own action and scope
lookup_line() {
	fb_ctl lookup "$1"
	sed -n 2p "$T/last.out" | sed 's/  since .*//'
}
is "$(lookup_line nx.example-test)" \
	"  nx.example-test  source rpz  scope self  action nxdomain  category unspecified" \
	"CNAME . is stored as nxdomain for the name alone"
is "$(lookup_line a.wild.example-test)" \
	"  wild.example-test  source rpz  scope below  action nxdomain  category unspecified" \
	"*.name is stored with scope below"
is "$(lookup_line nodata.example-test)" \
	"  nodata.example-test  source rpz  scope self  action nodata  category unspecified" \
	"CNAME *. is stored as nodata"
is "$(lookup_line local.example-test)" \
	"  local.example-test  source rpz  scope self  action sinkhole  category unspecified" \
	"local data (A and AAAA: one entry) is stored as sinkhole"
fb_ctl lookup ok.pt.example-test
like "$(cat "$T/last.out")" "not blocked|allowed" "rpz-passthru is an allow"
fb_ctl lookup 198.51.100.7
is "$?" 0 "the rpz-ip trigger 24.0.100.51.198 covers 198.51.100.7"
is "$(sed 's/  since .*//' "$T/last.out")" "198.51.100.7: blocked (nxdomain) by rpz at 198.51.100.0/24
  198.51.100.0/24  source rpz  scope tree  action nxdomain  category unspecified" \
	"... as the entry 198.51.100.0/24, nxdomain"
fb_ctl lookup 198.51.101.7
is "$?" 1 "... and not the next /24"

start_servers 2 example-test.
FB_P=$P

# stock Unbound's RPZ over the same upstream
rpz_resolver_conf() {
	{
		fb_server_conf rpzres "$1" 1
		cat <<EOF
	do-not-query-localhost: no
	module-config: "respip validator iterator"
	prefetch: no
$(resolver_stubs)
rpz:
	name: "rpz.fb-test."
	zonefile: "$Z"
EOF
	} > "$T/rpzres.conf"
}
fb_start_unbound rpzres rpz_resolver_conf other.example-test ||
	bail "Unbound with rpz did not start"
RPZ_P=$FB_PORT
RPZ_PID=$FB_PID
diag "Unbound rpz port $RPZ_P, fraudblock port $FB_P"

# same NAME TYPE WANT: both resolvers answer WANT (dig_sum: rcode and
# the sorted answer rdata)
same() {
	local _u _f
	_u=$(dig_sum "$RPZ_P" "$1" "$2")
	_f=$(dig_sum "$FB_P" "$1" "$2")
	is "$_u" "$3" "$1 $2: Unbound's RPZ answers $3"
	is "$_f" "$3" "$1 $2: fraudblock answers the same"
}

for t in A AAAA TXT; do
	case $t in
	A) real=192.0.2.10 ;;
	AAAA) real=2001:db8::10 ;;
	TXT) real='"real @"' ;;
	esac
	r() { printf 'NOERROR %s' "$(echo "$real" | sed "s/@/$1/")"; }
	same other.example-test $t "$(r other)"
	same nx.example-test $t "NXDOMAIN"
	same sub.nx.example-test $t "$(r sub.nx)"
	same wild.example-test $t "$(r wild)"
	same a.wild.example-test $t "NXDOMAIN"
	same b.a.wild.example-test $t "NXDOMAIN"
	same nodata.example-test $t "NOERROR"
	same x.pt.example-test $t "NXDOMAIN"
	same ok.pt.example-test $t "$(r ok.pt)"
	same pt.example-test $t "$(r pt)"
	same unlisted.example-test $t "NXDOMAIN"
done
same local.example-test A "NOERROR $SINK4"
same local.example-test AAAA "NOERROR $SINK6"
same local.example-test TXT "NOERROR"

# the known differences, each side asserted
is "$(dig_sum "$RPZ_P" sub.ok.pt.example-test A)" "NOERROR 192.0.2.10" \
	"shadowed wildcard: Unbound passes sub.ok.pt (ok.pt exists, *.pt does not reach below it)"
is "$(dig_sum "$FB_P" sub.ok.pt.example-test A)" "NXDOMAIN" \
	"shadowed wildcard: fraudblock blocks sub.ok.pt (*.pt covers every name below pt)"
# an rpz-ip trigger (24.0.100.51.198, action nxdomain): both block an
# answer holding 198.51.100.7
same ipt.example-test A "NXDOMAIN"
is "$(dig_rcode "$RPZ_P" drop.example-test A)" "TIMEOUT" \
	"rpz-drop: Unbound sends no answer"
is "$(dig_sum "$FB_P" drop.example-test A)" "NXDOMAIN" \
	"rpz-drop: fraudblock answers NXDOMAIN"

# the authority section of a block answer: its record count
auth_count() {
	dig -4 -p "$1" @127.0.0.1 "$2" "$3" +time=2 +tries=1 +noall \
		+authority 2>/dev/null | grep -vc '^;'
}
for q in "nx.example-test A" "nodata.example-test A"; do
	# shellcheck disable=SC2086
	u=$(auth_count "$RPZ_P" $q)
	# shellcheck disable=SC2086
	f=$(auth_count "$FB_P" $q)
	is "$u $f" "0 1" "$q: Unbound's RPZ sends no authority record, fraudblock its SOA (RFC 2308)"
done

kill -TERM "$RPZ_PID"
wait "$RPZ_PID" 2>/dev/null
fb_forget "$RPZ_PID"
finish_resolver
done_testing
