#!/bin/sh
# t30-report: fraudblock-ctl top and report, read from the query log.
# (a) Live: the real resolver with the module and log-file (log-privacy
#     full), a known mix of blocked queries from 127.0.0.5/6/7 across two
#     feeds and categories; top (by name, feed, category, client) and
#     report --day of today give exact counts, as a table, as JSON (parsed
#     by python3) and as CSV (parsed by python3's csv).
# (b) Hand-made logs with known times: --since/--until windows and the
#     UTC day's edges to the millisecond, relative times, corrupted lines
#     skipped and counted with the first one's FILE:LINE, control bytes
#     escaped in the output, a rotated .gz read, a cut .gz refused (exit
#     2), log-file and its rotated copies read by default (old ones left
#     out by their time), the key cap, and the usage errors (exit 2).
. "$(dirname "$0")/lib.sh"
fb_init report
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
command -v gzip >/dev/null 2>&1 || skip_all "gzip is not installed"
CTL=$FB_CTL
# j FILE EXPR: python3 evaluates EXPR with d = the JSON in FILE
j() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}
# csvrows FILE: each CSV row as "a|b|c", after checking it is RFC 4180
csvrows() {
	python3 -c 'import csv, sys
for r in csv.reader(open(sys.argv[1], newline="")):
    print("|".join(r))' "$1"
}

# ==== (b) hand-made logs ===================================================
H=$T/hand
mkdir "$H"
printf 'database: "%s/db"\n' "$T" > "$H/plain.conf"
# rec TS NAME FEED CATEGORY CLIENT [EVENT]: one record (CLIENT null: none)
rec() {
	_c=null
	[ "$5" != null ] && _c="\"$5\""
	_ev=${6:-block}
	if [ "$_ev" = pass ]; then
		printf '{"v":1,"ts":"%s","event":"pass","client":%s,"qname":"%s","qtype":"A","qclass":"IN","matched":null,"feed":null,"category":null,"action":null,"ede":null,"generation":1,"thread":0,"cname":false}\n' \
			"$1" "$_c" "$2"
	else
		printf '{"v":1,"ts":"%s","event":"block","client":%s,"qname":"%s","qtype":"A","qclass":"IN","matched":"x","feed":"%s","category":"%s","action":"sinkhole","ede":15,"generation":1,"thread":0,"cname":false}\n' \
			"$1" "$_c" "$2" "$3" "$4"
	fi
}
{
	rec 2026-11-30T23:59:59.999Z a.x f1 scam c1
	rec 2026-12-01T00:00:00.000Z b.x f1 scam c1
	echo 'not json at all'
	rec 2026-12-01T12:00:00.000Z B.X f2 malware c2
	rec 2026-12-01T12:30:00.000Z b.x f2 malware c2 pass
	rec 2026-12-01T13:00:00.000Z b.x f2 malware c2 | cut -c 1-100
	rec 2026-12-01T14:00:00.000Z b.x f2 malware c2 | sed 's/"v":1/"v":2/'
	python3 -c 'print("{\"v\":1,\"x\":\"" + "a" * 20000 + "\"}")'
	rec 2026-12-01T23:59:59.999Z c.x f2 malware null
	rec 2026-12-02T00:00:00.000Z c.x f1 scam c3
} > "$H/log"
hctl() {
	fb_tool "$CTL" -c "$H/plain.conf" "$@"
}
hctl top "$H/log"
is "$?" 0 "top over a log with bad lines: exit 0"
is "$(cat "$T/last.out")" "5 blocked queries, all records, 1 file; 3 distinct names (case folded)
     blocked  name
           2  b.x
           2  c.x
           1  a.x
4 lines skipped (not a valid record), first at $H/log:3: not a JSON object" \
	"top: names case folded, ties by name, 4 bad lines counted, the first named"
