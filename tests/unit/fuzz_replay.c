/* Replays the kept fuzz corpora through the fuzz harnesses, built by the
 * ordinary compiler (no clang, no libFuzzer), so `make check` runs every
 * input that ever mattered:
 *
 *   tests/unit/fuzz_replay tsv|model|slots FILE...
 *
 * A harness that finds a broken invariant aborts; a die on bad data is the
 * expected outcome of most inputs and comes back through the die hook (its
 * message still goes to stderr).
 * Exit 0 when every file went through. */
#define LMREC_FUZZ_REPLAY 1
/* The harnesses are compiled in: the Makefile builds a unit test from its one .c file. */
#include "../fuzz/tsv_fuzz.c"   /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/model_fuzz.c" /* NOLINT(bugprone-suspicious-include): the harness itself */
#include "../fuzz/slots_fuzz.c" /* NOLINT(bugprone-suspicious-include): the harness itself */

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
	fclose(fp);
	*len = n;
	return p;
}

int main(int argc, char **argv)
{
	lmrec_setprogname("fuzz_replay");
	if (argc < 3 || (strcmp(argv[1], "tsv") != 0 && strcmp(argv[1], "model") != 0 &&
			 strcmp(argv[1], "slots") != 0)) {
		fprintf(stderr, "usage: fuzz_replay tsv|model|slots FILE...\n");
		return 2;
	}
	int tsv = strcmp(argv[1], "tsv") == 0, slots = strcmp(argv[1], "slots") == 0;
	for (int i = 2; i < argc; i++) {
		size_t len;
		unsigned char *data = read_input(argv[i], &len);
		printf("# %s\n", argv[i]); /* the last one named is the culprit of an abort */
		fflush(stdout);
		if (tsv)
			lmrec_fuzz_tsv(data, len);
		else if (slots)
			lmrec_fuzz_slots(data, len);
		else
			lmrec_fuzz_model(data, len);
		free(data);
	}
	fuzz_file_cleanup();
	printf("ok - %d %s inputs replayed\n", argc - 2, argv[1]);
	return 0;
}
