#!/usr/bin/env bash
# bench-stall.sh: what store commits cost the cached answers of a busy
# resolver, on loopback.
#
#   N=200000 DURATION=60 RATE=4000 bench/bench-stall.sh
#
# N        distinct names cached by the resolver under test (default 200000)
# DURATION length of each measured dnsperf run, s (default 60)
# RATE     fixed query rate of the measured runs, q/s (default 4000)
# LISTED   names in the store's list (default 100000)
# FB_BENCH_CONF  lines added to the module's fraudblock.conf, e.g.
#          $'block-response-addresses: yes\nfeed:\n\tname: a\n\tsource: "/x"'
#
# Every commit to the store (fraudblock-sync, fraudblock-ctl) changes its
# generation, and the module's watch thread then walks Unbound's whole
# message cache for answers the list now blocks.  This script builds a store
# of LISTED names, starts an upstream Unbound answering N names from
# local-data, starts the resolver under test (one thread, "dynlib validator
# iterator", large caches, poll-interval 100) forwarding to it, and caches
# all N names.  It then sends cache hits at RATE for DURATION twice: once
# with nothing else going on (baseline), once while a loop commits every
# 2 s (fraudblock-ctl block / unblock of a name nobody asks for, in turn).
# For both it prints queries sent, completed and lost, latency (average,
# percentiles, max, answers slower than 5 ms; and, when none was lost, the
# same split between the 500 ms after each commit started and the rest of
# the run, an answer counted as sent at start + i / RATE: this machine's
# own hiccups show up in the second part), the sweeps the module logged
# ("swept M cached answers in X ms": min / median / max, when the module
# logs durations) and the CPU the module's threads spent per commit.  Lost
# queries are the ones dnsperf got no answer for within 5 s; the host's UDP
# receive buffer overflows meanwhile are printed next to them.  Asserts
# nothing.  Takes about 2 x DURATION + 30 s for N=200000.
#
# Needs: dnsperf (Debian package dnsperf), dig, and a built tree (.local/
# from ./quickstart).  Override paths with UNBOUND, FB_MODULE, FB_SYNC,
# FB_CTL; a module and tools of another version must be used together (the
# store schema differs between versions).  unbound-control next to UNBOUND
# (or UNBOUND_CONTROL) is used, when present, to count the cached answers.
set -euo pipefail

n=${N:-200000}
secs=${DURATION:-60}
rate=${RATE:-4000}
listed=${LISTED:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
UNBOUND=${UNBOUND:-$root/.local/sbin/unbound}
FB_MODULE=${FB_MODULE:-$root/.local/lib/fraudblock/fraudblock.so}
FB_SYNC=${FB_SYNC:-$root/.local/bin/fraudblock-sync}
FB_CTL=${FB_CTL:-$root/.local/bin/fraudblock-ctl}
UNBOUND_CONTROL=${UNBOUND_CONTROL:-$(dirname "$UNBOUND")/unbound-control}

for v in "$n" "$secs" "$rate" "$listed"; do
	case $v in ''|*[!0-9]*|0) echo "bench-stall: N, DURATION, RATE and LISTED are positive integers" >&2; exit 1;; esac
done
[ "$secs" -ge 4 ] || { echo "bench-stall: DURATION must be at least 4 s" >&2; exit 1; }
for p in "$UNBOUND" "$FB_MODULE" "$FB_SYNC" "$FB_CTL"; do
	[ -e "$p" ] || { echo "bench-stall: missing $p (run ./quickstart first)" >&2; exit 1; }
done
for c in dnsperf dig ss timeout; do
	command -v "$c" >/dev/null || { echo "bench-stall: needs $c (dnsperf: apt-get install dnsperf)" >&2; exit 1; }
done

. "$root/bench/bench-lib.sh"
bench_setup fbstall

# wait_answer PORT NAME LOG: until the server on PORT answers, 30 s at most
wait_answer() {
	local i
	for i in $(seq 1 3000); do
		dig +time=1 +tries=1 @127.0.0.1 -p "$1" "$2" >/dev/null 2>&1 && return 0
		sleep 0.01
	done
	echo "bench-stall: the server on port $1 did not start; log:" >&2
	cat "$3" >&2
	exit 1
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
t_start=$(now_ms)

echo "==> store: $listed listed names"
awk -v n="$listed" 'BEGIN {
	split("com net org vn xyz info top shop online site", t, " ");
	for(i = 0; i < n; i++) printf "s%d-%x.%s\n", i, (i * 2654435761) % 16777216, t[i % 10 + 1];
}' >"$dir/list.txt"
cat >"$dir/fb.conf" <<EOF
database: "$dir/db"
poll-interval: 100
feed:
	name: bench
	source: "$dir/list.txt"
	max-size: 1024