hctl top --json "$H/log"
j "$T/last.out" 'd["skipped_lines"], d["first_skipped"]["line"], d["first_skipped"]["why"], d["lines"], d["records"]' > "$T/got"
is "$(cat "$T/got")" "(4, 3, 'not a JSON object', 10, 6)" \
	"top --json: skipped 4 of 10 lines, first at line 3; 6 records (a pass)"

# windows: --since inclusive, --until exclusive, to the millisecond
win() {
	hctl top --json "$@" "$H/log" && j "$T/last.out" 'd["blocked"]'
}
is "$(win --since 2026-12-01 --until 2026-12-02)" 3 "the day 2026-12-01: 3 blocks"
is "$(win --since 2026-12-01T00:00:00.001Z)" 3 "since 00:00:00.001: the midnight record is out"
is "$(win --until 2026-12-01)" 1 "until 2026-12-01: only 23:59:59.999 before"
is "$(win --until 2026-12-01T00:00:00.001Z)" 2 "until 00:00:00.001 takes the midnight record"
is "$(win --since 2026-12-01T01:00:00+02:00)" 5 "since with an offset (+02:00 is 23:00Z the day before)"
is "$(win --since 2026-12-02T00:00:00Z --until 2026-12-02T00:00:00.001Z)" 1 \
	"a one-millisecond window"
hctl top --since 2026-12-02 --until 2026-12-01 "$H/log"
is "$?" 2 "--since after --until: exit 2"
hctl top --by feed --json "$H/log"
is "$(j "$T/last.out" '[(x["feed"], x["blocked"]) for x in d["top"]]')" \
	"[('f1', 3), ('f2', 2)]" "top --by feed"
hctl top --by client --json "$H/log"
is "$(j "$T/last.out" '[(x["client"], x["blocked"]) for x in d["top"]], d["without_client"]')" \
	"([('c1', 2), ('c2', 1), ('c3', 1)], 1)" \
	"top --by client: the null client is not ranked, but counted"
hctl top -n 1 --by category "$H/log"
is "$(sed -n 3p "$T/last.out")" "           3  scam" "top -n 1 --by category"

# relative times: records 30 minutes and 3 hours old
{
	rec "$(date -u -d '-30 min' +%Y-%m-%dT%H:%M:%S.000Z)" new.x f1 scam c1
	rec "$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%S.000Z)" old.x f1 scam c1
} > "$H/recent"
hctl top --json --since 1h "$H/recent"
is "$(j "$T/last.out" '[x["name"] for x in d["top"]]')" "['new.x']" \
	"--since 1h: only the record of 30 minutes ago"
hctl top --json --since 1d --until 2h "$H/recent"
is "$(j "$T/last.out" '[x["name"] for x in d["top"]]')" "['old.x']" \
	"--since 1d --until 2h: only the one of 3 hours ago"

# report: the UTC day, every edge
hctl report --day 2026-12-01 "$H/log"
is "$?" 0 "report --day: exit 0"
is "$(cat "$T/last.out")" "report for 2026-12-01 (UTC): 3 blocked queries, 1 file
feed                     category         blocked      names    clients
f1                       scam                   1          1          1
f2                       malware                2          2          1
f1                       (all)                  1          1          1
f2                       (all)                  2          2          1
(all)                    malware                2          2          1
(all)                    scam                   1          1          1
(all)                    (all)                  3          2          2
4 lines skipped (not a valid record), first at $H/log:3: not a JSON object" \
	"report table: the day's rows, b.x counted once across feeds, null client not a client"
hctl report --day 2026-12-01 --format csv "$H/log"
is "$(csvrows "$T/last.out")" "day|feed|category|blocked|distinct_names|distinct_clients
2026-12-01|f1|scam|1|1|1
2026-12-01|f2|malware|2|2|1
2026-12-01|f1||1|1|1
2026-12-01|f2||2|2|1
2026-12-01||malware|2|2|1
2026-12-01||scam|1|1|1
2026-12-01|||3|2|2" "report csv: a header row, all rows, parsed by python3 csv"
like "$(cat "$T/last.err")" "^4 lines skipped .*log:3: not a JSON object$" \
	"report csv: the skipped-lines note goes to stderr"
