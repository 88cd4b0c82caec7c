#!/usr/bin/env bash
# bench-unbound.sh: Unbound with fraudblock against the same Unbound without
# it, measured in the same run, on loopback.
#
#   bench/bench-unbound.sh [NAMES] [SECONDS]
#
# NAMES   listed names loaded into the module's store (default 1000000)
# SECONDS length of each dnsperf run (default 10)
#
# For each resolver (stock: "validator iterator"; fraudblock: "dynlib
# validator iterator", same binary, one thread each) it warms the cache,
# then runs dnsperf twice: at a fixed rate (CPU per query is the figure to
# compare: throughput on 2 cores swings +-10% between identical runs) and
# flat out (queries per second).  A third run sends only blocked names to
# the fraudblock resolver: answers the module makes itself.  Then a mix of
# 95% cache hits and 5% blocked names at the fixed rate, against stock (to
# which the "blocked" names are cache hits too) and two fraudblock
# resolvers, one with the query log off and one writing it to a file
# (FB_BENCH_QLOG=0 skips this), five rounds each: the module's cost and
# the query log's in CPU per query.  The module runs with chain and
# address matching on (block-response-addresses: yes, ADDRS listed
# addresses and prefixes, default 100000).  Prints the figures and the
# ratios to stock; asserts nothing.
#
# Needs: dnsperf (Debian package dnsperf) and a built tree (.local/ from
# ./quickstart).  Override paths with UNBOUND, FB_MODULE, FB_SYNC.
# FB_BENCH_CONF: lines added to the module's fraudblock.conf, e.g.
# FB_BENCH_CONF=$'metrics-file: "/run/fb.prom"\ncount-cache-hits: yes'.
set -euo pipefail

names=${1:-1000000}
secs=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
UNBOUND=${UNBOUND:-$root/.local/sbin/unbound}
FB_MODULE=${FB_MODULE:-$root/.local/lib/fraudblock/fraudblock.so}
FB_SYNC=${FB_SYNC:-$root/.local/bin/fraudblock-sync}
rate=${FB_BENCH_RATE:-20000}

for p in "$UNBOUND" "$FB_MODULE" "$FB_SYNC"; do
	[ -e "$p" ] || { echo "bench-unbound: missing $p (run ./quickstart first)" >&2; exit 1; }
done
command -v dnsperf >/dev/null || { echo "bench-unbound: needs dnsperf (apt-get install dnsperf)" >&2; exit 1; }

. "$root/bench/bench-lib.sh"
bench_setup fbbench

up_port=$(free_port)
{ server_clause up "$up_port"; cat <<EOF
	module-config: "iterator"
	access-control: 127.0.0.0/8 allow
	local-zone: "bench-test." redirect
	local-data: "bench-test. 3600 IN A 192.0.2.1"
	local-data: "bench-test. 3600 IN AAAA 2001:db8::1"
EOF
} >"$dir/up.conf"
"$UNBOUND" -d -c "$dir/up.conf" & pids+=($!)

addrs=${FB_BENCH_ADDRS:-100000}
echo "==> generating $names listed names (10,000 of them under bench-test., for the mix) and $addrs addresses"
awk -v n="$names" 'BEGIN {
	split("com net org vn xyz info top shop online site", t, " ");
	for(i = 0; i < n - 10000; i++) printf "s%d-%x.%s\n", i, (i * 2654435761) % 16777216, t[i % 10 + 1];
	for(i = 0; i < 10000 && i < n; i++) printf "blk%d.bench-test\n", i;
}' >"$dir/list.txt"
# public-looking /32s and every 50th a /24, none holding 192.0.2.1 (the
# bench zone's address)
awk -v n="$addrs" 'BEGIN {
	for(i = 0; i < n; i++) { x = (i * 2654435761) % 4294967296;
		a = 11 + int(x / 16777216) % 180; b = int(x / 65536) % 256;
		c = int(x / 256) % 256;
		if(i % 50 == 0) printf "%d.%d.%d.0/24\n", a, b, c;
		else printf "%d.%d.%d.%d\n", a, b, c, x % 256; }
}' >"$dir/addrs.txt"
cat >"$dir/fb.conf" <<EOF
database: "$dir/db"
block-response-addresses: yes
feed:
	name: bench
	source: "$dir/list.txt"
	max-size: 1024
