/**
 * \file
 * The rpz format: a DNS Response Policy Zone (the RPZ draft,
 * draft-vixie-dnsop-dns-rpz) in zone file syntax (RFC 1035 section 5),
 * as BIND and Unbound load it and URLhaus publishes it.  Read with ldns
 * (ldns_rr_new_frm_fp_l over the buffer), so $ORIGIN, $TTL, relative
 * names, '@', blank owners, parentheses and comments mean what they mean
 * in any zone file.  Only QNAME triggers are used, and each is read the
 * way Unbound 1.17's services/rpz.c reads it, so an imported zone answers
 * as Unbound's own RPZ would (tests/integration/t21-rpz.sh compares them;
 * the differences left are listed in doc/fraudblock.conf.5.in).
 *
 * - The first record must be the SOA; its owner is the zone's apex.
 *   Before any $ORIGIN, relative names are relative to
 *   FB_RPZ_DEFAULT_ORIGIN, and once the SOA is read to the apex.  A zone
 *   without an SOA first is refused whole (FB_PARSE_MALFORMED), and so
 *   is one holding a NUL byte; nothing has reached the entry callback
 *   then.  The SOA serial is kept in stats (version, version_is_serial):
 *   fraudblock-sync refuses a serial older than the one in force.
 * - Each other record's owner, relative to the apex, is the trigger:
 *   "name" is the name alone (FB_SCOPE_SELF), "*.name" the names below it
 *   only (FB_SCOPE_BELOW): separate triggers in RPZ.  An owner outside
 *   the apex, or a relative name fb_name_parse() refuses (bytes outside
 *   letters, digits, '-', '_'; a lone top-level domain; an address), is
 *   invalid.
 * - An owner whose last relative label is rpz-ip is a response address
 *   trigger: "PREFIXLEN.B4.B3.B2.B1.rpz-ip" (IPv4) or
 *   "PREFIXLEN.W8. ... .W1.rpz-ip" (IPv6, hex words, one run of zero
 *   words written "zz"), as the RPZ draft and Unbound's respip read them:
 *   "32.4.3.2.1" is 1.2.3.4/32, "24.0.3.2.1" 1.2.3.0/24,
 *   "48.zz.db8.2001" 2001:db8::/48.  It becomes an address entry
 *   (fb_addr.h) with the record's action; one that does not read as an
 *   address, a "*." one, or one feeds may not list (fb_addr_refused) is
 *   invalid.
 * - An owner whose last relative label is rpz-nsdname, rpz-nsip or
 *   rpz-client-ip is a trigger of another kind: counted as unsupported
 *   and skipped.
 * - The action comes from the record, as in Unbound:
 *   CNAME "."  NXDOMAIN;  CNAME "*."  NODATA;  CNAME "rpz-passthru."
 *   allow;  CNAME "rpz-drop."  Unbound drops the query (no answer at
 *   all), which fraudblock cannot do: it is listed as NXDOMAIN and
 *   counted (stats.drops);  CNAME "rpz-tcp-only."  unsupported (skipped
 *   and counted: a UDP resolver cannot force TCP from a list);  a CNAME
 *   to any other name below a top-level label starting "rpz-" is invalid
 *   (Unbound skips it too);  any other record (A, AAAA, TXT, a CNAME to
 *   another name) is local data: listed as sinkhole, so the name gets
 *   the configured sinkhole-ipv4/-ipv6 for A/AAAA and NODATA for other
 *   types, not the zone's own records (counted, stats.localdata).
 * - SOA, NS, DNAME and the DNSSEC types (DNSKEY, DS, RRSIG, NSEC, NSEC3,
 *   NSEC3PARAM) are skipped, as Unbound skips them.  $INCLUDE is never
 *   followed (a feed must not name files of this machine): invalid.
 * - A record ldns cannot parse is invalid and reading goes on at the
 *   next record.  stats.lines is the number of lines read.
 * Several records of one trigger give one entry (fb_nameset.h merges
 * them): an A and an AAAA of one name are one sinkhole entry.
 */
#include <ctype.h>
#include <strings.h>
#include <stdio.h>
#include <string.h>
#include <ldns/ldns.h>
#include "fmt.h"

/** The origin of relative names before $ORIGIN or the SOA say
 * otherwise: a name no real zone has (RFC 6761 .invalid). */
#define FB_RPZ_DEFAULT_ORIGIN "rpz.invalid."

/** Longest trigger text: a name of 253 bytes plus "*." and slack. */
#define RPZ_TEXT_MAX 512

