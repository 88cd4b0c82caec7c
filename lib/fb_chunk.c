/**
 * \file
 * Chunk records (see fb_chunk.h; the hashes are inline there), and the
 * chunk table writes the writers share (fb_store_int.h).
 */
#include <string.h>
#include "fb_chunk.h"
#include "fb_store_int.h"

void fb_chunk_val_encode(const struct fb_chunk_acc *acc,
	uint8_t out[FB_CHUNK_VAL_SIZE])
{
	fb_put_be64(out, acc->hash);
	fb_put_be64(out + 8, acc->count);
}

int fb_chunk_val_decode(const void *val, size_t len,
	struct fb_chunk_acc *acc)
{
	if(len != FB_CHUNK_VAL_SIZE)
		return 0;
	acc->hash = fb_get_be64(val);
	acc->count = fb_get_be64((const uint8_t *)val + 8);
	return 1;
}

size_t fb_chunk_key(uint16_t src, const uint8_t *end, size_t len,
	uint8_t *out)
{
	static const uint8_t tail = FB_CHUNK_TAIL;
	if(!end)
		return fb_bysource_key(src, &tail, 1, out);
	return fb_bysource_key(src, end, len, out);
}

int fb_chunk_put(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const uint8_t *end, size_t len, const struct fb_chunk_acc *acc)
{
	uint8_t k[2 + FB_KEY_MAX], v[FB_CHUNK_VAL_SIZE];
	MDB_val kv, vv = { sizeof(v), v };
	if(len > FB_KEY_MAX)
		return MDB_BAD_VALSIZE;
	kv.mv_data = k;
	kv.mv_size = fb_chunk_key(src, end, len, k);
	fb_chunk_val_encode(acc, v);
	return mdb_put(txn, st->chunks, &kv, &vv, 0);
}

int fb_chunk_del(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const uint8_t *end, size_t len)
{
	uint8_t k[2 + FB_KEY_MAX];
	MDB_val kv;
	int rc;
	if(len > FB_KEY_MAX)
		return MDB_BAD_VALSIZE;
	kv.mv_data = k;
	kv.mv_size = fb_chunk_key(src, end, len, k);
	rc = mdb_del(txn, st->chunks, &kv, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int fb_chunk_drop_all(struct fb_store *st, MDB_txn *txn, uint16_t src)
{
	MDB_cursor *c;
	MDB_val k, d;
	uint8_t prefix[2];
	int rc;
	fb_put_be16(prefix, src);
	if((rc = mdb_cursor_open(txn, st->chunks, &c)) != 0)
		return rc;
	for(;;) {
		/* seek anew after each delete, as delete_entries does */
		k.mv_data = prefix;
		k.mv_size = 2;
		rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
		if(rc || k.mv_size < 2 || memcmp(k.mv_data, prefix, 2) != 0)
			break;
		if((rc = mdb_cursor_del(c, 0)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}