feed:
	name: bench-addr
	source: "$dir/addrs.txt"
	max-size: 1024
EOF
[ -z "${FB_BENCH_CONF:-}" ] || printf '%s\n' "$FB_BENCH_CONF" >>"$dir/fb.conf"
t0=$(date +%s.%N)
FRAUDBLOCK_CONF="$dir/fb.conf" "$FB_SYNC" -q
t1=$(date +%s.%N)
echo "sync of $names names into a fresh store: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
du -sh "$dir/db" | awk '{print "store on disk: " $1}'

# queries: 10,000 cached names, and 10,000 names below listed ones
awk 'BEGIN { for(i = 0; i < 10000; i++) printf "q%d.bench-test A\n", i }' >"$dir/hit.txt"
head -n 10000 "$dir/list.txt" | awk '{ print "www." $1 " A" }' >"$dir/blocked.txt"

start_resolver() { # name module-config extra; $WRAP runs before unbound
	local name=$1 mc=$2 port
	port=$(free_port)
	{ server_clause "$name" "$port"; cat <<EOF
	num-threads: 1
	module-config: "$mc"
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	ede: yes
	msg-cache-size: 64m
	rrset-cache-size: 128m
$3
forward-zone:
	name: "bench-test."
	forward-addr: 127.0.0.1@$up_port
EOF
	} >"$dir/$name-unbound.conf"
	local i t0
	t0=$(date +%s%N)
	FRAUDBLOCK_CONF="${FB_CONF_FILE:-$dir/fb.conf}" ${WRAP:-} "$UNBOUND" -d -c "$dir/$name-unbound.conf" &
	pids+=($!)
	eval "${name}_pid=$!; ${name}_port=$port"
	for i in $(seq 1 3000); do
		if dig +time=1 +tries=1 @127.0.0.1 -p "$port" bench-test >/dev/null 2>&1; then
			eval "${name}_start_ms=$(( ($(date +%s%N) - t0) / 1000000 ))"
			return 0
		fi
		sleep 0.01
	done
	echo "bench-unbound: $name did not start; log:" >&2
	cat "$dir/$name.log" >&2
	exit 1
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run NAME PID PORT QUERYFILE [dnsperf rate options]: prints "qps us_per_query"
run() {
	local pid=$2 port=$3 file=$4 c0 c1 out q
	shift 4
	c0=$(cpu_ticks "$pid")
	out=$(dnsperf -s 127.0.0.1 -p "$port" -d "$file" -l "$secs" -c 4 -q 200 "$@" 2>&1)
	c1=$(cpu_ticks "$pid")
	q=$(echo "$out" | awk '/Queries completed:/ { print $3 }')
	qps=$(echo "$out" | awk '/Queries per second:/ { print $4 }')
	awk -v q="$q" -v qps="$qps" -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.0f %.2f\n", qps, q ? t / hz * 1e6 / q : 0 }'
}

start_resolver stock "validator iterator" ""
start_resolver fb "dynlib validator iterator" "dynlib:
	dynlib-file: \"$FB_MODULE\""
echo "==> start to first answer: stock ${stock_start_ms} ms, fraudblock ${fb_start_ms} ms"
echo "==> resident memory after start: stock $(awk '/VmRSS/ {print $2}' /proc/$stock_pid/status) kB, fraudblock $(awk '/VmRSS/ {print $2}' /proc/$fb_pid/status) kB"

for r in stock fb; do
	eval "pid=\$${r}_pid port=\$${r}_port"
	dnsperf -s 127.0.0.1 -p "$port" -d "$dir/hit.txt" -n 1 >/dev/null 2>&1
done

echo "==> cache hits at a fixed $rate q/s, $secs s each (CPU us per query)"
read -r _ s_cpu < <(run stock "$stock_pid" "$stock_port" "$dir/hit.txt" -Q "$rate")
read -r _ f_cpu < <(run fb "$fb_pid" "$fb_port" "$dir/hit.txt" -Q "$rate")
echo "==> cache hits flat out, $secs s each (queries per second)"
read -r s_qps _ < <(run stock "$stock_pid" "$stock_port" "$dir/hit.txt")
read -r f_qps _ < <(run fb "$fb_pid" "$fb_port" "$dir/hit.txt")
echo "==> blocked names flat out against fraudblock"
read -r b_qps b_cpu < <(run fb "$fb_pid" "$fb_port" "$dir/blocked.txt")
blocked_ok=$(dig +short @127.0.0.1 -p "$fb_port" "$(head -n 1 "$dir/blocked.txt" | cut -d' ' -f1)")

echo
printf '%-34s %12s %12s %8s\n' "measure ($names names)" stock fraudblock ratio
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b ? a * 100 / b : 0 }'; }
printf '%-34s %12s %12s %7s%%\n' "cache hit CPU us/query @${rate}q/s" "$s_cpu" "$f_cpu" "$(pct "$f_cpu" "$s_cpu")"
printf '%-34s %12s %12s %7s%%\n' "cache hit queries/s" "$s_qps" "$f_qps" "$(pct "$f_qps" "$s_qps")"
printf '%-34s %12s %12s %7s%%\n' "blocked answers queries/s" "$s_qps" "$b_qps" "$(pct "$b_qps" "$s_qps")"
printf '%-34s %12s %12s\n' "blocked answers CPU us/query" "-" "$b_cpu"
echo "(a blocked name answers $blocked_ok; ratios are fraudblock / stock cache hits)"

