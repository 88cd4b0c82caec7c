/**
 * \file
 * dnsq: the integration tests' DNS client, written with ldns so that the
 * tests do not depend on dig alone and can read Extended DNS Errors
 * (RFC 8914) in a stable form.
 *
 *	dnsq [-p PORT] [-t TYPE] [-e|-E] [-b SIZE] [-o CODE] SERVER NAME
 *
 * Sends exactly one query (class IN, RD set, EDNS0 with a 1232-byte UDP
 * size, or -b SIZE, unless -E) over UDP to SERVER (an IPv4 or IPv6 address), waits at
 * most 2 seconds for the reply and prints, one item a line:
 *
 *	rcode NOERROR
 *	answer <RR in ldns presentation form, fields separated by tabs>
 *	authority <RR in the same form>
 *	ede CODE TEXT
 *	truncated
 *
 * -o CODE adds an empty EDNS option with that code to the query (the
 * Structured DNS Error signal, for one).
 * "answer" once per answer-section RR, "authority" once per authority-
 * section RR, "ede" once per Extended DNS Error
 * option in the reply's OPT record (TEXT is omitted when empty; bytes
 * outside printable ASCII and the backslash are written as \DDD),
 * "truncated" only when the TC bit is set (no TCP retry is made).
 *
 * Exit status: 0 a reply was printed, 1 usage error, 2 no usable reply
 * (timeout, network error, a reply to another query, malformed reply or
 * OPT data); then nothing is printed on stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>
#include <ldns/ldns.h>

/** EDNS option code of Extended DNS Errors (RFC 8914). */
#define DNSQ_OPT_EDE 15
/** How long to wait for the reply, seconds. */
#define DNSQ_TIMEOUT 2
/** Advertised EDNS UDP payload size. */
#define DNSQ_EDNS_SIZE 1232

/** Print usage to stderr and exit 1. */
static void
usage(void)
{
	fprintf(stderr, "usage: dnsq [-p PORT] [-t TYPE] [-e|-E] [-b SIZE] "
		"[-o CODE] SERVER NAME\n"
		"Send one DNS query to SERVER and print the reply:\n"
		"\trcode RCODE, one 'answer RR' line per answer RR,\n"
		"\tone 'ede CODE TEXT' line per Extended DNS Error.\n"
		"-p PORT\tserver port (default 53)\n"
		"-t TYPE\tquery type (default A)\n"
		"-e\tsend EDNS0 (default)\n"
		"-E\tsend no EDNS0\n"
		"-b SIZE\tadvertise this EDNS UDP size (512 to 65535; 1232)\n"
		"-o CODE\tadd an empty EDNS option CODE (1 to 65535)\n"
		"-h\tshow this help\n"
		"Exit: 0 reply printed, 1 usage error, 2 no usable reply.\n");
	exit(1);
}

/**
 * Print text bytes of an EDE option, escaping what is not printable.
 * @param p: the bytes.
 * @param len: their number.
 */
