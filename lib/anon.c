/* lmrec — keyed pseudonyms: HMAC-SHA256 by libcrypto's EVP_MAC, key files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "anon.h"
#include "util.h"

struct lmrec_anon {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

/* Dies (exit 1) with libcrypto's reason for the failure of what. */
LMREC_NORETURN static void crypto_die(const char *what)
{
	char reason[256];
	unsigned long e = ERR_get_error();
	if (e)
		ERR_error_string_n(e, reason, sizeof reason);
	else
		strcpy(reason, "no reason given");
	ERR_clear_error();
	lmrec_die(LMREC_EXIT_FAIL, "libcrypto: %s: %s", what, reason);
}

struct lmrec_anon *lmrec_anon_new(const void *key, size_t keylen)
{
	static const unsigned char none[1];
	struct lmrec_anon *a = lmrec_xcalloc(1, sizeof *a);
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	a->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!a->mac)
		crypto_die("HMAC is not available");
	a->ctx = EVP_MAC_CTX_new(a->mac);
	if (!a->ctx)
		crypto_die("EVP_MAC_CTX_new");
	/* a NULL key would mean "keep the key set before": there is none yet */
	if (EVP_MAC_init(a->ctx, keylen ? key : none, keylen, params) != 1)
		crypto_die("HMAC-SHA256 key set-up");
	return a;
}

void lmrec_anon_mac(struct lmrec_anon *a, unsigned char out[LMREC_ANON_DIGEST], const void *msg,
		    size_t len)
{
	size_t got = 0;
	/* a NULL key restarts from the key's precomputed state */
	if (EVP_MAC_init(a->ctx, NULL, 0, NULL) != 1 || EVP_MAC_update(a->ctx, msg, len) != 1 ||
	    EVP_MAC_final(a->ctx, out, &got, LMREC_ANON_DIGEST) != 1)
		crypto_die("HMAC-SHA256");
	if (got != LMREC_ANON_DIGEST)
		lmrec_die(LMREC_EXIT_FAIL, "libcrypto: HMAC-SHA256 gave %zu bytes, not %d", got,
			  LMREC_ANON_DIGEST);
}

void lmrec_anon_free(struct lmrec_anon *a)
{
	if (!a)
		return;
	EVP_MAC_CTX_free(a->ctx); /* wipes the key's state */
	EVP_MAC_free(a->mac);
	free(a);
}

void lmrec_anon_hmac(unsigned char out[LMREC_ANON_DIGEST], const void *key, size_t keylen,
		     const void *msg, size_t len)
{
	struct lmrec_anon *a = lmrec_anon_new(key, keylen);
	lmrec_anon_mac(a, out, msg, len);
	lmrec_anon_free(a);
}

void lmrec_anon_hex(char *dst, const unsigned char *digest, size_t nhex)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < nhex && i < (size_t)2 * LMREC_ANON_DIGEST; i++)
		dst[i] = hex[i % 2 ? digest[i / 2] & 15 : digest[i / 2] >> 4];
}

void lmrec_anon_key_free(unsigned char *key, size_t len)
{
	if (!key)
		return;
	OPENSSL_cleanse(key, len);
	free(key);
}

