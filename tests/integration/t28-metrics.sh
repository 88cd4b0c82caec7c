#!/bin/sh
# t28-metrics: the metrics file after a known query mix, read three ways.
# A resolver with two threads and metrics-file answers N names blocked by
# feed fb-a (sinkhole, scam), M by fb-b (nxdomain, phishing), K names an
# allow entry lets through, L unlisted names, then the same L again from
# Unbound's cache.  The file the module writes holds exactly those
# counts (differences from a reading taken before the mix); Debian's
# prometheus-node-exporter serves the same samples from its textfile
# collector; `fraudblock-ctl stats --json` gives the same numbers.  The
# Grafana dashboard uses only metrics doc/metrics.md lists, and the file
# holds every one of those.  count-cache-hits: no (the default; set after
# a reload) leaves the cache-hit counter out; bad metrics settings and
# metrics files are refused with file:line; a file that cannot be written
# is logged once and changes nothing else.
. "$(dirname "$0")/lib.sh"
fb_init metrics

N=5
M=3
K=4
L=6
MDIR=$T/metrics
MFILE=$MDIR/fraudblock.prom
mkdir "$MDIR"

echo "blocka.example-test" > "$T/a.txt"
echo "okay.example-test" >> "$T/a.txt"
echo "blockb.example-test" > "$T/b.txt"
{
	fbconf_globals
	echo "metrics-file: \"$MFILE\""
	echo "metrics-interval: 1"
	echo "count-cache-hits: yes"
	feed_clause fb-a "$T/a.txt" action sinkhole category scam
	feed_clause fb-b "$T/b.txt" action nxdomain category phishing
} > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync loads feeds fb-a and fb-b (exit 0)"
fb_ctl allow okay.example-test
is "$?" 0 "fraudblock-ctl allow okay.example-test (fb-a lists it)"

zone example-test.
rr "ready.example-test. 300 IN A 192.0.2.1"
i=0
while [ $i -lt $L ]; do
	rr "u$i.example-test. 300 IN A 192.0.2.10"
	i=$((i + 1))
done
i=0
while [ $i -lt $K ]; do
	rr "k$i.okay.example-test. 300 IN A 192.0.2.20"
	i=$((i + 1))
done

start_servers 2 ready.example-test.

# ---- reading the file ----------------------------------------------------

# mval SAMPLE: the value of the sample line "SAMPLE VALUE" in $MFILE, or
# "absent"
mval() {
	awk -v s="$1" 'index($0, s " ") == 1 && length($0) > length(s) + 1 {
		v = substr($0, length(s) + 2) } END { print v == "" ? "absent" : v }' \
		"$MFILE" 2>/dev/null
}

# fresh_since T: the file exists and was written after unix time T (ms)
fresh_since() {
	[ -f "$MFILE" ] || return 1
	awk -v t="$1" '$1 == "fraudblock_metrics_timestamp_seconds" {
		found = 1; exit !($2 * 1000 > t) } END { if(!found) exit 1 }' \
		"$MFILE"
}

# snapshot NAME: copy the file once it was written after now
snapshot() {
	local _t0
	_t0=$(now_ms)
	poll_until $((5000 * FB_SLOW)) fresh_since "$_t0"
	delay_diag "metrics file written again"
	cp "$MFILE" "$T/$1.prom" 2>/dev/null
}

# delta SAMPLE: its value in after.prom minus before.prom (absent: 0)
delta() {
	local _a _b
	_a=$(MFILE=$T/after.prom mval "$1")
	_b=$(MFILE=$T/before.prom mval "$1")
	[ "$_a" = absent ] && _a=0
	[ "$_b" = absent ] && _b=0
	echo $((_a - _b))
}

snapshot before
ok "the module writes metrics-file within 5 s of start" test -s "$T/before.prom"

# ---- the query mix -----------------------------------------------------------
sinks=$(dig_bulk $P $N "q%d.blocka.example-test A" | grep -c "A[[:space:]]*$SINK4\$")
is "$sinks" "$N" "$N names below blocka (fb-a) answered with the sinkhole"
nx=0
i=0
while [ $i -lt $M ]; do
	[ "$(dig_rcode $P "q$i.blockb.example-test")" = NXDOMAIN ] &&
		nx=$((nx + 1))
	i=$((i + 1))
done
is "$nx" "$M" "$M names below blockb (fb-b) answered NXDOMAIN"
is "$(dig_bulk $P $K "k%d.okay.example-test A" | grep -c '192\.0\.2\.20$')" \
	"$K" "$K names below the allowed okay.example-test resolve"
is "$(dig_bulk $P $L "u%d.example-test A" | grep -c '192\.0\.2\.10$')" \
	"$L" "$L unlisted names resolve"
