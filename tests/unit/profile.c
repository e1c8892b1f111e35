/* Unit tests of lib/profile.c: the profile store.
 *
 * Round trip of snapshot and batch (long and escaped ids included), decay
 * against 2^(-days/half_life), the torn last batch at every byte offset
 * (read as the previous version), a writer killed after every byte count
 * (the store reads as the old or the new version, nothing else), every
 * single-byte change of the committed part refused with its byte offset,
 * the exact refusals, and forget leaving no byte of the user. */
#include <math.h>
#include <signal.h>

#include "check.h"
#include "profile.h"

#define DAY 86400
#define T0 1790000000

/* The store as text: marks, then every live user's entries with the bits
 * of their weights; two stores with the same text hold the same data. */
static char *dump(const struct lmrec_profile *p)
{
	struct lmrec_out *o = lmrec_out_open_mem();
	lmrec_out_printf(o, "hl %.17g marks %lld %lld now %lld\n", p->half_life,
			 (long long)p->inter_mark, (long long)p->feedback_mark, (long long)p->now);
	uint32_t *s = lmrec_ids_sorted(p->ids);
	for (size_t i = 0; i < lmrec_ids_count(p->ids); i++) {
		const struct lmrec_profile_user *u = &p->u[s[i]];
		if (!u->live)
			continue;
		size_t len;
		const char *id = lmrec_ids_str(p->ids, s[i], &len);
		lmrec_out_printf(o, "%.*s %lld %zu\n", (int)(len > 40 ? 40 : len), id,
				 (long long)u->updated, len);
		for (size_t k = 0; k < u->n; k++)
			lmrec_out_printf(o, " %u %s %a %lld\n", u->e[k].kind, u->e[k].key, u->e[k].w,
					 (long long)u->e[k].ts);
	}
	free(s);
	char *r = lmrec_xstrndup(o->buf, o->len);
	lmrec_out_abort(o);
	return r;
}

static void add(struct lmrec_profile *p, const char *user, unsigned kind, const char *key,
		int64_t ts, double d)
{
	uint32_t u = lmrec_profile_user(p, user, strlen(user));
	lmrec_profile_add(p, u, kind, key, strlen(key), ts, d);
}

static char *long_id(void)
{
	char *s = lmrec_xmalloc(70001);
	for (size_t i = 0; i < 70000; i++)
		s[i] = (char)('a' + i % 26);
	s[70000] = '\0';
	return s;
}

/* A store of three users, one escaped, one with a 70,000-byte id if
 * with_big. */
static struct lmrec_profile *sample(int with_big)
{
	struct lmrec_profile *p = lmrec_profile_new(30);
	char *big = with_big ? long_id() : lmrec_xstrdup("u0");
	add(p, "u1", LMREC_PK_CATEGORY, "park", T0, 2);
	add(p, "u1", LMREC_PK_ATTR, "setting=outdoor", T0, 2);
	add(p, "u1", LMREC_PK_ATTR, "crowd=busy", T0 + 10, -4);
	add(p, "u1", LMREC_PK_BLOCKED, "place-0007", T0 + 10, 0);
	add(p, "u1", LMREC_PK_HABIT, "weekend:places", T0, 1);
	add(p, "a\\tb", LMREC_PK_DOMAIN, "food", T0 + 5, 0.5);
	add(p, big, LMREC_PK_CATEGORY, "caf\xc3\xa9", T0, 1);
	p->inter_mark = T0 + 10;
	lmrec_profile_apply(p, T0 + DAY, 0.01);
	free(big);
	return p;
}

static struct lmrec_profile *read_ok(const char *path)
{
	char err[512];
	struct lmrec_profile *p = NULL;
	int rc = lmrec_profile_read(path, &p, err, sizeof err);
	if (rc != 0)
		check_fail(__FILE__, __LINE__, "cannot read %s: %s", path, err);
	return p;
}