EOF
[ -z "${FB_BENCH_CONF:-}" ] || printf '%s\n' "$FB_BENCH_CONF" >>"$dir/fb.conf"
export FRAUDBLOCK_CONF="$dir/fb.conf"
"$FB_SYNC" -q

echo "==> upstream: $n names in local-data"
up_port=$(free_port)
{ server_clause up "$up_port"; cat <<EOF
	module-config: "iterator"
	access-control: 127.0.0.0/8 allow
	local-zone: "bench-test." static
EOF
	awk -v n="$n" 'BEGIN {
		for(i = 0; i < n; i++)
			printf "\tlocal-data: \"c%d.bench-test. 3600 IN A 192.0.2.%d\"\n", i, i % 254 + 1;
	}'
} >"$dir/up.conf"
"$UNBOUND" -d -c "$dir/up.conf" & pids+=($!)
wait_answer "$up_port" c0.bench-test "$dir/up.log"
awk -v n="$n" 'BEGIN { for(i = 0; i < n; i++) printf "c%d.bench-test A\n", i }' >"$dir/hit.txt"

echo "==> resolver under test: one thread, dynlib validator iterator"
port=$(free_port)
ctl_port=$(free_port)
while [ "$ctl_port" = "$port" ]; do ctl_port=$(free_port); done
control=""
if [ -x "$UNBOUND_CONTROL" ]; then
	# msg.cache.count is an extended statistic
	control="	extended-statistics: yes
remote-control:
	control-enable: yes
	control-interface: 127.0.0.1
	control-port: $ctl_port
	control-use-cert: no"
fi
{ server_clause fb "$port"; cat <<EOF
	num-threads: 1
	verbosity: 1
	module-config: "dynlib validator iterator"
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	msg-cache-size: 256m
	rrset-cache-size: 512m
$control
dynlib:
	dynlib-file: "$FB_MODULE"
forward-zone:
	name: "bench-test."
	forward-addr: 127.0.0.1@$up_port
EOF
} >"$dir/fb-unbound.conf"
"$UNBOUND" -d -c "$dir/fb-unbound.conf" & pids+=($!)
fb_pid=$!
wait_answer "$port" c0.bench-test "$dir/fb.log"

# cached_answers: the resolver's message cache count, or "?"
cached_answers() {
	[ -n "$control" ] || { echo "?"; return; }
	timeout 10 "$UNBOUND_CONTROL" -c "$dir/fb-unbound.conf" stats_noreset 2>/dev/null |
		awk -F= '$1 == "msg.cache.count" { print $2; f = 1 } END { if(!f) print "?" }'
}

echo "==> caching $n names (two passes through the list, 300 s at most each)"
t0=$(now_ms)
for pass in 1 2; do
	out=$(dnsperf -s 127.0.0.1 -p "$port" -d "$dir/hit.txt" -n 1 -l 300 -q 200 2>&1) || true
	echo "pass $pass: $(echo "$out" | awk '/Queries completed:/ { c = $3 } /Queries lost:/ { l = $3 }
		/Queries per second:/ { q = $4 } END { printf "%s answered, %s lost, %.0f q/s", c, l, q }')"
done
echo "cache filled in $(( ($(now_ms) - t0) / 1000 )) s; cached answers: $(cached_answers)"

# module_ticks: CPU ticks of the resolver's threads but its main one (with
# num-threads 1 the main thread is the worker; the others are the module's)
module_ticks() {
	local t sum=0 v
	for t in /proc/"$fb_pid"/task/*; do
		[ "${t##*/}" = "$fb_pid" ] && continue
		v=$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null) || continue
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# udp_drops: datagrams the host dropped for a full socket receive buffer
udp_drops() {
	awk '/^Udp:/ { if(!h) { for(i = 1; i <= NF; i++) if($i == "RcvbufErrors") c = i; h = 1 }
		else { print c ? $c : 0; exit } }' /proc/net/snmp
}