static void
dnsq_print_text(const uint8_t *p, size_t len)
{
	size_t i;
	for(i = 0; i < len; i++) {
		if(p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			putchar(p[i]);
		else	printf("\\%03u", (unsigned)p[i]);
	}
}

/**
 * Walk the options in the OPT RR's rdata; check them all, and print the
 * Extended DNS Error ones if asked.
 * @param data: the OPT rdata (a list of code, length, value options).
 * @param len: its length.
 * @param print: 0 to check only, 1 to also print "ede" lines.
 * @return 1 on success, 0 if the options are malformed.
 */
static int
dnsq_walk_opt(const uint8_t *data, size_t len, int print)
{
	size_t pos = 0;
	while(pos < len) {
		uint16_t code, olen, info;
		if(len - pos < 4) {
			fprintf(stderr, "dnsq: malformed OPT rdata: %u "
				"stray bytes\n", (unsigned)(len - pos));
			return 0;
		}
		code = (uint16_t)((data[pos] << 8) | data[pos+1]);
		olen = (uint16_t)((data[pos+2] << 8) | data[pos+3]);
		pos += 4;
		if(olen > len - pos) {
			fprintf(stderr, "dnsq: malformed OPT rdata: option %u "
				"length %u exceeds the %u bytes left\n",
				(unsigned)code, (unsigned)olen,
				(unsigned)(len - pos));
			return 0;
		}
		if(code == DNSQ_OPT_EDE) {
			if(olen < 2) {
				fprintf(stderr, "dnsq: malformed EDE option: "
					"length %u\n", (unsigned)olen);
				return 0;
			}
			info = (uint16_t)((data[pos] << 8) | data[pos+1]);
			if(print) {
				printf("ede %u", (unsigned)info);
				if(olen > 2) {
					putchar(' ');
					dnsq_print_text(data + pos + 2,
						(size_t)olen - 2);
				}
				putchar('\n');
			}
		}
		pos += olen;
	}
	return 1;
}

/**
 * Print the RRs of one section, one line each.
 * @param list: the section (may be NULL).
 * @param what: the line's first word.
 * @return 1 on success, 0 when out of memory.
 */
static int
dnsq_print_rrs(ldns_rr_list *list, const char *what)
{
	size_t i;

	for(i = 0; list && i < ldns_rr_list_rr_count(list); i++) {
		char *s = ldns_rr2str(ldns_rr_list_rr(list, i));
		size_t n;
		if(!s) {
			/* out of memory: the lines so far are not the reply */
			fprintf(stderr, "dnsq: cannot print an RR\n");
			return 0;
		}
		n = strlen(s);
		while(n > 0 && (s[n-1] == '\n' || s[n-1] == ' '))
			s[--n] = 0;
		printf("%s %s\n", what, s);
		free(s);
	}
	return 1;
}

/**
 * Print the reply in dnsq's line format.
 * @param reply: the answer packet.
 * @return 1 on success, 0 on a malformed or unprintable reply.
 */
static int
dnsq_print_reply(ldns_pkt *reply)
{
	ldns_lookup_table *lt;
	ldns_rdf *opt = ldns_pkt_edns_data(reply);
	unsigned rcode;

	/* check everything first: print all of a reply or nothing */
	if(opt && !dnsq_walk_opt(ldns_rdf_data(opt), ldns_rdf_size(opt), 0))
		return 0;

	/* the 12-bit rcode: header bits plus the OPT extension */
	rcode = (unsigned)ldns_pkt_get_rcode(reply);
	if(ldns_pkt_edns(reply))
		rcode |= (unsigned)ldns_pkt_edns_extended_rcode(reply) << 4;
	lt = ldns_lookup_by_id(ldns_rcodes, (int)rcode);
	if(lt && lt->name)
		printf("rcode %s\n", lt->name);
	else	printf("rcode RCODE%u\n", rcode);

	if(!dnsq_print_rrs(ldns_pkt_answer(reply), "answer") ||
		!dnsq_print_rrs(ldns_pkt_authority(reply), "authority"))
		return 0;

	if(opt)
		(void)dnsq_walk_opt(ldns_rdf_data(opt), ldns_rdf_size(opt), 1);
	if(ldns_pkt_tc(reply))
		printf("truncated\n");
	return 1;
}

/**
 * Make an address rdf from text.
 * @param text: an IPv4 or IPv6 address.
 * @return the rdf or NULL if text is neither.
 */
static ldns_rdf *
dnsq_addr(const char *text)
{
	ldns_rdf *a = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, text);
	if(!a)
		a = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, text);
	return a;
}

/**
 * Send the query and print the reply.
 * @return the exit status.
 */