static void test_round_trip(void)
{
	check_tmpdir();
	struct lmrec_profile *p = sample(1);
	char *want = dump(p);
	uint64_t size = lmrec_profile_write_snapshot(p, "s.lmp");
	CHECK(size > 70000);
	struct lmrec_profile *q = read_ok("s.lmp");
	if (!q)
		return;
	char *got = dump(q);
	CHECK_STR(got, want);
	CHECK_U64(q->committed, size);
	CHECK_U64(q->batches, 1);
	CHECK_U64(q->records, 4);
	CHECK_U64(q->seq, 1);
	/* a batch on top */
	add(q, "u2", LMREC_PK_CATEGORY, "film", T0 + DAY, 1);
	add(q, "u1", LMREC_PK_CATEGORY, "park", T0 + DAY, 1);
	q->inter_mark = T0 + DAY;
	CHECK_INT(lmrec_profile_apply(q, T0 + 2 * DAY, 0.01), 2);
	char *want2 = dump(q);
	uint64_t batch = lmrec_profile_append(q, "s.lmp");
	CHECK(batch > 0);
	struct lmrec_profile *r = read_ok("s.lmp");
	if (r) {
		char *got2 = dump(r);
		CHECK_STR(got2, want2);
		CHECK_U64(r->batches, 2);
		CHECK_U64(r->records, 4 + 3);
		CHECK_U64(r->committed, size + batch);
		free(got2);
		/* nothing new: nothing written */
		CHECK_U64(lmrec_profile_append(r, "s.lmp"), 0);
		lmrec_profile_free(r);
	}
	/* the snapshot of the same data reads the same */
	lmrec_profile_write_snapshot(q, "s.lmp");
	r = read_ok("s.lmp");
	if (r) {
		char *got3 = dump(r);
		CHECK_STR(got3, want2);
		CHECK_U64(r->batches, 1);
		free(got3);
		lmrec_profile_free(r);
	}
	CHECK_INT(check_count_files(), 1); /* no temp file left */
	free(want);
	free(want2);
	free(got);
	lmrec_profile_free(q);
	lmrec_profile_free(p);
}

static double entry_w(const struct lmrec_profile *p, const char *user, const char *key,
		      int64_t *ts)
{
	int64_t u = lmrec_profile_find(p, user, strlen(user));
	if (u < 0)
		return NAN;
	for (size_t k = 0; k < p->u[u].n; k++)
		if (!strcmp(p->u[u].e[k].key, key)) {
			*ts = p->u[u].e[k].ts;
			return p->u[u].e[k].w;
		}
	return NAN;
}

static void test_decay(void)
{
	struct lmrec_profile *p = lmrec_profile_new(10);
	/* one contribution, read 10 and 25 days on */
	CHECK(fabs(lmrec_profile_decay(p, LMREC_PK_ATTR, 3, T0, T0 + 10 * DAY) - 1.5) < 1e-12);
	CHECK(fabs(lmrec_profile_decay(p, LMREC_PK_ATTR, 3, T0, T0 + 25 * DAY) -
		   3 * pow(2, -2.5)) < 1e-12);
	CHECK(lmrec_profile_decay(p, LMREC_PK_ATTR, 3, T0, T0 - DAY) == 3);
	CHECK(lmrec_profile_decay(p, LMREC_PK_BLOCKED, 1, T0, T0 + 1000 * DAY) == 1);
	/* folded in time order whatever the arrival order: 2 at T0, 1 at T0+10d,
	 * 4 at T0+5d => w(T0+10d) = 2/2 + 4/sqrt(2) + 1 */
	add(p, "u", LMREC_PK_CATEGORY, "c", T0 + 10 * DAY, 1);
	add(p, "u", LMREC_PK_CATEGORY, "c", T0, 2);
	add(p, "u", LMREC_PK_CATEGORY, "c", T0 + 5 * DAY, 4);
	lmrec_profile_apply(p, T0 + 11 * DAY, 0.01);
	int64_t ts = 0;
	double w = entry_w(p, "u", "c", &ts);
	CHECK(fabs(w - (1 + 4 / sqrt(2) + 1)) < 1e-12);
	CHECK_INT(ts, T0 + 10 * DAY);
	/* a later night with an older row: decayed forward onto the entry's time */
	add(p, "u", LMREC_PK_CATEGORY, "c", T0 + 8 * DAY, 2);
	lmrec_profile_apply(p, T0 + 12 * DAY, 0.01);
	double w2 = entry_w(p, "u", "c", &ts);
	CHECK(fabs(w2 - (w + 2 * pow(2, -0.2))) < 1e-12);
	CHECK_INT(ts, T0 + 10 * DAY);
	/* pruning: a weight of 0.02 at T0 is 0.005 twenty days on */
	add(p, "u", LMREC_PK_ATTR, "faint=1", T0, 0.02);
	add(p, "u", LMREC_PK_BLOCKED, "item", T0, 0);
	lmrec_profile_apply(p, T0 + 20 * DAY, 0.01);
	CHECK(isnan(entry_w(p, "u", "faint=1", &ts)));
	CHECK(entry_w(p, "u", "item", &ts) == 1); /* blocked: never dropped */
	CHECK(!isnan(entry_w(p, "u", "c", &ts)));
	lmrec_profile_free(p);
}