is "$(head -n 1 "$T/last.out" | od -An -c | tr -d ' \n' | tail -c 4)" '\r\n' \
	"csv lines end in CRLF (RFC 4180)"
hctl report --day 2026-12-02 --format json "$H/log"
is "$(j "$T/last.out" 'd["day"], d["since"], d["until"], d["blocked"], d["by_feed_category"]')" \
	"('2026-12-02', '2026-12-02T00:00:00Z', '2026-12-03T00:00:00Z', 1, [{'feed': 'f1', 'category': 'scam', 'blocked': 1, 'distinct_names': 1, 'distinct_clients': 1}])" \
	"report json: 2026-12-02 holds only its midnight record"
hctl report --day 2026-11-29 --format json "$H/log"
is "$(j "$T/last.out" 'd["blocked"], d["distinct_names"], d["by_feed"]')" \
	"(0, 0, [])" "report of a day without records: zeros"

# hostile strings in the output
{
	printf '{"v":1,"ts":"2026-12-01T01:00:00Z","event":"block","client":"c,\\"1\\"","qname":"q\\\\032\\"x","qtype":"A","qclass":"IN","matched":"x","feed":"ev\\u001b[31mil,\\"f\\"","category":"scam","action":"sinkhole","ede":15,"generation":1,"thread":0,"cname":false}\n'
} > "$H/hostile"
hctl top --by feed "$H/hostile"
like "$(cat "$T/last.out")" '  ev\\x1b\[31mil,"f"$' \
	"table: an ESC in a feed name is printed as \\x1b"
ok "no raw control byte in the table" sh -c "! grep -q \"\$(printf '\\033')\" '$T/last.out'"
hctl top "$H/hostile"
like "$(cat "$T/last.out")" '  q\\032"x$' "a qname is printed in its presentation form"
hctl report --day 2026-12-01 --format csv "$H/hostile"
is "$(csvrows "$T/last.out" | sed -n 2p)" '2026-12-01|ev\x1b[31mil,"f"|scam|1|1|1' \
	"csv: a comma and quotes in a field quoted per RFC 4180, ESC escaped"
hctl top --json --by client "$H/hostile"
is "$(j "$T/last.out" 'd["top"][0]["client"]')" 'c,"1"' "json: the client string round-trips"

# rotated files: .gz read; a cut .gz is an error
head -n 4 "$H/log" | gzip -9n > "$H/part1.gz"
tail -n +5 "$H/log" > "$H/part2"
hctl top --json "$H/part1.gz" "$H/part2"
is "$(j "$T/last.out" 'd["blocked"], [(x["name"], x["blocked"]) for x in d["top"]], d["skipped_lines"]')" \
	"(5, [('b.x', 2), ('c.x', 2), ('a.x', 1)], 4)" \
	"a .gz part and a plain part count as the whole log"
python3 -c 'import sys
for i in range(3000):
    sys.stdout.write("{\"v\":1,\"ts\":\"2026-12-01T00:00:00Z\",\"event\":\"block\",\"client\":null,\"qname\":\"n%d.x\",\"qtype\":\"A\",\"qclass\":\"IN\",\"matched\":\"x\",\"feed\":\"f\",\"category\":\"scam\",\"action\":\"sinkhole\",\"ede\":15,\"generation\":1,\"thread\":0,\"cname\":false}\n" % i)' |
	gzip -9n > "$H/big.gz"
head -c "$(($(wc -c < "$H/big.gz") / 2))" "$H/big.gz" > "$H/cut.gz"
hctl top "$H/cut.gz"
is "$?" 2 "a cut .gz: exit 2"
like "$(cat "$T/last.err")" "cut.gz: read error after line [0-9]+: unexpected end of file" \
	"... saying where and why"
