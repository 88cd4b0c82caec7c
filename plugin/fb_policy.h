/**
 * \file
 * The module's decisions, one function per phase of a query:
 *
 * - fb_policy_query(): a new query reaches the module (a cache miss).  A
 *   listed name asked by a client gets the block answer (fb_answer.c).  A
 *   listed name Unbound asks on its own (NS address lookups, priming,
 *   DNSSEC, prefetch) is not answered — the resolver needs those — but
 *   is kept out of the message cache.  Classes other than IN pass: the
 *   lists name Internet hosts, and a sinkhole A record in class CH would
 *   be nonsense.
 * - fb_policy_answer(): the answer comes back from the iterator.  Its
 *   chain is judged name by name: the query name, every owner of the
 *   answer section and every CNAME and DNAME target (a plain answer costs
 *   one lookup: its owner is the query name).  Each listed one may have
 *   been cached under its own name on the way: those cached answers are
 *   removed, so a client asking for a listed name directly never gets the
 *   real answer from the cache.  When any name of the chain is blocked,
 *   the cached answer of the query name (the alias) is removed too, and
 *   a client query gets the block answer of the first blocked name in
 *   chain order, as if it had asked for it (same action and EDE; the
 *   query log says cname: true and names it as matched).  An allowed
 *   query name does not make a listed target reachable: see
 *   doc/matching.md.  Queries Unbound made get their real answer, as in
 *   the query phase.  The query name is checked again too: it may have
 *   been listed while it was being resolved (the sweep after that commit
 *   may have run before this answer was cached).  With
 *   block-response-addresses, every A and AAAA record of the answer is
 *   judged too (fb_match_addr: the longest listed prefix holding it): an
 *   RRset holding a blocked address leaves the RRset cache (so no cached
 *   message that holds it is served again) and its owner's answer the
 *   message cache, and a client query with no blocked chain name gets
 *   the block answer of the first blocked address's entry.
 *
 * Client policies (fb_client.h, doc/matching.md): a client query is
 * judged with the policy of its client's network.  A blocked name whose
 * entry that policy does not block (an exempt client; a category it does
 * not select) gets the real answer, a `would-block` record in the query
 * log and a count, and in the query phase no_cache_store, so neither the
 * answer nor any step of its chain enters the message cache for other
 * clients (cache hits skip the module).  In the answer phase the chain's
 * blocked names and the alias are removed from the cache whatever the
 * client's policy, and the client gets the block of the first name in
 * chain order its policy blocks.  A policy's action replaces the entry's.
 * Queries with no client use the default policy: every block entry
 * blocks, with its own action.
 *
 * Both fail open: no store, a damaged one or a read error let the query
 * pass (logged once).  The cache sweep after a list change is the third
 * phase (fb_watch.c).
 */
#ifndef FB_POLICY_H
#define FB_POLICY_H

struct module_qstate;
struct fb_module;

/** @return 1 if the query was answered (module finished), 0 to pass. */
int fb_policy_query(struct fb_module *m, struct module_qstate *qstate,
	int id);

/** @return 1 if the answer was replaced by a block answer, 0 if it goes
 * out as the iterator made it. */
int fb_policy_answer(struct fb_module *m, struct module_qstate *qstate,
	int id);

#endif /* FB_POLICY_H */
