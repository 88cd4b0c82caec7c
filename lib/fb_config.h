/**
 * \file
 * fraudblock.conf: the one settings file shared by the Unbound module,
 * fraudblock-sync and fraudblock-ctl.
 *
 * Syntax follows unbound.conf: one `key: value` a line, '#' starts a
 * comment (outside double quotes), values may be double-quoted, leading
 * white space is ignored, a UTF-8 byte order mark at the very start of the
 * file is skipped.  `feed:` opens a feed clause; the feed keys that
 * follow (name, source, format, action, category, max-shrink, max-size,
 * column, category-column, field, url-paths, trusted, max-protected,
 * signature-key, signature, checksum, refresh, max-download, timeout,
 * retries, ca-file, pin, sde-sub-error, justification, ...) belong to it
 * until the next clause.
 * `client-policy:` opens a client policy clause (name, network, policy,
 * categories, action) the same way.  Global keys may stand anywhere.
 * The reference is doc/fraudblock.conf.5.
 *
 * The file is outside input: every error names file:line and what is
 * wrong, and the whole file is refused (no half-loaded settings).
 *
 * Thread safety: load once, then read-only from any thread.
 */
#ifndef FB_CONFIG_H
#define FB_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include "fb_record.h"
#include "fb_sde.h"

/** Environment variable that overrides the compiled-in config path. */
#define FB_CONF_ENV "FRAUDBLOCK_CONF"

/** refresh: when a feed clause does not say. */
#define FB_REFRESH_DEFAULT 3600
/** Shortest refresh: of a feed fetched from another machine; a local
 * file (a path or file://) may be read as often as every second. */
#define FB_REFRESH_MIN_REMOTE 60
/** Longest domain name in DNS wire form (RFC 1035). */
#define FB_WIRE_NAME_MAX 255
/** The SOA of negative block answers when the file does not say: .invalid
 * (RFC 6761) names no real server or mailbox. */
#define FB_SOA_MNAME_DEFAULT "fraudblock.invalid."
#define FB_SOA_RNAME_DEFAULT "hostmaster.fraudblock.invalid."

/** Most public key pins in one pin: value. */
#define FB_PIN_MAX 8

/** Formats fraudblock-sync reads. */
enum fb_format {
	FB_FORMAT_DOMAINS = 0,	/**< one name a line, '#' comments */
	FB_FORMAT_HOSTS,	/**< hosts file: "0.0.0.0 name [name...]" */
	FB_FORMAT_URLS,		/**< one URL (or host[/path]) a line */
	FB_FORMAT_ADBLOCK,	/**< adblock "||name^" rules */
	FB_FORMAT_CSV,		/**< RFC 4180 CSV, one column holds a URL */
	FB_FORMAT_JSON,		/**< JSON array of URLs or of objects */
	FB_FORMAT_RPZ		/**< Response Policy Zone file */
};

/** @return the config word of a format ("domains", ...). */
const char *fb_format_name(enum fb_format fmt);
/** @return 1 and set *fmt if word names a format, else 0. */
int fb_format_parse(const char *word, enum fb_format *fmt);

/** One feed clause. */
struct fb_feed_conf {
	char *name;		/**< unique; [A-Za-z0-9_.-], 1..63 chars */
	/** a local path, a file:// URL or an http:// or https:// URL */
	char *source;
	enum fb_format format;
	enum fb_action action;	/**< action for its entries (allow: the
				 * feed is an allowlist) */
	/** the Extended DNS Error code its blocks carry (FB_EDE_*) */
	uint16_t ede;
	/** a plain line lists the name and everything below it (1, the
	 * default) or the name alone (0); "*.name" lines are below only
	 * either way */
	int subdomains;
	enum fb_category category;
	/** refuse an update that drops more than this percentage of the
	 * entries in force (a truncated download looks like this) */
	unsigned max_shrink;
	/** refuse a source larger than this many bytes (after
	 * decompression, for a download) */
	uint64_t max_size;
	/** http(s): refuse a download of more bytes on the wire */
	uint64_t max_download;
	/** http(s): seconds to connect, and longest stall of the body */
	unsigned timeout;
	/** http(s): attempts after the first, on transient failures */
	unsigned retries;
	/** https: NULL, or the only CA certificates trusted (PEM file) */
	char *ca_file;
	/** https: NULL, or public key pins, "sha256//BASE64[;...]" */
	char *pin;
	/** csv: the column holding the URL or host, a header name or a
	 * 1-based number; NULL for other formats */
	char *column;
	/** csv: NULL or the column whose value gives each entry's
	 * category (scam, phishing, malware or other) */
	char *category_column;
	/** csv: NULL or the column giving the date each row was listed */
	char *date_column;
	/** seconds; 0 or: entries the feed dates longer ago than this are
	 * left out, so an append-only archive's old entries drop out unless
	 * it lists them again with a newer date (needs date_column) */
	int64_t max_age;
	/** json: NULL or the member of each array object holding the URL
	 * ("url" when NULL) */
	char *field;
	/** urls, csv, json: list the host of a URL that has a path (1), or
	 * count and report it only (0, the default): the harm of
	 * `www.facebook.com/some-page` is in the path, and its host is a
	 * platform that must not be blocked for it */
	int url_paths_host;
	/** 1: the feed may block popular names (popular-names) */
	int trusted;
	/** refuse an update in which more than this percentage of the
	 * entries are public suffixes or critical names (fb_protect.h) */
	unsigned max_protected;
	/** NULL, or the minisign public key (its base64 line, checked to
	 * be one) every version of the feed must be signed with */
	char *signature_key;
	/** NULL, or where the feed's .minisig is (a path or file:// URL);
	 * with signature_key and NULL, the source + ".minisig" */
	char *signature;
	/** NULL, or a SHA-256 checksum file (sha256sum output) the feed's
	 * content must match */
	char *checksum;
	/** fraudblock-sync --daemon: seconds between two syncs of the
	 * feed (before jitter); FB_REFRESH_DEFAULT when not given */
	unsigned refresh;
	/** Structured DNS Error: the sub-error of its blocks (FB_SDE_SUB_*),
	 * or FB_SDE_SUB_DEFAULT for its category's (fb_sde_sub_error) */
	int sde_sub_error;
	/** NULL, or the "j" text of its blocks (justification), instead
	 * of the global sde-justification */
	char *sde_justification;
	/** the line of justification, for messages */
	int sde_justification_line;
	int line;		/**< where the clause starts, for messages */
};

