#!/bin/sh
# t14-cname: a listed name's real answer never reaches a client from the
# cache because an unlisted name led to it.  The iterator caches every
# step of a CNAME chain under the step's own name; after a client asks
# the unlisted alias, a client asking the listed target directly must get
# the block answer — with one- and two-step chains, with and without the
# CD bit (its own cache entry), with the validator in the module stack.
. "$(dirname "$0")/lib.sh"
fb_init cname

printf 'listed1.example-test\nlisted2.example-test\n' > "$T/main.txt"
fbconf_main > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync loads the feed (exit 0)"

zone example-test.
rr "example-test. 3600 IN A 192.0.2.1"
rr "alias1.example-test. 3600 IN CNAME listed1.example-test."
rr "listed1.example-test. 3600 IN A 192.0.2.81"
rr "alias2a.example-test. 3600 IN CNAME alias2b.example-test."
rr "alias2b.example-test. 3600 IN CNAME listed2.example-test."
rr "listed2.example-test. 3600 IN A 192.0.2.82"
rr "alias3.example-test. 3600 IN CNAME plain.example-test."
rr "plain.example-test. 3600 IN A 192.0.2.83"
start_servers 2 example-test.

# the aliases resolve (matching along the chain is not this test's
# subject), which caches each step under its own name
for a in alias1 alias2a alias3; do
	dig_short $P $a.example-test A > /dev/null
	dig -4 -p $P @127.0.0.1 +time=2 +tries=1 +cd +short \
		$a.example-test A > /dev/null
done
ok "listed1 asked directly after its alias: blocked" \
	sinkholed $P listed1.example-test
ok "listed2 (two steps behind alias2a) asked directly: blocked" \
	sinkholed $P listed2.example-test
for n in listed1 listed2; do
	out=$(dig -4 -p $P @127.0.0.1 +time=2 +tries=1 +cd +short \
		$n.example-test A 2>&1)
	is "$out" "$SINK4" "$n with +cd (its own cache entry): blocked"
done
ok "an unlisted chain target still resolves" \
	resolves $P plain.example-test 192.0.2.83
# again: a second round must not find the listed answers cached either
for a in alias1 alias2a; do
	dig_short $P $a.example-test A > /dev/null
done
ok "listed1 after the alias is asked again: still blocked" \
	sinkholed $P listed1.example-test
finish_resolver
done_testing
