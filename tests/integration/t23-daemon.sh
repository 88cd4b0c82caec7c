#!/bin/sh
# t23-daemon: fraudblock-sync --daemon beside a running Unbound with the
# module.  An admin's pushed update (the feed file replaced, then
# `fraudblock-ctl sync-now FEED`) is blocked within seconds while a load
# of queries is answered in full; SIGHUP with a broken config keeps the
# daemon and its config (the log names file:line), a fixed one is taken;
# a feed with refresh: 2 is read again by itself; a restart does not
# sync a feed attempted moments ago; SIGTERM exits 0 and removes the pid
# file; a stale pid file is never signalled; `feeds --json` parses and
# has the exact counts, escaped strings and orphans.
. "$(dirname "$0")/lib.sh"
fb_init daemon

PIDF=$T/run/sync.pid
mkdir -p "$T/run"
TAB=$(printf '\t')
printf 'old.example-test\n' > "$T/main.txt"
printf 'r1.example-test\n' > "$T/fast.txt"
printf 'extra.example-test\n' > "$T/extra.txt"

# daemon_conf [EXTRA]: the globals, the pid file, fb-main (1 h), fast
# (every 2 s), and with EXTRA the feed extra.
daemon_conf() {
	fbconf_globals
	printf 'sync-pid-file: "%s"\n' "$PIDF"
	feed_clause fb-main "$T/main.txt" refresh 1h
	feed_clause fast "$T/fast.txt" refresh 2
	if [ -n "${1:-}" ]; then
		feed_clause extra "$T/extra.txt" refresh 15m
	fi
}
daemon_conf > "$FBCONF"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "old.example-test. 300 IN A 192.0.2.61"
rr "new.example-test. 300 IN A 192.0.2.62"
rr "r2.example-test. 300 IN A 192.0.2.72"
rr "extra.example-test. 300 IN A 192.0.2.73"
start_servers 2 example-test.

# start_daemon: sets DPID; the log is $T/daemon.err
start_daemon() {
	spawn daemon "$FB_SYNC" --daemon -c "$FBCONF"
	DPID=$SPAWN_PID
	poll_until $((5000 * FB_SLOW)) test -s "$PIDF"
}
# logged N PATTERN: the daemon's log has at least N lines matching
logged() {
	[ "$(grep -Ec -- "$2" "$T/daemon.err")" -ge "$1" ]
}

start_daemon
ok "the daemon writes its pid file" test "$POLL_MS" -ge 0
is "$(cat "$PIDF")" "$DPID" "the pid file holds the daemon's pid"
ok_within $((3000 * FB_SLOW)) "old blocked" \
	"the daemon syncs its feeds at start" sinkholed $P old.example-test
ok "new.example-test resolves before the push" \
	resolves $P new.example-test 192.0.2.62
like "$(grep 'feed fb-main:' "$T/daemon.err")" \
	'^[0-9-]{10}T[0-9:.]{12}Z feed fb-main: 1 names \(\+1 -0 ~0\).*, [0-9]+ ms$' \
	"one timestamped log line for the feed, with the time it took"

# ---- (a) a pushed update, in force within seconds, under load --------------
spawn load sh -c "dig -4 -p $P @127.0.0.1 +tries=1 +time=2 \
	$(i=0; while [ $i -lt 400 ]; do printf 'm%d.example-test ' $i; \
	i=$((i + 1)); done) > '$T/load.txt' 2>&1"
LOAD_PID=$SPAWN_PID
T0=$(now_ms)
printf 'old.example-test\nnew.example-test\n' > "$T/main.new"
mv "$T/main.new" "$T/main.txt"
fb_ctl sync-now fb-main
is "$?" 0 "sync-now fb-main exits 0"
SYNC_MS=$(($(now_ms) - T0))
like "$(cat "$T/last.out")" \
	'^feed fb-main: ok, 2 entries, last change [0-9-]{10}T[0-9:]{8}Z$' \
	"sync-now prints the feed's outcome from the store"
poll_until $((5000 * FB_SLOW)) sinkholed $P new.example-test
BLOCK_MS=$(($(now_ms) - T0))
diag "sync-now returned after $SYNC_MS ms; the resolver blocked the new" \
	"name $BLOCK_MS ms after the feed file was replaced"
ok "the pushed name is blocked by the running resolver within 5 s" \
	test "$POLL_MS" -ge 0 -a "$BLOCK_MS" -lt $((5000 * FB_SLOW))
poll_until 20000 sh -c "! kill -0 $LOAD_PID 2>/dev/null"
ok "the load of 400 queries ended" test "$POLL_MS" -ge 0
is "$(grep -c 'status: NXDOMAIN' "$T/load.txt")" 400 \
	"every query of the load was answered"
ok "old.example-test is still blocked" sinkholed $P old.example-test

# sync-now of every feed, and of one that fails
fb_ctl sync-now
is "$?" 0 "sync-now (all feeds) exits 0"
is "$(grep -c '^feed .*: ok, ' "$T/last.out")" 2 \
	"sync-now prints both feeds' outcomes"
fb_ctl sync-now no-such-feed
is "$?" 2 "sync-now of a feed not in the config exits 2"

# ---- (b) SIGHUP: a broken config is kept out, a fixed one taken in ---------
cp "$FBCONF" "$T/good.conf"
printf 'bogus-key: 1\n' >> "$FBCONF"
kill -HUP "$DPID"
ok_within $((3000 * FB_SLOW)) "broken config logged" \
	"SIGHUP with a broken config logs file:line and keeps the old one" \
	logged 1 'SIGHUP: .*fraudblock\.conf:[0-9]+: unknown key .*keeping'
