#!/bin/sh
# t08-user: Unbound dropping privileges, as it does in production.
# The resolver runs with `username: nobody`; the list is written by root.
# With the files as a root umask leaves them (lock.mdb not writable by
# nobody), the module must fail open with one error naming the database;
# after the permission steps of the README (group of the Unbound user,
# group-writable files), it must open the list by itself and block.
. "$(dirname "$0")/lib.sh"
fb_init user

[ "$(id -u)" = 0 ] || skip_all "needs root to start unbound as another user"
id nobody >/dev/null 2>&1 || skip_all "no user nobody"
ugroup=$(id -gn nobody)

echo "bad.example-test" > "$T/main.txt"
fbconf_main > "$FBCONF"
(umask 022 && fb_sync)
is "$?" 0 "root's fraudblock-sync makes the list (exit 0)"
ok "lock.mdb is not writable by its group or others (umask 022)" \
	test "$(stat -c %a "$T/db/lock.mdb")" = 644
# nobody must reach the test directory, as unbound's would be reachable,
# and the module: unbound loads it after it became nobody, and the build
# tree may sit where nobody cannot go (a checkout in /root)
chmod 755 "$T"
cp "$FB_MODULE" "$T/fraudblock.so" && chmod 644 "$T/fraudblock.so"
FB_MODULE=$T/fraudblock.so

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "bad.example-test. 300 IN A 192.0.2.81"
rr "good.example-test. 300 IN A 192.0.2.82"
RES_EXTRA='	username: "nobody"'
start_servers 2 example-test. "user nobody"
ok "the resolver runs as nobody" \
	test "$(ps -o user= -p "$RES_PID" | tr -d ' ')" = nobody

ok "fail-open: bad.example-test resolves while the list cannot be opened" \
	resolves $P bad.example-test 192.0.2.81
ok "good.example-test resolves" resolves $P good.example-test 192.0.2.82
# unbound, now nobody, cannot reopen root's log file: it logs to stderr
log() { cat "$T/resolver.log" "$T/resolver.err" 2>/dev/null; }
like "$(log | grep 'fraudblock')" \
	"error: fraudblock: cannot open the blocklist database.*$T/db.*[Pp]ermission denied" \
	"the module logs why: permission denied on the database"

# the README's steps, with nobody's group standing in for unbound's
chgrp "$ugroup" "$T/db" "$T/db/data.mdb" "$T/db/lock.mdb"
chmod 2775 "$T/db"
chmod 664 "$T/db/data.mdb" "$T/db/lock.mdb"
ok_within 2000 "bad.example-test blocked after the permission fix" \
	"after the permission fix the module opens the list by itself (2 s)" \
	sinkholed $P bad.example-test
echo "later.example-test" >> "$T/main.txt"
(umask 022 && fb_sync)
is "$?" 0 "root's fraudblock-sync still updates the list"
ok "and the new name is blocked" sinkholed $P later.example-test
is "$(log | grep -c 'error: fraudblock')" 1 \
	"one error line in all"
finish_resolver
done_testing
