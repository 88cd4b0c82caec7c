# lib.sh: shared helpers of the fraudblock integration tests.
# POSIX sh plus `local` (dash and bash both run it).
#
# A test sources this file, calls fb_init, describes the upstream's zones,
# writes fraudblock.conf and feeds, starts an upstream and the resolver
# under test, asserts, and ends with done_testing.  Output is TAP for
# automake's tap-driver.sh.
#
#	. "$(dirname "$0")/lib.sh"
#	fb_init basic			# skips unless everything is there
#	zone example-test.		# upstream: local-zone static
#	rr "www.example-test. 300 IN A 192.0.2.2"
#	echo bad.example-test > "$T/main.txt"
#	fbconf_main > "$FBCONF"		# globals and feed fb-main
#	fb_sync
#	start_servers 2 example-test.	# upstream, resolver, P=its port
#	is "$(dig_short $P www.example-test)" 192.0.2.2 "benign A"
#	finish_resolver
#	done_testing
#
# Environment (set by Makefile.am; all programs as absolute paths):
#   UNBOUND	dynlib-enabled unbound
#   FB_MODULE	fraudblock.so
#   FB_SYNC FB_CTL DNSQ	the built programs
#   FB_SRCDIR	repository root (default: two levels above this file)
#   FB_DATA	directory of the shared public feed samples, or empty
#   FB_PRELOAD	libasan.so when the module is built with ASan, else empty;
#		the resolver (only it: it loads the module) runs with
#		LD_PRELOAD=$FB_PRELOAD, ASAN_OPTIONS=detect_leaks=0:
#		abort_on_error=1, UBSAN_OPTIONS=halt_on_error=1:
#		print_stacktrace=1; a report fails finish_resolver
#   FB_KEEP=1	keep the test directory (its path is printed)
#
# TAP:
#   pass DESC | not_ok DESC [WHY]	one test point
#   FB_TODO=REASON			marks the test points that follow as
#					TODO (a known gap): automake counts a
#					failure as XFAIL, a pass as XPASS
#   ok DESC CMD [ARG...]		passes when CMD exits 0
#   is GOT WANT DESC			string equality, diagnoses both
#   like GOT ERE DESC / unlike GOT ERE DESC	extended regex (grep -E)
#   diag TEXT...			"# TEXT" line
#   skip_all REASON			"1..0 # SKIP REASON", exit 0
#   bail REASON				"Bail out!", exit 1
#   done_testing			plan line; exit 1 if anything failed
# Set-up and processes:
#   fb_init NAME		checks programs, makes $T, sets the EXIT trap
#   pick_port			prints a port that looks free on 127.0.0.1
#   zone NAME / rr RR		upstream data: local-zone NAME static /
#				local-data RR (also the resolver's stubs)
#   start_upstream		sets UP_PORT, UP_PID (retries on collision)
#   fbconf_globals		prints the global part of a fraudblock.conf
#   feed_clause NAME SOURCE [KEY VALUE]...	prints a feed: clause
#   fbconf_main [KEY VALUE]...	prints fbconf_globals and the feed
#				clause of fb-main, source $T/main.txt
#   with_conf CONF CMD...	runs CMD with FBCONF=CONF, then restores it
#   start_resolver [THREADS [READY-NAME]]	sets RES_PORT, RES_PID;
#				the resolver stubs every zone to the
#				upstream unless the test redefines
#				resolver_stubs; RES_EXTRA adds server: lines
#   start_servers [THREADS [READY-NAME [NOTE]]]	start_upstream and
#				start_resolver, bailing out if either fails;
#				sets P=$RES_PORT, prints the ports (diag)
#   spawn NAME CMD...		background process, logs $T/NAME.{out,err}
#   start_slow_upstream MS ADDR	data/slowdns.py for slow-test., answering
#				MS late (A: ADDR); sets SLOW_PORT; call
#				before start_servers: the resolver stubs
#				slow-test. to it
#   wait_ready PORT NAME PID	query until an answer (50 x 100 ms)
#   module_starts		how often the module started (resolver log)
#   reload_resolver N		SIGHUP, wait for the N-th module start
#   stop_resolver		SIGTERM, wait, return its exit status
#   finish_resolver		stop_resolver as two test points: clean
#				exit, no sanitizer report
#   stop_all			kill every process this test started
#   alive PID / now_ms		process check / wall clock in ms
# Queries (127.0.0.1, one try, 2 s timeout):
#   dig_full PORT NAME [TYPE]	dig's output with header and answers
#   dig_rcode PORT NAME [TYPE]	NOERROR, NXDOMAIN, ... or TIMEOUT
#   dig_short PORT NAME [TYPE]	answer rdata, sorted, space separated
#   dig_sum / dnsq_sum PORT NAME [TYPE]	"RCODE rdata|rdata" for comparing
#   fb_dig_sum_of OUTPUT	the same of dig +noall +comments +answer output
#   dig_ede / dnsq_ede PORT NAME [TYPE]	the EDE lines of the reply
#   dnsq_view NAME [TYPE [FLAG]]	the reply to port $P on one line:
#				"rcode R | answer RR | ... | ede E T", TTLs
#				of real data as TTL (the block answer's
#				$SINK_TTL kept)
#   dig_cd_short NAME		dig +short NAME A with the CD bit, port $P
# The query log ($LOG):
#   qlog_rec QNAME [N]		record N (0-based, default the last) of
#				QNAME, waited for up to 2 s, its ts TS (when
#				recent) and generation G; NONE if none
#   sinkholed PORT NAME		A answer is the sinkhole address
#   resolves PORT NAME ADDR	A answer is exactly ADDR
#   dig_bulk PORT N FORMAT	one dig of N query groups, FORMAT a printf
#				format of "NAME TYPE..." with one %d
#				(0..N-1); prints the answer lines
#   poll_until MAXMS CMD...	rerun CMD every 100 ms; POLL_MS = delay
#				(ms from the call to success, -1 if none)
#   delay_diag WHAT		"# WHAT after N ms" comment for POLL_MS
#   ok_within MS WHAT DESC CMD...	poll_until CMD (up to 2 s, or MS),
#				delay_diag WHAT, one test point DESC: CMD
#				succeeded within MS
# Tools: fb_sync ARG..., fb_ctl ARG... run with $FBCONF; output in
#   $T/last.out and $T/last.err; return the tool's exit status.
#
# Every loop here is bounded in iterations and in time.  Only processes
# this file started are ever signalled, by their PID.

