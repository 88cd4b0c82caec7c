#!/bin/sh
# t29-units: the systemd units in contrib/ are what systemd accepts.
# `systemd-analyze verify` runs on them with this build's programs and
# the test's paths filled in; any warning (an unknown key, a path it
# would ignore) fails, since systemd only warns and starts the unit
# without that setting.  Skipped without systemd-analyze.
. "$(dirname "$0")/lib.sh"
fb_init units

if ! command -v systemd-analyze > /dev/null 2>&1; then
	skip_all "systemd-analyze not installed"
fi
# a plain unit must verify cleanly, or this is no place to judge ours
printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' > "$T/probe.service"
if ! systemd-analyze verify --man=no "$T/probe.service" \
	> "$T/probe.out" 2>&1 || [ -s "$T/probe.out" ]; then
	skip_all "systemd-analyze verify does not work here"
fi

mkdir -p "$T/db"
for u in fraudblock-sync.service fraudblock-sync.timer \
	fraudblock-syncd.service; do
	sed -e "s|@FB_BINDIR@|$FB_BUILDDIR/feeds|g" \
		-e "s|@FB_CONF_DEFAULT@|$FBCONF|g" \
		-e "s|@FB_DB_DEFAULT@|$T/db|g" \
		-e "s|@FB_SYNC_PID_DEFAULT@|/run/fraudblock/fraudblock-sync.pid|g" \
		"$FB_SRCDIR/contrib/$u.in" > "$T/$u"
	unlike "$(grep -n '@[A-Z_]*@' "$T/$u")" . "$u: every @VAR@ filled in"
done
systemd-analyze verify --man=no "$T/fraudblock-sync.service" \
	"$T/fraudblock-sync.timer" "$T/fraudblock-syncd.service" \
	> "$T/verify.out" 2>&1
is "$?" 0 "systemd-analyze verify accepts the three units"
is "$(cat "$T/verify.out")" "" "... without a warning"
like "$(grep -c '^ExecReload=/bin/kill -HUP \$MAINPID$' \
	"$T/fraudblock-syncd.service")" '^1$' \
	"the daemon's unit reloads with SIGHUP"
like "$(grep '^SuccessExitStatus=' "$T/fraudblock-sync.service")" \
	'^SuccessExitStatus=2$' "the one-shot unit takes exit 2 (unchanged) as success"
done_testing