/** What one parse keeps between records. */
struct rpz {
	struct fb_fmt_ctx *c;
	ldns_rdf *origin;	/**< of relative names, ldns updates it */
	ldns_rdf *prev;		/**< owner of the last record */
	ldns_rdf *apex;		/**< the SOA's owner, NULL before it */
	ldns_rdf *dflt;		/**< FB_RPZ_DEFAULT_ORIGIN */
	uint32_t ttl;		/**< $TTL, ldns updates it */
};

/** @return 1 if the wire label lab (length byte first) is word. */
static int
label_is(const uint8_t *lab, const char *word)
{
	size_t n = strlen(word);
	return lab[0] == n && strncasecmp((const char *)lab + 1, word, n) == 0;
}

/**
 * The action a policy record asks for, as Unbound's rpz_rr_to_action().
 * @return an FB_ACTION_*, or -1 skipped (not a policy record), -2
 *	unsupported, -3 invalid; *drop set for rpz-drop.
 */
static int
rpz_action(const ldns_rr *rr, int *drop)
{
	const ldns_rdf *t;
	const uint8_t *d;
	size_t len, i, last;

	*drop = 0;
	switch(ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_SOA:
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_DNAME:
	case LDNS_RR_TYPE_DNSKEY:
	case LDNS_RR_TYPE_DS:
	case LDNS_RR_TYPE_RRSIG:
	case LDNS_RR_TYPE_NSEC:
	case LDNS_RR_TYPE_NSEC3:
	case LDNS_RR_TYPE_NSEC3PARAM:
		return -1;
	case LDNS_RR_TYPE_CNAME:
		break;
	default:
		return FB_ACTION_SINKHOLE;
	}
	if(ldns_rr_rd_count(rr) != 1 || !(t = ldns_rr_rdf(rr, 0)) ||
	   ldns_rdf_get_type(t) != LDNS_RDF_TYPE_DNAME)
		return -3;
	d = ldns_rdf_data(t);
	len = ldns_rdf_size(t);
	if(len == 0)
		return -3;
	if(d[0] == 0)
		return FB_ACTION_NXDOMAIN;
	if(1 + (size_t)d[0] < len && d[1 + d[0]] == 0) {	/* one label */
		if(label_is(d, "*"))
			return FB_ACTION_NODATA;
		if(label_is(d, "rpz-passthru"))
			return FB_ACTION_ALLOW;
		if(label_is(d, "rpz-drop")) {
			*drop = 1;
			return FB_ACTION_NXDOMAIN;
		}
		if(label_is(d, "rpz-tcp-only"))
			return -2;
	}
	/* a top-level label "rpz-..." names an action this is not */
	for(i = 0, last = 0; i < len && d[i] != 0; i += 1 + (size_t)d[i])
		last = i;
	if(i < len && d[last] >= 4 && strncasecmp((const char *)d + last + 1,
	    "rpz-", 4) == 0)
		return -3;
	return FB_ACTION_SINKHOLE;	/* local data: a CNAME elsewhere */
}

/**
 * The owner of rr relative to the apex, as text ("name", "*.name").
 * @param kind: out: 1 for an rpz-ip trigger, 2 for one of another kind
 *	(rpz-nsdname, rpz-nsip, rpz-client-ip), else 0.
 * @return its length, 0 when the owner is not below the apex or holds
 *	a byte no name may have (text then holds what to report).
 */
static size_t
rpz_trigger(const struct rpz *z, const ldns_rr *rr, char *text,
	size_t room, int *kind)
{
	const ldns_rdf *o = ldns_rr_owner(rr);
	const uint8_t *d = ldns_rdf_data(o);
	size_t n = 0, i = 0, rel, k;
	uint8_t labs, alabs = ldns_dname_label_count(z->apex);
	const uint8_t *last = NULL;
	char *s;

	*kind = 0;
	labs = ldns_dname_label_count(o);
	if(labs <= alabs || !ldns_dname_is_subdomain(o, z->apex)) {
		s = ldns_rdf2str(o);
		snprintf(text, room, "%s", s ? s : "?");
		LDNS_FREE(s);
		return 0;
	}
	for(rel = 0; rel < (size_t)(labs - alabs); rel++) {
		size_t l = d[i];
		last = d + i;
		if(n > 0)
			text[n++] = '.';
		for(k = 0; k < l; k++) {
			unsigned char ch = d[i + 1 + k];
			/* a '.' or a blank inside a label would change
			 * what the text means: stop at it */
			if(n + 2 >= room || !(isalnum(ch) || ch == '-' ||
			    ch == '_' || ch == '*')) {
				text[n] = 0;
				return 0;
			}
			text[n++] = (char)ch;
		}
		i += 1 + l;
	}
	text[n] = 0;
	if(last && label_is(last, "rpz-ip"))
		*kind = 1;
	else if(last && (label_is(last, "rpz-nsdname") ||
	    label_is(last, "rpz-nsip") || label_is(last, "rpz-client-ip")))
		*kind = 2;
	return n;
}