# commit_loop COUNT TIMES: a commit every 2 s, block and unblock of one
# name in turn, each one 10 s at most; the time (ms) each one started goes
# to the file TIMES.  Prints how many succeeded.
commit_loop() {
	local k ok=0 start due now cmd
	start=$(now_ms)
	for k in $(seq 1 "$1"); do
		due=$((start + 2000 * k - 1000))
		now=$(now_ms)
		[ "$now" -lt "$due" ] && sleep "$(awk -v d=$((due - now)) 'BEGIN { printf "%.3f", d / 1000 }')"
		cmd=block
		[ $((k % 2)) = 1 ] || cmd=unblock
		now_ms >>"$2"
		timeout 10 "$FB_CTL" "$cmd" bench-stall-commit.example >/dev/null 2>&1 && ok=$((ok + 1))
	done
	echo "$ok"
}

# measure NAME COMMITS: cache hits at RATE for DURATION, with COMMITS
# commits meanwhile; sets NAME_<figure> variables
measure() {
	local name=$1 commits=$2 l0 l1 c0 c1 d0 t0 lp out
	l0=$(wc -l <"$dir/fb.log")
	c0=$(module_ticks)
	d0=$(udp_drops)
	if [ "$commits" -gt 0 ]; then
		commit_loop "$commits" "$dir/$name.times" >"$dir/$name.commits" & lp=$!
		pids+=($lp)
	fi
	t0=$(now_ms)
	dnsperf -s 127.0.0.1 -p "$port" -d "$dir/hit.txt" -l "$secs" -Q "$rate" \
		-q 5000 -t 5 -v >"$dir/$name.out" 2>&1 || true
	if [ "$commits" -gt 0 ]; then
		wait "$lp" || true
	fi
	sleep 1	# the last sweep's log line
	c1=$(module_ticks)
	l1=$(wc -l <"$dir/fb.log")
	out=$dir/$name.out
	eval "${name}_sent=$(awk '/Queries sent:/ { print $3 }' "$out")"
	eval "${name}_done=$(awk '/Queries completed:/ { print $3 }' "$out")"
	eval "${name}_lost=$(awk '/Queries lost:/ { print $3 }' "$out")"
	eval "${name}_commits=$(cat "$dir/$name.commits" 2>/dev/null || echo 0)"
	eval "${name}_ticks=$((c1 - c0))"
	eval "${name}_drops=$(( $(udp_drops) - d0 ))"
	# dnsperf's own average and max, s -> ms
	eval "$(awk -v p="$name" '/Average Latency \(s\):/ { gsub(/[(),]/, " ");
		printf "%s_avg=%.3f %s_max=%.2f\n", p, $5 * 1000, p, $9 * 1000 }' "$out")"
	# each answer's latency (dnsperf -v), ms: p50 p99 p99.9, >1 ms, >5 ms
	eval "$(awk '$1 == ">" && $NF ~ /^[0-9.]+$/ { print $NF * 1000 }' "$out" | sort -n |
		awk -v p="$name" '{ v[NR] = $1; if($1 > 5) s5++; if($1 > 1) s1++ }
		function q(f,  i) { i = int(NR * f); if(i < 1) i = 1; return v[i] }
		END { if(!NR) { NR = 1; v[1] = 0 }
			printf "%s_p50=%.3f %s_p99=%.3f %s_p999=%.3f %s_over5=%d %s_over1=%d\n",
			p, q(0.5), p, q(0.99), p, q(0.999), p, s5, p, s1 }')"
	# slow answers in the 500 ms after each commit started, and elsewhere.
	# Answers are counted as sent at t0 + i / RATE, in the order dnsperf
	# reports them: only when none was lost (lost ones are reported late)
	eval "$(awk -v p="$name" -v t0="$t0" -v rate="$rate" -v lost="$(eval echo "\$${name}_lost")" \
		-v tf="$dir/$name.times" '
		BEGIN { while((getline l < tf) > 0) c[++nc] = l - t0 }
		$1 == ">" && $NF ~ /^[0-9.]+$/ {
			t = i++ * 1000 / rate; ms = $NF * 1000
			while(k < nc && c[k + 1] <= t) k++
			w = k && t < c[k] + 500
			if(w) { nw++; if(ms > mw) mw = ms; if(ms > 5) sw++ }
			else { if(ms > mo) mo = ms; if(ms > 5) so++ }
		}
		END { if(lost != 0) { printf "%s_win=- %s_out=-\n", p, p; exit }
			if(nw) printf "%s_win=\"%.2f / %d\" ", p, mw, sw; else printf "%s_win=- ", p
			printf "%s_out=\"%.2f / %d\"\n", p, mo, so }' \
		"$out")"
	# the sweeps logged meanwhile
	sed -n "$((l0 + 1)),${l1}p" "$dir/fb.log" >"$dir/$name.sweeps"
	eval "${name}_sweeps=$(grep -c 'fraudblock: list generation' "$dir/$name.sweeps" || true)"
	eval "${name}_sweep_ms=\"$(sed -n 's/.*fraudblock: list generation.* in \([0-9.]*\) ms.*/\1/p' "$dir/$name.sweeps" |
		sort -n | awk '{ v[NR] = $1 } END { if(NR) printf "%s / %s / %s", v[1], v[int((NR + 1) / 2)], v[NR]; else print "-" }')\""
	eval "${name}_swept=\"$(sed -n 's/.*fraudblock: list generation.* swept \([0-9]*\) cached.*/\1/p' "$dir/$name.sweeps" |
		sort -n | awk '{ v[NR] = $1 } END { if(NR) printf "%s-%s", v[1], v[NR]; else print "-" }')\""
}

