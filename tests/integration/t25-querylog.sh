#!/bin/sh
# t25-querylog: the query log, live (schema: doc/querylog.md).
# One record per blocked query with every field exact, for sinkhole,
# NXDOMAIN and NODATA blocks; "pass" records with log-all-queries; each
# privacy mode's client value for 127.0.0.x and ::1; hash mode's key made
# by the module, read back, and rotated by fraudblock-ctl log-key-rotate
# (the same client then hashes differently, the key id changes); hostile
# query names sent as raw packets still give one valid JSON line each;
# log-syslog sends the same record as an RFC 5424 message.
# Settings change by reload (SIGHUP), as an operator would do it.
. "$(dirname "$0")/lib.sh"
fb_init querylog
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
QL="python3 $FB_SRCDIR/tests/integration/qlog.py"
LOG=$T/query.log

echo scam.example-test > "$T/main.txt"
echo nx.example-test > "$T/nx.txt"
echo nd.example-test > "$T/nd.txt"
# conf [KEY VALUE]...: the feeds plus the log keys given
conf() {
	{
		fbconf_main category scam
		feed_clause fb-nx "$T/nx.txt" action nxdomain category phishing
		feed_clause fb-nd "$T/nd.txt" action nodata category malware \
			ede censored
		printf 'log-file: "%s"\n' "$LOG"
		while [ $# -ge 2 ]; do
			printf '%s: %s\n' "$1" "$2"
			shift 2
		done
	} > "$FBCONF"
}
conf
fb_sync
is "$?" 0 "fraudblock-sync loads three feeds (exit 0)"
fb_ctl status
GEN=$(sed -n 's/^generation //p' "$T/last.out")

zone example-test.
rr "www.example-test. 300 IN A 192.0.2.1"
rr "www2.example-test. 300 IN A 192.0.2.2"

# IPv6 loopback: the resolver listens on ::1 too when the host has it
HAVE6=0
if python3 -c 'import socket; socket.socket(socket.AF_INET6,
	socket.SOCK_DGRAM).bind(("::1", 0))' 2>/dev/null; then
	HAVE6=1
	RES_EXTRA='	interface: ::1
	do-ip6: yes
	access-control: ::1 allow'
fi
start_servers 1 example-test.

# q SRC NAME [TYPE]: one query from address SRC; prints the rcode
q() {
	local _fam
	_fam=-4
	case $1 in *:*) _fam=-6 ;; esac
	_srv=127.0.0.1
	[ "$_fam" = -6 ] && _srv=::1
	dig "$_fam" -p "$P" @"$_srv" -b "$1" "$2" "${3:-A}" +time=2 +tries=1 \
		+noall +comments 2>&1 | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}
# rec_of QNAME: the last record of QNAME, once the writer wrote it (2 s)
has_rec() {
	[ -s "$LOG" ] && [ "$($QL rec "$LOG" "$1")" != NONE ]
}
rec_of() {
	poll_until 2000 has_rec "$1"
	$QL rec "$LOG" "$1"
}
# the record of a block, every member given: CLIENT QNAME TYPE MATCHED
# FEED CATEGORY ACTION EDE [KEYMEMBER]
want_block() {
	printf '{"v":1,"ts":"TS","event":"block","client":%s,%s"qname":"%s",' \
		"$1" "${9:-}" "$2"
	printf '"qtype":"%s","qclass":"IN","matched":"%s","feed":"%s",' \
		"$3" "$4" "$5"
	printf '"category":"%s","action":"%s","ede":%s,"generation":%s,' \
		"$6" "$7" "$8" "$GEN"
	printf '"thread":0,"cname":false,"policy":null}\n'
}

# ---- the three actions, every field --------------------------------------
is "$(q 127.0.0.5 www.scam.example-test)" NOERROR "sinkhole block answered"
is "$(rec_of www.scam.example-test)" \
	"$(want_block '"127.0.0.0/24"' www.scam.example-test A \
	scam.example-test fb-main scam sinkhole 15)" \
	"sinkhole block: the record, every field exact (truncate: /24)"
is "$(q 127.0.0.6 a.nx.example-test)" NXDOMAIN "nxdomain block answered"
is "$(rec_of a.nx.example-test)" \
	"$(want_block '"127.0.0.0/24"' a.nx.example-test A nx.example-test \
	fb-nx phishing nxdomain 15)" \
	"NXDOMAIN block: the record, every field exact"