/* Makes s.lmp (the old version) and the bytes of the new one; returns the
 * dumps of both. */
struct versions {
	char *old_dump, *new_dump;
	unsigned char *old_file, *new_file;
	size_t old_len, new_len, snap_len;
};

static void make_versions(struct versions *v)
{
	check_tmpdir();
	struct lmrec_profile *p = sample(0);
	lmrec_profile_write_snapshot(p, "s.lmp");
	lmrec_profile_free(p);
	p = read_ok("s.lmp");
	v->old_dump = dump(p);
	v->old_file = (unsigned char *)check_slurp("s.lmp", &v->old_len);
	add(p, "u3", LMREC_PK_ATTR, "genre=drama", T0 + DAY, 1.5);
	add(p, "u1", LMREC_PK_ATTR, "crowd=busy", T0 + DAY, -1);
	p->inter_mark = T0 + DAY;
	lmrec_profile_apply(p, T0 + 2 * DAY, 0.01);
	lmrec_profile_append(p, "s.lmp");
	v->new_dump = dump(p);
	v->new_file = (unsigned char *)check_slurp("s.lmp", &v->new_len);
	v->snap_len = lmrec_profile_write_snapshot(p, "n.lmp");
	unlink("n.lmp");
	lmrec_profile_free(p);
}

static void free_versions(struct versions *v)
{
	free(v->old_dump);
	free(v->new_dump);
	free(v->old_file);
	free(v->new_file);
}

/* The torn states a killed append can leave: the old header and committed
 * bytes, then any prefix of the new batch (its bytes all there, the header
 * not yet rewritten included). Each reads as the old version. */
static void test_torn_batch(void)
{
	struct versions v;
	make_versions(&v);
	CHECK(v.new_len > v.old_len);
	size_t batch = v.new_len - v.old_len, bad = 0;
	unsigned char *f = lmrec_xmalloc(v.new_len);
	memcpy(f, v.old_file, v.old_len);
	memcpy(f + v.old_len, v.new_file + v.old_len, batch);
	for (size_t k = 0; k <= batch; k++) {
		struct lmrec_profile *p;
		char err[512];
		if (lmrec_profile_parse(f, v.old_len + k, "torn", &p, err, sizeof err) != 0) {
			if (bad++ < 3)
				check_fail(__FILE__, __LINE__, "torn at +%zu: %s", k, err);
			continue;
		}
		char *d = dump(p);
		if (strcmp(d, v.old_dump) != 0 && bad++ < 3)
			check_fail(__FILE__, __LINE__, "torn at +%zu does not read as the old version", k);
		if (p->file_size - p->committed != k && bad++ < 3)
			check_fail(__FILE__, __LINE__, "torn at +%zu: %llu torn bytes", k,
				   (unsigned long long)(p->file_size - p->committed));
		free(d);
		lmrec_profile_free(p);
	}
	CHECK_INT(bad, 0);
	free(f);
	free_versions(&v);
}

struct crash_arg {
	uint64_t after;
	int snapshot;
};

static void crash_child(void *arg)
{
	const struct crash_arg *a = arg;
	struct lmrec_profile *p = read_ok("s.lmp");
	if (!p)
		_exit(3);
	p->crash_after = a->after;
	add(p, "u3", LMREC_PK_ATTR, "genre=drama", T0 + DAY, 1.5);
	add(p, "u1", LMREC_PK_ATTR, "crowd=busy", T0 + DAY, -1);
	p->inter_mark = T0 + DAY;
	lmrec_profile_apply(p, T0 + 2 * DAY, 0.01);
	if (a->snapshot)
		lmrec_profile_write_snapshot(p, "s.lmp");
	else
		lmrec_profile_append(p, "s.lmp");
	lmrec_profile_free(p);
}

