#!/bin/sh
# t12-admin: maintenance of a store a running resolver uses.
# fraudblock-ctl compact keeps every answer blocked while it runs and
# after (the module reopens the swapped store by itself) and shrinks a
# store a feed shrank; restore of an earlier backup takes effect within
# 2 s: a name only in the backup becomes blocked (though its answer was
# cached), a name only in the newer list resolves; restore of garbage or
# of a truncated backup is refused with data.mdb byte for byte unchanged
# and the list in force still blocking; verify exits 0 on a good store.
# fraudblock-sync removes a feed dropped from the config (and status
# shows it as an orphan until then); a config with no feeds is refused
# without --prune and proceeds with it.  check-config says ok on a good
# file and file:line on a broken one, also when -c names the broken one.
. "$(dirname "$0")/lib.sh"
fb_init admin

zone example-test.
rr "www.example-test. 300 IN A 192.0.2.2"
rr "keep.example-test. 300 IN A 192.0.2.21"
rr "old.example-test. 300 IN A 192.0.2.22"
rr "new.example-test. 300 IN A 192.0.2.23"
rr "extra.example-test. 300 IN A 192.0.2.24"
rr "h5.bulk.example-test. 300 IN A 192.0.2.25"

DATA=$T/db/data.mdb

# ---- an old list, backed up; then a newer one -----------------------------
printf 'keep.example-test\nold.example-test\n' > "$T/main.txt"
awk 'BEGIN { for(i = 0; i < 20000; i++) printf "h%d.bulk.example-test\n", i }' \
	> "$T/bulk.txt"
{
	fbconf_main max-shrink 100
	feed_clause fb-bulk "$T/bulk.txt" max-shrink 100
} > "$FBCONF"
fb_sync
is "$?" 0 "sync of the old list (exit 0)"
fb_ctl backup "$T/old.bak"
is "$?" 0 "ctl backup exits 0"
ok "the backup is one non-empty file" test -s "$T/old.bak"
like "$(cat "$T/last.out")" "written to $T/old.bak \\([0-9]+ bytes\\)" \
	"ctl backup says where and how much"

printf 'keep.example-test\nnew.example-test\n' > "$T/main.txt"
echo "h0.bulk.example-test" > "$T/bulk.txt"
fb_sync
is "$?" 0 "sync of the newer list, 20000 names fewer (exit 0)"

start_servers 2 www.example-test.
ok "new is blocked" sinkholed $P new.example-test
ok "keep is blocked" sinkholed $P keep.example-test
ok "old resolves (and is cached now)" resolves $P old.example-test 192.0.2.22
ok "h5.bulk resolves (and is cached now)" \
	resolves $P h5.bulk.example-test 192.0.2.25

fb_ctl verify
is "$?" 0 "ctl verify exits 0 on a good store"
like "$(cat "$T/last.out")" ': clean$' "ctl verify says clean"

# ---- compact under load -------------------------------------------------
# queries run all through the compaction; every answer must be blocked
(
	i=0
	while [ $i -lt 40 ]; do
		echo "$(dig_short $P new.example-test A)"
		i=$((i + 1))
		sleep 0.05
	done > "$T/during.txt"
) &
LOOP=$!
fb_ctl compact
st=$?
wait $LOOP
is "$st" 0 "ctl compact exits 0 while the resolver runs"
BEFORE=$(sed -n 's/^data\.mdb before \([0-9]*\) bytes.*/\1/p' "$T/last.out")
AFTER=$(sed -n 's/^data\.mdb after *\([0-9]*\) bytes.*/\1/p' "$T/last.out")
diag "compact: data.mdb $BEFORE -> $AFTER bytes"
ok "compact prints sizes before and after" test -n "$BEFORE" -a -n "$AFTER"
ok "the compacted file is smaller than a quarter" \
	test "$((AFTER * 4))" -lt "${BEFORE:-0}"
is "$(stat -c %s "$DATA")" "$AFTER" "the size after is data.mdb's"
is "$(sort -u "$T/during.txt" | tr '\n' ' ')" "$SINK4 " \
	"every one of 40 queries during the compaction was blocked"
ok_within 2000 "module reopened the compacted store" \
	"the module reopens the swapped store by itself" \
	grep -q "opening the store anew" "$T/resolver.log"
ok "new is still blocked after the reopen" sinkholed $P new.example-test
ok "old still resolves after the reopen" \
	resolves $P old.example-test 192.0.2.22
fb_ctl verify
is "$?" 0 "ctl verify exits 0 on the compacted store"

# ---- restore refusals: nothing may change ---------------------------------
cp "$DATA" "$T/data.before"
head -c 65536 /dev/urandom > "$T/garbage"
fb_ctl restore "$T/garbage"
is "$?" 2 "ctl restore of a garbage file exits 2"
like "$(cat "$T/last.err")" "not an LMDB store.*not restored" \
	"... saying it is not an LMDB store"
