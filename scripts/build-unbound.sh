#!/usr/bin/env bash
# build-unbound.sh: build Debian's own Unbound, plus the dynlib module, into
# a private prefix, and keep its configured source tree for the plugin build.
#
#   scripts/build-unbound.sh [--check | --print-tree] [PREFIX]
#
# PREFIX defaults to .local in the repository.  The source goes to
# PREFIX/src/unbound-VERSION (from `apt-get source unbound`, so it carries
# Debian's patches), the binary to PREFIX/sbin/unbound.  --check only tells
# (exit 0/1) whether a usable build is already there.  --print-tree builds
# nothing either: it prints the configured source tree of that usable build
# (what fraudblock's configure wants as --with-unbound-src), or exits 1.
#
# Debian's unbound package is built without --with-dynlibmodule, and a module
# must be compiled against the configured tree of the exact binary that loads
# it, so we build our own.  It uses Debian's configure flags and build flags
# so that it behaves like the distro binary.
#
# Needs: dpkg-dev, a deb-src entry in apt's sources (./quickstart adds one),
# Unbound's build dependencies.  Runs as any user; only writes under PREFIX.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mode=build
case "${1:-}" in
--check) mode=check; shift ;;
--print-tree) mode=print-tree; shift ;;
esac
case "${1:-}" in
-h|--help)
	sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 0 ;;
-*)
	echo "usage: $0 [--check | --print-tree] [PREFIX]" >&2
	exit 1 ;;
esac
prefix=${1:-$root/.local}
# --check and --print-tree only look: no prefix, no build.
if [ $mode != build ] && [ ! -d "$prefix" ]; then
	exit 1
fi
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
srcparent=$prefix/src
unbound=$prefix/sbin/unbound

say() { printf '==> %s\n' "$*"; }
die() { printf 'build-unbound.sh: %s\n' "$*" >&2; exit 1; }

# The unpacked source tree, if any (the version is whatever apt offers).
find_tree() {
	local d
	for d in "$srcparent"/unbound-[0-9]*/; do
		if [ -f "$d/configure" ] && [ -f "$d/.fb-unpacked" ]; then
			echo "${d%/}"
			return 0
		fi
	done
	return 1
}

# Usable when: the binary lists dynlib, was configured for this prefix, and
# the configured tree next to it is the same version with dynlib on.
is_built() {
	local tree v ver
	[ -x "$unbound" ] || return 1
	tree=$(find_tree) || return 1
	[ -f "$tree/config.h" ] || return 1
	grep -q "define WITH_DYNLIBMODULE 1" "$tree/config.h" || return 1
	v=$("$unbound" -V 2>/dev/null) || return 1
	printf '%s\n' "$v" | grep -q '^Linked modules:.* dynlib' || return 1
	printf '%s\n' "$v" | grep -qF -- "--prefix=$prefix " || return 1
	ver=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$tree/config.h")
	printf '%s\n' "$v" | grep -qx "Version $ver" || return 1
	echo "$tree"
}

if tree=$(is_built); then
	case $mode in
	check) exit 0 ;;
	print-tree) printf '%s\n' "$tree"; exit 0 ;;
	esac
	say "Unbound $("$unbound" -V | sed -n 's/^Version //p') with dynlib already in ${prefix#"$root"/} (reusing)"
	exit 0
fi
[ $mode = build ] || exit 1

start=$SECONDS

# 1. Source: apt-get source, once.  A half-unpacked tree (no stamp) from an
# interrupted run is unpacked again from the files apt already fetched.
mkdir -p "$srcparent"
if ! tree=$(find_tree); then
	say "fetching Unbound's Debian source into ${srcparent#"$root"/}"
	for d in "$srcparent"/unbound-[0-9]*/; do
		[ -d "$d" ] && rm -rf "$d"
	done
	if ! (cd "$srcparent" && apt-get source -q unbound) >"$srcparent/fetch.log" 2>&1; then
		tail -n 20 "$srcparent/fetch.log" >&2
		die "apt-get source unbound failed: apt needs a deb-src entry (./quickstart adds one as root) and dpkg-dev"
	fi
	grep '^Get:' "$srcparent/fetch.log" | sed 's/^/    /' || true
	for d in "$srcparent"/unbound-[0-9]*/; do
		[ -f "$d/configure" ] && touch "$d/.fb-unpacked"
	done
	tree=$(find_tree) || die "no unbound-VERSION/configure under $srcparent after apt-get source"
fi
version=${tree##*/unbound-}

# 2. Configure with Debian's flags (debian/rules of unbound 1.17.1-2, first
# build: the daemon).  Left out: --with-pythonmodule and --with-pyunbound,
# which need swig and python3-dev and change nothing in how DNS is answered.
# Paths Debian puts in /run and /usr/share point into the prefix instead;
# --with-chroot-dir="" is Debian's (no chroot by default).  Added:
# --with-dynlibmodule, the reason for this build.
flags=(
	--prefix="$prefix"
	--disable-rpath
	--with-pidfile="$prefix/run/unbound.pid"
	--with-rootkey-file="$prefix/share/dns/root.key"
	--with-libevent
	--enable-tfo-client
	--enable-tfo-server
	--enable-subnet
	--enable-dnstap
	--enable-systemd
	--with-libnghttp2
	--with-chroot-dir=""
	--with-dnstap-socket-path="$prefix/run/dnstap.sock"
	--with-dynlibmodule
)
# debian/rules: no link-time optimisation except on amd64.
if [ "$(dpkg --print-architecture 2>/dev/null || echo amd64)" != amd64 ]; then
	flags+=(--disable-flto)
fi
# Debian's compiler and linker flags (hardening=+all, as debian/rules sets).
if command -v dpkg-buildflags >/dev/null 2>&1; then
	eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
fi

say "building Unbound $version with dynlib into ${prefix#"$root"/}"
cd "$tree"
log=$tree/fb-build.log
: > "$log"
want=$(printf '%q ' "${flags[@]}" "CFLAGS=${CFLAGS:-}" "CPPFLAGS=${CPPFLAGS:-}" "LDFLAGS=${LDFLAGS:-}")
if [ -f config.status ] && [ -f .fb-configured ] && [ "$(cat .fb-configured)" = "$want" ] &&
	grep -q "define WITH_DYNLIBMODULE 1" config.h 2>/dev/null; then
	echo "    already configured with these flags"
else
	# A tree configured for something else (another prefix, no dynlib)
	# is cleaned first so no stale object survives.
	if [ -f Makefile ]; then
		make -s distclean >/dev/null 2>&1 || true
	fi
	rm -f .fb-configured
	echo "    configure ${flags[*]}"
	if ! ./configure "${flags[@]}" >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "configure of Unbound failed (full log: $log)"
	fi
	printf '%s' "$want" > .fb-configured
fi
jobs=$(nproc 2>/dev/null || echo 2)
echo "    make -j$jobs (log: ${log#"$root"/})"
if ! make -j"$jobs" >>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "make of Unbound failed (full log: $log)"
fi
if ! make install >>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "make install of Unbound failed (full log: $log)"
fi

"$unbound" -V | grep -q '^Linked modules:.* dynlib' ||
	die "$unbound -V does not list dynlib"
is_built >/dev/null || die "the new build in $prefix does not pass its own check"
el=$((SECONDS - start))
say "Unbound $version with dynlib built in $((el / 60))m$((el % 60))s: $("$unbound" -V | grep '^Linked modules:')"
