#!/bin/sh
# t07-reload: the module across Unbound reloads (SIGHUP).
# A reload stops the workers, deinits and inits the module again, and
# Unbound's main thread (worker 0) lives on, with the per-thread reader it
# had.  After each of two reloads the list must still block, hand-made
# changes and cached-then-listed names must still apply, and under ASan no
# freed reader may be touched.
. "$(dirname "$0")/lib.sh"
fb_init reload

echo "bad.example-test" > "$T/main.txt"
fbconf_main > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync loads the feed (exit 0)"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "bad.example-test. 300 IN A 192.0.2.71"
rr "good.example-test. 300 IN A 192.0.2.72"
rr "c1.example-test. 300 IN A 192.0.2.73"
rr "c2.example-test. 300 IN A 192.0.2.74"
start_servers 2 example-test.
ok "bad.example-test is blocked before any reload" sinkholed $P bad.example-test

for round in 1 2; do
	c=c$round.example-test
	reload_resolver $((round + 1))
	is "$?" 0 "reload $round: unbound answers again"
	ok "reload $round: the module started again" \
		test "$(module_starts)" -eq $((round + 1))
	ok "reload $round: bad.example-test still blocked" \
		sinkholed $P bad.example-test
	ok "reload $round: good.example-test resolves" \
		resolves $P good.example-test 192.0.2.72
	ok "reload $round: $c resolves and is cached" \
		resolves $P $c 192.0.2.7$((round + 2))
	fb_ctl block $c
	is "$?" 0 "reload $round: fraudblock-ctl block $c"
	ok_within 1000 "reload $round: cached $c blocked" \
		"reload $round: cached $c blocked within 1 s" \
		sinkholed $P $c
	fb_ctl unblock $c
	ok "reload $round: unblocked $c resolves on the next query" \
		resolves $P $c 192.0.2.7$((round + 2))
done
ok "resolver still running after two reloads" alive "$RES_PID"
finish_resolver
done_testing