int lmrec_anon_key_read(const char *path, unsigned char **key, size_t *len, char **msg)
{
	*key = NULL;
	*len = 0;
	*msg = NULL;
	/* O_NONBLOCK: a FIFO must be refused, not waited on */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*msg = lmrec_xasprintf("%s: open: %s", path, strerror(errno));
		return LMREC_EXIT_FAIL;
	}
	/* the checks look at the file that was opened, not at the name again */
	struct stat st;
	if (fstat(fd, &st) != 0) {
		*msg = lmrec_xasprintf("%s: fstat: %s", path, strerror(errno));
		close(fd);
		return LMREC_EXIT_FAIL;
	}
	if (!S_ISREG(st.st_mode)) {
		*msg = lmrec_xasprintf("%s: refused: not a regular file", path);
		close(fd);
		return LMREC_EXIT_USAGE;
	}
	if (st.st_mode & 077) {
		*msg = lmrec_xasprintf("%s: refused: group or others have access (mode %04o); "
				       "chmod 600 the key file",
				       path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return LMREC_EXIT_USAGE;
	}
	/* one byte more than the limit tells a file that is too long */
	unsigned char *buf = lmrec_xmalloc(LMREC_ANON_KEY_MAX + 1);
	size_t n = 0;
	while (n < LMREC_ANON_KEY_MAX + 1) {
		ssize_t got = read(fd, buf + n, LMREC_ANON_KEY_MAX + 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*msg = lmrec_xasprintf("%s: read: %s", path, strerror(errno));
			close(fd);
			lmrec_anon_key_free(buf, n);
			return LMREC_EXIT_FAIL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (n < LMREC_ANON_KEY_MIN || n > LMREC_ANON_KEY_MAX) {
		if (n < LMREC_ANON_KEY_MIN)
			*msg = lmrec_xasprintf("%s: refused: %zu bytes, a key needs at least %d "
					       "(lmrec-anon --new-key makes one)",
					       path, n, LMREC_ANON_KEY_MIN);
		else
			*msg = lmrec_xasprintf("%s: refused: more than %d bytes is not a key file", path,
					       LMREC_ANON_KEY_MAX);
		lmrec_anon_key_free(buf, n);
		return LMREC_EXIT_USAGE;
	}
	*key = buf;
	*len = n;
	return 0;
}

int lmrec_anon_key_new(const char *path, char **msg)
{
	*msg = NULL;
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	char *tmp = lmrec_xasprintf("%.*s.%s.tmp.XXXXXX", (int)dirlen, path, path + dirlen);
	char *dir = dirlen ? lmrec_xstrndup(path, dirlen) : lmrec_xstrdup(".");
	unsigned char key[LMREC_ANON_KEY_NEW];
	int rc = LMREC_EXIT_FAIL;
	lmrec_signals_hold();
	int fd = mkstemp(tmp); /* mode 0600 */
	int saved = errno;
	if (fd >= 0)
		lmrec_temp_register(tmp);
	lmrec_signals_release();
	if (fd < 0) {
		*msg = lmrec_xasprintf("%s: cannot create a temporary file beside it: %s", path,
				       strerror(saved));
		goto out;
	}
	if (RAND_priv_bytes(key, sizeof key) != 1) {
		const char *why = ERR_reason_error_string(ERR_get_error());
		*msg = lmrec_xasprintf("%s: libcrypto's random generator failed: %s", path,
				       why ? why : "no reason given");
		ERR_clear_error();
		close(fd);
		goto out_tmp;
	}
	size_t n = 0;
	while (n < sizeof key) {
		ssize_t put = write(fd, key + n, sizeof key - n);
		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0) {
			*msg = lmrec_xasprintf("%s: write: %s", tmp, strerror(errno));
			close(fd);
			goto out_tmp;
		}
		n += (size_t)put;
	}
	if (fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
		*msg = lmrec_xasprintf("%s: %s", tmp, strerror(errno));
		close(fd);
		goto out_tmp;
	}
	if (close(fd) != 0) {
		*msg = lmrec_xasprintf("%s: close: %s", tmp, strerror(errno));
		goto out_tmp;
	}
	/* link, unlike rename, fails when the name exists */
	if (link(tmp, path) != 0) {
		if (errno == EEXIST) {
			*msg = lmrec_xasprintf("%s: exists; a key file is never overwritten", path);
			rc = LMREC_EXIT_USAGE;
		} else {
			*msg = lmrec_xasprintf("%s: link: %s", path, strerror(errno));
		}
		goto out_tmp;
	}
	/* the new name reaches the disk with the folder */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	rc = 0;
out_tmp:
	unlink(tmp);
	lmrec_temp_forget(tmp);
out:
	OPENSSL_cleanse(key, sizeof key);
	free(dir);
	free(tmp);
	return rc;
}