is "$(q 127.0.0.7 nd.example-test AAAA)" NOERROR "nodata block answered"
is "$(rec_of nd.example-test)" \
	"$(want_block '"127.0.0.0/24"' nd.example-test AAAA nd.example-test \
	fb-nd malware nodata 16)" \
	"NODATA block (AAAA, ede censored): the record, every field exact"
is "$(q 127.0.0.5 www.example-test)" NOERROR "benign name resolves"
sleep 0.2
is "$($QL rec "$LOG" www.example-test)" NONE \
	"no record of a benign query without log-all-queries"
if [ $HAVE6 = 1 ]; then
	is "$(q ::1 v6.scam.example-test)" NOERROR "block over IPv6 answered"
	like "$(rec_of v6.scam.example-test)" '"client":"::/48",' \
		"truncate: ::1 is logged as ::/48"
fi

# ---- full, with log-all-queries ------------------------------------------
conf log-privacy full log-all-queries yes
reload_resolver 2
like "$(grep 'query log stores full client addresses' "$T/resolver.log")" \
	warning "log-privacy full: the warning line is in Unbound's log"
is "$(q 127.0.0.7 full.scam.example-test)" NOERROR "block in full mode"
is "$(rec_of full.scam.example-test)" \
	"$(want_block '"127.0.0.7"' full.scam.example-test A \
	scam.example-test fb-main scam sinkhole 15)" \
	"full: the client address as it is"
is "$(q 127.0.0.8 www2.example-test)" NOERROR "benign query in full mode"
is "$(rec_of www2.example-test)" \
	'{"v":1,"ts":"TS","event":"pass","client":"127.0.0.8","qname":"www2.example-test","qtype":"A","qclass":"IN","matched":null,"feed":null,"category":null,"action":null,"ede":null,"generation":'"$GEN"',"thread":0,"cname":false,"policy":null}' \
	"log-all-queries: a pass record, block fields null"
if [ $HAVE6 = 1 ]; then
	q ::1 full6.scam.example-test > /dev/null
	like "$(rec_of full6.scam.example-test)" '"client":"::1",' \
		"full: ::1 as it is"
fi

# ---- none ----------------------------------------------------------------
conf log-privacy none
reload_resolver 3
q 127.0.0.7 none.scam.example-test > /dev/null
is "$(rec_of none.scam.example-test)" \
	"$(want_block null none.scam.example-test A scam.example-test \
	fb-main scam sinkhole 15)" "none: client null"
if [ $HAVE6 = 1 ]; then
	q ::1 none6.scam.example-test > /dev/null
	like "$(rec_of none6.scam.example-test)" '"client":null,' \
		"none: ::1 gives null too"
fi

# ---- hash ----------------------------------------------------------------
KEY=$T/keys/qlog.key
mkdir "$T/keys"
conf log-privacy hash log-hash-key-file "$KEY" log-hash-rotate never
reload_resolver 4
q 127.0.0.5 h1.scam.example-test > /dev/null
r1=$(rec_of h1.scam.example-test)
ok "hash: the module made the key file" test -s "$KEY"
is "$(stat -c %a "$KEY")" 600 "hash: the key file is mode 0600"
ID1=$($QL keyid "$KEY")
H1=$($QL hmac "$KEY" 127.0.0.5)
cp "$KEY" "$T/key.old"
is "$r1" "$(want_block "\"$H1\"" h1.scam.example-test A scam.example-test \
	fb-main scam sinkhole 15 "\"key\":\"$ID1\",")" \
	"hash: client is HMAC-SHA-256(key, address), with the key id"
q 127.0.0.5 h2.scam.example-test > /dev/null
like "$(rec_of h2.scam.example-test)" "\"client\":\"$H1\",\"key\":\"$ID1\"" \
	"hash: same client, same key: same value"
q 127.0.0.9 h3.scam.example-test > /dev/null
like "$(rec_of h3.scam.example-test)" \
	"\"client\":\"$($QL hmac "$KEY" 127.0.0.9)\"" \
	"hash: another client of the same /24 hashes differently"
if [ $HAVE6 = 1 ]; then
	q ::1 h6.scam.example-test > /dev/null
	like "$(rec_of h6.scam.example-test)" \
		"\"client\":\"$($QL hmac "$KEY" ::1)\"" "hash: ::1"
fi
fb_ctl log-key-rotate
is "$?" 0 "fraudblock-ctl log-key-rotate exits 0"
ID2=$($QL keyid "$KEY")
like "$(cat "$T/last.out")" "new query log key $ID2 in " \
	"log-key-rotate names the new key id"
