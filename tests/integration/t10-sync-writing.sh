#!/bin/sh
# t10-sync-writing: fraudblock-sync and a feed file still being written.
# A writer that pauses in the middle of the last name must not get the
# first half of that name listed (login.microsoftonline.com of
# login.microsoftonline.com.phish-test would block the real parent): sync
# waits and reads the file again.  A file that keeps growing without a
# final newline is refused with a one-line reason, recorded as a failed
# attempt, and the feed's entries in force stay.  A file without a final
# newline that nobody writes is taken as before: at once when it is old,
# after a short wait when it was just written.
# No resolver is needed: fraudblock-ctl lookup reads the store.
. "$(dirname "$0")/lib.sh"
fb_init sync-writing

F=$T/main.txt
{
	fbconf_globals
	cat <<EOF
feed:
	name: fb-main
	source: "$F"
	max-shrink: 100
EOF
} > "$FBCONF"

# listed NAME: fraudblock-ctl lookup says NAME is blocked
listed() {
	fb_ctl lookup "$1"
}

# wait_writer PID: the writer ended by itself (bounded, 10 s)
wait_writer() {
	local _i
	_i=0
	while alive "$1" && [ $_i -lt 100 ]; do
		_i=$((_i + 1))
		sleep 0.1
	done
	alive "$1" && return 1
	wait "$1" 2>/dev/null
	fb_forget "$1"
	return 0
}

printf 'keep.example-test\n' > "$F"
fb_sync
is "$?" 0 "the first list is synced (exit 0)"

# ---- a writer pausing inside the last name --------------------------
spawn writer1 sh -c '
	printf "keep.example-test\nlogin.microsoftonline.com" > "$1"
	: > "$1.partial1"
	sleep 1
	printf ".phish-test\n" >> "$1"' writer "$F"
W=$SPAWN_PID
poll_until 5000 test -e "$F.partial1" || bail "writer 1 did not start"
t0=$(now_ms)
fb_sync
st=$?
t1=$(now_ms)
diag "sync against a paused writer took $((t1 - t0)) ms"
is "$st" 0 "sync against a paused writer ends with the finished file"
listed login.microsoftonline.com
is "$?" 1 "the half-written name (its parent) is not listed"
ok "the whole name is listed" listed login.microsoftonline.com.phish-test
ok "writer 1 ended" wait_writer "$W"

# ---- a file that keeps growing without a final newline ---------------
spawn writer2 sh -c '
	printf "keep.example-test\nnew.example-test\nslow" > "$1"
	: > "$1.partial2"
	i=0
	while [ ! -e "$1.stop" ] && [ $i -lt 100 ]; do
		sleep 0.2
		printf x >> "$1"
		i=$((i + 1))
	done
	printf ".example-test\n" >> "$1"' writer "$F"
W=$SPAWN_PID
poll_until 5000 test -e "$F.partial2" || bail "writer 2 did not start"
fb_sync
st=$?
: > "$F.stop"
is "$st" 1 "a file still growing is refused (exit 1)"
like "$(cat "$T/last.err")" "^fraudblock-sync: feed fb-main: $F: .*still being written" \
	"the reason names the feed and the file"
is "$(wc -l < "$T/last.err" | tr -d ' ')" 1 "the reason is one line"
listed new.example-test
is "$?" 1 "nothing of the refused read is listed"
ok "the entries in force stay" listed login.microsoftonline.com.phish-test
fb_ctl status
like "$(grep '^fb-main ' "$T/last.out")" "still being written" \
	"fraudblock-ctl status shows the failed attempt"
ok "writer 2 ended" wait_writer "$W"
fb_sync
is "$?" 0 "once the writer is done the file is synced (exit 0)"
ok "... and its names are listed" listed new.example-test

# ---- no final newline, nobody writing --------------------------------
printf 'keep.example-test\nold.example-test' > "$F"
touch -d "@$(($(date +%s) - 10))" "$F"
t0=$(now_ms)
fb_sync
st=$?
t1=$(now_ms)
is "$st" 0 "an old file without a final newline is synced (exit 0)"
ok "... its last name is listed" listed old.example-test
ok "... without waiting ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 1000

printf 'keep.example-test\nfresh.example-test' > "$F"
t0=$(now_ms)
fb_sync
st=$?
t1=$(now_ms)
is "$st" 0 "a new file without a final newline is synced (exit 0)"
ok "... its last name is listed" listed fresh.example-test
ok "... after waiting for it to settle ($((t1 - t0)) ms)" \
	test $((t1 - t0)) -ge 1000
done_testing
