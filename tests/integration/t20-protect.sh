#!/bin/sh
# t20-protect: no feed blocks a public suffix or a critical name, and an
# untrusted feed no popular name.  A feed listing vercel.app (a suffix of
# the PSL's PRIVATE section), a popular name and a name below a critical
# zone has exactly those dropped and reported with their line, the rest
# blocked; the dropped names still resolve through the resolver with the
# module, while scam.vercel.app, one customer, is blocked.  A trusted
# feed may block the popular name, never the critical one.  A feed made
# mostly of suffixes is refused whole (max-protected), the store's
# entries byte for byte as before; so is every feed when a configured
# list cannot be read.  Bad values of the new keys give file:line.
. "$(dirname "$0")/lib.sh"
fb_init protect
command -v mdb_dump >/dev/null 2>&1 ||
	skip_all "mdb_dump not found (apt-get install lmdb-utils)"

zone example-test.
zone vercel.app.
rr "www.example-test. 300 IN A 192.0.2.2"
rr "bad.example-test. 300 IN A 192.0.2.3"
rr "popular.example-test. 300 IN A 192.0.2.4"
rr "bank.example-test. 300 IN A 192.0.2.5"
rr "login.bank.example-test. 300 IN A 192.0.2.6"
rr "new.example-test. 300 IN A 192.0.2.7"
rr "vercel.app. 300 IN A 192.0.2.8"
rr "app1.vercel.app. 300 IN A 192.0.2.9"
rr "scam.vercel.app. 300 IN A 192.0.2.10"

printf '# critical zones\nbank.example-test\n' > "$T/critical.txt"
printf '1,popular.example-test\r\n2,www.google.com\r\n' > "$T/popular.csv"
{
	echo bad.example-test
	echo vercel.app
	echo scam.vercel.app
	echo popular.example-test
	echo login.bank.example-test
	awk 'BEGIN { for(i = 1; i <= 18; i++) printf "h%d.filler.example-test\n", i }'
} > "$T/main.txt"
printf 'popular.example-test\nbank.example-test\n' > "$T/trusted.txt"

# conf [MAIN-KEY VALUE]...: the globals with both lists, feed fb-main
# with the keys given, and the trusted feed
conf() {
	fbconf_globals
	echo "protected-names: \"$T/critical.txt\""
	echo "popular-names: \"$T/popular.csv\""
	feed_clause fb-main "$T/main.txt" "$@"
	feed_clause fb-trusted "$T/trusted.txt" trusted yes max-protected 50
}
conf > "$FBCONF"

# ---- what is dropped, counted and shown ------------------------------------
fb_sync
is "$?" 0 "sync with protected names dropped (exit 0)"
like "$(grep '^feed fb-main:' "$T/last.out")" \
	"^feed fb-main: 20 names \\(\\+20 -0 ~0\\), 0 invalid, 3 protected names dropped: 1 public suffix, 1 critical, 1 popular, generation [0-9]+, [0-9]+ ms$" \
	"fb-main's summary counts each reason"
like "$(grep '^feed fb-trusted:' "$T/last.out")" \
	"^feed fb-trusted: 1 names \\(\\+1 -0 ~0\\), 0 invalid, 1 protected name dropped: 1 critical, generation [0-9]+, [0-9]+ ms$" \
	"the trusted feed keeps the popular name, not the critical one"
is "$(grep -c 'protected name' "$T/last.err")" 4 "4 drops shown on stderr"
ok "... the suffix with its line" \
	grep -qF "$T/main.txt:2: protected name (public suffix), not listed: 'vercel.app'" "$T/last.err"
ok "... the popular name" \
	grep -qF "$T/main.txt:4: protected name (popular), not listed: 'popular.example-test'" "$T/last.err"
ok "... the name below the critical one" \
	grep -qF "$T/main.txt:5: protected name (critical), not listed: 'login.bank.example-test'" "$T/last.err"
