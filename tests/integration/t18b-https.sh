#!/bin/sh
# t18b-https: fraudblock-sync verifies TLS, always.
# A test CA and a server certificate (EC P-256, SAN 127.0.0.1 and
# localhost) are made with openssl at test time; nginx serves a list over
# TLS.  With the CA as ca-file the download works; without it (the
# system's CAs), with another CA, and with a wrong pin it is refused with
# a TLS reason and the store's entries stay byte for byte; the right pin
# (with the CA) works.
. "$(dirname "$0")/lib.sh"
fb_init https
. "$(dirname "$0")/lib-http.sh"
http_require nginx openssl mdb_dump

# ---- a CA, another CA, and a server certificate of the first ---------
P=$T/pki
mkdir -p "$P" "$T/www"
# mkca NAME: a self-signed CA certificate NAME.crt with key NAME.key
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -days 2 -subj "/CN=fraudblock test $1" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign \
		-keyout "$P/$1.key" -out "$P/$1.crt" 2>"$P/$1.log"
}
mkca ca || bail "openssl: $(cat "$P/ca.log")"
mkca other || bail "openssl: $(cat "$P/other.log")"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/CN=localhost" -keyout "$P/server.key" -out "$P/server.csr" \
	2>"$P/csr.log" || bail "openssl: $(cat "$P/csr.log")"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' \
	> "$P/server.ext"
openssl x509 -req -in "$P/server.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" \
	-CAcreateserial -days 2 -extfile "$P/server.ext" \
	-out "$P/server.crt" 2>"$P/sign.log" ||
	bail "openssl: $(cat "$P/sign.log")"
# pin_of CERT: curl's sha256//BASE64 of the certificate's public key
pin_of() {
	openssl x509 -in "$1" -pubkey -noout |
		openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | openssl base64 -A
}
PIN=sha256//$(pin_of "$P/server.crt")
OTHERPIN=sha256//$(pin_of "$P/other.crt")

printf 'tls1.example-test\ntls2.example-test\n' > "$T/www/list.txt"
start_nginx "server {
	listen 127.0.0.1:@PORT@ ssl;
	ssl_certificate $P/server.crt;
	ssl_certificate_key $P/server.key;
	root $T/www;
}"
U=https://127.0.0.1:$NGX_PORT

# conf_tls [KEY VALUE]...: feed tls from the server, the keys given
conf_tls() {
	{
		fbconf_globals
		feed_clause tls "$U/list.txt" "$@"
	} > "$FBCONF"
}
conf_tls ca-file "$P/ca.crt"
fb_sync
is "$?" 0 "https with the test CA as ca-file: exit 0"
is "$(untimed "$T/last.out")" "feed tls: 2 names (+2 -0 ~0), 0 invalid, generation 1" \
	"both names downloaded"
snap=$(store_entries)

# refused WHY DESC [KEY VALUE]...: exit 1, the one-line TLS reason WHY (an
# ERE after the URL), the entries unchanged
Uq=$(printf '%s' "$U" | sed 's/\./\\./g')
refused() {
	local _why _d
	_why=$1
	_d=$2
	shift 2
	conf_tls "$@"
	fb_sync
	is "$?" 1 "$_d: exit 1"
	like "$(untimed "$T/last.err")" \
		"^fraudblock-sync: feed tls: $Uq/list\\.txt: TLS: $_why\$" \
		"$_d: a TLS reason"
	is "$(store_entries)" "$snap" "$_d: the store's entries unchanged"
}
NOISSUER="SSL peer certificate or SSH remote key was not OK: SSL certificate problem: unable to get local issuer certificate"
refused "$NOISSUER" "no ca-file: the system's CAs do not know the test CA"
refused "$NOISSUER" "another CA as ca-file" ca-file "$P/other.crt"
refused "SSL public key does not match pinned public key: .*" \
	"the right CA but a wrong pin" ca-file "$P/ca.crt" pin "$OTHERPIN"
printf 'tls1.example-test\ntls2.example-test\ntls3.example-test\n' \
	> "$T/www/list.txt"
conf_tls ca-file "$P/ca.crt" pin "$OTHERPIN;$PIN"
fb_sync
is "$?" 0 "the right pin, second of two: exit 0"
is "$(untimed "$T/last.out")" "feed tls: 3 names (+1 -0 ~0), 0 invalid, generation 2" \
	"the new name came over the pinned connection"
snap=$(store_entries)
refused "$NOISSUER" "a pin does not replace CA verification" pin "$PIN"
done_testing