/** Most client-policy clauses (each has its own metrics counters). */
#define FB_CLIENT_POLICY_MAX 64
/** Most networks of all client-policy clauses together. */
#define FB_CLIENT_NETS_MAX 65536

/** What a client policy does with the blocks of its clients. */
enum fb_client_mode {
	FB_CLIENT_BLOCK = 0,	/**< block (default): all categories, or
				 * the selected ones */
	FB_CLIENT_EXEMPT	/**< never block: log would-block instead */
};

/** One client-policy clause (doc/fraudblock.conf.5, doc/matching.md). */
struct fb_client_conf {
	char *name;		/**< unique; as a feed name */
	enum fb_client_mode mode;
	/** block: the categories blocked, bit (1u << enum fb_category)
	 * each; 0 means all of them */
	unsigned categories;
	/** block: FB_ACTION_DEFAULT (the entry's action, or default-action)
	 * or the action every block of these clients gets */
	enum fb_action action;
	int line;		/**< where the clause starts, for messages */
};

/** One network of a client-policy clause. */
struct fb_client_net {
	int family;		/**< AF_INET or AF_INET6 */
	/** the network address, network byte order, host bits zero (an
	 * IPv4-mapped IPv6 network of /96 or longer is stored as IPv4) */
	uint8_t addr[16];
	unsigned prefix;	/**< prefix length: 0..32 or 0..128 */
	size_t policy;		/**< index of its clause in cfg->clients */
	int line;		/**< where it was given */
};

/** How the query log writes client addresses (doc/querylog.md). */
enum fb_privacy {
	FB_PRIVACY_TRUNCATE = 0,	/**< IPv4 /24, IPv6 /48 (default) */
	FB_PRIVACY_NONE,		/**< no address at all */
	FB_PRIVACY_HASH,		/**< keyed HMAC-SHA-256, rotated key */
	FB_PRIVACY_FULL			/**< the whole address (opt-in) */
};

/** When hash mode's key is replaced. */
enum fb_hash_rotate {
	FB_ROTATE_DAILY = 0,	/**< at 00:00 UTC (default) */
	FB_ROTATE_WEEKLY,	/**< Monday 00:00 UTC */
	FB_ROTATE_NEVER		/**< only by fraudblock-ctl log-key-rotate */
};

/** @return the config word of a privacy mode ("truncate", ...). */
const char *fb_privacy_name(enum fb_privacy m);

/** The query log's settings (the log-* keys). */
struct fb_log_conf {
	char *file;		/**< NULL or the JSON Lines file (absolute) */
	int syslog;		/**< 1: also send records to syslog */
	int facility;		/**< syslog facility number (local0: 16) */
	char *syslog_socket;	/**< the local syslog socket, /dev/log */
	int all_queries;	/**< 1: a "pass" record per checked query */
	enum fb_privacy privacy;
	char *key_file;		/**< hash mode's key (absolute) */
	enum fb_hash_rotate rotate;
	unsigned retention_days;	/**< log-prune keeps this many days */
	unsigned buffer;	/**< records a resolver thread may queue */
};

