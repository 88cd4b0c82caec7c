# bench-lib.sh: what the benchmarks share, sourced by bench/bench-*.sh.
# bench_setup NAME: a temporary directory $dir, removed on exit with every
# process whose PID the caller added to the array pids.  free_port prints
# a port nothing listens on; server_clause NAME PORT prints the server:
# part every Unbound here shares (log in $dir/NAME.log).

bench_setup() {
	dir=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	pids=()
	trap bench_cleanup EXIT
}

bench_cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}

# a port nothing listens on (UDP or TCP), from the high range
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		ss -Hlnut | awk '{ print $5 }' | grep -q ":$p\$" || { echo "$p"; return; }
	done
}

# server_clause NAME PORT: the part every Unbound here shares
server_clause() {
	cat <<EOF
server:
	interface: 127.0.0.1
	port: $2
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$dir"
	pidfile: ""
	use-syslog: no
	logfile: "$dir/$1.log"
EOF
}
