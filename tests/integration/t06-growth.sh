#!/bin/sh
# t06-growth: the list outgrows the module's map.
# The resolver's fraudblock.conf says max-db-size 1 (MB); a sync run with
# a larger max-db-size grows the same database to several MB.  The module
# meets MDB_MAP_RESIZED, must adopt the new map size in its one LMDB
# environment by itself (no restart, no second environment) and block a name of the grown list within 2 s, while names
# listed before stay blocked and benign names resolve.
. "$(dirname "$0")/lib.sh"
fb_init growth

echo "small.example-test" > "$T/main.txt"
fbconf_main max-shrink 100 > "$FBCONF"
fb_sync
is "$?" 0 "fraudblock-sync makes a small list (exit 0)"
# the module's view: same database and feeds, a 1 MB map
sed 's/^max-db-size: .*/max-db-size: 1/' "$FBCONF" > "$T/module.conf"

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "small.example-test. 300 IN A 192.0.2.51"
rr "grown.example-test. 300 IN A 192.0.2.52"
rr "benign.example-test. 300 IN A 192.0.2.53"
with_conf "$T/module.conf" start_servers 2 example-test.

ok "small.example-test is blocked" sinkholed $P small.example-test
ok "grown.example-test resolves before it is listed" \
	resolves $P grown.example-test 192.0.2.52

# 60,000 names (about 6 MB of store) and grown.example-test
{
	echo "small.example-test"
	echo "grown.example-test"
	i=0
	while [ $i -lt 60000 ]; do
		echo "n$i.growth-test"
		i=$((i + 1))
	done
} > "$T/main.txt"
fb_sync
is "$?" 0 "a sync with max-db-size 64 grows the list (exit 0)"
size=$(du -k "$T/db/data.mdb" | cut -f1)
ok "the store is now larger than the module's 1 MB map ($size KB)" \
	test "$size" -gt 1024

ok_within 2000 "grown.example-test blocked" \
	"a name of the grown list is blocked within 2 s, without a restart" \
	sinkholed $P grown.example-test
ok "a name listed before stays blocked" sinkholed $P small.example-test
ok "n59999.growth-test, the last of the grown list, is blocked" \
	sinkholed $P n59999.growth-test
ok "benign.example-test still resolves" \
	resolves $P benign.example-test 192.0.2.53
like "$(cat "$T/resolver.log")" "grew past its map; adopted the new size" \
	"the module adopts the grown map in place"
finish_resolver
done_testing
