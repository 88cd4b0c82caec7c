#!/bin/sh
# t11-damage: a damaged or replaced data.mdb never takes the resolver down.
# At start: an empty store directory, a zero-length data.mdb and a data.mdb
# truncated to 8 KB each leave Unbound answering (fail-open) with a log
# line that says what is wrong.  While running: data.mdb copied over in
# place (cp, the same inode) under a load of cache misses, truncated to
# half (and the tools refuse it with a message), lock.mdb truncated, and
# hit by 32 random
# bytes (20 trials) — the resolver keeps
# answering every time, and once the file is whole the list in it is in
# force again.
. "$(dirname "$0")/lib.sh"
fb_init damage

printf 'old.example-test\nboth.example-test\n' > "$T/main.txt"
fbconf_main max-shrink 100 > "$FBCONF"
# a second store with another list, to copy over the live one
printf 'new.example-test\nboth.example-test\n' > "$T/other.txt"
sed -e "s|^database: .*|database: \"$T/other\"|" \
	-e "s|$T/main.txt|$T/other.txt|" "$FBCONF" > "$T/other.conf"
with_conf "$T/other.conf" fb_sync
is "$?" 0 "a second store with another list"
fb_sync
is "$?" 0 "the live store"
cp "$T/db/data.mdb" "$T/good.mdb"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "old.example-test. 300 IN A 192.0.2.61"
rr "new.example-test. 300 IN A 192.0.2.62"
rr "both.example-test. 300 IN A 192.0.2.63"
rr "benign.example-test. 300 IN A 192.0.2.64"
start_upstream example-test. || bail "upstream did not start"

# ---- bad stores at start ---------------------------------------------------
# start_resolver PREPARE WHAT PATTERN: break the store with PREPARE, start
# the resolver, expect it to answer, pass listed names and log PATTERN.
start_broken() {
	local what=$2 pattern=$3
	rm -rf "$T/db"
	mkdir -p "$T/db"
	cp "$T/good.mdb" "$T/db/data.mdb"
	eval "$1"
	start_resolver 1 example-test.
	is "$?" 0 "$what: unbound with the module starts"
	P=$RES_PORT
	ok "$what: a listed name passes (fail-open)" \
		resolves $P old.example-test 192.0.2.61
	like "$(cat "$T/resolver.log")" "$pattern" "$what: the log says why"
	finish_resolver
}
start_broken 'rm -f "$T/db/data.mdb"' "empty directory" \
	"data.mdb is missing"
start_broken ': > "$T/db/data.mdb"' "zero-length data.mdb" \
	"is empty \\(0 bytes\\)"
start_broken 'truncate -s 8192 "$T/db/data.mdb"' "data.mdb cut to 8 KB" \
	"is truncated: 8192 bytes"

# ---- damage while running --------------------------------------------------
rm -rf "$T/db"
mkdir -p "$T/db"
cp "$T/good.mdb" "$T/db/data.mdb"
start_resolver 2 example-test. || bail "resolver did not start"
P=$RES_PORT
diag "upstream port $UP_PORT, resolver port $P (2 threads)"
ok "old.example-test is blocked" sinkholed $P old.example-test
ok "new.example-test resolves" resolves $P new.example-test 192.0.2.62

# cp over the live file under a load of cache misses (nonexistent names:
# every one goes through the module and to the upstream)
spawn load sh -c "dig -4 -p $P @127.0.0.1 +tries=1 +time=2 \
	$(i=0; while [ $i -lt 400 ]; do printf 'm%d.example-test ' $i; \
	i=$((i + 1)); done) > '$T/load.txt' 2>&1"
LOAD_PID=$SPAWN_PID
cp "$T/other/data.mdb" "$T/db/data.mdb"
poll_until 10000 sh -c "! kill -0 $LOAD_PID 2>/dev/null"
ok "the load of 400 queries during the copy ended" test "$POLL_MS" -ge 0
ok "the resolver survived cp over data.mdb under load" alive "$RES_PID"
is "$(grep -c 'status: NXDOMAIN' "$T/load.txt")" 400 \
	"every query of the load was answered"
ok_within 3000 "copied list in force" \
	"the copied list is in force within 3 s (new.example-test blocked)" \
	sinkholed $P new.example-test
ok "a name only in the old list resolves" \
	resolves $P old.example-test 192.0.2.61

# truncated to half while running
size=$(stat -c %s "$T/db/data.mdb")
cp "$T/db/data.mdb" "$T/copied.mdb"
truncate -s $((size / 2)) "$T/db/data.mdb"
ok_within 2000 "half file noticed" \
	"a half-truncated file is noticed and passed over (fail-open)" \
	resolves $P both.example-test 192.0.2.63
ok "the resolver survived a half-truncated data.mdb" alive "$RES_PID"
like "$(cat "$T/resolver.log")" "truncated|faulted" \
	"the log says the file was truncated"
fb_ctl lookup both.example-test
is "$?" 2 "fraudblock-ctl on the truncated store: exit 2, no crash"
like "$(cat "$T/last.err")" "is truncated: [0-9]+ bytes" "and says it is truncated"
fb_sync
is "$?" 1 "fraudblock-sync on the truncated store: exit 1, no crash"
cp "$T/copied.mdb" "$T/db/data.mdb"
ok_within 3000 "whole again" \
	"once whole again the list is in force within 3 s" \
	sinkholed $P both.example-test

# lock.mdb (the reader table) truncated while running: a new environment
: > "$T/db/lock.mdb"
lock_back() {
	[ "$(stat -c %s "$T/db/lock.mdb")" -gt 0 ] &&
		sinkholed $P both.example-test
}
ok_within 3000 "lock.mdb made anew" \
	"a truncated lock.mdb is made anew and the list stays in force" \
	lock_back
ok "the resolver survived a truncated lock.mdb" alive "$RES_PID"

# 32 random bytes at a random place, 20 times; the good file back between
alive_after=0
answered=0
t=0
while [ $t -lt 20 ]; do
	cp "$T/copied.mdb" "$T/db/data.mdb"
	size=$(stat -c %s "$T/db/data.mdb")
	off=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	off=$((off % (size - 32)))
	dd if=/dev/urandom of="$T/db/data.mdb" bs=1 seek=$off count=32 \
		conv=notrunc 2>/dev/null
	dig_bulk $P 5 'both.example-test A new.example-test A r%d.example-test A' \
		> "$T/rand.txt"
	answered=$((answered + $(grep -c . "$T/rand.txt")))
	alive "$RES_PID" && alive_after=$((alive_after + 1))
	t=$((t + 1))
done
is "$alive_after" 20 "alive after each of 20 writes of 32 random bytes"
diag "answer lines in the 20 random-byte trials: $answered"
ok "queries answered during the random-byte trials" test "$answered" -gt 0
cp "$T/copied.mdb" "$T/db/data.mdb"
ok_within 3000 "good file back" \
	"with the good file back the list is in force within 3 s" \
	sinkholed $P new.example-test
ok "benign.example-test resolves" \
	resolves $P benign.example-test 192.0.2.64
finish_resolver
done_testing