FB_TAP_N=0
FB_TAP_FAILED=0
FB_PIDS=""
FB_NAME="test"
T=""

# Fixed addresses of the tests (RFC 5737 / RFC 3849 documentation space).
SINK4=192.0.2.66
SINK6=2001:db8::66
SINK_TTL=42

# ---- TAP ------------------------------------------------------------

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

pass() {
	FB_TAP_N=$((FB_TAP_N + 1))
	printf 'ok %d - %s%s\n' "$FB_TAP_N" "$1" \
		"${FB_TODO:+ # TODO $FB_TODO}"
}

not_ok() {
	FB_TAP_N=$((FB_TAP_N + 1))
	if [ -z "${FB_TODO:-}" ]; then
		FB_TAP_FAILED=$((FB_TAP_FAILED + 1))
	fi
	printf 'not ok %d - %s%s\n' "$FB_TAP_N" "$1" \
		"${FB_TODO:+ # TODO $FB_TODO}"
	if [ -n "${2:-}" ]; then
		diag "$2"
	fi
	return 1
}

ok() {
	local _d
	_d=$1
	shift
	if "$@"; then
		pass "$_d"
	else
		not_ok "$_d" "command failed: $*"
	fi
}

is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		not_ok "$3" "got:  '$1'
want: '$2'"
	fi
}

like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		not_ok "$3" "got:  '$1'
want match of: $2"
	fi
}

unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		not_ok "$3" "got:  '$1'
want no match of: $2"
	else
		pass "$3"
	fi
}

skip_all() {
	echo "1..0 # SKIP $1"
	FB_SKIPPED=1
	exit 0
}

bail() {
	echo "Bail out! $1"
	fb_dump_logs
	exit 1
}

done_testing() {
	echo "1..$FB_TAP_N"
	FB_DONE=1
	if [ "$FB_TAP_FAILED" -gt 0 ]; then
		diag "$FB_TAP_FAILED of $FB_TAP_N failed"
		exit 1
	fi
	exit 0
}

# ---- set-up ---------------------------------------------------------