ok "... the critical name of the trusted feed" \
	grep -qF "$T/trusted.txt:2: protected name (critical), not listed: 'bank.example-test'" "$T/last.err"

start_servers 2 www.example-test.
ok "bad.example-test is blocked" sinkholed $P bad.example-test
ok "scam.vercel.app, one customer of the platform, is blocked" \
	sinkholed $P scam.vercel.app
ok "vercel.app resolves" resolves $P vercel.app 192.0.2.8
ok "app1.vercel.app, another customer, resolves" \
	resolves $P app1.vercel.app 192.0.2.9
ok "the critical bank.example-test resolves" \
	resolves $P bank.example-test 192.0.2.5
ok "login.bank.example-test below it resolves" \
	resolves $P login.bank.example-test 192.0.2.6
ok "popular.example-test, listed by the trusted feed, is blocked" \
	sinkholed $P popular.example-test

# ---- a feed mostly of public suffixes: refused, nothing changes -----------
dump_store() {
	for db in names bysource meta; do
		mdb_dump -s "$db" "$T/db" || return 1
	done
}
dump_store > "$T/before.dump"
ok "the store dumps" test -s "$T/before.dump"
printf 'com.vn\nvercel.app\ngithub.io\n*.blogspot.com\nnew.example-test\n' \
	> "$T/main.txt"
fb_sync -f fb-main
is "$?" 1 "a feed of 4 suffixes in 5 names is refused (exit 1)"
like "$(cat "$T/last.err")" \
	"feed fb-main: 4 of 5 entries are public suffixes or critical names \\(over max-protected 10%\\), refused" \
	"... saying why"
dump_store > "$T/after.dump"
ok "... the store's entries are byte for byte unchanged" \
	cmp -s "$T/before.dump" "$T/after.dump"
ok "... bad.example-test is still blocked" sinkholed $P bad.example-test
ok "... new.example-test resolves" resolves $P new.example-test 192.0.2.7
fb_ctl status
like "$(grep fb-main "$T/last.out")" "over max-protected" \
	"ctl status shows the refusal"

# with max-protected 100 the same feed is taken, its suffixes dropped
conf max-protected 100 max-shrink 100 > "$FBCONF"
fb_sync -f fb-main
is "$?" 0 "... taken with max-protected 100 (exit 0)"
like "$(cat "$T/last.out")" "^feed fb-main: 1 names \\(\\+1 -20 ~0\\), 0 invalid, 4 protected names dropped: 4 public suffix, generation" \
	"... 4 suffixes dropped, new.example-test listed"
ok_within 2000 "new.example-test blocked" "new.example-test is blocked" \
	sinkholed $P new.example-test

# ---- a list that cannot be read: no feed synced ----------------------------
dump_store > "$T/before.dump"
rm "$T/popular.csv"
echo other.example-test > "$T/main.txt"
fb_sync
is "$?" 1 "a missing popular-names file fails the run (exit 1)"
like "$(cat "$T/last.err")" "popular.csv.*no feed synced" "... saying which"
dump_store > "$T/after.dump"
ok "... nothing written" cmp -s "$T/before.dump" "$T/after.dump"
finish_resolver

# ---- config errors -----------------------------------------------------------
conf max-protected 101 > "$FBCONF"
fb_sync
is "$?" 1 "max-protected 101 is refused (exit 1)"
like "$(cat "$T/last.err")" "fraudblock.conf:[0-9]+: bad value for max-protected" \
	"... with file:line"
conf | sed "s|^popular-names: .*|popular-names: relative.csv|" > "$FBCONF"
fb_sync
like "$(cat "$T/last.err")" "fraudblock.conf:[0-9]+: bad value for popular-names: 'relative.csv' \\(an absolute path\\)" \
	"a relative popular-names path: file:line"
conf | sed "s|trusted: yes|trusted: maybe|" > "$FBCONF"
fb_sync
like "$(cat "$T/last.err")" "fraudblock.conf:[0-9]+: bad value for trusted" \
	"trusted: maybe: file:line"
done_testing
