#!/bin/sh
# t19-signature: signed and checksummed feeds.
# fraudblock-sign and Debian's minisign interoperate both ways (keys and
# signatures); a feed with signature-key is applied only when its
# .minisig is good, and every rejection (unsigned, bad signature, feed
# changed after signing, another key, comment changed, checksum
# mismatch) leaves the feed's entries in the store byte for byte.
. "$(dirname "$0")/lib.sh"
fb_init signature

if ! command -v minisign >/dev/null 2>&1; then
	skip_all "minisign is not installed (apt-get install minisign)"
fi
if ! command -v mdb_dump >/dev/null 2>&1; then
	skip_all "mdb_dump is not installed (apt-get install lmdb-utils)"
fi
if [ -z "${FB_SIGN:-}" ] || [ ! -x "$FB_SIGN" ]; then
	skip_all "FB_SIGN is not set to fraudblock-sign"
fi

# sign ARGS...: fraudblock-sign, output in last.out/last.err
sign() {
	fb_tool "$FB_SIGN" "$@"
}
# pubkey FILE: the base64 line of a public key file
pubkey() {
	sed -n 2p "$1"
}
# store_dump: the feed entries and the generation; the source table is
# left out, since a rejection is recorded there
store_dump() {
	mdb_dump -s names "$T/db" && mdb_dump -s bysource "$T/db" &&
		mdb_dump -s meta "$T/db"
}
# refused DESC WHY: the last sync failed with WHY on stderr and the
# entries are those of $T/before
refused() {
	is "$1" 1 "$2: sync exits 1"
	like "$(cat "$T/last.err")" "$3" "$2: the reason"
	store_dump > "$T/after" 2>&1
	ok "$2: the store's entries are unchanged" cmp -s "$T/before" "$T/after"
}

# ---- keys ---------------------------------------------------------------
minisign -G -W -p "$T/m.pub" -s "$T/m.key" > /dev/null 2>&1
is "$?" 0 "minisign -G -W makes a key pair"
sign -G -p "$T/fb.pub" -s "$T/fb.key"
is "$?" 0 "fraudblock-sign -G makes a key pair"
is "$(stat -c %a "$T/fb.key")" 600 "the secret key is mode 0600"
ok "-G prints the config line of the public key" \
	grep -qF "signature-key: \"$(pubkey "$T/fb.pub")\"" "$T/last.out"
cp "$T/fb.key" "$T/fb.key.orig"
sign -G -p "$T/fb.pub" -s "$T/fb.key"
is "$?" 2 "-G without -f does not overwrite (exit 2)"
ok "the existing secret key is untouched" cmp -s "$T/fb.key" "$T/fb.key.orig"
sign -G -f -p "$T/x.pub" -s "$T/fb.key"
is "$?" 0 "-G -f overwrites"
ok "... with a new key" test "$(cat "$T/fb.key")" != \
	"$(cat "$T/fb.key.orig")"
cp "$T/fb.key.orig" "$T/fb.key"
sign -S -s "$T/fb.key" -m "$T/nonexistent"
is "$?" 2 "signing a missing file: exit 2"
sign -V -p "$T/fb.pub"
is "$?" 2 "-V without -m: usage, exit 2"

# ---- interoperability -----------------------------------------------------
printf 'phish-a.example-test\nscam-b.example-test\n' > "$T/doc.txt"
sign -S -s "$T/fb.key" -m "$T/doc.txt" -t "fraudblock v1"
is "$?" 0 "fraudblock-sign -S signs"
minisign -V -p "$T/fb.pub" -m "$T/doc.txt" > "$T/mv.out" 2>&1
is "$?" 0 "minisign -V verifies fraudblock-sign's signature"
like "$(cat "$T/mv.out")" "Trusted comment: fraudblock v1" \
	"minisign shows the trusted comment"
sign -V -p "$T/fb.pub" -m "$T/doc.txt"
is "$?" 0 "fraudblock-sign -V verifies its own signature"
minisign -S -s "$T/m.key" -m "$T/doc.txt" -x "$T/doc.m.sig" \
	-t "minisign v1" > /dev/null 2>&1
sign -V -p "$T/m.pub" -m "$T/doc.txt" -x "$T/doc.m.sig"
is "$?" 0 "fraudblock-sign -V verifies minisign's signature"
like "$(cat "$T/last.out")" "Trusted comment: minisign v1" \
	"... and shows its trusted comment"
sign -V -P "$(pubkey "$T/m.pub")" -m "$T/doc.txt" -x "$T/doc.m.sig" -q
is "$?" 0 "-P takes the key itself"
is "$(cat "$T/last.out")" "" "-q: nothing printed"
minisign -S -s "$T/fb.key" -m "$T/doc.txt" -x "$T/doc.mfb.sig" \
	> /dev/null 2>&1
is "$?" 0 "minisign signs with a key made by fraudblock-sign"
sign -V -p "$T/fb.pub" -m "$T/doc.txt" -x "$T/doc.mfb.sig"
is "$?" 0 "... and that signature verifies"
sign -S -s "$T/m.key" -m "$T/doc.txt" -x "$T/doc.fbm.sig"
is "$?" 0 "fraudblock-sign signs with a key made by minisign -G -W"
minisign -V -p "$T/m.pub" -m "$T/doc.txt" -x "$T/doc.fbm.sig" \
	> /dev/null 2>&1
is "$?" 0 "... and minisign verifies that signature"
sign -V -p "$T/m.pub" -m "$T/doc.txt"
is "$?" 1 "a signature by another key: exit 1"
like "$(cat "$T/last.err")" "signature made by key ID [0-9A-F]+, expected" \
	"... naming both key IDs"