# fb_init NAME: skip unless the programs exist, make the test directory,
# arrange clean-up.
fb_init() {
	FB_NAME=$1
	if [ -z "${UNBOUND:-}" ] || [ ! -x "$UNBOUND" ]; then
		skip_all "UNBOUND is not set to an unbound binary"
	fi
	if ! "$UNBOUND" -V 2>/dev/null | grep -q dynlib; then
		skip_all "$UNBOUND is built without the dynlib module"
	fi
	if [ -z "${FB_MODULE:-}" ] || [ ! -f "$FB_MODULE" ]; then
		skip_all "FB_MODULE (fraudblock.so) is missing"
	fi
	for _v in FB_SYNC FB_CTL DNSQ; do
		eval "_p=\${$_v:-}"
		if [ -z "$_p" ] || [ ! -x "$_p" ]; then
			skip_all "$_v is not set to a program ('$_p')"
		fi
	done
	if ! command -v dig >/dev/null 2>&1; then
		skip_all "dig is not installed"
	fi
	if [ -z "${FB_SRCDIR:-}" ]; then
		FB_SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
	fi
	FB_FIXTURES=$FB_SRCDIR/tests/integration/data
	T=$(mktemp -d -t "fb-$FB_NAME.XXXXXX") ||
		bail "mktemp failed"
	FBCONF=$T/fraudblock.conf
	FRAUDBLOCK_CONF=$FBCONF
	export FRAUDBLOCK_CONF
	: > "$T/zones.conf"
	: > "$T/zones.list"
	trap fb_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# ASan builds start slower; give them more time everywhere.
	FB_SLOW=1
	if [ -n "${FB_PRELOAD:-}" ]; then
		FB_SLOW=3
	fi
}

fb_dump_logs() {
	local _f
	for _f in "$T/resolver.log" "$T/resolver.err" "$T/upstream.log"; do
		if [ -n "$T" ] && [ -s "$_f" ]; then
			diag "--- last lines of ${_f##*/}:"
			tail -n 15 "$_f" | sed 's/^/#   /'
		fi
	done
}

fb_cleanup() {
	_rc=$?
	stop_all
	if [ -z "${FB_DONE:-}" ] && [ -z "${FB_SKIPPED:-}" ]; then
		echo "not ok $((FB_TAP_N + 1)) - test script ended early (status $_rc)"
		echo "1..$((FB_TAP_N + 1))"
		fb_dump_logs
		_rc=1
	elif [ "$FB_TAP_FAILED" -gt 0 ]; then
		fb_dump_logs
	fi
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${FB_KEEP:-0}" = 1 ]; then
			diag "kept $T"
		else
			rm -rf "$T"
		fi
	fi
	exit $_rc
}

now_ms() {
	date +%s%3N
}

# pick_port: a random port in 20000..59999 that nothing on this host has
# open now (per /proc/net).  Someone may take it before us: callers retry.
pick_port() {
	local _i _r _p _h
	_i=0
	while [ $_i -lt 50 ]; do
		_i=$((_i + 1))
		_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		_p=$((20000 + _r % 40000))
		_h=$(printf ':%04X ' "$_p")
		if [ -r /proc/net/udp ] && cat /proc/net/udp /proc/net/tcp \
			/proc/net/udp6 /proc/net/tcp6 2>/dev/null |
			grep -q "$_h"; then
			continue
		fi
		echo "$_p"
		return 0
	done
	return 1
}

# spawn NAME CMD...: start CMD in the background; sets SPAWN_PID.
spawn() {
	local _n
	_n=$1
	shift
	"$@" > "$T/$_n.out" 2> "$T/$_n.err" &
	SPAWN_PID=$!
	FB_PIDS="$FB_PIDS $SPAWN_PID"
}

start_slow_upstream() {
	spawn slowdns python3 "$FB_FIXTURES/slowdns.py" "$T/slow.port" \
		"$T/slow.log" "$1" "$2"
	poll_until 5000 test -s "$T/slow.port"
	SLOW_PORT=$(cat "$T/slow.port" 2>/dev/null)
	[ -n "$SLOW_PORT" ] ||
		bail "slowdns.py did not start: $(cat "$T/slowdns.err")"
}

alive() {
	kill -0 "$1" 2>/dev/null
}

# fb_forget PID: drop PID from the list stop_all kills.
fb_forget() {
	local _new _q
	_new=""
	for _q in $FB_PIDS; do
		if [ "$_q" != "$1" ]; then
			_new="$_new $_q"
		fi
	done
	FB_PIDS=$_new
}