is "$(dig_bulk $P $L "u%d.example-test A" | grep -c '192\.0\.2\.10$')" \
	"$L" "the same $L unlisted names again (from the cache)"

snapshot after
ok "the file is rewritten after the mix" test -s "$T/after.prom"

is "$(delta fraudblock_queries_checked_total)" $((N + M + K + L)) \
	"queries_checked went up by N+M+K+L = $((N + M + K + L))"
is "$(delta fraudblock_cache_hits_total)" "$L" \
	"cache_hits went up by L = $L (reply_cache callback)"
is "$(delta 'fraudblock_blocked_total{feed="fb-a",category="scam",action="sinkhole"}')" \
	"$N" "blocked{fb-a, scam, sinkhole} went up by N = $N"
is "$(delta 'fraudblock_blocked_total{feed="fb-b",category="phishing",action="nxdomain"}')" \
	"$M" "blocked{fb-b, phishing, nxdomain} went up by M = $M"
is "$(grep -c '^fraudblock_blocked_total{' "$T/after.prom")" 2 \
	"no other blocked_total series"
is "$(delta 'fraudblock_allowed_total{feed="manual-allow"}')" "$K" \
	"allowed{manual-allow} went up by K = $K"
# blocked names are decided once; the others again when the answer comes
is "$(delta fraudblock_lookups_total)" $((N + M + 2 * K + 2 * L)) \
	"lookups went up by N+M+2K+2L"
is "$(mval fraudblock_lookup_errors_total)" 0 "no lookup errors"
is "$(mval fraudblock_cache_evicted_total)" 0 "no cache evictions"
is "$(mval fraudblock_log_records_written_total) $(mval fraudblock_log_records_dropped_total)" \
	"0 0" "log records written and dropped exported (0: no log)"
fb_ctl status
gen=$(sed -n 's/^generation //p' "$T/last.out")
is "$(mval fraudblock_list_generation)" "$gen" \
	"list_generation is the store's ($gen)"
is "$(mval fraudblock_list_loaded)" 1 "list_loaded 1"
is "$(mval 'fraudblock_feed_entries{feed="fb-a"}') $(mval 'fraudblock_feed_entries{feed="fb-b"}') $(mval 'fraudblock_feed_entries{feed="manual-allow"}')" \
	"2 1 1" "feed_entries: fb-a 2, fb-b 1, manual-allow 1"
age=$(mval 'fraudblock_feed_sync_age_seconds{feed="fb-a"}')
ok "feed_sync_age_seconds of fb-a is 0..300 ($age)" \
	test "$age" -ge 0 -a "$age" -le 300
like "$(mval fraudblock_worker_threads)" '^[12]$' \
	"worker_threads: the threads that counted (1 or 2)"
is "$(grep -c '^# TYPE fraudblock_[a-z_]* \(counter\|gauge\)$' "$MFILE")" \
	17 "17 metrics, each with its TYPE line"
ok "no temporary file left beside it" \
	test "$(ls -A "$MDIR")" = fraudblock.prom

# ---- node_exporter's textfile collector ------------------------------------------
NX=$(command -v prometheus-node-exporter 2>/dev/null)
if [ -z "$NX" ] || ! command -v curl >/dev/null 2>&1; then
	not_ok "prometheus-node-exporter and curl are installed (quickstart)"
else
	cp "$MFILE" "$T/served.prom"
	try=0
	while [ $try -lt 5 ]; do
		try=$((try + 1))
		NP=$(pick_port)
		spawn nodeexp "$NX" --web.listen-address="127.0.0.1:$NP" \
			--collector.disable-defaults --collector.textfile \
			--collector.textfile.directory="$MDIR"
		NXPID=$SPAWN_PID
		poll_until $((5000 * FB_SLOW)) curl -sf --max-time 2 \
			-o "$T/scrape.txt" "http://127.0.0.1:$NP/metrics"
		[ "$POLL_MS" -ge 0 ] && break
		kill "$NXPID" 2>/dev/null
		wait "$NXPID" 2>/dev/null
		fb_forget "$NXPID"
		diag "node_exporter on port $NP did not answer; retrying"
	done
	ok "node_exporter serves /metrics on 127.0.0.1:$NP" test -s "$T/scrape.txt"
	like "$(grep '^node_textfile_scrape_error' "$T/scrape.txt")" \
		'^node_textfile_scrape_error 0$' \
		"node_exporter read the file without error"
	# the counters do not move without queries; the file's timestamp
	# and ages do, so they are left out of the comparison
	cmp_out=$(python3 - "$MFILE" "$T/scrape.txt" <<'EOF'
import re, sys
def samples(path):
    out = {}
    for line in open(path):
        if not line.startswith("fraudblock_"):
            continue
        m = re.match(r'^([a-z_]+)(\{(.*)\})? (\S+)$', line.strip())
        name, labels, value = m.group(1), m.group(3) or "", m.group(4)
        if name in ("fraudblock_metrics_timestamp_seconds",
                    "fraudblock_feed_sync_age_seconds"):
            continue
        ls = sorted(re.findall(r'([a-z]+)="((?:[^"\\]|\\.)*)"', labels))
        out[(name, tuple(ls))] = float(value)
    return out
a, b = samples(sys.argv[1]), samples(sys.argv[2])
print("same %d" % len(a) if a == b else "differ: file %r node_exporter %r"
      % (sorted(set(a.items()) - set(b.items())),
         sorted(set(b.items()) - set(a.items()))))
EOF
)
	like "$cmp_out" '^same [0-9]+$' \
		"node_exporter's /metrics holds the file's samples, same values"
	kill "$NXPID" 2>/dev/null
	wait "$NXPID" 2>/dev/null
	fb_forget "$NXPID"