is "$(wc -c < "$T/last.out" | tr -d ' ')" 0 "... and no figures"
hctl top --max-keys 2 --json "$H/big.gz"
is "$(j "$T/last.out" 'd["capped"], d["distinct"], d["uncounted"], d["blocked"]')" \
	"(True, 2, 2998, 3000)" "--max-keys 2: capped, said in the output"

# default files: log-file and its rotated copies; old copies left out
mkdir "$H/logs"
printf 'database: "%s/db"\nlog-file: "%s/logs/q.json"\n' "$T" "$H" > "$H/log.conf"
rec 2026-12-02T10:00:00Z live.x f1 scam c1 > "$H/logs/q.json"
rec 2026-12-01T10:00:00Z rot1.x f1 scam c1 | gzip -9n > "$H/logs/q.json.1.gz"
rec 2026-11-20T10:00:00Z rot2.x f1 scam c1 > "$H/logs/q.json.2"
touch -d 2026-12-01T10:00:00Z "$H/logs/q.json.1.gz"
touch -d 2026-11-20T10:00:00Z "$H/logs/q.json.2"
: > "$H/logs/q.json.reopen"
fb_tool "$CTL" -c "$H/log.conf" top --json
is "$(j "$T/last.out" '[x.rsplit("/", 1)[1] for x in d["files"]], d["blocked"]')" \
	"(['q.json', 'q.json.1.gz', 'q.json.2'], 3)" \
	"no FILE: log-file and its rotated copies (not the reopen trigger)"
fb_tool "$CTL" -c "$H/log.conf" top --json --since 2026-11-25
is "$(j "$T/last.out" '[x.rsplit("/", 1)[1] for x in d["files"]], d["blocked"]')" \
	"(['q.json', 'q.json.1.gz'], 2)" \
	"--since: a rotated copy last changed before it is not read"
hctl top
is "$?" 2 "no FILE and no log-file: exit 2"

# usage and read errors
hctl top "$H/nonexistent"
is "$?" 2 "a missing file: exit 2"
hctl top --since yesterday "$H/log"
is "$?" 2 "a time that is none: exit 2"
hctl top --by qtype "$H/log"
is "$?" 2 "an unknown --by: exit 2"
hctl top -n 0 "$H/log"
is "$?" 2 "-n 0: exit 2"
hctl report "$H/log"
is "$?" 2 "report without --day: exit 2"
hctl report --day 2026-02-30 "$H/log"
is "$?" 2 "report --day of no date: exit 2"
hctl report --day 2026-12-01 --format xml "$H/log"
is "$?" 2 "report --format xml: exit 2"
hctl top --bogus "$H/log"
is "$?" 2 "an unknown option: exit 2"

# ==== (a) live ==============================================================
LOG=$T/query.log
echo scam-a.example-test > "$T/main.txt"
echo phish-b.example-test > "$T/b.txt"
{
	fbconf_main category scam
	feed_clause fb-b "$T/b.txt" action nxdomain category phishing
	printf 'log-file: "%s"\nlog-privacy: full\n' "$LOG"
} > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync loads two feeds (exit 0)"
zone example-test.
rr "www.example-test. 300 IN A 192.0.2.1"
DAY0=$(date -u +%Y-%m-%d)
start_servers 1 example-test.
# ask SRC NAME...: one dig from SRC; prints its statuses, one a line
ask() {
	_src=$1
	shift
	dig -4 -p "$P" @127.0.0.1 -b "$_src" +time=2 +tries=1 +noall \
		+comments "$@" 2>&1 | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}
{
	ask 127.0.0.5 www.scam-a.example-test www.scam-a.example-test \
		www.scam-a.example-test x.scam-a.example-test \
		p.phish-b.example-test p.phish-b.example-test www.example-test
	ask 127.0.0.6 www.scam-a.example-test www.scam-a.example-test \
		P.Phish-B.example-test
	ask 127.0.0.7 y.phish-b.example-test www.scam-a.example-test
} > "$T/statuses"
is "$(sort "$T/statuses" | uniq -c | tr -s ' ')" " 8 NOERROR
 4 NXDOMAIN" "12 queries answered: 7 sinkholed and 1 benign (NOERROR), 4 NXDOMAIN"
