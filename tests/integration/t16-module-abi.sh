#!/bin/sh
# t16-module-abi: what fraudblock.so puts into the Unbound process.
# dynlibmod loads modules with RTLD_GLOBAL, so every exported symbol lands
# in Unbound's global namespace: only the six dynlib entry points may be
# exported.  The module reads the store and nothing else: no libidn2 (names
# arrive in wire format) and no writer code.  It must stay loaded across
# reloads (-z nodelete): its SIGBUS handler and last good settings live on.
. "$(dirname "$0")/lib.sh"
fb_init abi

for tool in nm readelf ldd; do
	command -v $tool >/dev/null 2>&1 || skip_all "$tool not found"
done
syms=$(nm -D --defined-only "$FB_MODULE" | awk '$2 ~ /^[TDBVW]$/ { print $3 }' |
	sort | tr '\n' ' ')
is "$syms" "clear deinit get_mem inform_super init operate " \
	"exactly the six dynlib entry points are exported"
unlike "$(ldd "$FB_MODULE")" "libidn2|libcurl|libz\\." \
	"no libidn2, libcurl or zlib in the module"
unlike "$(nm "$FB_MODULE" 2>&1)" "fb_store_replace_feed|fb_store_manual_set|fb_name_parse" \
	"no writer code in the module"
like "$(readelf -d "$FB_MODULE")" "NODELETE" \
	"the module stays loaded across reloads (-z nodelete)"
done_testing