# ---- the 5% blocked mix: names under bench-test., so that stock answers
# them from its cache while fraudblock blocks them
awk 'NR == FNR { hit[n++] = $0; next } { blk[m++] = $0 }
END { for(i = 0; i < 10000; i++)
	print (i % 20 == 19 ? blk[int(i / 20) % m] : hit[i % n]) }' \
	"$dir/hit.txt" <(awk 'BEGIN { for(i = 0; i < 10000; i++) printf "www.blk%d.bench-test A\n", i }') \
	>"$dir/mix.txt"
for r in stock fb; do
	eval "port=\$${r}_port"
	dnsperf -s 127.0.0.1 -p "$port" -d "$dir/mix.txt" -n 1 >/dev/null 2>&1
done
mix_blocked=$(dig +short @127.0.0.1 -p "$fb_port" www.blk19.bench-test)
mean() { echo "$@" | awk '{ s = 0; for(i = 1; i <= NF; i++) s += $i; printf "%.2f", s / NF }'; }
if [ "${FB_BENCH_QLOG:-1}" != 0 ]; then
	{ cat "$dir/fb.conf"; echo "log-file: \"$dir/query.log\""; } >"$dir/fblog.conf"
	FB_CONF_FILE="$dir/fblog.conf" start_resolver fblog "dynlib validator iterator" "dynlib:
	dynlib-file: \"$FB_MODULE\""
	dnsperf -s 127.0.0.1 -p "$fblog_port" -d "$dir/mix.txt" -n 1 >/dev/null 2>&1
fi
echo "==> 5% blocked mix at $rate q/s: stock, fraudblock (log off${fblog_pid:+, log on}), 5 rounds of $secs s"
st_all=""; off_all=""; on_all=""
for round in 1 2 3 4 5; do
	read -r _ c_st < <(run stock "$stock_pid" "$stock_port" "$dir/mix.txt" -Q "$rate")
	read -r _ c_off < <(run fb "$fb_pid" "$fb_port" "$dir/mix.txt" -Q "$rate")
	c_on=-
	[ -z "${fblog_pid:-}" ] || read -r _ c_on < <(run fblog "$fblog_pid" "$fblog_port" "$dir/mix.txt" -Q "$rate")
	echo "round $round: stock $c_st, log off $c_off, log on $c_on us/query"
	st_all="$st_all $c_st"; off_all="$off_all $c_off"; on_all="$on_all $c_on"
