#!/bin/sh
# t18-http: fraudblock-sync downloads feeds over HTTP.
# nginx (a static file server, what a CDN does) serves lists: a 200, then a
# 304 that costs no write at all, a changed file (new ETag) that brings
# new entries, gzip as Content-Encoding (on the fly and gzip_static) and
# .gz files (two members back to back).  A scripted server
# (data/httpfault.py) misbehaves: 304 unasked, 404, 500 (retried, the requests are
# counted), redirects (followed; to file:// refused), a stalled body, a
# connection dropped mid-body, a gzip bomb, bodies over max-download, an
# empty body, an unsupported encoding.  Every rejection must leave the
# store's entries and generation byte for byte as they were.
. "$(dirname "$0")/lib.sh"
fb_init http
. "$(dirname "$0")/lib-http.sh"
http_require nginx python3 mdb_dump gzip

W=$T/www
mkdir -p "$W/gz" "$W/dyn" "$W/files"
printf 'one.example-test\ntwo.example-test\n' > "$W/list.txt"
# gzip_static: only the .gz says static.example-test, so a lookup
# proves which file was sent
printf 'plain.example-test\n' > "$W/gz/list.txt"
printf 'static.example-test\n' | gzip -9n > "$W/gz/list.txt.gz"
printf 'dyn1.example-test\ndyn2.example-test\ndyn3.example-test\n' \
	> "$W/dyn/list.txt"
printf 'member1.example-test\n' | gzip -9n > "$W/files/list.gz"
printf 'member2.example-test\n' | gzip -9n >> "$W/files/list.gz"

start_nginx "server {
	listen 127.0.0.1:@PORT@;
	root $W;
	location /gz/ { gzip_static on; }
	location /dyn/ { gzip on; gzip_types text/plain; gzip_min_length 1; }
}"
U=http://127.0.0.1:$NGX_PORT

# ---- nginx: 200, 304, a changed file --------------------------------
{
	fbconf_globals
	feed_clause web "$U/list.txt"
} > "$FBCONF"
fb_sync
is "$?" 0 "first download of a list: exit 0 (changed)"
is "$(untimed "$T/last.out")" "feed web: 2 names (+2 -0 ~0), 0 invalid, generation 1" \
	"summary of the first download"
fb_ctl lookup two.example-test
is "$?" 0 "a downloaded name is blocked"
before=$(store_all)
fb_sync
is "$?" 2 "second sync: exit 2 (unchanged)"
is "$(untimed "$T/last.out")" "feed web: not modified (304)" \
	"second sync: not modified (304)"
is "$(store_all)" "$before" \
	"a 304 writes nothing: every table, generation and source record the same"
is "$(tail -n 1 "$NGX_LOG" | cut -d' ' -f1,2)" "/list.txt 304" \
	"nginx answered the conditional GET with 304"
like "$(tail -n 1 "$NGX_LOG")" '"[0-9a-f]+-[0-9a-f]+"$' \
	"the request carried If-None-Match with nginx's ETag"

printf 'one.example-test\ntwo.example-test\nthree.example-test\n' \
	> "$W/list.txt"
fb_sync
is "$?" 0 "the file changed: exit 0"
is "$(untimed "$T/last.out")" "feed web: 3 names (+1 -0 ~0), 0 invalid, generation 2" \
	"its new ETag brings the new name"
fb_ctl lookup three.example-test
is "$?" 0 "the new name is blocked"
is "$(tail -n 1 "$NGX_LOG" | cut -d' ' -f2)" 200 \
	"the old ETag did not match: 200"

# ---- gzip ------------------------------------------------------------
{
	fbconf_globals
	feed_clause web "$U/list.txt"
	feed_clause dyn "$U/dyn/list.txt"
	feed_clause static "$U/gz/list.txt"
	feed_clause gzfile "$U/files/list.gz"
} > "$FBCONF"
fb_sync -f dyn
is "$?" 0 "gzip on the fly: exit 0"
is "$(tail -n 1 "$NGX_LOG" | cut -d' ' -f1-3)" "/dyn/list.txt 200 gzip" \
	"nginx sent it with Content-Encoding: gzip"
is "$(untimed "$T/last.out")" "feed dyn: 3 names (+3 -0 ~0), 0 invalid, generation 3" \
	"all three names of the gzipped list"
fb_sync -f dyn
is "$(untimed "$T/last.out")" "feed dyn: not modified (304)" \
	"its weak ETag gets a 304 too"
fb_sync -f static
is "$?" 0 "gzip_static: exit 0"
fb_ctl lookup static.example-test
is "$?" 0 "the name of the precompressed .gz is blocked"
fb_ctl lookup plain.example-test
is "$?" 1 "... not the one of the uncompressed file"
fb_sync -f gzfile
is "$?" 0 "a .gz file of two gzip members: exit 0"
is "$(untimed "$T/last.out")" "feed gzfile: 2 names (+2 -0 ~0), 0 invalid, generation 5" \
	"both members inflated"

