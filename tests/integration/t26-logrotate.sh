#!/bin/sh
# t26-logrotate: no record lost across rotations, and retention pruning.
# A bounded loop of blocked queries runs while the log file is renamed and
# `fraudblock-ctl log-reopen`ed four times: the records across the old
# and new files are exactly the blocked queries sent, each once.  A
# rename without log-reopen is noticed within a second or two, losing
# nothing either.  A reload (SIGHUP) under load: every query answered
# before, during and after it has its record (the old writer drains the
# rings before the threads' contexts go).  `fraudblock-ctl log-prune`
# deletes exactly the rotated files older than log-retention-days.
. "$(dirname "$0")/lib.sh"
fb_init logrotate
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
QL="python3 $FB_SRCDIR/tests/integration/qlog.py"
mkdir "$T/logs"
LOG=$T/logs/query.log
N=3000

echo scam.example-test > "$T/main.txt"
{
	fbconf_main
	printf 'log-file: "%s"\nlog-retention-days: 10\n' "$LOG"
} > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync (exit 0)"
zone example-test.
rr "www.example-test. 300 IN A 192.0.2.1"
start_servers 1 example-test.

# ---- four rotations under load --------------------------------------------
spawn sender python3 "$FB_SRCDIR/tests/integration/qlog.py" send "$P" "$N" \
	'r%d.scam.example-test' --rate 1500
SENDER=$SPAWN_PID
reopened=0
for i in 1 2 3 4; do
	sleep 0.35
	mv "$LOG" "$LOG.$i"
	fb_ctl log-reopen && reopened=$((reopened + 1))
done
is "$reopened" 4 "fraudblock-ctl log-reopen exits 0 four times"
like "$(cat "$T/last.out")" "^query log .*/query.log reopened$" \
	"log-reopen says the log was reopened"
wait "$SENDER"
fb_forget "$SENDER"
like "$(cat "$T/sender.out")" "^answered $N timeouts 0 " \
	"all $N blocked queries answered, none timed out"
# lines FILE...: the records in the live and rotated files
all_lines() {
	cat "$LOG" "$LOG".[0-9]* 2>/dev/null | wc -l | tr -d ' '
}
enough() {
	[ "$(all_lines)" -ge "$1" ]
}
poll_until 5000 enough "$N"
is "$(all_lines)" "$N" "records across the live and 4 rotated files == $N blocked queries"
is "$(cat "$LOG" "$LOG".[0-9]* | grep -o '"qname":"r[0-9]*\.' | sort -u |
	wc -l | tr -d ' ')" "$N" "each query logged exactly once"
is "$($QL check "$LOG" "$LOG".1 "$LOG".2 "$LOG".3 "$LOG".4)" "$N" \
	"every record is valid JSON"
nonempty=0
for i in 1 2 3 4; do
	[ -s "$LOG.$i" ] && nonempty=$((nonempty + 1))
done
is "$nonempty" 4 "each rotated file got records: the rotations were under load"

# ---- a rename without log-reopen -----------------------------------------
mv "$LOG" "$LOG.5"
like "$($QL send "$P" 50 'late%d.scam.example-test')" \
	"^answered 50 timeouts 0 " "50 more blocked queries answered"
ok_within 2500 "new file after a plain rename" \
	"a plain rename is noticed: the log file is made anew" test -e "$LOG"
poll_until 3000 enough $((N + 50))
is "$(all_lines)" $((N + 50)) \
	"records after the plain rename: none lost ($((N + 50)) in all)"

# ---- a reload under load --------------------------------------------------
spawn sender2 python3 "$FB_SRCDIR/tests/integration/qlog.py" send "$P" 1000 \
	'h%d.scam.example-test' --rate 1000
SENDER=$SPAWN_PID
sleep 0.4
reload_resolver 2
wait "$SENDER"
fb_forget "$SENDER"
answered=$(sed -n 's/^answered \([0-9]*\) .*/\1/p' "$T/sender2.out")
diag "reload under load: $(cat "$T/sender2.out")"
ok "most queries answered across the reload" test "${answered:-0}" -ge 900
h_lines() {
	cat "$LOG" "$LOG".[0-9]* | grep -c '"qname":"h[0-9]*\.'
}
h_enough() {
	[ "$(h_lines)" -ge "$answered" ]
}
poll_until 3000 h_enough
is "$(h_lines)" "$answered" \
	"reload under load: one record per blocked query answered, none lost or doubled"
total=$((N + 50 + answered))
is "$(all_lines)" "$total" "all records still there ($total)"

# ---- retention ----------------------------------------------------------
cd "$T/logs" || bail "no log directory"
for f in query.log.6.gz query.log-20200101 other.log.1 query.logx.1; do
	echo '{}' > "$f"
	touch -d '40 days ago' "$f"
done
echo '{}' > query.log.7
touch -d '5 days ago' query.log.7
ln -s query.log.6.gz query.log.8
touch -h -d '40 days ago' query.log.8
cd "$T" || bail "no test directory"
fb_ctl log-prune
is "$?" 0 "fraudblock-ctl log-prune exits 0"
like "$(tail -n 1 "$T/last.out")" \
	"^2 rotated log files older than 10 days removed$" \
	"log-prune removed two files"
left=$(cd "$T/logs" && ls | sort | tr '\n' ' ')
is "$left" "other.log.1 query.log query.log.1 query.log.2 query.log.3 query.log.4 query.log.5 query.log.7 query.log.8 query.logx.1 " \
	"kept: the live file, young rotated files, other names, a symlink"
is "$(all_lines)" $((total + 1)) \
	"no record of the live or young files was touched (+1 line of .7)"

finish_resolver
done_testing