done
printf '%-34s %12s %12s %7s%%\n' "5% blocked mix CPU us/query" "$(mean $st_all)" "$(mean $off_all)" \
	"$(pct "$(mean $off_all)" "$(mean $st_all)")"
if [ -n "${fblog_pid:-}" ]; then
	printf '%-34s %12s %12s %7s%%\n' "  query log on (to log off)" "$(mean $off_all)" "$(mean $on_all)" \
		"$(pct "$(mean $on_all)" "$(mean $off_all)")"
	echo "(query log: $(wc -l <"$dir/query.log") records written)"
fi
echo "(means of 5 rounds; in the mix fraudblock answers www.blk19.bench-test with $mix_blocked)"

# ---- instructions per query: callgrind counts are repeatable where the
# timings above swing by +-10% between identical runs on 2 cores
command -v valgrind >/dev/null && [ "${FB_BENCH_CALLGRIND:-1}" != 0 ] || exit 0
kill "$stock_pid" "$fb_pid" ${fblog_pid:-}
wait "$stock_pid" "$fb_pid" ${fblog_pid:-} 2>/dev/null || true

# ir NAME PORT PID QUERYFILE: instructions per query of the worker (the
# main thread, with num-threads: 1) while answering it; callgrind counts
# each thread apart (--separate-threads), so the module's watch thread is
# left out (it polls: tens of instructions per query at this rate)
ir() {
	local port=$2 pid=$3 file=$4 q out
	callgrind_control -z "$pid" >/dev/null 2>&1
	out=$(dnsperf -s 127.0.0.1 -p "$port" -d "$file" -n 1 -c 1 -q 20 2>&1)
	callgrind_control -d "$pid" >/dev/null 2>&1
	q=$(echo "$out" | awk '/Queries completed:/ { print $3 }')
	# the newest dump of this process's first thread: its events line
	# is the total
	awk -v q="$q" '/^summary:|^totals:/ { ir = $2 } END { printf "%.0f\n", q ? ir / q : 0 }' \
		"$(ls -t "$dir"/cg."$1".*-01 | head -n 1)"
}

echo "==> callgrind: instructions per query (2 x 10,000 queries, slow)"
WRAP="valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file=$dir/cg.%q{FB_CG} --log-file=$dir/valgrind.%q{FB_CG}.log"
FB_CG=stock start_resolver stock "validator iterator" ""
export FB_CG=fb
start_resolver fb "dynlib validator iterator" "dynlib:
	dynlib-file: \"$FB_MODULE\""
for r in stock fb; do
	eval "port=\$${r}_port"
	dnsperf -s 127.0.0.1 -p "$port" -d "$dir/hit.txt" -n 1 -c 1 -q 20 >/dev/null 2>&1
done
s_ir=$(ir stock "$stock_port" "$stock_pid" "$dir/hit.txt")
f_ir=$(ir fb "$fb_port" "$fb_pid" "$dir/hit.txt")
b_ir=$(ir fb "$fb_port" "$fb_pid" "$dir/blocked.txt")
for r in stock fb; do
	eval "port=\$${r}_port"
	dnsperf -s 127.0.0.1 -p "$port" -d "$dir/mix.txt" -n 1 -c 1 -q 20 >/dev/null 2>&1
done
sm_ir=$(ir stock "$stock_port" "$stock_pid" "$dir/mix.txt")
fm_ir=$(ir fb "$fb_port" "$fb_pid" "$dir/mix.txt")
printf '%-34s %12s %12s %7s%%\n' "cache hit instructions/query" "$s_ir" "$f_ir" "$(pct "$f_ir" "$s_ir")"
printf '%-34s %12s %12s %7s%%\n' "blocked answer instructions/query" "$s_ir" "$b_ir" "$(pct "$b_ir" "$s_ir")"
printf '%-34s %12s %12s %7s%%\n' "5% blocked mix instructions/query" "$sm_ir" "$fm_ir" "$(pct "$fm_ir" "$sm_ir")"
