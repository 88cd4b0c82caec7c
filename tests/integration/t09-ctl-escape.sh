#!/bin/sh
# t09-ctl-escape: fraudblock-ctl never writes raw control bytes it was
# given.  Its arguments, its -c path, its options and $FRAUDBLOCK_CONF
# come from whoever runs it (or a script fed from elsewhere); echoed raw
# into an error they could rewrite the admin's terminal (title, colours,
# cleared screen).  Each case fails and its stderr must hold the bytes as
# \xNN: every byte below 0x20, 0x7f, bytes of invalid UTF-8, UTF-8-encoded
# C1 controls, and the backslash (so the output is unambiguous).  Valid
# UTF-8 text stays as it is.
. "$(dirname "$0")/lib.sh"
fb_init ctl-escape

fbconf_globals > "$FBCONF"

ESC=$(printf '\033')
BEL=$(printf '\007')
DEL=$(printf '\177')
FF=$(printf '\377')
C1=$(printf '\302\233')		# U+009B, CSI, in UTF-8
UMLAUT=$(printf '\303\274')	# U+00FC, a letter, in UTF-8

# no_raw_ctl FILE: no byte < 0x20 but newline, no 0x7f, none of the
# invalid bytes this test sends
no_raw_ctl() {
	LC_ALL=C tr -d '\000-\011\013-\037\177\377\233' < "$1" |
		cmp -s - "$1"
}

# check WHAT WANT: the last ctl run failed with status 2, its stderr has
# no raw control byte and shows WANT (a fixed string)
check() {
	is "$_st" 2 "$1: exit status 2"
	if no_raw_ctl "$T/last.err"; then
		pass "$1: no raw control byte on stderr"
	else
		not_ok "$1: no raw control byte on stderr" \
			"$(od -c "$T/last.err" | head -n 5)"
	fi
	if grep -qF -- "$2" "$T/last.err"; then
		pass "$1: shown escaped"
	else
		not_ok "$1: shown escaped" "stderr: $(cat -v "$T/last.err")
want: $2"
	fi
}

fb_ctl lookup "${ESC}]0;owned${BEL}evil.example"
_st=$?
check "lookup of a name with ESC and BEL" \
	'\x1b]0;owned\x07evil.example'

fb_ctl block "${ESC}[2Jx.example"
_st=$?
check "block of a name with ESC" '\x1b[2Jx.example'

fb_ctl block -a "${ESC}[31mred" x.example
_st=$?
check "block -a with ESC" '\x1b[31mred'

fb_ctl "${ESC}[2J" x.example
_st=$?
check "unknown command with ESC" '\x1b[2J'

fb_ctl unblock -- "a${DEL}b.example"
_st=$?
check "unblock of a name with DEL" 'a\x7fb.example'

fb_ctl lookup "${FF}.example"
_st=$?
check "invalid UTF-8 byte" '\xff.example'

fb_ctl lookup "${C1}x.example"
_st=$?
check "UTF-8 encoded C1 control (CSI)" '\xc2\x9bx.example'

fb_tool "$FB_CTL" -c "/nonexistent/${ESC}[2J.conf" status
_st=$?
check "-c path with ESC" '/nonexistent/\x1b[2J.conf'

fb_tool "$FB_CTL" "-${ESC}" status
_st=$?
check "unknown option ESC" '\x1b'

fb_tool env FRAUDBLOCK_CONF="/nonexistent/${ESC}]2;x${BEL}.conf" "$FB_CTL"
_st=$?
check "usage with an ESC in \$FRAUDBLOCK_CONF" '/nonexistent/\x1b]2;x\x07.conf'

fb_ctl block -a "a\\x1b" x.example
_st=$?
check "a backslash is escaped too" 'a\x5cx1b'

fb_ctl block -a "${UMLAUT}ber" x.example
_st=$?
check "valid UTF-8 in an error" "${UMLAUT}ber"

done_testing
