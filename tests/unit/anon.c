/* Unit tests of lib/anon.c: HMAC-SHA256 against every test case of RFC
 * 4231 (section 4.2 to 4.8; case 5 compared truncated to 128 bits, as the
 * RFC gives it), a reused context against fresh ones and against HMAC
 * written from its definition (RFC 2104) over libcrypto's bare SHA-256,
 * the hex cut, and the key files: every refusal with its message and
 * status, and a new key's mode, size and refusal to overwrite. */
#include <fcntl.h>

#include <openssl/evp.h>

#include "anon.h"
#include "check.h"

static void hex_of(char *dst, const unsigned char *d, size_t nhex)
{
	lmrec_anon_hex(dst, d, nhex);
	dst[nhex] = '\0';
}

/* n copies of byte b in a fresh allocation */
static unsigned char *bytes(int b, size_t n)
{
	unsigned char *p = lmrec_xmalloc(n + 1);
	memset(p, b, n);
	return p;
}

struct rfc_case {
	int number;
	unsigned char *key;
	size_t keylen;
	unsigned char *data;
	size_t datalen;
	const char *want; /* hex: 64 digits, 32 for the truncated case 5 */
};

static void test_rfc4231(void)
{
	static const char *const s2k = "Jefe";
	static const char *const s2 = "what do ya want for nothing?";
	static const char *const s5 = "Test With Truncation";
	static const char *const s6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char *const s7 = "This is a test using a larger than block-size key and a larger "
				      "than block-size data. The key needs to be hashed before being "
				      "used by the HMAC algorithm.";
	unsigned char key4[25];
	for (size_t i = 0; i < sizeof key4; i++)
		key4[i] = (unsigned char)(i + 1); /* 0x01 .. 0x19 */
	struct rfc_case c[7] = {
		{1, bytes(0x0b, 20), 20, (unsigned char *)lmrec_xstrdup("Hi There"), 8,
		 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{2, (unsigned char *)lmrec_xstrdup(s2k), 4, (unsigned char *)lmrec_xstrdup(s2), 28,
		 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{3, bytes(0xaa, 20), 20, bytes(0xdd, 50), 50,
		 "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
		{4, NULL, 25, bytes(0xcd, 50), 50,
		 "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
		{5, bytes(0x0c, 20), 20, (unsigned char *)lmrec_xstrdup(s5), 20,
		 "a3b6167473100ee06e0c796c2955552b"},
		{6, bytes(0xaa, 131), 131, (unsigned char *)lmrec_xstrdup(s6), 54,
		 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
		{7, bytes(0xaa, 131), 131, (unsigned char *)lmrec_xstrdup(s7), 152,
		 "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
	};
	c[3].key = lmrec_xmalloc(sizeof key4);
	memcpy(c[3].key, key4, sizeof key4);
	CHECK_INT(strlen(s7), 152);
	for (size_t k = 0; k < 7; k++) {
		unsigned char d[LMREC_ANON_DIGEST], again[LMREC_ANON_DIGEST];
		char got[2 * LMREC_ANON_DIGEST + 1];
		size_t nhex = strlen(c[k].want);
		lmrec_anon_hmac(d, c[k].key, c[k].keylen, c[k].data, c[k].datalen);
		hex_of(got, d, nhex);
		if (strcmp(got, c[k].want) != 0)
			check_fail(__FILE__, __LINE__, "RFC 4231 case %d: %s, expected %s", c[k].number,
				   got, c[k].want);
		/* a context kept for several messages gives the same bytes */
		struct lmrec_anon *a = lmrec_anon_new(c[k].key, c[k].keylen);
		lmrec_anon_mac(a, again, "something else", 14);
		lmrec_anon_mac(a, again, c[k].data, c[k].datalen);
		CHECK_MEM(again, sizeof again, d, sizeof d);
		lmrec_anon_free(a);
		free(c[k].key);
		free(c[k].data);
	}
	/* case 5 is the truncation the tool does: 32 hex digits = 128 bits */
	unsigned char d5[LMREC_ANON_DIGEST];
	unsigned char *k5 = bytes(0x0c, 20);
	lmrec_anon_hmac(d5, k5, 20, s5, 20);
	char h5[33];
	hex_of(h5, d5, 32);
	CHECK_STR(h5, "a3b6167473100ee06e0c796c2955552b");
	free(k5);
}

/* HMAC-SHA256 from RFC 2104's definition, over libcrypto's SHA-256 alone:
 * H((K0 ^ opad) || H((K0 ^ ipad) || m)), K0 the key (hashed when longer
 * than the 64-byte block) padded with zeros. */
static void slow_hmac(unsigned char out[32], const unsigned char *key, size_t keylen,
		      const unsigned char *msg, size_t len)
{
	unsigned char k0[64] = {0}, pad[64], inner[32];
	unsigned int n;
	if (keylen > 64)
		EVP_Digest(key, keylen, k0, &n, EVP_sha256(), NULL);
	else if (keylen)
		memcpy(k0, key, keylen);
	unsigned char *buf = lmrec_xmalloc(64 + len + 32);
	for (int i = 0; i < 64; i++)
		pad[i] = k0[i] ^ 0x36;
	memcpy(buf, pad, 64);
	if (len)
		memcpy(buf + 64, msg, len);
	EVP_Digest(buf, 64 + len, inner, &n, EVP_sha256(), NULL);
	for (int i = 0; i < 64; i++)
		pad[i] = k0[i] ^ 0x5c;
	memcpy(buf, pad, 64);
	memcpy(buf + 64, inner, 32);
	EVP_Digest(buf, 64 + 32, out, &n, EVP_sha256(), NULL);
	free(buf);
}

/* Random keys of 0 to 200 bytes (both sides of the block size) and
 * messages of 0 to 300: two contexts used in turn, a fresh one-shot, and
 * the definition agree on every message. */
static void test_against_definition(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 4231);
	unsigned char key[2][200], msg[300];
	size_t keylen[2];
	for (int s = 0; s < 2; s++) {
		keylen[s] = (size_t)lmrec_rng_below(&rng, 201);
		for (size_t i = 0; i < sizeof key[s]; i++)
			key[s][i] = (unsigned char)lmrec_rng_u64(&rng);
	}
	keylen[1] = 131; /* one key longer than the block for sure */
	struct lmrec_anon *a[2] = {lmrec_anon_new(key[0], keylen[0]), lmrec_anon_new(key[1], keylen[1])};
	int bad = 0;
	for (int t = 0; t < 400; t++) {
		int s = (int)lmrec_rng_below(&rng, 2);
		size_t len = (size_t)lmrec_rng_below(&rng, 301);
		for (size_t i = 0; i < len; i++)
			msg[i] = (unsigned char)lmrec_rng_u64(&rng);
		unsigned char got[32], once[32], want[32];
		lmrec_anon_mac(a[s], got, msg, len);
		lmrec_anon_hmac(once, key[s], keylen[s], msg, len);
		slow_hmac(want, key[s], keylen[s], msg, len);
		bad += memcmp(got, want, 32) != 0 || memcmp(once, want, 32) != 0;
	}
	CHECK_INT(bad, 0);
	/* an empty key and an empty message */
	unsigned char got[32], want[32];
	lmrec_anon_hmac(got, "", 0, "", 0);
	slow_hmac(want, NULL, 0, NULL, 0);
	CHECK_MEM(got, 32, want, 32);
	lmrec_anon_free(a[0]);
	lmrec_anon_free(a[1]);
	lmrec_anon_free(NULL);
}

static void test_hex(void)
{
	unsigned char d[32];
	for (int i = 0; i < 32; i++)
		d[i] = (unsigned char)(i * 8 + 7); /* 07 0f 17 ... ff */
	char full[65], cut[65];
	hex_of(full, d, 64);
	CHECK_STR(full, "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff");
	for (size_t n = 0; n <= 64; n++) {
		hex_of(cut, d, n);
		CHECK(strncmp(cut, full, n) == 0 && strlen(cut) == n);
	}
	hex_of(cut, d, 3); /* an odd cut ends with a high nibble */
	CHECK_STR(cut, "070");
	char guard[70];
	memset(guard, '#', sizeof guard);
	lmrec_anon_hex(guard, d, 100); /* more than 64 writes 64 */
	CHECK(guard[63] == 'f' && guard[64] == '#');
}

/* key_read's status and message for path */
static int key_status(const char *path, char *msg_out, size_t n)
{
	unsigned char *key;
	size_t len;
	char *msg;
	int rc = lmrec_anon_key_read(path, &key, &len, &msg);
	snprintf(msg_out, n, "%s", msg ? msg : "");
	if (rc == 0) {
		CHECK(msg == NULL);
		lmrec_anon_key_free(key, len);
	} else {
		CHECK(key == NULL && len == 0);
	}
	free(msg);
	return rc;
}

static void write_key(const char *name, size_t n, mode_t mode)
{
	unsigned char *b = bytes('k', n);
	check_write(name, b, n);
	free(b);
	if (chmod(name, mode) != 0)
		check_fail(__FILE__, __LINE__, "chmod %s: %s", name, strerror(errno));
}

static void test_key_read(void)
{
	check_tmpdir();
	char msg[512];
	/* the key is every byte of the file, a final newline included */
	check_write_str("k.txt", "a passphrase of 24 bytes\n");
	chmod("k.txt", 0600);
	unsigned char *key;
	size_t len;
	char *m;
	CHECK_INT(lmrec_anon_key_read("k.txt", &key, &len, &m), 0);
	CHECK_MEM(key, len, "a passphrase of 24 bytes\n", 25);
	lmrec_anon_key_free(key, len);
	unlink("k.txt");
	/* modes: any access by group or others is refused */
	static const mode_t ok_modes[] = {0600, 0400, 0700};
	static const mode_t bad_modes[] = {0644, 0640, 0604, 0620, 0602, 0610, 0601, 0666};
	for (size_t i = 0; i < 3; i++) {
		write_key("m.key", 32, ok_modes[i]);
		CHECK_INT(key_status("m.key", msg, sizeof msg), 0);
		unlink("m.key");
	}
	for (size_t i = 0; i < 8; i++) {
		write_key("m.key", 32, bad_modes[i]);
		CHECK_INT(key_status("m.key", msg, sizeof msg), 2);
		char want[200];
		snprintf(want, sizeof want,
			 "m.key: refused: group or others have access (mode %04o); chmod 600 the key file",
			 (unsigned)bad_modes[i]);
		CHECK_STR(msg, want);
		unlink("m.key");
	}
	/* sizes: 16 to 4096 bytes */
	write_key("s.key", 15, 0600);
	CHECK_INT(key_status("s.key", msg, sizeof msg), 2);
	CHECK_STR(msg, "s.key: refused: 15 bytes, a key needs at least 16 (lmrec-anon --new-key makes one)");
	unlink("s.key");
	write_key("e.key", 0, 0600);
	CHECK_INT(key_status("e.key", msg, sizeof msg), 2);
	CHECK_STR(msg, "e.key: refused: 0 bytes, a key needs at least 16 (lmrec-anon --new-key makes one)");
	unlink("e.key");
	write_key("s.key", 16, 0600);
	CHECK_INT(key_status("s.key", msg, sizeof msg), 0);
	unlink("s.key");
	write_key("l.key", 4096, 0600);
	CHECK_INT(key_status("l.key", msg, sizeof msg), 0);
	unlink("l.key");
	write_key("l.key", 4097, 0600);
	CHECK_INT(key_status("l.key", msg, sizeof msg), 2);
	CHECK_STR(msg, "l.key: refused: more than 4096 bytes is not a key file");
	unlink("l.key");
	/* not a file at all */
	CHECK_INT(key_status("absent.key", msg, sizeof msg), 1);
	CHECK_STR(msg, "absent.key: open: No such file or directory");
	CHECK(mkdir("d.key", 0700) == 0);
	CHECK_INT(key_status("d.key", msg, sizeof msg), 2);
	CHECK_STR(msg, "d.key: refused: not a regular file");
	rmdir("d.key");
	CHECK(mkfifo("f.key", 0600) == 0); /* refused at once, not waited on */
	CHECK_INT(key_status("f.key", msg, sizeof msg), 2);
	CHECK_STR(msg, "f.key: refused: not a regular file");
	unlink("f.key");
	/* a symbolic link to a private key is the key */
	write_key("real.key", 20, 0600);
	CHECK(symlink("real.key", "link.key") == 0);
	CHECK_INT(key_status("link.key", msg, sizeof msg), 0);
	unlink("link.key");
	unlink("real.key");
	CHECK_INT(check_count_files(), 0);
}

static void test_key_new(void)
{
	check_tmpdir();
	mode_t old = umask(0); /* the mode does not depend on the umask */
	char *msg;
	CHECK_INT(lmrec_anon_key_new("new.key", &msg), 0);
	CHECK(msg == NULL);
	CHECK_INT(lmrec_anon_key_new("other.key", &msg), 0);
	umask(old);
	struct stat st;
	CHECK(stat("new.key", &st) == 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(st.st_size, LMREC_ANON_KEY_NEW);
	size_t n1, n2;
	char *k1 = check_slurp("new.key", &n1), *k2 = check_slurp("other.key", &n2);
	CHECK(n1 == 32 && n2 == 32 && memcmp(k1, k2, 32) != 0);
	/* it reads back as a key */
	unsigned char *key;
	size_t len;
	CHECK_INT(lmrec_anon_key_read("new.key", &key, &len, &msg), 0);
	CHECK_MEM(key, len, k1, n1);
	lmrec_anon_key_free(key, len);
	/* never overwritten, and no temporary file left */
	CHECK_INT(lmrec_anon_key_new("new.key", &msg), 2);
	CHECK_STR(msg, "new.key: exists; a key file is never overwritten");
	free(msg);
	size_t n3;
	char *k3 = check_slurp("new.key", &n3);
	CHECK_MEM(k3, n3, k1, n1);
	CHECK_INT(check_count_files(), 2);
	/* a folder that does not exist */
	CHECK_INT(lmrec_anon_key_new("no/such/dir.key", &msg), 1);
	CHECK_STR(msg, "no/such/dir.key: cannot create a temporary file beside it: No such file or directory");
	free(msg);
	free(k1);
	free(k2);
	free(k3);
	unlink("new.key");
	unlink("other.key");
}

int main(void)
{
	CHECK_RUN(test_rfc4231);
	CHECK_RUN(test_against_definition);
	CHECK_RUN(test_hex);
	CHECK_RUN(test_key_read);
	CHECK_RUN(test_key_new);
	return check_done();
}