ok "the key file no longer holds the old key" \
	sh -c "! cmp -s '$KEY' '$T/key.old'"
ok "the new key id differs" test "$ID1" != "$ID2"
# the writer takes the new key within a second
new_key_used() {
	q 127.0.0.5 "r$_i.scam.example-test" > /dev/null
	poll_until 500 has_rec "r$_i.scam.example-test"
	$QL rec "$LOG" "r$_i.scam.example-test" | grep -q "\"key\":\"$ID2\""
	_st=$?
	_i=$((_i + 1))
	return $_st
}
_i=0
poll_until 3000 new_key_used
delay_diag "records with the new key"
q 127.0.0.5 h4.scam.example-test > /dev/null
r4=$(rec_of h4.scam.example-test)
H2=$($QL hmac "$KEY" 127.0.0.5)
is "$r4" "$(want_block "\"$H2\"" h4.scam.example-test A scam.example-test \
	fb-main scam sinkhole 15 "\"key\":\"$ID2\",")" \
	"after rotation: the new key's HMAC and id"
ok "after rotation the same client hashes differently" test "$H1" != "$H2"

# ---- hostile names -------------------------------------------------------
conf
reload_resolver 5
# each a label below scam.example-test, in hex: quote, backslash, dot,
# NUL, newline, DEL, 0xff, valid UTF-8, space, ';', control bytes, a
# 63-byte label of every kind of byte
set -- 22 5c 2e 00 0a 7f ff c3a9 20 3b 01021b 5c22 \
	"$(python3 -c 'print(bytes(range(0x80, 0xbf)).hex())')" \
	e280ae 2e2e 226c6f67223a7b7d
n_ok=0
for h in "$@"; do
	if [ "$($QL raw "$P" 127.0.0.1 "$h" -- scam.example-test)" = 0 ]; then
		n_ok=$((n_ok + 1))
	fi
done
is "$n_ok" "$#" "all $# hostile names answered NOERROR (sinkhole)"
scam=$(printf scam | od -An -tx1 | tr -d ' ')
extest=$(printf example-test | od -An -tx1 | tr -d ' \n')
has_all() {
	for _h in "$@"; do
		[ "$($QL has "$LOG" "$_h" "$scam" "$extest")" -ge 1 ] || return 1
	done
}
poll_until 3000 has_all "$@"
n_found=0
for h in "$@"; do
	if [ "$($QL has "$LOG" "$h" "$scam" "$extest")" = 1 ]; then
		n_found=$((n_found + 1))
	fi
done
is "$n_found" "$#" "each hostile name has one record, its qname the name's presentation form"
is "$($QL check "$LOG")" "$(wc -l < "$LOG" | tr -d ' ')" \
	"every line of the log is one valid JSON object in ASCII"
is "$(grep -c '\\u00' "$LOG")" 0 \
	"no \\u escapes: names use presentation escapes (\\DDD)"

# ---- syslog --------------------------------------------------------------
spawn syslogd python3 "$FB_SRCDIR/tests/integration/qlog.py" syslog \
	"$T/syslog.sock" "$T/syslog.stop" "$T/syslog.out"
SYSLOGD=$SPAWN_PID
poll_until 2000 test -S "$T/syslog.sock"
conf log-syslog yes log-syslog-socket "\"$T/syslog.sock\"" \
	log-syslog-facility local3
reload_resolver 6
q 127.0.0.5 sl.scam.example-test > /dev/null
got_msg() {
	grep -q '"qname":"sl\.scam\.example-test"' "$T/syslog.out"
}
ok_within 2000 "syslog message" "log-syslog: the record reaches syslog" \
	got_msg
msg=$(grep '"qname":"sl\.scam\.example-test"' "$T/syslog.out")
like "$msg" \
	'^<158>1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z [^ ]+ fraudblock [0-9]+ query - \{"v":1,' \
	"RFC 5424 header: PRI local3.info, version 1, the record's time, app, pid, msgid"
is "${msg#* query - }" "$(grep '"qname":"sl\.scam\.example-test"' "$LOG")" \
	"the syslog MSG is the same JSON record as the file's"
touch "$T/syslog.stop"
wait "$SYSLOGD"
fb_forget "$SYSLOGD"
is "$(grep -c 'query log dropped' "$T/resolver.log")" 0 "no record was dropped"

finish_resolver
done_testing
