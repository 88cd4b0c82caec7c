#!/bin/sh
# t13-reload-config: a fraudblock.conf broken before a reload never stops
# the resolver.  SIGHUP with a bad line in the file: Unbound keeps running,
# the module logs the error (file:line) and keeps the last good settings,
# listed names stay blocked.  Once the file is fixed, the next reload
# applies the new settings.  Also: a listed name asked in a class other
# than IN is passed on, never given an address record in that class.
. "$(dirname "$0")/lib.sh"
fb_init reloadconf

echo "bad.example-test" > "$T/main.txt"
fbconf_main > "$FBCONF"
cp "$FBCONF" "$T/good.conf"
fb_sync
is "$?" 0 "fraudblock-sync loads the feed (exit 0)"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "bad.example-test. 300 IN A 192.0.2.91"
rr "good.example-test. 300 IN A 192.0.2.92"
start_servers 2 example-test.
ok "bad.example-test is blocked" sinkholed $P bad.example-test

# ---- a broken file before a reload ----------------------------------------
echo "no-such-setting: 1" >> "$FBCONF"
reload_resolver 2
is "$?" 0 "reload with a broken fraudblock.conf: unbound answers again"
ok "the resolver is still running" alive "$RES_PID"
like "$(cat "$T/resolver.log")" \
	"$FBCONF:[0-9]+: .*keeping the settings loaded from" \
	"the module logs file:line and that it keeps the last good settings"
ok "bad.example-test is still blocked" sinkholed $P bad.example-test
ok "good.example-test resolves" resolves $P good.example-test 192.0.2.92

# ---- fixed, with another default action -------------------------------------
sed 's/^poll-interval: .*/&\ndefault-action: nxdomain/' "$T/good.conf" \
	> "$FBCONF"
reload_resolver 3
is "$?" 0 "reload with a fixed file: unbound answers again"
is "$(dig_rcode $P bad.example-test)" NXDOMAIN \
	"the new settings apply: bad.example-test is now NXDOMAIN"

# ---- classes other than IN ----------------------------------------------------
for class in CH HS ANY; do
	out=$(dig -4 -p $P @127.0.0.1 +time=2 +tries=1 -c $class \
		bad.example-test A 2>&1)
	unlike "$out" "$SINK4|EDE: 15" \
		"class $class: no sinkhole record and no block for a listed name"
done
ok "class IN is still blocked after the class queries" \
	test "$(dig_rcode $P bad.example-test)" = NXDOMAIN
finish_resolver
done_testing