/**
 * An rpz-ip trigger ("24.0.2.0.192.rpz-ip", "128.zz.1.0.db8.2001.rpz-ip")
 * as an address or prefix in presentation form ("192.0.2.0/24",
 * "2001:db8:0:1::/128"), as the RPZ draft writes them: the prefix length,
 * then the address labels lowest first; IPv4 is four decimal labels,
 * IPv6 eight hex labels of which one run of zeros may be one "zz".
 * fb_addr_parse() judges the result.
 * @param t: the trigger text (rpz_trigger), ending in ".rpz-ip".
 * @param n: its length.
 * @param out: out: the text, NUL-terminated.
 * @param room: size of out.
 * @return its length, 0 if the trigger cannot be one (out says why).
 */
static size_t
rpz_ip_text(const char *t, size_t n, char *out, size_t room)
{
	const char *lab[10];
	size_t ll[10], nl = 0, i, o = 0, s = 0, e;
	int v6 = 0;

	/* at least one label before ".rpz-ip" ("rpz-ip" alone has none) */
	if(n < 9 || t[n - 7] != '.') {
		snprintf(out, room, "bad rpz-ip trigger");
		return 0;
	}
	n -= 7;
	while(s < n) {
		for(e = s; e < n && t[e] != '.'; e++)
			;
		if(nl == 10 || e == s) {
			snprintf(out, room, "bad rpz-ip trigger");
			return 0;
		}
		lab[nl] = t + s;
		ll[nl++] = e - s;
		if(e - s == 2 && strncasecmp(t + s, "zz", 2) == 0)
			v6 = 1;
		s = e + 1;
	}
	if(nl < 2 || lab[0][0] == '*') {
		snprintf(out, room, "bad rpz-ip trigger");
		return 0;
	}
	v6 |= nl - 1 != 4;
	/* the address labels, highest first, then "/" and the length */
	for(i = nl - 1; i >= 1; i--) {
		int zz = v6 && ll[i] == 2 && strncasecmp(lab[i], "zz", 2) == 0;
		if(o + ll[i] + 2 >= room)
			return 0;
		if(zz && i == nl - 1)
			out[o++] = ':';	/* leading run: "::..." */
		if(!zz) {
			memcpy(out + o, lab[i], ll[i]);
			o += ll[i];
		}
		if(i > 1)
			out[o++] = v6 ? ':' : '.';
		else if(zz)
			out[o++] = ':';	/* trailing run: "...::" */
	}
	if(o + ll[0] + 2 >= room)
		return 0;
	out[o++] = '/';
	memcpy(out + o, lab[0], ll[0]);
	o += ll[0];
	out[o] = 0;
	return o;
}

/** Read the SOA: the apex and the serial.  @return 0 on OOM. */
static int
rpz_soa(struct rpz *z, const ldns_rr *rr)
{
	const ldns_rdf *serial = ldns_rr_rdf(rr, 2);

	if(!(z->apex = ldns_rdf_clone(ldns_rr_owner(rr))))
		return 0;
	if(serial && ldns_rdf_get_type(serial) == LDNS_RDF_TYPE_INT32) {
		z->c->st->version = ldns_rdf2native_int32(serial);
		z->c->st->version_is_serial = 1;
	}
	/* relative names after the SOA are relative to the apex, unless a
	 * $ORIGIN said otherwise */
	if(z->origin && ldns_dname_compare(z->origin, z->dflt) == 0) {
		ldns_rdf_deep_free(z->origin);
		if(!(z->origin = ldns_rdf_clone(z->apex)))
			return 0;
	}
	return 1;
}

/** One record after the SOA.  @return 0 on OOM (or stop). */
static int
rpz_record(struct rpz *z, const ldns_rr *rr)
{
	struct fb_fmt_ctx *c = z->c;
	char text[RPZ_TEXT_MAX];
	size_t n;
	int action, drop, kind;

	action = rpz_action(rr, &drop);
	if(action == -1) {
		c->st->skipped++;
		return 1;
	}
	n = rpz_trigger(z, rr, text, sizeof(text), &kind);
	if(n == 0) {
		fb_fmt_refuse(c, "owner not a name below the zone's apex",
			text, strlen(text));
		return 1;
	}
	if(kind == 2 || action == -2) {
		c->st->skipped++;
		c->st->unsupported++;
		return 1;
	}
	if(action == -3) {
		fb_fmt_refuse(c, "CNAME to an unknown rpz- action", text, n);
		return 1;
	}
	c->action = (enum fb_action)action;
	if(drop)
		c->st->drops++;
	if(action == FB_ACTION_SINKHOLE)
		c->st->localdata++;
	if(kind == 1) {
		char ip[RPZ_TEXT_MAX];
		if(!rpz_ip_text(text, n, ip, sizeof(ip))) {
			fb_fmt_refuse(c, "bad rpz-ip trigger", text, n);
			return 1;
		}
		return fb_fmt_address(c, ip, strlen(ip), 0);
	}
	return fb_fmt_name(c, text, n, 0);
}