echo "==> baseline: cache hits at $rate q/s for $secs s, no commits"
measure base 0
echo "==> commits: cache hits at $rate q/s for $secs s, a commit every 2 s"
measure commit $((secs / 2))
echo "cached answers at the end: $(cached_answers)"

hz=$(getconf CLK_TCK)
ms_per_commit() { # ticks commits: module CPU ms per commit above baseline
	awk -v t="$1" -v b="$base_ticks" -v c="$2" -v hz="$hz" \
		'BEGIN { if(c) printf "%.1f", (t - b) * 1000 / hz / c; else print "-" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if(b > 0) printf "x%.1f", a / b; else print "-" }'; }

echo
printf '%-38s %14s %14s %8s\n' "cache hits, N=$n, $rate q/s, ${secs} s" baseline commits ratio
row() { printf '%-38s %14s %14s %8s\n' "$1" "$2" "$3" "${4:-}"; }
row "queries sent" "$base_sent" "$commit_sent"
row "queries completed" "$base_done" "$commit_done"
row "queries lost" "$base_lost" "$commit_lost"
row "UDP receive buffer overflows" "$base_drops" "$commit_drops"
row "average latency ms" "$base_avg" "$commit_avg" "$(ratio "$commit_avg" "$base_avg")"
row "median latency ms" "$base_p50" "$commit_p50" "$(ratio "$commit_p50" "$base_p50")"
row "99th percentile ms" "$base_p99" "$commit_p99" "$(ratio "$commit_p99" "$base_p99")"
row "99.9th percentile ms" "$base_p999" "$commit_p999" "$(ratio "$commit_p999" "$base_p999")"
row "max latency ms" "$base_max" "$commit_max" "$(ratio "$commit_max" "$base_max")"
row "answers slower than 1 ms" "$base_over1" "$commit_over1"
row "answers slower than 5 ms" "$base_over5" "$commit_over5"
row "0.5 s after a commit: max ms / >5 ms" "$base_win" "$commit_win"
row "other times: max ms / >5 ms" "$base_out" "$commit_out"
row "commits made" "$base_commits" "$commit_commits"
row "sweeps logged" "$base_sweeps" "$commit_sweeps"
row "cached answers per sweep" "$base_swept" "$commit_swept"
row "sweep ms min / median / max" "$base_sweep_ms" "$commit_sweep_ms"
row "module CPU ms per commit" "-" "$(ms_per_commit "$commit_ticks" "$commit_commits")"
echo "(average and max: dnsperf's; percentiles: from each answer it reports;"
echo " overflows: the host's UDP RcvbufErrors; module CPU: its threads' CPU above baseline, ${hz} ticks/s)"
echo "bench-stall took $(( ($(now_ms) - t_start) / 1000 )) s"
