# lib-http.sh: helpers of the download tests (t18-http.sh, t18b-https.sh),
# sourced after lib.sh and fb_init.  POSIX sh plus `local`.
#
#   http_require PROG...	skip_all unless every PROG is installed
#				(nginx is also looked for in /usr/sbin)
#   start_nginx SERVERS		nginx on 127.0.0.1, its prefix, pid, temp
#				paths and logs under $T/nginx, serving the
#				http { } server blocks in SERVERS, in which
#				@PORT@ is replaced by the port picked; sets
#				NGX_PORT, NGX_PID and NGX_LOG (access log:
#				"URI STATUS CONTENT-ENCODING IF-NONE-MATCH")
#   start_fault_server LIST	tests/integration/data/httpfault.py serving
#				LIST at /list; sets FLT_PORT, FLT_LOG (one
#				line per request: its path)
#   listening PORT		something listens on 127.0.0.1:PORT (TCP)
#   store_entries		the store's entry tables and meta (with the
#				generation), as mdb_dump prints them
#   store_all			every table of the store, sources included
#   count_lines FILE PATTERN	lines of FILE that are exactly PATTERN

http_require() {
	local _p
	for _p in "$@"; do
		if [ "$_p" = nginx ] && [ -x /usr/sbin/nginx ]; then
			continue
		fi
		command -v "$_p" >/dev/null 2>&1 ||
			skip_all "$_p is not installed"
	done
	NGINX=nginx
	command -v nginx >/dev/null 2>&1 || NGINX=/usr/sbin/nginx
}

listening() {
	local _h
	_h=$(printf ':%04X 00000000:0000 0A' "$1")
	grep -q "$_h" /proc/net/tcp 2>/dev/null
}

start_nginx() {
	local _try _d
	_d=$T/nginx
	mkdir -p "$_d/tmp" || bail "mkdir $_d"
	_try=0
	while [ $_try -lt 5 ]; do
		_try=$((_try + 1))
		NGX_PORT=$(pick_port) || bail "no free port"
		NGX_LOG=$_d/access.log
		{
			cat <<EOF2
daemon off;
master_process off;
worker_processes 1;
pid $_d/nginx.pid;
error_log $_d/error.log info;
events { worker_connections 64; }
http {
	log_format fb escape=none '\$request_uri \$status \$sent_http_content_encoding \$http_if_none_match';
	access_log $NGX_LOG fb;
	client_body_temp_path $_d/tmp/body;
	proxy_temp_path $_d/tmp/proxy;
	fastcgi_temp_path $_d/tmp/fastcgi;
	uwsgi_temp_path $_d/tmp/uwsgi;
	scgi_temp_path $_d/tmp/scgi;
	types { text/plain txt; application/gzip gz; }
	default_type application/octet-stream;
EOF2
			printf '%s\n' "$1" | sed "s/@PORT@/$NGX_PORT/g"
			echo "}"
		} > "$_d/nginx.conf"
		spawn nginx "$NGINX" -p "$_d" -c "$_d/nginx.conf"
		NGX_PID=$SPAWN_PID
		if poll_until $((3000 * FB_SLOW)) listening "$NGX_PORT"; then
			diag "nginx on 127.0.0.1:$NGX_PORT"
			return 0
		fi
		# most likely the port was taken meanwhile: another one
		kill "$NGX_PID" 2>/dev/null
		wait "$NGX_PID" 2>/dev/null
		fb_forget "$NGX_PID"
	done
	cat "$T/nginx.err" "$_d/error.log" 2>/dev/null | sed 's/^/# /'
	bail "nginx did not start"
}

start_fault_server() {
	FLT_LOG=$T/fault.log
	: > "$FLT_LOG"
	spawn fault python3 "$FB_FIXTURES/httpfault.py" "$T/fault.port" \
		"$FLT_LOG" "$1"
	poll_until $((5000 * FB_SLOW)) test -s "$T/fault.port" ||
		bail "httpfault.py did not start: $(cat "$T/fault.err")"
	FLT_PORT=$(cat "$T/fault.port")
	diag "httpfault.py on 127.0.0.1:$FLT_PORT"
}

store_entries() {
	mdb_dump -s names "$T/db" && mdb_dump -s bysource "$T/db" &&
		mdb_dump -s meta "$T/db"
}

store_all() {
	mdb_dump -a "$T/db"
}

count_lines() {
	grep -cxF -- "$2" "$1"
}