/** @return the lines of buf: its newlines, and a last line without. */
static uint64_t
count_lines(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	uint64_t n = 0;

	while(p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p = nl + 1;
	}
	return n + (p < end);
}

/** @return how far ldns has read fp, for an error message. */
static size_t
offset(FILE *fp)
{
	long o = ftell(fp);
	return o > 0 ? (size_t)o : 0;
}

enum fb_parse_status
fb_fmt_rpz(struct fb_fmt_ctx *c, const char *buf, size_t len)
{
	struct rpz z;
	FILE *fp;
	const char *nul;
	int line = 0, ok = 1;
	enum fb_parse_status r = FB_PARSE_OK;
	uint64_t rounds = 0, nlines;

	if(len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	/* ldns reads C strings: a NUL would cut a record silently */
	if((nul = memchr(buf, 0, len)) != NULL)
		return fb_fmt_malformed(c, (size_t)(nul - buf),
			"NUL byte in a zone file");
	if(len == 0)
		return fb_fmt_malformed(c, 0, "no SOA record: not a zone");
	nlines = count_lines(buf, len);
	memset(&z, 0, sizeof(z));
	z.c = c;
	c->exact = 1;
	z.ttl = 3600;
	z.dflt = ldns_dname_new_frm_str(FB_RPZ_DEFAULT_ORIGIN);
	z.origin = z.dflt ? ldns_rdf_clone(z.dflt) : NULL;
	/* fmemopen reads a const buffer in "r" mode */
	fp = z.origin ? fmemopen((void *)buf, len, "r") : NULL;
	if(!fp) {
		ldns_rdf_deep_free(z.origin);
		ldns_rdf_deep_free(z.dflt);
		return FB_PARSE_NOMEM;
	}
	/* each round reads at least one byte, so len + 1 rounds end it */
	while(ok && !feof(fp) && rounds++ <= len) {
		ldns_rr *rr = NULL;
		ldns_status s = ldns_rr_new_frm_fp_l(&rr, fp, &z.ttl,
			&z.origin, &z.prev, &line);
		/* ldns counts the newlines read: the line a record ends
		 * on, unless it is the last one and has none */
		c->lineno = (uint64_t)line + (feof(fp) && buf[len-1] != '\n');
		if(c->lineno == 0)
			c->lineno = 1;
		/* ldns's count is for messages; never past the last line */
		if(c->lineno > nlines)
			c->lineno = nlines;
		c->action = FB_ACTION_DEFAULT;
		c->category = c->o->category;
		if(s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL)
			continue;
		if(s == LDNS_STATUS_SYNTAX_ORIGIN && z.origin)
			continue;
		if(s != LDNS_STATUS_OK || !rr) {
			const char *why = s == LDNS_STATUS_SYNTAX_INCLUDE ?
				"$INCLUDE is not followed" :
				s == LDNS_STATUS_SYNTAX_ORIGIN ? "bad $ORIGIN" :
				ldns_get_errorstr_by_id(s);
			if(!z.apex) {
				ldns_rr_free(rr);
				r = fb_fmt_malformed(c, offset(fp), "line %d: %s "
					"before the SOA record", line, why ? why :
					"syntax error");
				break;
			}
			if(!z.origin) {
				/* ldns dropped the origin of a bad $ORIGIN */
				z.origin = ldns_rdf_clone(z.apex);
				ok = z.origin != NULL;
			}
			fb_fmt_refuse(c, why ? why : "syntax error", "", 0);
			ldns_rr_free(rr);
			continue;
		}
		if(!z.apex) {
			if(ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA) {
				ldns_rr_free(rr);
				r = fb_fmt_malformed(c, offset(fp), "line %d: "
					"the first record is not the SOA: not a zone",
					line);
				break;
			}
			ok = rpz_soa(&z, rr);
			c->st->skipped++;
		} else
			ok = rpz_record(&z, rr);
		ldns_rr_free(rr);
	}
	c->st->lines = nlines;
	if(r == FB_PARSE_OK && ok && !z.apex)
		r = fb_fmt_malformed(c, len, "no SOA record: not a zone");
	fclose(fp);
	ldns_rdf_deep_free(z.origin);
	ldns_rdf_deep_free(z.prev);
	ldns_rdf_deep_free(z.apex);
	ldns_rdf_deep_free(z.dflt);
	return ok ? r : FB_PARSE_NOMEM;
}