fi

# ---- fraudblock-ctl stats -----------------------------------------------
fb_ctl stats --json
is "$?" 0 "fraudblock-ctl stats --json exits 0"
cp "$T/last.out" "$T/stats.json"
cmp_out=$(python3 - "$MFILE" "$T/stats.json" <<'EOF'
import json, re, sys
f = {}
for line in open(sys.argv[1]):
    m = re.match(r'^(fraudblock_[a-z_]+)(\{.*\})? (\S+)$', line.strip())
    if m:
        f.setdefault(m.group(1), []).append((m.group(2) or "", m.group(3)))
def one(n):
    return int(f[n][0][1])
def tot(n):
    return sum(int(v) for _, v in f.get(n, []))
j = json.load(open(sys.argv[2]))
want = {
    "queries_checked": one("fraudblock_queries_checked_total"),
    "cache_hits": one("fraudblock_cache_hits_total"),
    "lookups": one("fraudblock_lookups_total"),
    "blocked": tot("fraudblock_blocked_total"),
    "allowed": tot("fraudblock_allowed_total"),
    "lookup_errors": one("fraudblock_lookup_errors_total"),
    "cache_evicted": one("fraudblock_cache_evicted_total"),
    "log_records_written": one("fraudblock_log_records_written_total"),
    "log_records_dropped": one("fraudblock_log_records_dropped_total"),
    "list_generation": one("fraudblock_list_generation"),
}
bad = ["%s: json %r file %r" % (k, j.get(k), v) for k, v in want.items()
       if j.get(k) != v]
by = sorted('{feed="%s",category="%s",action="%s"} %d' % (b["feed"],
    b["category"], b["action"], b["queries"]) for b in j["blocked_by"])
fby = sorted("%s %s" % x for x in f["fraudblock_blocked_total"])
if by != fby:
    bad.append("blocked_by %r file %r" % (by, fby))
ent = sorted('{feed="%s"} %d' % (x["name"], x["entries"]) for x in j["feeds"])
fent = sorted("%s %s" % x for x in f["fraudblock_feed_entries"])
if ent != fent:
    bad.append("feeds %r file %r" % (ent, fent))
print("same" if not bad else "; ".join(bad))
EOF
)
is "$cmp_out" same "stats --json gives the file's numbers (counters, blocked_by, feeds)"
fb_ctl stats
is "$?" 0 "fraudblock-ctl stats (table) exits 0"
like "$(grep '^queries checked' "$T/last.out")" \
	"^queries checked \\(cache misses\\) +$(mval fraudblock_queries_checked_total)\$" \
	"the table shows the same queries checked"

# ---- the dashboard and doc/metrics.md ------------------------------------------
DASH=$FB_SRCDIR/contrib/grafana/fraudblock.json
ok "contrib/grafana/fraudblock.json is valid JSON" \
	python3 -m json.tool "$DASH" /dev/null
sed -n 's/^| `\(fraudblock_[a-z_]*\)`.*/\1/p' "$FB_SRCDIR/doc/metrics.md" |
	sort -u > "$T/doc.names"
python3 - "$DASH" > "$T/dash.names" 2> "$T/dash.exprs" <<'EOF'
import json, re, sys
# every string: panel queries ("expr"), the variable's query, texts
names, exprs = set(), 0
def walk(o, key):
    global exprs
    if isinstance(o, dict):
        for k, v in o.items():
            walk(v, k)
    elif isinstance(o, list):
        for v in o:
            walk(v, key)
    elif isinstance(o, str):
        found = re.findall(r'fraudblock_[a-z_]+', o)
        names.update(found)
        exprs += key == "expr" and len(found) > 0