/* Temporary files of snapshots in the scratch folder. */
static int count_temps(void)
{
	int n = 0;
	DIR *dir = opendir(".");
	struct dirent *e;
	while (dir && (e = readdir(dir)))
		n += !strncmp(e->d_name, "s.lmp.tmp.", 10);
	if (dir)
		closedir(dir);
	return n;
}

/* A writer killed (SIGKILL) after every byte count, appending or writing a
 * snapshot: the store always reads as the old or the new version, and the
 * next update after a torn one starts from the old version. */
static void test_killed_writer(void)
{
	struct versions v;
	make_versions(&v);
	for (int snap = 0; snap < 2; snap++) {
		/* append: the batch, then the header; snapshot: the file, then the
		 * rename (total + 1: no kill) */
		size_t total = snap ? v.snap_len + 1 : v.new_len - v.old_len + LMREC_PROFILE_HEADER;
		size_t olds = 0, news = 0, bad = 0;
		for (uint64_t n = 1; n <= total; n++) {
			check_write("s.lmp", v.old_file, v.old_len);
			struct crash_arg a = {n, snap};
			char err[512];
			int st = check_child(crash_child, &a, err, sizeof err);
			if (st != (snap && n == total ? 0 : 128 + SIGKILL)) {
				if (bad++ < 3)
					check_fail(__FILE__, __LINE__, "after %llu: status %d (%s)",
						   (unsigned long long)n, st, err);
				continue;
			}
			struct lmrec_profile *p = read_ok("s.lmp");
			if (!p) {
				bad++;
				continue;
			}
			char *d = dump(p);
			if (!strcmp(d, v.old_dump))
				olds++;
			else if (!strcmp(d, v.new_dump))
				news++;
			else if (bad++ < 3)
				check_fail(__FILE__, __LINE__, "after %llu bytes: neither version",
					   (unsigned long long)n);
			free(d);
			lmrec_profile_free(p);
			/* a killed snapshot leaves its temporary file; the next
			 * writer's lock removes it */
			if (snap) {
				int killed = n < total;
				if (count_temps() != killed && bad++ < 3)
					check_fail(__FILE__, __LINE__, "after %llu: %d temp files",
						   (unsigned long long)n, count_temps());
				close(lmrec_profile_lock("s.lmp", 0));
				if (count_temps() != 0 && bad++ < 3)
					check_fail(__FILE__, __LINE__, "after %llu: temp file kept",
						   (unsigned long long)n);
			}
		}
		CHECK_INT(bad, 0);
		CHECK(olds > 0);
		CHECK(news > 0);
		/* only the header's write, or the rename, makes the new version */
		CHECK_INT(news, 1);
	}
	free_versions(&v);
}

/* Every byte of the committed part, changed, is refused with a message
 * naming the store and a byte offset. */
static void test_every_byte_refused(void)
{
	struct versions v;
	make_versions(&v);
	unsigned char *f = lmrec_xmalloc(v.new_len);
	size_t missed = 0;
	for (size_t i = 0; i < v.new_len; i++) {
		memcpy(f, v.new_file, v.new_len);
		f[i] ^= (unsigned char)(1u << (i % 8));
		struct lmrec_profile *p = NULL;
		char err[512] = "";
		int rc = lmrec_profile_parse(f, v.new_len, "s.lmp", &p, err, sizeof err);
		if (rc == 0) {
			if (missed++ < 3)
				check_fail(__FILE__, __LINE__, "byte %zu changed, not refused", i);
			lmrec_profile_free(p);
		} else if (strncmp(err, "s.lmp: byte ", 12) != 0 && missed++ < 3) {
			check_fail(__FILE__, __LINE__, "byte %zu: message '%s'", i, err);
		}
	}
	CHECK_INT(missed, 0);
	free(f);
	free_versions(&v);
}

static void expect_refusal(const unsigned char *b, size_t len, const char *msg)
{
	struct lmrec_profile *p = NULL;
	char err[512] = "";
	CHECK_INT(lmrec_profile_parse(b, len, "s.lmp", &p, err, sizeof err), -1);
	CHECK_STR(err, msg);
	CHECK(p == NULL);
}

