#!/bin/bash
# bench-sync.sh [NAMES]: what fraudblock-sync costs on a plain feed file of
# NAMES lines (default 1,000,000): the first import, then three updates of
# 1,000 changed lines (500 names gone, 500 new), each with its wall time
# and the process's peak resident memory (GNU time's "Maximum resident set
# size"), then the median update time.  The store's own apply time of the
# same updates is bench/bench_store's; this adds reading, parsing and
# sorting the file, which a sync pays on every run.
#
# Not run by `make check` (10,000,000 names take minutes and about 2 GB of
# disk under TMPDIR).  Needs /usr/bin/time (Debian package time) and a
# built tree (.local/ from ./quickstart); override the binary with FB_SYNC.
set -euo pipefail

n=${1:-1000000}
case $n in ''|*[!0-9]*|0) echo "bench-sync: NAMES is a positive integer" >&2; exit 1;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
FB_SYNC=${FB_SYNC:-$root/.local/bin/fraudblock-sync}
[ -x "$FB_SYNC" ] || { echo "bench-sync: missing $FB_SYNC (run ./quickstart first)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-sync: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

. "$root/bench/bench-lib.sh"
bench_setup fbsync

# names FROM TO: the synthetic names [FROM, TO), one a line (as bench_store)
names() {
	awk -v from="$1" -v to="$2" 'BEGIN {
		split("com net org vn xyz info top shop online site", t, " ");
		for(i = from; i < to; i++) {
			h = (i * 2654435761) % 4294967296;
			printf "s%d-%x.%s\n", i, h % 16777216, t[h % 10 + 1];
		}
	}'
}

cat >"$dir/fb.conf" <<EOF
database: "$dir/db"
max-db-size: 4096
feed:
	name: bench
	source: "$dir/list.txt"
	max-size: 2048
	max-shrink: 100
EOF
export FRAUDBLOCK_CONF="$dir/fb.conf"

# run WHAT: one sync, timed; prints WHAT, wall seconds, peak RSS, summary
run() {
	local st
	set +e
	/usr/bin/time -f "%e %M" -o "$dir/time.txt" "$FB_SYNC" >"$dir/out.txt" 2>&1
	st=$?
	set -e
	if [ "$st" -ne 0 ] && [ "$st" -ne 2 ]; then
		echo "bench-sync: fraudblock-sync failed ($st):" >&2
		cat "$dir/out.txt" >&2
		exit 1
	fi
	read -r wall rss <"$dir/time.txt"
	printf '%s: %s s, peak RSS %d MB; %s\n' "$1" "$wall" $((rss / 1024)) \
		"$(grep '^feed ' "$dir/out.txt" | head -n 1)"
	last_wall=$wall
}

names 0 "$n" >"$dir/list.txt"
echo "feed file: $n names, $(($(stat -c %s "$dir/list.txt") / 1048576)) MB"
run "import"
walls=()
for k in 1 2 3; do
	names $((k * 500)) $((n + k * 500)) >"$dir/list.txt"
	run "update $k (1,000 changes)"
	walls+=("$last_wall")
done
printf '%s\n' "${walls[@]}" | sort -n | sed -n 2p |
	awk '{ printf "update with 1,000 changes, median of 3: %s s\n", $1 }'