# ---- a signed list: its .minisig and checksum come over HTTP too ----
printf 'signed1.example-test\nsigned2.example-test\n' > "$W/files/signed.txt"
"$FB_SIGN" -G -p "$T/sig.pub" -s "$T/sig.key" > "$T/sig.gen" 2>&1
key=$(sed -n 2p "$T/sig.pub")
"$FB_SIGN" -S -s "$T/sig.key" -m "$W/files/signed.txt" > /dev/null 2>&1
(cd "$W/files" && sha256sum signed.txt > signed.txt.sha256)
{
	fbconf_globals
	feed_clause signed "$U/files/signed.txt" signature-key "$key" \
		checksum "$U/files/signed.txt.sha256"
} > "$T/signed.conf"
with_conf "$T/signed.conf" fb_sync
is "$?" 0 "a signed list with its signature and checksum over HTTP: exit 0"
like "$(untimed "$T/last.out")" "^feed signed: 2 names .*, signed: '.*', sha256 ok$" \
	"... the signature and the checksum were checked"
is "$(grep -c '/files/signed.txt.minisig 200' "$NGX_LOG")" 1 \
	"... the .minisig was downloaded beside the list"
before=$(mdb_dump -s names "$T/db")
printf 'signed1.example-test\nsigned2.example-test\nevil.example-test\n' \
	> "$W/files/signed.txt"
with_conf "$T/signed.conf" fb_sync
is "$?" 1 "the list changed on the server after signing: refused (exit 1)"
like "$(untimed "$T/last.err")" "signature: bad signature" "... bad signature"
is "$(mdb_dump -s names "$T/db")" "$before" \
	"... and the entries in force are unchanged"

# ---- the fault server ------------------------------------------------
printf 'good1.example-test\ngood2.example-test\n' > "$T/good.txt"
start_fault_server "$T/good.txt"
F=http://127.0.0.1:$FLT_PORT
# conf_fault PATH [KEY VALUE]...: feed flt from PATH of the fault server
conf_fault() {
	local _p
	_p=$1
	shift
	{
		fbconf_globals
		feed_clause flt "$F$_p" "$@"
	} > "$FBCONF"
}
conf_fault /list
fb_sync -f flt
is "$?" 0 "the fault server's good list: exit 0"
snap=$(store_entries)
# rejected PATH WHY DESC [KEY VALUE]...: a sync of PATH exits 1 with the
# one-line reason WHY (an ERE) and leaves the entries as they were
rejected() {
	local _p _why _d
	_p=$1
	_why=$2
	_d=$3
	shift 3
	conf_fault "$_p" "$@"
	: > "$FLT_LOG"
	fb_sync -f flt
	is "$?" 1 "$_d: exit 1"
	like "$(untimed "$T/last.err")" "^fraudblock-sync: feed flt: $_why\$" \
		"$_d: the reason"
	is "$(store_entries)" "$snap" "$_d: the store's entries unchanged"
}
Fq=$(printf '%s' "$F" | sed 's/\./\\./g')
rejected /304 \
	"$Fq/304: HTTP 304 to a request without If-None-Match or If-Modified-Since" \
	"a 304 to an unconditional request"
rejected /404 "$Fq/404: HTTP 404" "404"
is "$(count_lines "$FLT_LOG" /404)" 1 "404: not retried (1 request)"
t0=$(now_ms)
rejected /500 "$Fq/500: HTTP 500 \(after 3 attempts\)" "500 with retries: 2"
t1=$(now_ms)
is "$(count_lines "$FLT_LOG" /500)" 3 "500: retried twice (3 requests)"
ok "500: backoff of 1 s then 2 s (took $((t1 - t0)) ms)" \
	[ $((t1 - t0)) -ge 3000 -a $((t1 - t0)) -lt $((9000 * FB_SLOW)) ]
rejected /500 "$Fq/500: HTTP 500" "500 with retries: 0" retries 0
is "$(count_lines "$FLT_LOG" /500)" 1 "retries: 0 means one request"
rejected /redirect-file \
	"$Fq/redirect-file: Unsupported protocol: .*file.*" \
	"a redirect to file://"
t0=$(now_ms)
rejected /slow "$Fq/slow: stalled: no data for 1 s \(timeout\)" \
	"a body that stalls past timeout: 1" timeout 1 retries 0
t1=$(now_ms)
ok "the stall was cut after about 1 s (took $((t1 - t0)) ms)" \
	[ $((t1 - t0)) -lt $((4000 * FB_SLOW)) ]
rejected /drop "$Fq/drop: Transferred a partial file: .*" \
	"a connection dropped mid-body" retries 0
rejected /bomb \
	"$Fq/bomb: over max-size \(1048576 bytes\) after decompression: gzip bomb\?" \
	"a gzip bomb (8 MB inflated, max-size: 1)" max-size 1
rejected /big \
	"$Fq/big: over max-download \(1048576 bytes on the wire\): the server announces more" \
	"3 MB announced, max-download: 1" max-download 1
rejected /big-stream \
	"$Fq/big-stream: over max-download \(1048576 bytes on the wire\)" \
	"3 MB without a length, max-download: 1" max-download 1
rejected /empty "no names in $Fq/empty, refused: empty or truncated\?" \
	"an empty body"
rejected /br "$Fq/br: unsupported Content-Encoding 'br'" \
	"Content-Encoding: br"
fb_ctl status
like "$(untimed "$T/last.out")" "unsupported Content-Encoding 'br'" \
	"the last failure is recorded in the feed's record"

conf_fault /redirect
: > "$FLT_LOG"
fb_sync -f flt
is "$?" 2 "a redirect to the same list is followed: exit 2 (unchanged)"
is "$(tr '\n' ' ' < "$FLT_LOG")" "/redirect /list " \
	"the server saw the redirect, then the list"
done_testing