walk(json.load(open(sys.argv[1])), None)
print("\n".join(sorted(names)))
sys.stderr.write("%d\n" % exprs)
EOF
like "$(cat "$T/dash.exprs") $(wc -l < "$T/dash.names")" '^1[0-9] 1[0-9]$' \
	"the dashboard has $(cat "$T/dash.exprs") queries of fraudblock metrics, $(wc -l < "$T/dash.names") metrics named"
is "$(comm -23 "$T/dash.names" "$T/doc.names" | tr '\n' ' ')" "" \
	"every metric the dashboard uses is in doc/metrics.md"
sed -n 's/^# TYPE \(fraudblock_[a-z_]*\) .*/\1/p' "$MFILE" | sort -u > "$T/file.names"
is "$(comm -3 "$T/doc.names" "$T/file.names" | tr -d '\t' | tr '\n' ' ')" "" \
	"doc/metrics.md lists exactly the metrics the file holds"

# ---- count-cache-hits: no, after a reload ------------------------------------------
sed 's/^count-cache-hits: yes$/count-cache-hits: no/' \
	"$FBCONF" > "$T/conf.new" && mv "$T/conf.new" "$FBCONF"
reload_resolver 2
t0=$(now_ms)
poll_until $((5000 * FB_SLOW)) fresh_since "$t0"
is "$(mval fraudblock_cache_hits_total)" absent \
	"count-cache-hits: no: the file has no cache-hit counter"
like "$(mval fraudblock_queries_checked_total)" '^[0-3]$' \
	"the reloaded module counts from 0 (only the readiness queries since)"
is "$(dig_short $P u0.example-test)" 192.0.2.10 "u0 answers after the reload"
fb_ctl stats --json
like "$(grep '"cache_hits"' "$T/last.out")" '"cache_hits": null' \
	"stats --json says cache_hits null when they are not counted"

# ---- refused settings and files -------------------------------------------------
for bad in 'metrics-file: "relative.prom"' 'metrics-file: "/metrics/"' \
	'metrics-interval: 0' 'metrics-interval: 3601' 'count-cache-hits: maybe'; do
	{ fbconf_globals; echo "$bad"; } > "$T/bad.conf"
	fb_ctl check-config "$T/bad.conf"
	st=$?
	like "$st $(cat "$T/last.out" "$T/last.err")" \
		"^1 .*bad\\.conf:8: .*(metrics|count-cache-hits)" \
		"check-config refuses '$bad' with file:line"
done
fbconf_globals > "$T/nometrics.conf"
with_conf "$T/nometrics.conf" fb_ctl stats
is "$?" 2 "stats without metrics-file exits 2"
like "$(cat "$T/last.err")" 'stats needs metrics-file' "and says why"
{ fbconf_globals; echo "metrics-file: \"$T/hostile.prom\""; } > "$T/hostile.conf"
printf 'fraudblock_queries_checked_total 1\nfraudblock_blocked_total{feed="x\\q"} 1\n' \
	> "$T/hostile.prom"
with_conf "$T/hostile.conf" fb_ctl stats
is "$?" 2 "a metrics file with a bad escape is refused (exit 2)"
like "$(cat "$T/last.err")" 'hostile\.prom:2: not a metric line' \
	"with file:line"
printf 'fraudblock_metrics_timestamp_seconds 1.5\nfraudblock_queries_checked_total 1\nfraudblock_blocked_total{feed="a\033]0;x\007",category="scam",action="nodata"} 7\n' \
	> "$T/hostile.prom"
with_conf "$T/hostile.conf" fb_ctl stats
is "$?" 0 "a file with control bytes in a label is read"
escaped() {
	grep -q 'a\\x1b]0;x\\x07' "$T/last.out" &&
		! grep -q "$(printf '\033')" "$T/last.out"
}
ok "the table prints them escaped, never raw" escaped
rm -f "$T/hostile.prom"
with_conf "$T/hostile.conf" fb_ctl stats
like "$? $(cat "$T/last.err")" '^2 .*no metrics file' \
	"a missing metrics file: exit 2, says so"

# ---- a metrics file that cannot be written ---------------------------------------
sed "s|^metrics-file: .*|metrics-file: \"$T/missing/fraudblock.prom\"|" \
	"$FBCONF" > "$T/conf.new" && mv "$T/conf.new" "$FBCONF"
reload_resolver 3
is "$(module_starts)" 3 "reloaded with metrics-file in a missing directory"
sleep $((3 * FB_SLOW))
is "$(grep -c 'cannot write the metrics file .*missing/fraudblock.prom' \
	"$T/resolver.log")" 1 "the write error is logged once in 3 metrics-intervals"
is "$(dig_sum $P blockb.example-test)" NXDOMAIN \
	"the resolver still blocks while the file cannot be written"

finish_resolver
done_testing