echo extra.example-test >> "$T/doc.txt"
sign -V -p "$T/fb.pub" -m "$T/doc.txt"
is "$?" 1 "the file changed after signing: exit 1"
like "$(cat "$T/last.err")" "bad signature" "... bad signature"
minisign -V -p "$T/fb.pub" -m "$T/doc.txt" > /dev/null 2>&1
is "$?" 1 "minisign agrees the changed file is bad"
sign -V -p "$T/fb.pub" -m "$T/doc.txt" -x "$T/nonexistent.sig"
is "$?" 2 "a missing signature file: exit 2"

# ---- sync with a key -----------------------------------------------------
printf 'phish-a.example-test\nscam-b.example-test\n' > "$T/list.txt"
minisign -S -s "$T/m.key" -m "$T/list.txt" -t "list v1" > /dev/null 2>&1
printf 'plain.example-test\n' > "$T/plain.txt"
conf() {
	{
		fbconf_globals
		feed_clause signed "$T/list.txt" signature-key \
			"\"$(pubkey "$T/m.pub")\"" "$@"
		feed_clause plain "$T/plain.txt"
	} > "$FBCONF"
}
conf
fb_sync
is "$?" 0 "a feed signed by minisign syncs (exit 0)"
like "$(cat "$T/last.out")" "feed signed: 2 names .*, signed: 'list v1'" \
	"the summary line shows the trusted comment"
fb_ctl lookup scam-b.example-test
is "$?" 0 "its names are blocked"
store_dump > "$T/before" 2>&1
is "$?" 0 "the store dumps"

# the feed changed after signing
cp "$T/list.txt" "$T/list.good"
cp "$T/list.txt.minisig" "$T/list.good.minisig"
echo login-c.example-test >> "$T/list.txt"
fb_sync -f signed
refused "$?" "feed changed after signing" \
	"feed signed: signature: bad signature: the content is not what key ID"
fb_ctl lookup login-c.example-test
is "$?" 1 "the added name is not blocked"
fb_ctl status
like "$(cat "$T/last.out")" "signature: bad signature" \
	"fraudblock-ctl status shows the feed's last error"

# no signature at all
cp "$T/list.good" "$T/list.txt"
rm "$T/list.txt.minisig"
fb_sync -f signed
refused "$?" "unsigned feed" \
	"feed signed: signature: .*list.txt.minisig: "

# signed by another key (fraudblock-sign's)
sign -S -s "$T/fb.key" -m "$T/list.txt"
fb_sync -f signed
refused "$?" "signed by another key" \
	"signature made by key ID [0-9A-F]+, expected [0-9A-F]+"

# trusted comment changed
sed 's/^trusted comment: list v1$/trusted comment: list v9/' \
	"$T/list.good.minisig" > "$T/list.txt.minisig"
fb_sync -f signed
refused "$?" "trusted comment changed" \
	"bad signature of the trusted comment"

# a cut signature file
head -n 2 "$T/list.good.minisig" > "$T/list.txt.minisig"
fb_sync -f signed
refused "$?" "signature file cut after line 2" \
	"malformed signature file line 3: missing"

# the good signature again: unchanged feed, accepted
cp "$T/list.good.minisig" "$T/list.txt.minisig"
fb_sync -f signed
is "$?" 2 "the good signature again: accepted, nothing changed (exit 2)"
like "$(cat "$T/last.out")" "feed signed: unchanged \\(2 names\\), signed: 'list v1'" \
	"unchanged, with its comment"

# a new version signed by fraudblock-sign with the minisign key, the
# signature elsewhere (signature:)
echo login-c.example-test >> "$T/list.txt"
sign -S -s "$T/m.key" -m "$T/list.txt" -x "$T/elsewhere.sig" -t "list v2"
conf signature "\"$T/elsewhere.sig\""
fb_sync -f signed
is "$?" 0 "a new version with its signature at signature: syncs"
like "$(cat "$T/last.out")" "feed signed: 3 names \\(\\+1 -0 ~0\\).*signed: 'list v2'" \
	"one name added, comment v2"
fb_ctl lookup login-c.example-test
is "$?" 0 "the added name is blocked now"

# ---- checksums -----------------------------------------------------------
(cd "$T" && sha256sum plain.txt > plain.sha256)
{
	fbconf_globals
	feed_clause plain "$T/plain.txt" checksum "\"$T/plain.sha256\""
} > "$FBCONF"
fb_sync --prune
is "$?" 0 "a feed with a good checksum syncs"
like "$(cat "$T/last.out")" "feed plain: unchanged \\(1 names\\), sha256 ok" \
	"the summary says the checksum matched"
store_dump > "$T/before" 2>&1
echo more.example-test >> "$T/plain.txt"
fb_sync
refused "$?" "checksum mismatch" \
	"feed plain: checksum .*plain.sha256: checksum mismatch: the content's SHA-256 is [0-9a-f]{64}"
printf 'not a digest  plain.txt\n' > "$T/plain.sha256"
fb_sync
refused "$?" "malformed checksum file" \
	"checksum file line 1: not a SHA-256 digest"

# ---- config mistakes ---------------------------------------------------
{
	fbconf_globals
	feed_clause plain "$T/plain.txt" signature-key RWQtooshort
} > "$FBCONF"
fb_sync
is "$?" 1 "a malformed signature-key is refused"
like "$(cat "$T/last.err")" "fraudblock.conf:[0-9]+: bad value for signature-key" \
	"... naming file:line"
done_testing