/** The whole file. */
struct fb_config {
	char *path;		/**< the file it was read from */
	/** LMDB environment directory; always an absolute path, since
	 * Unbound loads the module from another working directory than the
	 * tools run in */
	char *database;
	uint64_t max_db_size;	/**< LMDB map size, bytes */
	struct in_addr sinkhole_ipv4;
	struct in6_addr sinkhole_ipv6;
	uint32_t sinkhole_ttl;	/**< TTL of sinkhole answers, seconds */
	enum fb_action default_action; /**< for entries with FB_ACTION_DEFAULT */
	/** MNAME of the SOA in NXDOMAIN/NODATA block answers, wire form,
	 * lower case (sinkhole-soa-mname) */
	uint8_t soa_mname[FB_WIRE_NAME_MAX];
	size_t soa_mname_len;	/**< bytes of soa_mname, root label included */
	/** RNAME of that SOA (sinkhole-soa-rname), as soa_mname */
	uint8_t soa_rname[FB_WIRE_NAME_MAX];
	size_t soa_rname_len;	/**< bytes of soa_rname */
	unsigned poll_ms;	/**< how often the module looks for updates */
	/** NULL or the file of critical names no feed may block */
	char *protected_names;
	/** NULL or the file of popular names untrusted feeds may not block */
	char *popular_names;
	/** NULL (Debian's copy) or the Public Suffix List file */
	char *public_suffix_list;
	/** where fraudblock-sync --daemon writes its pid and
	 * `fraudblock-ctl sync-now` finds it; absolute */
	char *sync_pid_file;
	/** NULL, or the absolute path of the Prometheus text file the module
	 * rewrites every metrics_interval seconds */
	char *metrics_file;
	unsigned metrics_interval;	/**< seconds */
	/** count answers from Unbound's message cache (a callback on the
	 * cache-hit path, so off unless asked for) */
	int count_cache_hits;
	/** judge the A and AAAA records of answers against the listed
	 * addresses (block-response-addresses) */
	int block_response_addresses;
	struct fb_feed_conf *feeds;
	size_t nfeeds;
	/** the client-policy clauses, in file order */
	struct fb_client_conf *clients;
	size_t nclients;
	/** the networks of all of them, in file order; no network is given
	 * twice (same address and prefix) */
	struct fb_client_net *client_nets;
	size_t nclient_nets;
	/** the query log; on when log.file or log.syslog is set */
	struct fb_log_conf log;
	/** Structured DNS Error (sde-* keys, fb_sde.h): JSON in the EDE
	 * text for clients that send the SDE option */
	int sde;
	/** the SDE EDNS option code */
	uint16_t sde_option_code;
	/** NULL, or the "c" member, made at load: "c":["URI",...] */
	char *sde_contact_json;
	/** NULL, or the "o" text (sde-organisation), checked UTF-8 */
	char *sde_organisation;
	/** the "j" template: {feed} and {category} are replaced */
	char *sde_justification;
	/** the "l" tag (sde-language), "en" when not given */
	char sde_language[FB_SDE_LANG_MAX + 1];
};

/** @return $FRAUDBLOCK_CONF if set and not empty, else the built-in path. */
const char *fb_config_default_path(void);

/**
 * Read and check a config file.
 * Defaults: database $(localstatedir)/lib/fraudblock, max-db-size 4096 MB,
 * sinkhole 0.0.0.0 and ::, ttl 60, SOA names FB_SOA_MNAME_DEFAULT and
 * FB_SOA_RNAME_DEFAULT, default-action sinkhole, poll 100 ms,
 * sync-pid-file $(runstatedir)/fraudblock/fraudblock-sync.pid, no metrics
 * file, metrics-interval 5 s, count-cache-hits no, sde no with option
 * code FB_SDE_OPTION_DEFAULT, justification FB_SDE_JUSTIFICATION_DEFAULT
 * and language en.
 * @param path: the file.
 * @param out: out: the config, to free with fb_config_free().
 * @param err: out: "file:line: what is wrong" on failure.
 * @param errlen: size of err.
 * @return 1 on success, 0 on error (nothing allocated).
 */
int fb_config_load(const char *path, struct fb_config **out, char *err,
	size_t errlen);

/**
 * A domain name in presentation form to DNS wire form, lower case: labels
 * of A-Z a-z 0-9 '-' '_', 1 to 63 bytes each, one optional trailing dot,
 * FB_WIRE_NAME_MAX bytes at most; no escapes, no root alone.
 * @param text: NUL-terminated name.
 * @param wire: out: FB_WIRE_NAME_MAX bytes.
 * @param len: out: bytes written, root label included.
 * @return 1 on success, 0 if text is not such a name.
 */
int fb_config_name_wire(const char *text, uint8_t *wire, size_t *len);

/** Free a config; NULL is fine. */
void fb_config_free(struct fb_config *cfg);

/** @return the feed clause named name, or NULL. */
const struct fb_feed_conf *fb_config_feed(const struct fb_config *cfg,
	const char *name);

#endif /* FB_CONFIG_H */
