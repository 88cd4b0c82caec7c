#!/bin/sh
# t22-sync-kill: fraudblock-sync killed with SIGKILL at random moments
# while it replaces a large feed leaves that feed at its old or its new
# version, never between.  The feed alternates between two versions A and
# B of 200,000 names (100,000 differ); 30 times (up to 60, until the
# counts below are reached) a sync towards the other version is killed
# after a random delay (a seeded generator; the seed is
# printed, FB_KILL_SEED repeats a run), and after each kill
# fraudblock-ctl verify passes and the feed's keys in bysource are
# exactly A's or exactly B's.  The delays are drawn from the span the
# sync's write transaction takes, measured first (a sync that changes
# nothing takes T0, one that changes 100,000 names T1): a kill after T0
# that leaves the old version landed inside the apply; their number is
# reported, and at least 5 must have; every fifth delay runs to twice T1,
# so that some syncs reach their commit.
. "$(dirname "$0")/lib.sh"
fb_init sync-kill
if ! command -v mdb_dump >/dev/null 2>&1; then
	skip_all "mdb_dump is not installed (apt-get install lmdb-utils)"
fi

# ASan builds are slower: fewer names keep the test in its time
N=$((200000 / FB_SLOW))
awk -v n="$N" 'BEGIN { for(i = 0; i < n; i++) printf "a%d.kill-test\n", i }' \
	> "$T/A.txt"
awk -v n="$N" 'BEGIN { for(i = 0; i < n; i++)
	if(i % 2) printf "a%d.kill-test\n", i; else printf "b%d.kill-test\n", i }' \
	> "$T/B.txt"
{
	fbconf_globals | sed 's/^max-db-size:.*/max-db-size: 512/'
	cat <<EOF
feed:
	name: fb-kill
	source: "$T/list.txt"
	max-shrink: 100
EOF
} > "$FBCONF"

# keys OUT: the bysource keys (one feed here), sorted, into OUT
keys() {
	mdb_dump -p -s bysource "$T/db" |
		awk '/^HEADER=END/ { on = 1; next } on && /^ / { if(!(n++ % 2)) print }' |
		sort > "$1"
}

# ms_of CMD...: wall time of CMD in ms
ms_of() {
	_t0=$(now_ms)
	"$@" >/dev/null 2>&1
	echo $(($(now_ms) - _t0))
}

cp "$T/A.txt" "$T/list.txt"
fb_sync
is "$?" 0 "version A synced"
keys "$T/keys.A"
is "$(wc -l < "$T/keys.A" | tr -d ' ')" "$N" "A: $N keys"
cp "$T/B.txt" "$T/list.txt"
fb_sync
is "$?" 0 "version B synced"
keys "$T/keys.B"
is "$(wc -l < "$T/keys.B" | tr -d ' ')" "$N" "B: $N keys"

# the span of the write transaction: T0 (no change) .. T1 (B to A)
t0=$(ms_of "$FB_SYNC" -c "$FBCONF" -q)
t0b=$(ms_of "$FB_SYNC" -c "$FBCONF" -q)
[ "$t0b" -lt "$t0" ] && t0=$t0b
cp "$T/A.txt" "$T/list.txt"
t1=$(ms_of "$FB_SYNC" -c "$FBCONF" -q)
diag "a sync that changes nothing: $t0 ms; one that changes $N names: $t1 ms"
cur=A
lo=$((t0 * 3 / 4))
hi=$((t1 + t1 / 10))
[ "$hi" -gt "$lo" ] || hi=$((lo + 100))
# every fifth delay is drawn from t1..2*t1 instead, so that some syncs
# reach their commit even when a loaded machine stretches them
late_hi=$((t1 * 2))

seed=${FB_KILL_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
diag "seed $seed (FB_KILL_SEED=$seed repeats the delays); delays $lo..$hi ms"
rng=$seed
clean=0 whole=0 killed=0 mid=0 old=0 new=0 i=0
# at least 30 kills; more (60 at most) until 5 landed inside the apply
# and one sync reached its commit, so the counts below do not hang on luck
while [ $i -lt 30 ] || { [ $i -lt 60 ] && { [ $mid -lt 5 ] || [ $new -lt 1 ]; }; }; do
	i=$((i + 1))
	if [ "$cur" = A ]; then want=B; else want=A; fi
	cp "$T/$want.txt" "$T/list.txt"
	# an LCG, so the seed gives the same delays everywhere
	rng=$(((rng * 1103515245 + 12345) % 2147483648))
	if [ $((i % 5)) -eq 0 ]; then
		d=$((t1 + (rng / 65536) % (late_hi - t1 + 1)))
	else
		d=$((lo + (rng / 65536) % (hi - lo + 1)))
	fi
	"$FB_SYNC" -c "$FBCONF" -q > "$T/kill.out" 2>&1 &
	pid=$!
	sleep "$(awk -v d="$d" 'BEGIN { printf "%.3f", d / 1000 }')"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	st=$?
	fb_ctl verify && clean=$((clean + 1))
	keys "$T/keys.now"
	if cmp -s "$T/keys.now" "$T/keys.A"; then
		got=A
	elif cmp -s "$T/keys.now" "$T/keys.B"; then
		got=B
	else
		got=mix
		diag "kill $i after $d ms: the feed is neither A nor B" \
			"($(wc -l < "$T/keys.now") keys)"
	fi
	[ "$got" != mix ] && whole=$((whole + 1))
	if [ "$st" -eq 137 ]; then
		killed=$((killed + 1))
		if [ "$got" = "$cur" ]; then
			old=$((old + 1))
			[ "$d" -ge "$t0" ] && mid=$((mid + 1))
		fi
	fi
	[ "$got" = "$want" ] && new=$((new + 1))
	[ "$got" != mix ] && cur=$got
done
diag "$i syncs: $killed killed ($old left the old version, $mid of them" \
	"after $t0 ms: inside the apply), $new ended at the new version"
is "$clean" "$i" "fraudblock-ctl verify passed after each of the $i kill attempts"
is "$whole" "$i" "after each kill the feed is exactly version A or B"
ok "at least 30 syncs were killed or ran out ($i)" test "$i" -ge 30
ok "at least 5 kills landed inside the apply ($mid)" test "$mid" -ge 5
ok "some syncs ended at the new version ($new)" test "$new" -ge 1

# and the store still takes an update as usual
cp "$T/B.txt" "$T/list.txt"
fb_sync
st=$?
ok "a sync after the kills completes (exit $st)" test "$st" -eq 0 -o "$st" -eq 2
keys "$T/keys.now"
ok "... with version B in force" cmp -s "$T/keys.now" "$T/keys.B"
fb_ctl verify
is "$?" 0 "... and the store verifies"
done_testing