ok "... data.mdb is byte for byte unchanged" cmp -s "$DATA" "$T/data.before"
head -c "$(($(stat -c %s "$T/old.bak") / 2))" "$T/old.bak" > "$T/half.bak"
fb_ctl restore "$T/half.bak"
is "$?" 2 "ctl restore of a truncated backup exits 2"
like "$(cat "$T/last.err")" "truncated" "... saying it is truncated"
ok "... data.mdb is byte for byte unchanged" cmp -s "$DATA" "$T/data.before"
is "$(ls -d "$T"/db.* 2>/dev/null)" "" "no sibling directory left behind"
sleep 0.3
ok "the list in force still blocks new" sinkholed $P new.example-test
fb_ctl lookup new.example-test
is "$?" 0 "... and ctl still reads the store"

# ---- restore of the earlier backup --------------------------------------
fb_ctl restore "$T/old.bak"
is "$?" 0 "ctl restore of the old backup exits 0"
like "$(cat "$T/last.out")" "restored into $T/db, generation [0-9]+" \
	"ctl restore says what it did"
ok_within 2000 "old blocked after the restore" \
	"a name only in the backup (cached before) is blocked within 2 s" \
	sinkholed $P old.example-test
ok_within 2000 "new resolves after the restore" \
	"a name only in the newer list resolves within 2 s" \
	resolves $P new.example-test 192.0.2.23
ok "keep, in both, stays blocked" sinkholed $P keep.example-test
ok "h5.bulk, only in the backup, is blocked" \
	sinkholed $P h5.bulk.example-test
fb_ctl verify
is "$?" 0 "ctl verify exits 0 on the restored store"

# ---- sync removes feeds dropped from the config ----------------------------
# back to the newer list, plus a feed that is dropped later
printf 'keep.example-test\nnew.example-test\n' > "$T/main.txt"
echo "extra.example-test" > "$T/extra.txt"
{
	fbconf_main max-shrink 100
	feed_clause fb-bulk "$T/bulk.txt" max-shrink 100
	feed_clause fb-extra "$T/extra.txt"
} > "$FBCONF"
fb_sync
is "$?" 0 "sync with fb-extra (exit 0)"
ok_within 2000 "extra blocked" "extra is blocked after the sync" \
	sinkholed $P extra.example-test
{
	fbconf_main max-shrink 100
	feed_clause fb-bulk "$T/bulk.txt" max-shrink 100
} > "$FBCONF"
fb_ctl status
like "$(grep '^fb-extra ' "$T/last.out")" 'orphan' \
	"ctl status shows fb-extra, dropped from the config, as an orphan"
ok "the orphan still blocks before the sync" sinkholed $P extra.example-test
fb_sync
is "$?" 0 "sync after fb-extra was dropped exits 0 (changed)"
like "$(cat "$T/last.out")" \
	'^feed fb-extra: removed, no longer configured, 1 names$' \
	"sync says it removed fb-extra"
ok_within 2000 "extra resolves" \
	"a feed dropped from the config stops blocking" \
	resolves $P extra.example-test 192.0.2.24
ok "the configured feeds still block" sinkholed $P keep.example-test
fb_ctl status
unlike "$(cat "$T/last.out")" 'fb-extra' "status no longer lists fb-extra"

fbconf_globals > "$T/nofeeds.conf"
with_conf "$T/nofeeds.conf" fb_sync
is "$?" 1 "sync with a config without feeds refuses (exit 1)"
like "$(cat "$T/last.err")" 'no feed entry would be left.*--prune' \
	"... saying why and naming --prune"
sleep 0.3
ok "... and the list in force still blocks" sinkholed $P keep.example-test
with_conf "$T/nofeeds.conf" fb_sync --prune
is "$?" 0 "sync --prune with a config without feeds proceeds (exit 0)"
like "$(cat "$T/last.out")" '^feed fb-main: removed, no longer configured' \
	"... removing fb-main"
ok_within 2000 "keep resolves" "after sync --prune nothing is blocked" \
	resolves $P keep.example-test 192.0.2.21

# ---- check-config ------------------------------------------------------------
fb_ctl check-config
is "$?" 0 "check-config of the good config exits 0"
is "$(cat "$T/last.out")" "$FBCONF: ok" "... and says FILE: ok"
{
	fbconf_main
	echo "sinkhole-ttl: forever"
} > "$T/broken.conf"
LINE=$(grep -n '^sinkhole-ttl: forever' "$T/broken.conf" | cut -d: -f1)
fb_ctl check-config "$T/broken.conf"
is "$?" 1 "check-config of a broken file exits 1"
like "$(cat "$T/last.err")" "^$T/broken.conf:$LINE: " \
	"... and names file:line"
with_conf "$T/broken.conf" fb_ctl check-config
is "$?" 1 "check-config of a broken -c file exits 1 (not 2: it is the check)"

finish_resolver
done_testing
