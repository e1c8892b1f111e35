/* Test helper: drives lib/llm.c against a model command, for tests/llm.bats.
 *
 * usage: lmrec-llm-probe [-q] [-t MS] [--elapsed] [--validate] [--run SH]
 *                        CMD [FILE]
 *
 * Starts CMD (lmrec_llm_start), sends each line of FILE (default: standard
 * input; one JSON object a line, any length) as a request, and prints one
 * line per request: the answer as compact JSON, or "fallback CAUSE" (CAUSE
 * timeout, died, garbage or skipped, read from the counts). With --elapsed
 * each line starts with the milliseconds the request took and a TAB. With
 * --validate an answer is read as its task wants (parse: lmrec_llm_read_parse,
 * question and summary: lmrec_llm_read_text) and rejected
 * (lmrec_llm_reject) when unusable. --run SH runs the shell command SH
 * after the last request, before the model is closed (its $PPID is this
 * program: `ps --ppid $PPID` lists our children). At the end, after
 * lmrec_llm_close: "stats asked=.. answered=.. timeout=.. died=.. garbage=..
 * skipped=.." on standard output and lmrec_llm_report's line on standard
 * error. -t: the timeout (default 2000); -q: lmrec_llm_set_quiet. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lmrec.h"
#include "llm.h"

struct opts {
	int timeout_ms;
	int quiet, elapsed, validate;
	const char *run;
};

static const char *cause(const struct lmrec_llm_stats *a, const struct lmrec_llm_stats *b)
{
	return b->timeout > a->timeout ? "timeout"
	       : b->died > a->died     ? "died"
	       : b->garbage > a->garbage ? "garbage"
	       : b->skipped > a->skipped ? "skipped"
				       : "?";
}

/* 1 when the answer is what the request's task needs. */
static int usable(const json_t *request, const json_t *answer)
{
	const char *t = json_string_value(json_object_get(request, "task"));
	if (t && strcmp(t, "parse") == 0) {
		struct lmrec_llm_parse p;
		const char *why;
		if (lmrec_llm_read_parse(answer, &p, &why) != 0)
			return 0;
		lmrec_llm_parse_free(&p);
		return 1;
	}
	return lmrec_llm_read_text(answer) != NULL;
}

static void run(const struct opts *o, const char *cmd, const char *path)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!fp)
		lmrec_die(LMREC_EXIT_FAIL, "%s: open:", path);
	struct lmrec_llm *m = lmrec_llm_start(cmd, o->timeout_ms);
	lmrec_llm_set_quiet(m, o->quiet);
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, fp)) > 0) {
		lineno++;
		json_error_t err;
		json_t *req = json_loadb(line, (size_t)n, 0, &err);
		if (!json_is_object(req))
			lmrec_die_at(path, lineno, "not a JSON object: %s", err.text);
		struct lmrec_llm_stats before, after;
		lmrec_llm_stats(m, &before);
		double t0 = lmrec_now();
		json_t *ans = lmrec_llm_ask(m, req);
		double ms = (lmrec_now() - t0) * 1000;
		if (ans && o->validate && !usable(req, ans)) {
			lmrec_llm_reject(m);
			json_decref(ans);
			ans = NULL;
		}
		lmrec_llm_stats(m, &after);
		if (o->elapsed)
			printf("%.0f\t", ms);
		if (ans) {
			char *s = json_dumps(ans, JSON_COMPACT);
			if (!s)
				lmrec_die(LMREC_EXIT_FAIL, "out of memory");
			printf("%s\n", s);
			free(s);
		} else {
			printf("fallback %s\n", cause(&before, &after));
		}
		fflush(stdout);
		json_decref(ans);
		json_decref(req);
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	if (o->run) {
		fflush(stdout);
		if (system(o->run) != 0)
			lmrec_warn("--run: '%s' failed", o->run);
	}
	struct lmrec_llm_stats s;
	lmrec_llm_stats(m, &s);
	lmrec_llm_report(m);
	lmrec_llm_close(m);
	printf("stats asked=%zu answered=%zu timeout=%zu died=%zu garbage=%zu skipped=%zu\n",
	       s.asked, s.answered, s.timeout, s.died, s.garbage, s.skipped);
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	enum { OPT_ELAPSED = CHAR_MAX + 1, OPT_VALIDATE, OPT_RUN };
	static const struct option longopts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"timeout", required_argument, NULL, 't'},
		{"elapsed", no_argument, NULL, OPT_ELAPSED},
		{"validate", no_argument, NULL, OPT_VALIDATE},
		{"run", required_argument, NULL, OPT_RUN},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.timeout_ms = 2000};
	int c;
	while ((c = getopt_long(argc, argv, "qt:", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			o.quiet = 1;
			break;
		case 't': {
			int64_t v;
			if (lmrec_parse_i64(optarg, strlen(optarg), &v) != 0 || v > INT_MAX ||
			    v < INT_MIN)
				lmrec_usage_error("invalid value for --timeout: '%s'", optarg);
			o.timeout_ms = (int)v;
			break;
		}
		case OPT_ELAPSED:
			o.elapsed = 1;
			break;
		case OPT_VALIDATE:
			o.validate = 1;
			break;
		case OPT_RUN:
			o.run = optarg;
			break;
		default:
			lmrec_usage_error("usage: lmrec-llm-probe [-q] [-t MS] [--elapsed] "
					  "[--validate] [--run SH] CMD [FILE]");
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		lmrec_usage_error("usage: lmrec-llm-probe [-q] [-t MS] [--elapsed] [--validate] "
				  "[--run SH] CMD [FILE]");
	run(&o, argv[optind], argc - optind == 2 ? argv[optind + 1] : "-");
	lmrec_close_stdout();
	return 0;
}
