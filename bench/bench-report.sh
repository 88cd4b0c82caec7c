#!/bin/bash
# bench-report.sh [MB]: how fast fraudblock-ctl top and report read the
# query log.  Writes a realistic log of about MB megabytes (default 1024)
# under TMPDIR with python3: one day of block records spread over 24 hours,
# 200,000 listed names under 20,000 registered domains drawn with a
# Zipf-like skew (a few names take most of the blocks, as in real traffic),
# 50,000 clients as log-privacy truncate writes them (/24 and /48), four
# feeds, the five categories, one record in 2,000 a "pass" and one line in
# 100,000 cut short (as after a crash).  Then times `top` (by name, and
# by client), `top --since` over half the day and `report --day`, each run
# once with the file in the page cache, and prints MB/s and the peak
# resident memory (GNU time).
#
# Not run by `make check`: it writes MB of disk and takes a minute or two.
# Needs python3, bc, /usr/bin/time (Debian package time) and a built tree
# (.local/ from ./quickstart); override the binary with FB_CTL.
set -euo pipefail

mb=${1:-1024}
case $mb in ''|*[!0-9]*|0) echo "bench-report: MB is a positive integer" >&2; exit 1;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
FB_CTL=${FB_CTL:-$root/.local/bin/fraudblock-ctl}
[ -x "$FB_CTL" ] || { echo "bench-report: missing $FB_CTL (run ./quickstart first)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-report: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
for p in python3 bc; do command -v $p >/dev/null || { echo "bench-report: needs $p" >&2; exit 1; }; done

. "$root/bench/bench-lib.sh"
bench_setup fbreport
log=$dir/query.log
printf 'database: "%s/db"\n' "$dir" > "$dir/fraudblock.conf"

echo "writing a ${mb} MB query log ..."
t0=$(date +%s.%N)
python3 - "$log" "$mb" <<'PY'
import random, sys, zlib
path, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
tlds = ["com", "net", "org", "vn", "com.vn", "xyz", "top", "shop", "online", "site"]
feeds = [("hostsvn", "scam"), ("urlhaus", "malware"), ("openphish", "phishing"),
         ("manual-block", "unspecified"), ("hostsvn", "other")]
actions = ["sinkhole", "sinkhole", "sinkhole", "nxdomain", "nodata"]
domains = ["%s%d.%s" % (rnd.choice(["scam", "phish", "bank-login", "free-gift", "xn--vt-9ja"]),
           i, rnd.choice(tlds)) for i in range(20000)]
subs = ["", "www.", "m.", "login.", "secure.", "cdn.", "api.", "img.", "a1.", "b2."]
names = [(rnd.choice(subs) + d, d) for d in domains for _ in range(10)]
clients = ["10.%d.%d.0/24" % (i // 256, i % 256) for i in range(40000)] + \
          ["2001:db8:%x::/48" % i for i in range(10000)]
# Zipf-like: index = n * u^3 favours the first names
def pick(seq):
    return seq[int(len(seq) * rnd.random() ** 3)]
day = "2026-12-01"
target = mb * 1024 * 1024
written = 0
i = 0
with open(path, "w") as f:
    buf = []
    while written < target:
        ms = int(86400000 * i / (target / 300))  # spread over the day
        ms = min(ms, 86399999)
        ts = "%sT%02d:%02d:%02d.%03dZ" % (day, ms // 3600000, ms // 60000 % 60,
                                          ms // 1000 % 60, ms % 1000)
        q, dom = pick(names)
        feed, cat = feeds[zlib.crc32(dom.encode()) % len(feeds)]
        if i % 2000 == 1999:
            line = ('{"v":1,"ts":"%s","event":"pass","client":"%s","qname":"%s",'
                    '"qtype":"A","qclass":"IN","matched":null,"feed":null,'
                    '"category":null,"action":null,"ede":null,"generation":%d,'
                    '"thread":%d,"cname":false}\n') % (ts, pick(clients), q, 1000 + i // 100000, i % 4)
        else:
            line = ('{"v":1,"ts":"%s","event":"block","client":"%s","qname":"%s",'
                    '"qtype":"%s","qclass":"IN","matched":"%s","feed":"%s",'
                    '"category":"%s","action":"%s","ede":15,"generation":%d,'
                    '"thread":%d,"cname":false}\n') % (ts, pick(clients), q,
                    "AAAA" if i % 3 == 0 else "A", dom, feed, cat,
                    actions[i % 5], 1000 + i // 100000, i % 4)
        if i % 100000 == 99999:
            line = line[:len(line) // 2] + "\n"
        buf.append(line)
        written += len(line)
        i += 1
        if len(buf) == 10000:
            f.write("".join(buf))
            buf = []
    f.write("".join(buf))
print("%d lines" % i)
PY
t1=$(date +%s.%N)
size=$(stat -c %s "$log")
printf 'log: %d bytes, %s lines, written in %.1f s\n' "$size" "$(wc -l < "$log")" \
	"$(echo "$t1 - $t0" | bc)"
cat "$log" > /dev/null	# into the page cache: measure the reader, not the disk

# run LABEL ARGS...: time one ctl run; print its MB/s and peak memory
run() {
	local label=$1 s e rss
	shift
	s=$(date +%s.%N)
	/usr/bin/time -f '%M' -o "$dir/time" "$FB_CTL" -c "$dir/fraudblock.conf" "$@" \
		> "$dir/out" 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
	e=$(date +%s.%N)
	rss=$(tail -n 1 "$dir/time")
	printf '%-34s %6.2f s %7.0f MB/s  peak RSS %6.1f MB\n' "$label" \
		"$(echo "$e - $s" | bc)" \
		"$(echo "$size / 1048576 / ($e - $s)" | bc -l)" \
		"$(echo "$rss / 1024" | bc -l)"
}
run "top (by name)" top "$log"
sed -n '1,4p;$p' "$dir/out" | sed 's/^/    /'
run "top --by client" top --by client "$log"
run "top --since 12:00 (half the day)" top --since 2026-12-01T12:00:00Z "$log"
run "report --day" report --day 2026-12-01 "$log"
sed -n '1,3p' "$dir/out" | sed 's/^/    /'
gzip -1 -c "$log" > "$log.1.gz"
printf 'gzip -1: %d bytes\n' "$(stat -c %s "$log.1.gz")"
run "top on the .gz (MB/s of the log)" top "$log.1.gz"