lines() {
	[ "$(wc -l < "$LOG" 2>/dev/null || echo 0)" -ge 11 ]
}
ok_within 3000 "11 records" "the module wrote 11 records" lines
is "$(wc -l < "$LOG" | tr -d ' ')" 11 "exactly 11: one a blocked query"
DAY=$(python3 -c 'import json, sys
print(json.loads(open(sys.argv[1]).readline())["ts"][:10])' "$LOG")
ok "the records are of today (UTC)" test "$DAY" = "$DAY0" -o \
	"$DAY" = "$(date -u +%Y-%m-%d)"

fb_ctl top
is "$?" 0 "top over the live log (log-file by default): exit 0"
is "$(cat "$T/last.out")" "11 blocked queries, all records, 1 file; 4 distinct names (case folded)
     blocked  name
           6  www.scam-a.example-test
           3  p.phish-b.example-test
           1  x.scam-a.example-test
           1  y.phish-b.example-test" "top: the names, exact"
fb_ctl top --json --by feed
is "$(j "$T/last.out" '[(x["feed"], x["blocked"]) for x in d["top"]], d["skipped_lines"]')" \
	"([('fb-main', 7), ('fb-b', 4)], 0)" "top --by feed --json"
fb_ctl top --json --by category
is "$(j "$T/last.out" '[(x["category"], x["blocked"]) for x in d["top"]]')" \
	"[('scam', 7), ('phishing', 4)]" "top --by category --json"
fb_ctl top --json --by client --since 1h
is "$(j "$T/last.out" '[(x["client"], x["blocked"]) for x in d["top"]]')" \
	"[('127.0.0.5', 6), ('127.0.0.6', 3), ('127.0.0.7', 2)]" \
	"top --by client --since 1h: the clients as written (full)"
fb_ctl top --json --by matched
is "$(j "$T/last.out" '[(x["matched"], x["blocked"]) for x in d["top"]]')" \
	"[('scam-a.example-test', 7), ('phish-b.example-test', 4)]" \
	"top --by matched: the listed names"

fb_ctl report --day "$DAY"
is "$?" 0 "report --day today: exit 0"
is "$(tail -n +2 "$T/last.out")" "feed                     category         blocked      names    clients
fb-b                     phishing               4          2          3
fb-main                  scam                   7          2          3
fb-b                     (all)                  4          2          3
fb-main                  (all)                  7          2          3
(all)                    phishing               4          2          3
(all)                    scam                   7          2          3
(all)                    (all)                 11          4          3" \
	"report table: blocked, distinct names, distinct clients, exact"
fb_ctl report --day "$DAY" --format csv
is "$(csvrows "$T/last.out" | sed -n '1p;2p;3p;$p')" \
	"day|feed|category|blocked|distinct_names|distinct_clients
$DAY|fb-b|phishing|4|2|3
$DAY|fb-main|scam|7|2|3
$DAY|||11|4|3" "report csv, parsed by python3 csv"
fb_ctl report --day "$DAY" --format json
is "$(j "$T/last.out" 'd["blocked"], d["distinct_names"], d["distinct_clients"], [(x["feed"], x["category"], x["blocked"], x["distinct_names"], x["distinct_clients"]) for x in d["by_feed_category"]], [(x["category"], x["blocked"]) for x in d["by_category"]]')" \
	"(11, 4, 3, [('fb-b', 'phishing', 4, 2, 3), ('fb-main', 'scam', 7, 2, 3)], [('phishing', 4), ('scam', 7)])" \
	"report json: one object, exact"

finish_resolver
done_testing