# stop_all: TERM (after CONT, in case a test stopped it), then KILL what
# is left after 3 s, for every PID this test started.
stop_all() {
	local _i _q _left
	[ -n "$FB_PIDS" ] || return 0
	for _q in $FB_PIDS; do
		kill -CONT "$_q" 2>/dev/null
		kill -TERM "$_q" 2>/dev/null
	done
	_i=0
	while [ $_i -lt 30 ]; do
		_left=""
		for _q in $FB_PIDS; do
			alive "$_q" && _left="$_left $_q"
		done
		[ -z "$_left" ] && break
		_i=$((_i + 1))
		sleep 0.1
	done
	for _q in $FB_PIDS; do
		kill -KILL "$_q" 2>/dev/null
	done
	for _q in $FB_PIDS; do
		wait "$_q" 2>/dev/null
	done
	FB_PIDS=""
}

# wait_ready PORT NAME PID: 0 once PORT answers a query for NAME (any
# rcode but a timeout or SERVFAIL), 1 if not within 50 tries, 2 if PID
# exited.  Bounded: 50 x (query <= 1 s + 100 ms), times FB_SLOW.
wait_ready() {
	local _i _max _st
	_i=0
	_max=$((50 * FB_SLOW))
	while [ $_i -lt $_max ]; do
		if ! alive "$3"; then
			return 2
		fi
		_st=$(dig -4 -p "$1" @127.0.0.1 "$2" A +time=1 +tries=1 \
			+noall +comments 2>/dev/null |
			sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
		case "$_st" in
		NOERROR|NXDOMAIN|REFUSED) return 0 ;;
		esac
		_i=$((_i + 1))
		sleep 0.1
	done
	return 1
}

# ---- the upstream ---------------------------------------------------

# zone NAME: the upstream serves NAME as a static local-zone; the
# resolver stubs it to the upstream.
zone() {
	printf 'local-zone: "%s" static\n' "$1" >> "$T/zones.conf"
	echo "$1" >> "$T/zones.list"
}

# rr 'OWNER TTL IN TYPE RDATA': one local-data record of the upstream.
rr() {
	printf "local-data: '%s'\n" "$1" >> "$T/zones.conf"
}

# fb_server_conf ROLE PORT THREADS: the server: lines the upstream and
# the resolver share: loopback only, in the foreground, files in $T.
fb_server_conf() {
	cat <<EOF
server:
	interface: 127.0.0.1
	port: $2
	interface-automatic: no
	username: ""
	chroot: ""
	directory: "$T"
	pidfile: "$T/$1.pid"
	logfile: "$T/$1.log"
	use-syslog: no
	verbosity: 1
	num-threads: $3
	do-daemonize: no
	do-ip6: no
	access-control: 127.0.0.0/8 allow
EOF
}

fb_upstream_conf() {
	{
		fb_server_conf upstream "$1" 1
		cat <<EOF
	log-queries: yes
	module-config: "iterator"
	include: "$T/zones.conf"
EOF
	} > "$T/upstream.conf"
}

# fb_start_unbound ROLE CONFFN READY-NAME [ENV...]: start unbound with the
# config written by CONFFN PORT, on a free port, retrying a port someone
# else took.  Sets FB_PORT and FB_PID, and FB_EXIT when it exited.
# @return 0 when it answers.
fb_start_unbound() {
	local _role _conffn _ready _try _f
	_role=$1
	_conffn=$2
	_ready=$3
	shift 3
	_try=0
	FB_EXIT=""
	while [ $_try -lt 5 ]; do
		_try=$((_try + 1))
		FB_PORT=$(pick_port) || return 1
		"$_conffn" "$FB_PORT"
		# keep an earlier run's logs apart: tests grep this run's
		for _f in log err; do
			if [ -s "$T/$_role.$_f" ]; then
				mv "$T/$_role.$_f" "$T/$_role.$_f.$(now_ms)"
			fi
		done
		: > "$T/$_role.log"
		spawn "$_role" env "$@" "$UNBOUND" -d -c "$T/$_role.conf"
		FB_PID=$SPAWN_PID
		wait_ready "$FB_PORT" "$_ready" "$FB_PID"
		case $? in
		0) return 0 ;;
		2)
			wait "$FB_PID" 2>/dev/null
			FB_EXIT=$?
			fb_forget "$FB_PID"
			if cat "$T/$_role.log" "$T/$_role.err" 2>/dev/null |
				grep -q "could not open ports"; then
				diag "$_role: port $FB_PORT taken, retrying"
				continue
			fi
			return 1
			;;
		*) return 1 ;;
		esac
	done
	return 1
}

