/* Replays the kept fuzz corpora through the fuzz harnesses, built by the
 * ordinary compiler (no clang, no libFuzzer), so `make check` runs every
 * input that ever mattered:
 *
 *   tests/unit/fuzz_replay TARGET FILE|DIR...
 *
 * TARGET is one of the harnesses of tests/fuzz/ (tsv, gzip, csv, model,
 * safetensors, config, vocab, vec, slots, turns, profile); a DIR stands for every
 * file in it, in byte order of their names. A harness that finds a broken
 * invariant aborts; a die on bad data is the expected outcome of most
 * inputs and comes back through the die hook (its message still goes to
 * stderr). Exit 0 when every input went through. The Makefile links this
 * program with libcsv and the wraps of tests/fuzz/wrap.mk. */
#define LMREC_FUZZ_REPLAY 1
/* The harnesses are compiled in: the Makefile builds a unit test from its one .c file. */
#include "../fuzz/tsv_fuzz.c"         /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/gzip_fuzz.c"        /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/csv_fuzz.c"         /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/model_fuzz.c"       /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/safetensors_fuzz.c" /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/config_fuzz.c"      /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/vocab_fuzz.c"       /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/vec_fuzz.c"         /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/slots_fuzz.c"       /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/turns_fuzz.c"       /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/profile_fuzz.c"     /* NOLINT(bugprone-suspicious-include): the harness itself */

static const struct {
	const char *name;
	int (*run)(const uint8_t *data, size_t size);
} targets[] = {
	{"tsv", lmrec_fuzz_tsv},
	{"gzip", lmrec_fuzz_gzip},
	{"csv", lmrec_fuzz_csv},
	{"model", lmrec_fuzz_model},
	{"safetensors", lmrec_fuzz_safetensors},
	{"config", lmrec_fuzz_config},
	{"vocab", lmrec_fuzz_vocab},
	{"vec", lmrec_fuzz_vec},
	{"slots", lmrec_fuzz_slots},
	{"turns", lmrec_fuzz_turns},
	{"profile", lmrec_fuzz_profile},
};

static unsigned char *read_input(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		exit(1);
	}
	size_t cap = 1 << 16, n = 0, got;
	unsigned char *p = lmrec_xmalloc(cap);
	while ((got = fread(p + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			p = lmrec_xreallocarray(p, cap, 1);
		}
	}
	if (ferror(fp)) {
		perror(path);
		exit(1);
	}
	fclose(fp);
	*len = n;
	return p;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays one file; returns 1. */
static size_t replay_file(int (*run)(const uint8_t *, size_t), const char *path)
{
	size_t len;
	unsigned char *data = read_input(path, &len);
	printf("# %s\n", path); /* the last one named is the culprit of an abort */
	fflush(stdout);
	run(data, len);
	free(data);
	return 1;
}

/* Replays path, or every file in it when it is a folder; returns the
 * number of inputs. */
static size_t replay(int (*run)(const uint8_t *, size_t), const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		perror(path);
		exit(1);
	}
	if (!S_ISDIR(sb.st_mode))
		return replay_file(run, path);
	DIR *d = opendir(path);
	if (!d) {
		perror(path);
		exit(1);
	}
	char **names = NULL;
	size_t n = 0, cap = 0, done = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		LMREC_GROW(names, cap, n + 1);
		names[n++] = lmrec_xasprintf("%s/%s", path, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		done += replay_file(run, names[i]);
		free(names[i]);
	}
	free(names);
	return done;
}

int main(int argc, char **argv)
{
	lmrec_setprogname("fuzz_replay");
	size_t t = 0, nt = sizeof targets / sizeof targets[0];
	while (argc >= 2 && t < nt && strcmp(argv[1], targets[t].name) != 0)
		t++;
	if (argc < 3 || t == nt) {
		fprintf(stderr, "usage: fuzz_replay TARGET FILE|DIR...\ntargets:");
		for (size_t k = 0; k < nt; k++)
			fprintf(stderr, " %s", targets[k].name);
		fputc('\n', stderr);
		return 2;
	}
	size_t n = 0;
	for (int i = 2; i < argc; i++)
		n += replay(targets[t].run, argv[i]);
	fuzz_file_cleanup();
	printf("ok - %zu %s inputs replayed\n", n, targets[t].name);
	return 0;
}
