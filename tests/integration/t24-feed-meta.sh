#!/bin/sh
# t24-feed-meta: what a feed's clause and a list's header say, live.
# A feed's blocks carry its EDE code (16 Censored, 17 Filtered), and a
# change of that code alone reaches a running resolver; `subdomains: no`
# makes plain lines list the name alone; a feed with `action: allow` is an
# allowlist; a list whose header declares an older version, or another
# size than its body holds, is refused with the entries in force intact.
. "$(dirname "$0")/lib.sh"
fb_init feedmeta

zone example-test.
rr "example-test. 300 IN A 192.0.2.1"
rr "cens.example-test. 300 IN A 192.0.2.2"
rr "www.cens.example-test. 300 IN A 192.0.2.3"
rr "exact.example-test. 300 IN A 192.0.2.4"
rr "www.exact.example-test. 300 IN A 192.0.2.5"
rr "ok.example-test. 300 IN A 192.0.2.6"
rr "new.example-test. 300 IN A 192.0.2.7"

# write_conf EDE: fb-main with that ede, a name-alone feed, an allowlist
write_conf() {
	{
		fbconf_main ede "$1"
		feed_clause fb-exact "$T/exact.txt" subdomains no
		feed_clause fb-allow "$T/allow.txt" action allow
	} > "$FBCONF"
}
# main_list VERSION DECLARED NAME...: fb-main's list with its header
main_list() {
	printf '# Title: t24\n# Version: %s\n# Blocked: %s domains\n#\n' \
		"$1" "$2"
	shift 2
	printf '%s\n' "$@"
}
# names_dump: the entries in force, byte for byte
names_dump() {
	mdb_dump -s names "$T/db"
}
# ede_is CODE NAME: the block answer of NAME carries EDE CODE
ede_is() {
	dnsq_ede $P "$2" | grep -q "^ede $1 "
}

main_list 5 2 cens.example-test ok.example-test > "$T/main.txt"
echo exact.example-test > "$T/exact.txt"
echo ok.example-test > "$T/allow.txt"
write_conf censored
fb_sync
is "$?" 0 "three feeds with ede, subdomains and an allowlist sync (exit 0)"
start_servers 1 example-test.

like "$(dnsq_ede $P cens.example-test)" '^ede 16 .*fb-main' \
	"ede: censored: the block carries EDE 16 (Censored)"
like "$(dnsq_ede $P www.cens.example-test)" '^ede 16 ' \
	"... and so does a name below the listed one"
is "$(dig_short $P exact.example-test A)" "$SINK4" \
	"subdomains: no blocks the listed name"
is "$(dig_short $P www.exact.example-test A)" "192.0.2.5" \
	"... but not the names below it"
is "$(dig_short $P ok.example-test A)" "192.0.2.6" \
	"a name on an allowlist feed resolves although fb-main lists it"
is "$(dnsq_ede $P ok.example-test)" "" "... with no EDE"

write_conf filtered
fb_sync
is "$?" 0 "a new ede alone is a change of the list (exit 0)"
ok_within 2000 "EDE 17" \
	"the running resolver's blocks carry EDE 17 (Filtered) within 2 s" \
	ede_is 17 cens.example-test

# ---- what the header declares ---------------------------------------
# refused DESC WHY VERSION DECLARED: fb-main's new list (three names) with
# that header is refused, saying WHY, and the entries in force stay
refused() {
	main_list "$3" "$4" cens.example-test ok.example-test \
		new.example-test > "$T/main.txt"
	fb_sync
	is "$?" 1 "$1 is refused (exit 1)"
	like "$(cat "$T/last.err")" "$2" "... saying: $2"
	is "$(names_dump)" "$before" "... and the entries in force are unchanged"
}
before=$(names_dump)
refused "a list declaring an older version" \
	"declares version 4, older than version 5 in force" 4 3
refused "a list holding fewer entries than it declares" \
	"declares 4 entries but holds 3" 6 4
is "$(dig_short $P new.example-test A)" "192.0.2.7" \
	"a name only the refused lists held still resolves"

main_list 6 3 cens.example-test ok.example-test new.example-test \
	> "$T/main.txt"
fb_sync
is "$?" 0 "a newer version that holds what it declares is taken"
ok_within 2000 "new.example-test blocked" \
	"... and its new name is blocked within 2 s" \
	sinkholed $P new.example-test

# ---- an append-only archive with max-age -----------------------------
# days_ago N: that date, as an archive's date column writes it
days_ago() {
	date -u -d "@$(($(date +%s) - $1 * 86400))" +%Y-%m-%dT%H:%M:%S+00:00
}
{
	echo 'id,url,submitted'
	echo "1,http://fresh.archive-test/,$(days_ago 2)"
	echo "2,http://stale.archive-test/,$(days_ago 40)"
	echo "3,http://again.archive-test/,$(days_ago 45)"
	echo "4,http://again.archive-test/,$(days_ago 1)"
} > "$T/archive.csv"
{
	fbconf_globals
	feed_clause archive "$T/archive.csv" format csv column url \
		date-column submitted max-age 30
} > "$T/archive.conf"
with_conf "$T/archive.conf" fb_sync -f archive
is "$?" 0 "a csv archive with date-column and max-age syncs (exit 0)"
like "$(cat "$T/last.out")" "feed archive: 2 names .*2 older than max-age left out" \
	"... two names listed, two rows older than 30 days left out"
with_conf "$T/archive.conf" fb_ctl lookup fresh.archive-test
is "$?" 0 "a row dated 2 days ago is listed"
with_conf "$T/archive.conf" fb_ctl lookup stale.archive-test
is "$?" 1 "a row dated 40 days ago is not"
with_conf "$T/archive.conf" fb_ctl lookup again.archive-test
is "$?" 0 "an old row listed again with a new date is listed"
printf '\tmax-age: 0\n' >> "$T/archive.conf"
with_conf "$T/archive.conf" fb_sync -f archive
is "$?" 1 "max-age: 0 is refused"
like "$(cat "$T/last.err")" "archive.conf:[0-9]+: .*max-age" "... with file:line"

finish_resolver
done_testing