static int
dnsq_run(const char *server, int port, const char *type_s, int edns,
	long bufsize, long optcode, const char *name_s)
{
	ldns_resolver *res = NULL;
	ldns_rdf *addr = NULL, *name = NULL;
	ldns_pkt *query = NULL, *reply = NULL;
	ldns_rr_type type;
	ldns_status st;
	struct timeval tv;
	int ret = 2;

	type = ldns_get_rr_type_by_name(type_s);
	if(type == 0) {
		fprintf(stderr, "dnsq: unknown type '%s'\n", type_s);
		return 1;
	}
	if(!(addr = dnsq_addr(server))) {
		fprintf(stderr, "dnsq: not an IP address: '%s'\n", server);
		return 1;
	}
	if(!(name = ldns_dname_new_frm_str(name_s))) {
		fprintf(stderr, "dnsq: bad name '%s'\n", name_s);
		ldns_rdf_deep_free(addr);
		return 1;
	}
	if(!(res = ldns_resolver_new())) {
		fprintf(stderr, "dnsq: out of memory\n");
		goto out;
	}
	if(ldns_resolver_push_nameserver(res, addr) != LDNS_STATUS_OK) {
		fprintf(stderr, "dnsq: cannot add nameserver %s\n", server);
		goto out;
	}
	ldns_resolver_set_port(res, (uint16_t)port);
	ldns_resolver_set_recursive(res, true);
	/* exactly one UDP datagram: no retries, no TCP fallback */
	tv.tv_sec = DNSQ_TIMEOUT;
	tv.tv_usec = 0;
	ldns_resolver_set_timeout(res, tv);
	ldns_resolver_set_retry(res, 1);
	ldns_resolver_set_retrans(res, 0);
	ldns_resolver_set_fail(res, true);
	ldns_resolver_set_fallback(res, false);
	ldns_resolver_set_usevc(res, false);
	ldns_resolver_set_edns_udp_size(res, edns ? (uint16_t)bufsize : 0);

	st = ldns_resolver_prepare_query_pkt(&query, res, name, type,
		LDNS_RR_CLASS_IN, LDNS_RD);
	if(st != LDNS_STATUS_OK) {
		fprintf(stderr, "dnsq: cannot make the query: %s\n",
			ldns_get_errorstr_by_id(st));
		goto out;
	}
	if(edns && optcode) {
		uint8_t o[4] = { (uint8_t)(optcode >> 8), (uint8_t)optcode,
			0, 0 };
		ldns_rdf *od = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN,
			sizeof(o), o);
		if(!od) {
			fprintf(stderr, "dnsq: out of memory\n");
			goto out;
		}
		ldns_pkt_set_edns_data(query, od);
	}
	st = ldns_resolver_send_pkt(&reply, res, query);
	if(st != LDNS_STATUS_OK || !reply) {
		fprintf(stderr, "dnsq: no reply from %s port %d within %d s: "
			"%s\n", server, port, DNSQ_TIMEOUT,
			st == LDNS_STATUS_OK ? "no packet" :
			ldns_get_errorstr_by_id(st));
		goto out;
	}
	if(ldns_pkt_id(reply) != ldns_pkt_id(query) || !ldns_pkt_qr(reply)) {
		fprintf(stderr, "dnsq: reply does not match the query "
			"(id %u, sent %u)\n", (unsigned)ldns_pkt_id(reply),
			(unsigned)ldns_pkt_id(query));
		goto out;
	}
	if(dnsq_print_reply(reply))
		ret = 0;
out:
	if(fflush(stdout) != 0) {
		fprintf(stderr, "dnsq: write error: %s\n", strerror(errno));
		ret = 2;
	}
	ldns_pkt_free(reply);
	ldns_pkt_free(query);
	if(res)
		ldns_resolver_deep_free(res); /* its own copy of addr */
	ldns_rdf_deep_free(addr);
	ldns_rdf_deep_free(name);
	return ret;
}

/**
 * An option's number, or usage() when it is not one in [min, max].
 * @param what: what the number is, for the message.
 */
static long
dnsq_num(const char *arg, long min, long max, const char *what)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if(errno || *arg == 0 || *end != 0 || n < min || n > max) {
		fprintf(stderr, "dnsq: bad %s '%s'\n", what, arg);
		usage();
	}
	return n;
}

/** Parse options and run. */
int
main(int argc, char *argv[])
{
	const char *type = "A";
	long port = 53, optcode = 0, bufsize = DNSQ_EDNS_SIZE;
	int edns = 1, c;

	while((c = getopt(argc, argv, "p:t:eEb:o:h")) != -1) {
		switch(c) {
		case 'b':
			bufsize = dnsq_num(optarg, 512, 65535, "EDNS size");
			break;
		case 'p':
			port = dnsq_num(optarg, 1, 65535, "port");
			break;
		case 'o':
			optcode = dnsq_num(optarg, 1, 65535, "option code");
			break;
		case 't':
			type = optarg;
			break;
		case 'e':
			edns = 1;
			break;
		case 'E':
			edns = 0;
			break;
		case 'h':
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if(argc != 2)
		usage();
	return dnsq_run(argv[0], (int)port, type, edns, bufsize, optcode,
		argv[1]);
}