ok "the daemon still runs after the broken config" alive "$DPID"
# the config in force still answers sync-now (the ctl reads the good one)
with_conf "$T/good.conf" fb_ctl sync-now fb-main
is "$?" 0 "sync-now still works after the broken config"
daemon_conf extra > "$FBCONF"
kill -HUP "$DPID"
ok_within $((3000 * FB_SLOW)) "reloaded" "a fixed config is reloaded" \
	logged 1 'SIGHUP: reloaded .*, 3 feeds$'
ok_within $((3000 * FB_SLOW)) "extra blocked" \
	"a feed added by SIGHUP is synced at once" \
	sinkholed $P extra.example-test

# ---- (c) refresh: 2 re-reads the feed by itself ----------------------------
NFAST=$(grep -c 'feed fast:' "$T/daemon.err")
printf 'r1.example-test\nr2.example-test\n' > "$T/fast.new"
mv "$T/fast.new" "$T/fast.txt"
ok_within $((4000 * FB_SLOW)) "r2 blocked" \
	"a feed with refresh: 2 is read again by itself within 4 s" \
	sinkholed $P r2.example-test
ok_within $((5000 * FB_SLOW)) "another attempt" \
	"... and again after that (every 2 s, give or take 10%)" \
	logged $((NFAST + 2)) 'feed fast:'

# a sync-now of a feed whose file is gone: exit 1, the error shown
mv "$T/extra.txt" "$T/extra.gone"
fb_ctl sync-now extra
is "$?" 1 "sync-now of a feed that fails exits 1"
like "$(cat "$T/last.out")" '^feed extra: failed \(status [0-9]+\): .*extra\.txt' \
	"and prints why"
ok "the failed feed's entry stays in force" sinkholed $P extra.example-test
mv "$T/extra.gone" "$T/extra.txt"

# ---- (d) SIGTERM, restart, stale pid file ----------------------------------
kill -TERM "$DPID"
poll_until $((5000 * FB_SLOW)) sh -c "! kill -0 $DPID 2>/dev/null"
wait "$DPID"
is "$?" 0 "SIGTERM: the daemon exits 0"
fb_forget "$DPID"
ok "SIGTERM: the pid file is removed" test ! -e "$PIDF"
fb_ctl sync-now fb-main
is "$?" 2 "sync-now without a daemon exits 2"
like "$(cat "$T/last.err")" 'no fraudblock-sync --daemon running' \
	"and says so"

# a stale pid file naming a live process: never signalled
spawn victim sleep 30
VICTIM=$SPAWN_PID
echo "$VICTIM" > "$PIDF"
fb_ctl sync-now fb-main
is "$?" 2 "sync-now with a stale pid file exits 2"
like "$(cat "$T/last.err")" 'stale, no daemon holds it' "and says it is stale"
ok "the process named by the stale pid file was not signalled" \
	alive "$VICTIM"
rm -f "$PIDF"

# a restart syncs fast (due) but not fb-main, attempted moments ago
mv "$T/daemon.err" "$T/daemon1.err"
start_daemon
ok "the daemon starts again" test "$POLL_MS" -ge 0
ok_within $((4000 * FB_SLOW)) "fast synced" "after a restart fast is synced" \
	logged 1 'feed fast:'
is "$(grep -c 'feed fb-main:' "$T/daemon.err")" 0 \
	"... but not fb-main: its last attempt was moments ago (refresh 1h)"
kill -TERM "$DPID"
poll_until $((5000 * FB_SLOW)) sh -c "! kill -0 $DPID 2>/dev/null"
wait "$DPID"
is "$?" 0 "the second daemon exits 0 too"
fb_forget "$DPID"

# ---- (e) feeds --json -----------------------------------------------------
# a feed that failed with a tab in its error, and extra as an orphan
{
	daemon_conf
	feed_clause "bad" "$T/no${TAB}such.txt"
} > "$FBCONF"
fb_sync -f bad
is "$?" 1 "a feed with a missing file fails"
fb_ctl feeds --json
is "$?" 0 "feeds --json exits 0"
cp "$T/last.out" "$T/feeds.json"
ok "feeds --json is valid JSON" \
	sh -c 'python3 -m json.tool "$1" > /dev/null' _ "$T/feeds.json"
is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s=%s/%s/%s" % (f["name"], f["entries"],
	"c" if f["configured"] else "o", f["last_status"])
	for f in d["feeds"]))
' "$T/feeds.json")" "fb-main=2/c/0 fast=2/c/0 extra=1/o/4 bad=0/c/4" \
	"exact entries, configured or orphan, and status (4: source) of each"
is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
b = [f for f in d["feeds"] if f["name"] == "bad"][0]
print("\t" in b["source"], "\t" in b["last_error"], b["refresh"],
	[f["next_due"] - f["last_attempt"] for f in d["feeds"]
	if f["name"] == "fast"][0])
' "$T/feeds.json")" "True True 3600 2" \
	"strings with a tab round-trip, refresh and next_due are there"
fb_ctl feeds
like "$(grep -A1 '^feed extra$' "$T/last.out")" \
	'configured +no: an orphan' "feeds (text) shows the orphan"
finish_resolver
done_testing