static void test_refusals(void)
{
	struct versions v;
	make_versions(&v);
	unsigned char *f = lmrec_xmalloc(v.new_len);
	expect_refusal(v.new_file, 10, "s.lmp: byte 0: 10 bytes, too short for a profile store header");
	memcpy(f, v.new_file, v.new_len);
	f[0] = 'X';
	expect_refusal(f, v.new_len, "s.lmp: byte 0: bad magic: not an lmrec profile store");
	memcpy(f, v.new_file, v.new_len);
	lmrec_put_le32(f + 8, 2);
	expect_refusal(f, v.new_len,
		       "s.lmp: byte 8: format version 2 is newer than this lmrec reads (1)");
	memcpy(f, v.new_file, v.new_len);
	f[20] ^= 1;
	expect_refusal(f, v.new_len, "s.lmp: byte 60: header checksum mismatch");
	/* cut inside the committed part */
	char want[200];
	snprintf(want, sizeof want,
		 "s.lmp: byte 24: committed length %zu is beyond the file's %zu bytes: the file "
		 "was cut", v.new_len, v.new_len - 1);
	expect_refusal(v.new_file, v.new_len - 1, want);
	/* a changed byte of the first record's payload */
	memcpy(f, v.new_file, v.new_len);
	f[LMREC_PROFILE_HEADER + 12] ^= 0x20;
	expect_refusal(f, v.new_len, "s.lmp: byte 64: record checksum mismatch");
	/* a huge length is checked against the file before anything is allocated */
	memcpy(f, v.new_file, v.new_len);
	lmrec_put_le32(f + LMREC_PROFILE_HEADER, 0xfffffff0u);
	expect_refusal(f, v.new_len, "s.lmp: byte 64: record length 4294967280 runs past the "
				     "committed end");
	/* a file that is not there: -2 and errno */
	struct lmrec_profile *p = NULL;
	char err[512];
	check_tmpdir();
	CHECK_INT(lmrec_profile_read("missing.lmp", &p, err, sizeof err), -2);
	CHECK_STR(err, "missing.lmp: open: No such file or directory");
	free(f);
	free_versions(&v);
}

/* 1 when the n bytes of s occur in p[0..len). */
static int has_bytes(const char *p, size_t len, const char *s, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(p + i, s, n))
			return 1;
	return 0;
}

static void test_forget(void)
{
	check_tmpdir();
	struct lmrec_profile *p = sample(0);
	lmrec_profile_write_snapshot(p, "s.lmp");
	add(p, "u1", LMREC_PK_CATEGORY, "film", T0 + DAY, 1);
	lmrec_profile_apply(p, T0 + 2 * DAY, 0.01);
	lmrec_profile_append(p, "s.lmp");
	size_t len;
	char *f = check_slurp("s.lmp", &len);
	CHECK(has_bytes(f, len, "u1", 2));
	free(f);
	CHECK_INT(lmrec_profile_forget(p, "u1", 2), 1);
	CHECK_INT(lmrec_profile_forget(p, "u1", 2), 0);
	CHECK_INT(lmrec_profile_forget(p, "nobody", 6), 0);
	/* append after a forget writes a snapshot: no old record is left */
	lmrec_profile_append(p, "s.lmp");
	f = check_slurp("s.lmp", &len);
	CHECK(!has_bytes(f, len, "u1", 2));
	CHECK(has_bytes(f, len, "a\\tb", 4));
	free(f);
	struct lmrec_profile *q = read_ok("s.lmp");
	if (q) {
		size_t nu, ne;
		lmrec_profile_counts(q, &nu, &ne);
		CHECK_INT(nu, 2);
		CHECK_INT(lmrec_profile_find(q, "u1", 2), -1);
		lmrec_profile_free(q);
	}
	lmrec_profile_free(p);
}

int main(void)
{
	CHECK_RUN(test_round_trip);
	CHECK_RUN(test_decay);
	CHECK_RUN(test_torn_batch);
	CHECK_RUN(test_killed_writer);
	CHECK_RUN(test_every_byte_refused);
	CHECK_RUN(test_refusals);
	CHECK_RUN(test_forget);
	return check_done();
}
