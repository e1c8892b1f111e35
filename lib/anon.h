/* lmrec — keyed pseudonyms: HMAC-SHA256 (RFC 2104, FIPS 180-4) computed by
 * OpenSSL's libcrypto, and the key files it is keyed with.
 *
 * A pseudonym is HMAC-SHA256(key, id) written as lowercase hex and cut to a
 * number of hex digits (lmrec-anon(1)): the same key gives the same
 * pseudonym for the same id on every night, and nobody without the key can
 * compute it or go back from it to the id.
 *
 * A key file holds the key as raw bytes, all of the file's bytes (nothing
 * is stripped, not even a final newline), between LMREC_ANON_KEY_MIN and
 * LMREC_ANON_KEY_MAX of them. It must be a regular file that neither its
 * group nor others can access (mode & 077 == 0), as ssh asks of a private
 * key: a pseudonym is only as private as the key.
 *
 * Only lmrec-anon, lmrec-forget and its unit test use this file, and only they link
 * -lcrypto: liblmrec.a is a static archive, so no other program pulls
 * anon.o in. */
#ifndef LMREC_ANON_H
#define LMREC_ANON_H

#include <stddef.h>

enum {
	LMREC_ANON_DIGEST = 32,   /* bytes of an HMAC-SHA256 */
	LMREC_ANON_KEY_MIN = 16,  /* 128 bits: shorter key files are refused */
	LMREC_ANON_KEY_MAX = 4096, /* longer files are not key files */
	LMREC_ANON_KEY_NEW = 32   /* bytes of a key made by lmrec_anon_key_new */
};

/* HMAC-SHA256 under one key, ready for many messages. */
struct lmrec_anon;

/* A context keyed with key[0..keylen) (any length, 0 included: the limits
 * above are the key file's). The key is copied into libcrypto's state;
 * the caller may wipe its own copy at once. Dies (exit 1) naming the
 * libcrypto error if it fails. */
struct lmrec_anon *lmrec_anon_new(const void *key, size_t keylen);
/* out = HMAC-SHA256(key, msg[0..len)). The context can be used again at
 * once; each message is independent of the ones before. */
void lmrec_anon_mac(struct lmrec_anon *a, unsigned char out[LMREC_ANON_DIGEST], const void *msg,
		    size_t len);
/* Wipes and frees; NULL is allowed. */
void lmrec_anon_free(struct lmrec_anon *a);

/* One message, no context kept (the unit tests and --id). */
void lmrec_anon_hmac(unsigned char out[LMREC_ANON_DIGEST], const void *key, size_t keylen,
		     const void *msg, size_t len);

/* Writes the first nhex (at most 2 * LMREC_ANON_DIGEST) lowercase hex
 * digits of digest into dst, without a NUL: an odd nhex ends with the high
 * nibble of the last byte it reaches, so a cut is always a prefix of the
 * full hex string. */
void lmrec_anon_hex(char *dst, const unsigned char *digest, size_t nhex);

/* Reads the key file path into a fresh allocation (*key, *len). Returns 0;
 * or, with a one-line message in *msg (free it) and nothing allocated:
 * 1 when the file cannot be opened or read (the message ends with the
 * system's reason), 2 when it is refused: not a regular file, open to
 * group or others, shorter than LMREC_ANON_KEY_MIN or longer than
 * LMREC_ANON_KEY_MAX bytes. The status is the exit status a tool gives. */
int lmrec_anon_key_read(const char *path, unsigned char **key, size_t *len, char **msg);
/* Makes a key file of LMREC_ANON_KEY_NEW bytes from libcrypto's random
 * generator (seeded by the kernel), mode 0600: written to a temporary
 * file beside path, synced, then linked to path, which therefore never
 * exists half-written and is never overwritten. Returns 0; or 1 with *msg
 * on a system failure, 2 with *msg when path exists already. */
int lmrec_anon_key_new(const char *path, char **msg);
/* Wipes key[0..len) and frees it; NULL is allowed. */
void lmrec_anon_key_free(unsigned char *key, size_t len);

#endif
