#!/bin/sh
# t27-log-stall: a stalled query log never slows the resolver.
# The log file is a FIFO whose reader never reads: the pipe fills, the
# writer thread cannot write, the per-thread rings fill and records are
# dropped.  Blocked queries keep their latency (p99 against the same loop
# with the log off), none time out, Unbound's log says records were
# dropped, and at the end every record is accounted for: written to the
# pipe (counted by reading it) + dropped == blocked queries sent.
. "$(dirname "$0")/lib.sh"
fb_init logstall
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
command -v mkfifo >/dev/null 2>&1 || skip_all "mkfifo is not installed"
QL="python3 $FB_SRCDIR/tests/integration/qlog.py"
N=6000

echo scam.example-test > "$T/main.txt"
fbconf_main > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync (exit 0)"
zone example-test.
rr "www.example-test. 300 IN A 192.0.2.1"
start_servers 1 example-test. "log off"

p99() {
	sed -n 's/.* p99 \([0-9]*\) .*/\1/p'
}
base=$($QL send "$P" 2000 'b%d.scam.example-test')
like "$base" "^answered 2000 timeouts 0 " "log off: 2000 blocked queries answered"
stop_resolver

mkfifo "$T/fifo"
spawn holder python3 "$FB_SRCDIR/tests/integration/qlog.py" hold \
	"$T/fifo" "$T/stop" "$T/held"
HOLDER=$SPAWN_PID
sleep 0.3
{
	fbconf_main
	printf 'log-file: "%s"\nlog-buffer: 64\n' "$T/fifo"
	printf 'metrics-file: "%s"\nmetrics-interval: 1\n' "$T/fb.prom"
} > "$FBCONF"
start_resolver 1 example-test. || bail "resolver did not start"
P=$RES_PORT
stalled=$($QL send "$P" "$N" 's%d.scam.example-test')
like "$stalled" "^answered $N timeouts 0 " \
	"stalled log: all $N blocked queries answered, none timed out"
b=$(printf '%s\n' "$base" | p99)
s=$(printf '%s\n' "$stalled" | p99)
diag "p99 latency: log off $b us, stalled log $s us"
ok "p99 with a stalled log within 3 x log off + 5 ms" \
	test "$s" -le $((3 * b + 5000))
dropped_line() {
	grep -q 'fraudblock: query log dropped [1-9][0-9]* records' \
		"$T/resolver.log"
}
ok_within 7000 "drop report" "Unbound's log reports dropped records" \
	dropped_line
# the metrics file carries the log writer's own counts
metric() {
	sed -n "s/^$1 \([0-9]*\)$/\1/p" "$T/fb.prom" 2>/dev/null
}
metrics_show_drops() {
	[ "$(metric fraudblock_log_records_dropped_total)" -gt 0 ] 2>/dev/null
}
ok_within 3000 "drops in the metrics file" \
	"the metrics file counts the dropped records" metrics_show_drops
mw=$(metric fraudblock_log_records_written_total)
md=$(metric fraudblock_log_records_dropped_total)
ok "... and written + dropped there is at most the queries sent" \
	test "$((mw + md))" -le "$N"
finish_resolver
touch "$T/stop"
wait "$HOLDER"
fb_forget "$HOLDER"
summary=$(grep 'fraudblock: query log stopped' "$T/resolver.log")
W=$(printf '%s\n' "$summary" | sed -n 's/.*stopped: \([0-9]*\) records written.*/\1/p')
D=$(printf '%s\n' "$summary" | sed -n 's/.* \([0-9]*\) dropped.*/\1/p')
diag "written $W, dropped $D, read from the pipe $(cat "$T/held")"
ok "some records were dropped" test "${D:-0}" -gt 0
is "$(cat "$T/held")" "$W" "the records in the pipe are those counted written"
is "$((W + D))" "$N" "written + dropped == blocked queries sent"
done_testing
