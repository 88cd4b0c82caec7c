#!/bin/sh
# t04-failopen: a missing database and broken configuration.
# Missing database: unbound starts, answers normally (fail-open), logs one
# error line about the database however many queries come, and picks the
# list up without a restart once a sync creates it.  Bad fraudblock.conf:
# fraudblock-sync exits 1, fraudblock-ctl exits 2, both print FILE:LINE:;
# unbound with the module refuses to start and logs the message.
. "$(dirname "$0")/lib.sh"
fb_init failopen

echo "late.example-test" > "$T/main.txt"
fbconf_main > "$FBCONF"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "late.example-test. 300 IN A 192.0.2.41"
rr "www.late.example-test. 300 IN A 192.0.2.42"
rr "fresh.example-test. 300 IN A 192.0.2.43"
i=0
while [ $i -lt 30 ]; do
	rr "b$i.example-test. 300 IN A 192.0.2.$((100 + i))"
	i=$((i + 1))
done

# ---- missing database ----------------------------------------------------
ok "no database directory before the test" test ! -e "$T/db"
start_upstream example-test. || bail "upstream did not start"
start_resolver 2 example-test.
is "$?" 0 "unbound with the module starts without a database"
P=$RES_PORT
diag "upstream port $UP_PORT, resolver port $P (2 threads)"

i=0
good=0
while [ $i -lt 30 ]; do
	if resolves $P b$i.example-test 192.0.2.$((100 + i)); then
		good=$((good + 1))
	fi
	i=$((i + 1))
done
is "$good" 30 "fail-open: 30 distinct names resolve without a database"
dig_bulk $P 30 'late.example-test A b%d.example-test AAAA' > "$T/bulk.txt"
is "$(grep -c '192\.0\.2\.41$' "$T/bulk.txt")" 30 \
	"fail-open: late.example-test answers 30 times over 2 threads"
ok "fail-open: resolver still running" alive "$RES_PID"
# the module reports the missing database exactly once, as an error
dbl=$(grep -Ei "database|blocklist|lmdb|$T/db" "$T/resolver.log")
is "$(printf '%s' "$dbl" | grep -c .)" 1 \
	"exactly one log line about the missing database after 90 queries"
diag "logged: $dbl"
like "$dbl" "error: .*$T/db" \
	"it is an error line naming the database directory"

# ---- the list appears ------------------------------------------------------
fb_sync
is "$?" 0 "fraudblock-sync creates the database (exit 0)"
ok_within 2000 "new database picked up" \
	"a sync creating the database is picked up within 2 s, no restart" \
	sinkholed $P www.late.example-test
ok_within 2000 "late.example-test (cached while fail-open) blocked" \
	"a name cached during fail-open is blocked within 2 s of the new list" \
	sinkholed $P late.example-test
ok "benign name still resolves with the new list" \
	resolves $P b1.example-test 192.0.2.101

# the database directory removed and made anew (an admin starting over)
rm -rf "$T/db"
echo "fresh.example-test" > "$T/main.txt"
fb_sync
is "$?" 0 "fraudblock-sync makes a new database in place of a removed one"
ok_within 2000 "new database in a new directory" \
	"a database removed and created anew is picked up within 2 s" \
	sinkholed $P fresh.example-test
finish_resolver

# ---- a corrupt database file: still fail-open ---------------------------------
mkdir "$T/junkdb"
head -c 65536 /dev/urandom > "$T/junkdb/data.mdb"
fbconf_globals | sed "s|^database: .*|database: \"$T/junkdb\"|" > "$T/junk.conf"
with_conf "$T/junk.conf" start_resolver 2 example-test.
st=$?
is "$st" 0 "unbound with the module starts with a corrupt database file"
if [ $st -eq 0 ]; then
	P=$RES_PORT
	ok "corrupt database: benign names resolve (fail-open)" \
		resolves $P b2.example-test 192.0.2.102
	ok "corrupt database: listed-elsewhere name resolves (fail-open)" \
		resolves $P late.example-test 192.0.2.41
	like "$(grep -i 'error:' "$T/resolver.log")" "$T/junkdb" \
		"corrupt database: an error line names it"
	finish_resolver
fi

# ---- bad configuration: the tools ------------------------------------------------
# bad1: unknown key on line 3
printf '# bad 1\ndatabase: "%s"\nsinkhole-ipv5: 192.0.2.1\n' "$T/db" > "$T/bad1.conf"
# bad2: bad value on line 2
printf '# bad 2\nsinkhole-ipv4: 999.1.2.3\n' > "$T/bad2.conf"
# bad3: feed key outside a feed clause on line 4
printf '# bad 3\ndatabase: "%s"\n\nsource: /nonexistent\n' "$T/db" > "$T/bad3.conf"
# bad4: duplicate feed name, given again on line 8
printf 'feed:\n\tname: a\n\tsource: /x\n\n# again\n\nfeed:\n\tname: a\n\tsource: /y\n' > "$T/bad4.conf"
# bad5: a NUL byte on line 2
printf 'database: /x\nsinkhole-ttl: 6\0000\n' > "$T/bad5.conf"
# bad6: unterminated quote on line 2
printf 'poll-interval: 100\ndatabase: "/x\n' > "$T/bad6.conf"
# bad7: a 5000-byte comment line on line 2
{ printf 'poll-interval: 100\n# '; head -c 5000 /dev/zero | tr '\0' x; echo; } > "$T/bad7.conf"
# bad8: the feed clause opened on line 3 has no source
printf '# bad 8\n\nfeed:\n\tname: nosource\n\tformat: hosts\n' > "$T/bad8.conf"
for b in "bad1.conf:3:" "bad2.conf:2:" "bad3.conf:4:" "bad4.conf:8:" \
	"bad5.conf:2:" "bad6.conf:2:" "bad7.conf:2:" "bad8.conf:3:"; do
	f=$T/${b%%:*}
	"$FB_SYNC" -c "$f" > "$T/out" 2> "$T/err"
	is "$?" 1 "fraudblock-sync with ${b%%:*} exits 1"
	like "$(cat "$T/err")" "$f:${b#*:}" \
		"fraudblock-sync reports $b"
	"$FB_CTL" -c "$f" status > "$T/out" 2> "$T/err"
	is "$?" 2 "fraudblock-ctl status with ${b%%:*} exits 2"
	like "$(cat "$T/err")" "$f:${b#*:}" \
		"fraudblock-ctl reports $b"
done
FRAUDBLOCK_CONF=$T/bad2.conf "$FB_CTL" status > "$T/out" 2> "$T/err"
like "$(cat "$T/err")" "$T/bad2.conf:2:" \
	"fraudblock-ctl reads FRAUDBLOCK_CONF when there is no -c"

# ---- bad configuration: unbound refuses to start ------------------------------------
with_conf "$T/bad1.conf" start_resolver 1 example-test.
st=$?
if [ $st -ne 0 ] && ! alive "$FB_PID"; then
	pass "unbound with the module and a bad fraudblock.conf does not start"
else
	not_ok "unbound with the module and a bad fraudblock.conf does not start"
	stop_resolver
fi
ok "unbound exits with a failure status (got ${FB_EXIT:-none})" \
	test "${FB_EXIT:-0}" -ne 0
like "$(cat "$T/resolver.log")" "$T/bad1.conf:3:" \
	"unbound's log has the fraudblock.conf error with file:line"
like "$(cat "$T/resolver.log")" 'module init for module dynlib failed' \
	"unbound's log shows the module's init failing"
done_testing