# start_upstream [READY-NAME]: sets UP_PORT and UP_PID.
start_upstream() {
	local _rn
	_rn=${1:-$(head -n 1 "$T/zones.list")}
	fb_start_unbound upstream fb_upstream_conf "$_rn" || return 1
	UP_PORT=$FB_PORT
	UP_PID=$FB_PID
}

# ---- the resolver under test ---------------------------------------

# fbconf_globals: the global part of the test's fraudblock.conf.
fbconf_globals() {
	cat <<EOF
# fraudblock.conf of test $FB_NAME
database: "$T/db"
max-db-size: 64
sinkhole-ipv4: $SINK4
sinkhole-ipv6: $SINK6
sinkhole-ttl: $SINK_TTL
poll-interval: 100
EOF
}

# feed_clause NAME SOURCE [KEY VALUE]...: a feed: clause of
# fraudblock.conf, SOURCE quoted, each KEY: VALUE as given.
feed_clause() {
	printf 'feed:\n\tname: %s\n\tsource: "%s"\n' "$1" "$2"
	shift 2
	while [ $# -ge 2 ]; do
		printf '\t%s: %s\n' "$1" "$2"
		shift 2
	done
	if [ $# -ne 0 ]; then
		echo "feed_clause: key '$1' without a value" >&2
		return 1
	fi
}

# fbconf_main [KEY VALUE]...: the fraudblock.conf most tests use: the
# globals and feed fb-main, read from $T/main.txt, with the keys given.
# A test adds its other feeds after it.
fbconf_main() {
	fbconf_globals
	feed_clause fb-main "$T/main.txt" "$@"
}

# with_conf CONF CMD...: CMD (fb_sync, start_resolver, ...) with
# FBCONF=CONF; FBCONF is what it was afterwards.  @return CMD's status.
with_conf() {
	local _saved _st
	_saved=$FBCONF
	FBCONF=$1
	shift
	"$@"
	_st=$?
	FBCONF=$_saved
	return $_st
}

# resolver_stubs: the stub-zone clauses of the resolver; a test may
# redefine this function.
resolver_stubs() {
	local _z
	while read -r _z; do
		printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: 127.0.0.1@%s\n' \
			"$_z" "$UP_PORT"
	done < "$T/zones.list"
	[ -z "${SLOW_PORT:-}" ] ||
		printf 'stub-zone:\n\tname: "slow-test."\n\tstub-addr: 127.0.0.1@%s\n' \
			"$SLOW_PORT"
}

# RES_EXTRA comes after the shared lines, so it may override them
# (t08 sets username:).
fb_resolver_conf() {
	{
		fb_server_conf resolver "$1" "$RES_THREADS"
		cat <<EOF
	do-not-query-localhost: no
	module-config: "dynlib validator iterator"
	ede: yes
	prefetch: no
${RES_EXTRA:-}
dynlib:
	dynlib-file: "$FB_MODULE"
$(resolver_stubs)
EOF
	} > "$T/resolver.conf"
}

# start_resolver [THREADS [READY-NAME]]: the resolver with the module,
# FRAUDBLOCK_CONF=$FBCONF.  Sets RES_PORT and RES_PID.
start_resolver() {
	local _rn
	RES_THREADS=${1:-2}
	_rn=${2:-$(head -n 1 "$T/zones.list")}
	fb_start_unbound resolver fb_resolver_conf "$_rn" \
		FRAUDBLOCK_CONF="$FBCONF" \
		LD_PRELOAD="${FB_PRELOAD:-}" \
		ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 || return 1
	RES_PORT=$FB_PORT
	RES_PID=$FB_PID
	if [ -n "${FB_PRELOAD:-}" ] && [ -r "/proc/$RES_PID/maps" ]; then
		if grep -q libasan "/proc/$RES_PID/maps"; then
			diag "resolver runs with $FB_PRELOAD preloaded"
		else
			diag "resolver does NOT map $FB_PRELOAD"
		fi
	fi
}

# start_servers [THREADS [READY-NAME [NOTE]]]: the upstream, then the
# resolver with THREADS (2) threads, both waited for with READY-NAME
# (default: the first zone); bails out if either does not start.  Sets
# P to the resolver's port and says both ports, with NOTE, in a diag.
start_servers() {
	local _th _s
	_th=${1:-2}
	start_upstream ${2:+"$2"} || bail "upstream did not start"
	start_resolver "$_th" ${2:+"$2"} || bail "resolver did not start"
	P=$RES_PORT
	_s=s
	if [ "$_th" = 1 ]; then
		_s=""
	fi
	diag "upstream port $UP_PORT, resolver port $P ($_th thread$_s${3:+, $3})"
}

# stop_resolver: SIGTERM the resolver, wait up to 10 s.  @return its exit
# status (0 for a clean shutdown, 124 if it did not exit).
# module_starts: how often the module started in this resolver.
module_starts() {
	grep -c 'fraudblock: module started' "$T/resolver.log"
}

# reload_resolver N: SIGHUP, then wait (5 s) for the module's N-th start
# and an answer.
reload_resolver() {
	kill -HUP "$RES_PID"
	poll_until 5000 fb_started_at_least "$1"
	wait_ready "$RES_PORT" "$(head -n 1 "$T/zones.list")" "$RES_PID"
}

fb_started_at_least() {
	[ "$(module_starts)" -ge "$1" ]
}

stop_resolver() {
	local _i _st
	kill -TERM "$RES_PID" 2>/dev/null
	_i=0
	while [ $_i -lt $((100 * FB_SLOW)) ] && alive "$RES_PID"; do
		_i=$((_i + 1))
		sleep 0.1
	done
	if alive "$RES_PID"; then
		return 124
	fi
	wait "$RES_PID"
	_st=$?
	fb_forget "$RES_PID"
	return $_st
}

# sanitizer_report: 0 if the resolver's stderr holds an ASan/UBSan report.
sanitizer_report() {
	grep -Eq 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' \
		"$T/resolver.err" 2>/dev/null
}

# finish_resolver: two test points: the resolver exits 0 on SIGTERM
# (module deinit returns, its thread joins), and printed no sanitizer
# report.
finish_resolver() {
	local _st
	stop_resolver
	_st=$?
	is "$_st" 0 "resolver with the module exits cleanly on SIGTERM"
	if sanitizer_report; then
		not_ok "no sanitizer report from the resolver" \
			"$(grep -E -m 5 'Sanitizer|runtime error' "$T/resolver.err")"
	else
		pass "no sanitizer report from the resolver"
	fi
}

# ---- queries ------------------------------------------------------

dig_full() {
	dig -4 -p "$1" @127.0.0.1 "$2" "${3:-A}" +time=2 +tries=1 \
		+nocmd +nostats 2>&1
}

dig_rcode() {
	local _o _s
	_o=$(dig_full "$@")
	_s=$(printf '%s\n' "$_o" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
	echo "${_s:-TIMEOUT}"
}

# answer rdata out of "OWNER TTL CLASS TYPE RDATA..." lines, one a line
fb_rdata() {
	awk 'NF >= 5 { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }'
}

dig_short() {
	dig -4 -p "$1" @127.0.0.1 "$2" "${3:-A}" +time=2 +tries=1 \
		+noall +answer 2>/dev/null | grep -v '^;' | fb_rdata | sort |
		tr '\n' ' ' | sed 's/ $//'
}

fb_sum() {
	# stdin: "STATUS" line then rdata lines
	awk 'NR == 1 { s = $0; next } { r[++n] = $0 }
	END { printf "%s", s; if(n) printf " "; for(i = 1; i <= n; i++)
		printf "%s%s", r[i], (i < n ? "|" : ""); printf "\n" }'
}

# fb_dig_sum_of OUTPUT: "RCODE rdata|rdata" of dig's +noall +comments
# +answer output
fb_dig_sum_of() {
	local _s
	{
		_s=$(printf '%s\n' "$1" |
			sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
		echo "${_s:-TIMEOUT}"
		printf '%s\n' "$1" | grep -v '^;' | fb_rdata | sort
	} | fb_sum
}

dig_sum() {
	fb_dig_sum_of "$(dig -4 -p "$1" @127.0.0.1 "$2" "${3:-A}" +time=2 \
		+tries=1 +noall +comments +answer 2>&1)"
}

dnsq_sum() {
	local _o _s
	_o=$("$DNSQ" -p "$1" -t "${3:-A}" 127.0.0.1 "$2" 2>&1)
	{
		_s=$(printf '%s\n' "$_o" | sed -n 's/^rcode //p')
		echo "${_s:-TIMEOUT}"
		printf '%s\n' "$_o" | sed -n 's/^answer //p' | fb_rdata | sort
	} | fb_sum
}

# dig_bulk PORT N FORMAT: one dig, one socket a query, for FORMAT's
# queries with %d = 0 .. N-1 ("q%d.bad.example-test A www.example-test A");
# prints the answer lines (and dig's complaints).
dig_bulk() {
	local _qs
	_qs=$(awk -v n="$2" -v f="$3" \
		'BEGIN { for (i = 0; i < n; i++) printf f " ", i }')
	dig -4 -p "$1" @127.0.0.1 +time=2 +tries=1 +noall +answer $_qs 2>&1
}

dig_ede() {
	dig_full "$@" | grep '^; EDE:'
}

dnsq_ede() {
	"$DNSQ" -p "$1" -t "${3:-A}" 127.0.0.1 "$2" 2>&1 | grep '^ede '
}

dnsq_view() {
	"$DNSQ" -p "$P" -t "${2:-A}" ${3:+"$3"} 127.0.0.1 "$1" 2>&1 |
		awk -F '\t' '/^answer / { if($2 != "'$SINK_TTL'") $2 = "TTL" }
			{ $1 = $1; printf "%s%s", (NR > 1 ? " | " : ""), $0 }
			END { printf "\n" }' OFS=' '
}

dig_cd_short() {
	dig -4 -p "$P" @127.0.0.1 +time=2 +tries=1 +cd +short "$1" A 2>&1
}

qlog_has() {
	[ -s "$LOG" ] && [ "$(python3 "$FB_SRCDIR/tests/integration/qlog.py" \
		rec "$LOG" "$@")" != NONE ]
}

qlog_rec() {
	poll_until 2000 qlog_has "$@"
	python3 "$FB_SRCDIR/tests/integration/qlog.py" rec "$LOG" "$@" |
		sed -E 's/"generation":[0-9]+/"generation":G/'
}

sinkholed() {
	[ "$(dig_short "$1" "$2" A)" = "$SINK4" ]
}

# resolves PORT NAME WANT: the A answer is exactly WANT
resolves() {
	[ "$(dig_short "$1" "$2" A)" = "$3" ]
}

# delay_diag WHAT: a TAP comment with the delay poll_until measured
delay_diag() {
	if [ "$POLL_MS" -ge 0 ]; then
		diag "$1 after $POLL_MS ms"
	else
		diag "$1: not within the polling time"
	fi
}

# ok_within MS WHAT DESC CMD...: poll for CMD (up to 2 s, or MS when
# that is longer), say after how long (delay_diag WHAT), and pass DESC
# if CMD succeeded within MS.
ok_within() {
	local _ms _what _desc _max
	_ms=$1
	_what=$2
	_desc=$3
	shift 3
	_max=2000
	if [ "$_ms" -gt "$_max" ]; then
		_max=$_ms
	fi
	poll_until "$_max" "$@"
	delay_diag "$_what"
	ok "$_desc" test "$POLL_MS" -ge 0 -a "$POLL_MS" -le "$_ms"
}

poll_until() {
	local _max _t0 _i
	_max=$1
	shift
	_t0=$(now_ms)
	_i=0
	while [ $_i -lt 100 ]; do
		if "$@"; then
			POLL_MS=$(($(now_ms) - _t0))
			return 0
		fi
		if [ $(($(now_ms) - _t0)) -ge "$_max" ]; then
			break
		fi
		_i=$((_i + 1))
		sleep 0.1
	done
	POLL_MS=-1
	return 1
}

# ---- our tools -----------------------------------------------------

fb_tool() {
	"$@" > "$T/last.out" 2> "$T/last.err"
}

fb_sync() {
	fb_tool "$FB_SYNC" -c "$FBCONF" "$@"
}

fb_ctl() {
	fb_tool "$FB_CTL" -c "$FBCONF" "$@"
}

# untimed FILE: fraudblock-sync's output lines without the time each feed
# took (", 12 ms" at the end of a summary, " (12 ms)" of a refusal)
untimed() {
	sed -E 's/, [0-9]+ ms$//; s/ \([0-9]+ ms\)$//' "$1"
}
