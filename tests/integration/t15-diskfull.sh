#!/bin/sh
# t15-diskfull: a full disk is an error with a message, never a crash.
# On a small tmpfs (needs root to mount; skipped otherwise): Unbound with
# the module starts on a full disk whose store has no lock.mdb (the module
# must not map a lock file it cannot allocate), answers unchecked and says
# why, and picks the list up once there is room; fraudblock-sync refuses
# to create a store on a full disk without leaving a lock.mdb behind, and
# a list too large for the disk is refused with the list in force intact.
. "$(dirname "$0")/lib.sh"
fb_init diskfull

mkdir -p "$T/full"
if ! mount -t tmpfs -o size=2m tmpfs "$T/full" 2>/dev/null; then
	skip_all "cannot mount a tmpfs here (needs root)"
fi
# unmounted on exit, before the test directory goes
trap '_r=$?; stop_all; umount "$T/full" 2>/dev/null; (exit $_r); fb_cleanup' \
	EXIT

printf 'full.example-test\n' > "$T/main.txt"
fbconf_main > "$FBCONF"
sed -i "s|^database: .*|database: \"$T/full/db\"|" "$FBCONF"
fb_sync
is "$?" 0 "a store on the small disk"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "full.example-test. 300 IN A 192.0.2.95"
start_upstream example-test. || bail "upstream did not start"

# ---- the resolver on a full disk, lock.mdb missing -----------------------
rm -f "$T/full/db/lock.mdb"
dd if=/dev/zero of="$T/full/fill" bs=4096 2>/dev/null
ok "the disk is full" test "$(df -P "$T/full" | awk 'NR == 2 { print $4 }')" -eq 0
start_resolver 1 example-test.
is "$?" 0 "unbound with the module starts on the full disk"
P=$RES_PORT
ok "a listed name passes meanwhile (fail-open)" \
	resolves $P full.example-test 192.0.2.95
ok "the resolver is running" alive "$RES_PID"
like "$(cat "$T/resolver.log")" "lock.mdb.*disk is full" \
	"the log says lock.mdb cannot be made on the full disk"
ok "no lock.mdb was left behind" test ! -e "$T/full/db/lock.mdb"
rm -f "$T/full/fill"
ok_within 3000 "room again" \
	"with room again the list is in force within 3 s" \
	sinkholed $P full.example-test
finish_resolver

# ---- sync: a new store on a full disk --------------------------------------
dd if=/dev/zero of="$T/full/fill" bs=4096 2>/dev/null
sed "s|^database: .*|database: \"$T/full/db2\"|" "$FBCONF" > "$T/new.conf"
with_conf "$T/new.conf" fb_sync
is "$?" 1 "fraudblock-sync on a full disk fails (exit 1)"
like "$(cat "$T/last.err")" "disk is full" "and says the disk is full"
ok "it left no lock.mdb behind" test ! -e "$T/full/db2/lock.mdb"
rm -f "$T/full/fill"

# ---- a list too large for the disk -----------------------------------------
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "big%d.example-test\n", i }' \
	> "$T/main.txt"
fb_sync -q
is "$?" 1 "a list larger than the disk is refused (exit 1)"
like "$(cat "$T/last.err")" "disk is full|Input/output error.*disk" \
	"the error says the disk is full"
echo "full.example-test" > "$T/main.txt"
fb_sync
is "$?" 2 "the list in force is intact: the old list syncs as unchanged"
done_testing
