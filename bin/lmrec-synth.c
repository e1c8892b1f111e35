/* lmrec-synth — seeded synthetic worlds and load-test streams. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lmrec.h"
#include "synth.h"

/* The streams, in the order --out writes them. Each is one function of
 * lib/synth*.c. */
enum stream {
	S_ITEMS,
	S_USERS,
	S_INTERACTIONS,
	S_IMAGE,
	S_AUDIO,
	S_CONVERSATIONS,
	S_TARGETS,
	S_FEEDBACK,
	S_GOALS,
	S_CONTEXT,
	S_GOAL_TARGETS,
	S_TASKS,
	S_RULES,
	S_TRUTH,
	S_COUNT
};
static const char *const stream_names[S_COUNT] = {
	"items",    "users", "interactions", "image",        "audio", "conversations", "targets",
	"feedback", "goals", "context",      "goal-targets", "tasks", "context-rules", "truth"};
static const char *const stream_files[S_COUNT] = {
	"items.tsv",        "users.tsv",     "interactions.tsv.gz",      "image.tsv",    "audio.tsv",
	"conversations.tsv", "conversation-targets.tsv", "feedback.tsv", "goals.tsv",    "context.tsv",
	"goal-targets.tsv", "tasks.tsv",     "context-rules.tsv",        "truth.tsv"};
#define TALK_STREAMS (1u << S_CONVERSATIONS | 1u << S_TARGETS)
#define GOAL_STREAMS (1u << S_GOALS | 1u << S_CONTEXT | 1u << S_GOAL_TARGETS)

struct opts {
	const char *out_dir, *output;
	int stream;             /* -1: none (--out) */
	unsigned what;          /* with --out: bit per stream */
	uint64_t seed;
	uint64_t users, items, days, interactions, conversations, goals;
	int have_users, have_items, have_interactions, have_days, have_start;
	int64_t start;
	int shape;              /* 1: ml20m */
	int quiet, progress;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s [OPTION]... --out DIR\n"
	       "  or:  %s [OPTION]... --stream NAME [-o FILE]\n",
	       lmrec_progname(), lmrec_progname());
	fputs("Generate a seeded synthetic world, or an interactions stream of any size.\n"
	      "\n"
	      "The world is a catalog over four domains (shop, video, food, places) with\n"
	      "text composed from each item's attributes, users with planted tastes that\n"
	      "drift over the window, and their interactions. The same options and seed\n"
	      "give the same bytes. Streams (canonical, see lmrec-formats(5)):\n"
	      "  items         item title text category attrs domain available released\n"
	      "  users         user age_band household region town joined\n"
	      "  interactions  user item ts weight event, in time order\n"
	      "  image         synthetic image-like vectors of every item: item d0..d31\n"
	      "  audio         synthetic audio-like vectors of the videos: item d0..d15\n"
	      "  conversations session user turn text reply_to: simulated users asking for\n"
	      "                a hidden target in free text, then answering questions\n"
	      "  targets       session item: the hidden target of every conversation\n"
	      "  feedback      user item ts signal value: not_interested, spot_on, rating,\n"
	      "                dwell, purchase and skip, read off the interactions and the\n"
	      "                users' hidden tastes\n"
	      "  goals         session user turn ts text: simulated users asking for a plan,\n"
	      "                then adding constraints or changing their minds\n"
	      "  context       user ts signal value: weather, daypart, day, place and temp\n"
	      "                at and before each goal session\n"
	      "  goal-targets  session goal days place constraints: what each goal meant\n"
	      "  tasks         goal keywords step subtask domain categories constraints:\n"
	      "                the task library of the goals\n"
	      "  context-rules signal value when then note: how context changes sub-tasks\n"
	      "  truth         each user's hidden personas, new interest, trip and activity\n"
	      "\n"
	      "Output:\n"
	      "      --out DIR            write DIR/items.tsv, DIR/users.tsv,\n"
	      "                           DIR/interactions.tsv.gz, DIR/image.tsv,\n"
	      "                           DIR/audio.tsv, DIR/conversations.tsv,\n"
	      "                           DIR/conversation-targets.tsv, DIR/feedback.tsv,\n"
	      "                           DIR/goals.tsv, DIR/context.tsv,\n"
	      "                           DIR/goal-targets.tsv, DIR/tasks.tsv and\n"
	      "                           DIR/context-rules.tsv (DIR is made if missing)\n"
	      "      --what LIST          with --out: the streams to write, comma-separated\n"
	      "                           (default all but truth, which is written as\n"
	      "                           DIR/truth.tsv)\n"
	      "      --stream NAME        write one stream to standard output\n"
	      "  -o, --output FILE        with --stream: write to FILE (.gz: compressed)\n"
	      "\n"
	      "World:\n"
	      "  -s, --seed N             seed (default 1)\n"
	      "      --users N            users (default 1000)\n"
	      "      --items N            items over the four domains (default 1300)\n"
	      "      --days N             days in the window (default 60; at most 3650,\n"
	      "                           in scale mode 36500)\n"
	      "      --start DATE         first day of the window, YYYY-MM-DD in UTC\n"
	      "                           (default 2026-09-01)\n"
	      "      --conversations N    simulated conversations (default 400; 0: --out\n"
	      "                           writes no conversation files)\n"
	      "      --goals N            simulated goal sessions (default 300; 0: --out\n"
	      "                           writes no goals, context or goal-targets)\n"
	      "\n"
	      "Scale mode (a popularity-and-genre model streamed in constant memory):\n"
	      "      --interactions N     write exactly N interactions of --users users\n"
	      "                           and --items items over --days from --start;\n"
	      "                           items with titles, genres and tags, users\n"
	      "                           with a cohort\n"
	      "      --shape NAME         ml20m: the MovieLens-20M shape, 138493 users,\n"
	      "                           27278 items, 20000263 interactions from\n"
	      "                           1995-01-09 to 2015-03-31 (options given as\n"
	      "                           well override it)\n"
	      "\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "      --progress           show progress even when stderr is not a terminal\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-synth --seed 1 --out sample-data\n"
	      "  lmrec-synth --shape ml20m --interactions 10000000 --stream interactions -o big.tsv\n"
	      "\n"
	      "See lmrec-synth(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_OUT = CHAR_MAX + 1,
	OPT_WHAT,
	OPT_STREAM,
	OPT_USERS,
	OPT_ITEMS,
	OPT_DAYS,
	OPT_START,
	OPT_CONVERSATIONS,
	OPT_GOALS,
	OPT_INTERACTIONS,
	OPT_SHAPE,
	OPT_PROGRESS
};

static const struct option long_options[] = {
	{"out", required_argument, NULL, OPT_OUT},
	{"what", required_argument, NULL, OPT_WHAT},
	{"stream", required_argument, NULL, OPT_STREAM},
	{"output", required_argument, NULL, 'o'},
	{"seed", required_argument, NULL, 's'},
	{"users", required_argument, NULL, OPT_USERS},
	{"items", required_argument, NULL, OPT_ITEMS},
	{"days", required_argument, NULL, OPT_DAYS},
	{"start", required_argument, NULL, OPT_START},
	{"conversations", required_argument, NULL, OPT_CONVERSATIONS},
	{"goals", required_argument, NULL, OPT_GOALS},
	{"interactions", required_argument, NULL, OPT_INTERACTIONS},
	{"shape", required_argument, NULL, OPT_SHAPE},
	{"quiet", no_argument, NULL, 'q'},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* A stream name, or a usage error that says which names exist. */
static int stream_of(const char *opt, const char *name, size_t len)
{
	for (int s = 0; s < S_COUNT; s++)
		if (strlen(stream_names[s]) == len && memcmp(stream_names[s], name, len) == 0)
			return s;
	lmrec_usage_error("invalid value for %s: '%.*s' (expected items, users, interactions, image, audio, "
			  "conversations, targets, feedback, goals, context, goal-targets, tasks, context-rules or "
			  "truth)",
			  opt,
			  (int)len, name);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t parse_date(const char *s)
{
	int y, m, d, n = 0;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || s[4] != '-' ||
	    s[7] != '-' || y < 1970 || m < 1 || m > 12 || d < 1)
		lmrec_usage_error("invalid value for --start: '%s' (expected YYYY-MM-DD)", s);
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
		lmrec_usage_error("invalid value for --start: '%s' (no such day)", s);
	return days_from_civil(y, m, d) * LMREC_SYNTH_DAY;
}

/* mkdir -p: dir and the directories above it that are missing. */
static void make_dir(const char *dir)
{
	char *path = lmrec_xstrdup(dir);
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		struct stat st;
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			lmrec_die(LMREC_EXIT_FAIL, "%s:", path);
		if (stat(path, &st) != 0)
			lmrec_die(LMREC_EXIT_FAIL, "%s:", path);
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			lmrec_die(LMREC_EXIT_FAIL, "%s:", path);
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(path);
}

/* The outputs of the streams in what: standard output or -o for --stream,
 * DIR/NAME for --out. All are written before any is renamed into place,
 * so a failure leaves the whole previous folder as it was. */
static void open_outputs(const struct opts *o, unsigned what, struct lmrec_out **out)
{
	if (o->out_dir)
		make_dir(o->out_dir);
	for (int s = 0; s < S_COUNT; s++) {
		out[s] = NULL;
		if (!(what & (1u << s)))
			continue;
		char *path = o->stream >= 0 ? NULL : lmrec_xasprintf("%s/%s", o->out_dir, stream_files[s]);
		out[s] = lmrec_out_open(o->stream >= 0 ? o->output : path);
		free(path);
	}
}

static void commit_outputs(struct lmrec_out **out)
{
	for (int s = 0; s < S_COUNT; s++)
		if (out[s])
			lmrec_out_commit(out[s]);
}

static void write_world(struct lmrec_synth_world *w, const struct lmrec_synth_talk *t,
			const struct lmrec_synth_goals *g, int s, struct lmrec_out *o)
{
	switch (s) {
	case S_ITEMS: lmrec_synth_write_items(w, o); break;
	case S_USERS: lmrec_synth_write_users(w, o); break;
	case S_INTERACTIONS: lmrec_synth_write_interactions(w, o); break;
	case S_IMAGE: lmrec_synth_write_image(w, o); break;
	case S_AUDIO: lmrec_synth_write_audio(w, o); break;
	case S_CONVERSATIONS: lmrec_synth_write_conversations(w, t, o); break;
	case S_TARGETS: lmrec_synth_write_targets(w, t, o); break;
	case S_FEEDBACK: lmrec_synth_write_feedback(w, o); break;
	case S_GOALS: lmrec_synth_write_goals(w, g, o); break;
	case S_CONTEXT: lmrec_synth_write_context(w, g, o); break;
	case S_GOAL_TARGETS: lmrec_synth_write_goal_targets(w, g, o); break;
	case S_TASKS: lmrec_synth_write_tasks(o); break;
	case S_RULES: lmrec_synth_write_context_rules(o); break;
	default: lmrec_synth_write_truth(w, o); break;
	}
}

static int run_world(const struct opts *o)
{
	struct lmrec_synth_opts wo = {.seed = o->seed,
				      .n_users = (size_t)o->users,
				      .n_items = (size_t)o->items,
				      .days = (uint32_t)o->days,
				      .start = o->start};
	unsigned what = o->stream >= 0 ? 1u << o->stream : o->what;
	struct lmrec_out *out[S_COUNT];
	open_outputs(o, what, out);
	struct lmrec_synth_world *w = lmrec_synth_new(&wo);
	if (what & (1u << S_INTERACTIONS | 1u << S_FEEDBACK) || (what & TALK_STREAMS && o->conversations > 0))
		lmrec_synth_simulate(w);
	/* conversations come from the simulated world, on their own streams */
	struct lmrec_synth_talk *t = lmrec_synth_talk_new(w, what & TALK_STREAMS ? (size_t)o->conversations : 0);
	/* goals too, on theirs: they need the users, not the interactions */
	struct lmrec_synth_goals *g = lmrec_synth_goals_new(w, what & GOAL_STREAMS ? (size_t)o->goals : 0);
	for (int s = 0; s < S_COUNT; s++)
		if (out[s])
			write_world(w, t, g, s, out[s]);
	commit_outputs(out);
	if (!o->quiet) {
		fprintf(stderr, "%s: seed %llu: %zu items, %zu users, %zu interactions", lmrec_progname(),
			(unsigned long long)o->seed, w->n_items, w->n_users, w->n_ev);
		if (what & TALK_STREAMS)
			fprintf(stderr, ", %llu conversations", (unsigned long long)o->conversations);
		if (what & GOAL_STREAMS)
			fprintf(stderr, ", %llu goal sessions", (unsigned long long)o->goals);
		fputc('\n', stderr);
	}
	lmrec_synth_goals_free(g);
	lmrec_synth_talk_free(t);
	lmrec_synth_free(w);
	return 0;
}

static int run_scale(const struct opts *o)
{
	struct lmrec_synth_scale sc = {.seed = o->seed,
				       .n_users = o->users,
				       .n_items = o->items,
				       .n_rows = o->interactions,
				       .days = (uint32_t)o->days,
				       .start = o->start};
	const char *bad = lmrec_synth_scale_check(&sc);
	if (bad)
		lmrec_usage_error("%s", bad);
	unsigned what = o->stream >= 0 ? 1u << o->stream : o->what;
	if (what & ~(1u << S_ITEMS | 1u << S_USERS | 1u << S_INTERACTIONS))
		lmrec_usage_error("scale mode has only the items, users and interactions streams");
	struct lmrec_out *out[S_COUNT];
	open_outputs(o, what, out);
	if (out[S_ITEMS])
		lmrec_synth_scale_items(&sc, out[S_ITEMS]);
	if (out[S_USERS])
		lmrec_synth_scale_users(&sc, out[S_USERS]);
	if (out[S_INTERACTIONS]) {
		struct lmrec_progress pr;
		lmrec_progress_start(&pr, o->progress, "interactions", sc.n_rows);
		lmrec_synth_scale_interactions(&sc, out[S_INTERACTIONS], &pr);
	}
	commit_outputs(out);
	if (!o->quiet)
		fprintf(stderr, "%s: seed %llu: scale mode: %llu items, %llu users, %llu interactions\n",
			lmrec_progname(), (unsigned long long)o->seed, (unsigned long long)sc.n_items,
			(unsigned long long)sc.n_users, (unsigned long long)sc.n_rows);
	return 0;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.stream = -1, .seed = 1, .users = 1000, .items = 1300, .days = 60, .conversations = 400, .goals = 300,
			 .start = 1788220800 /* 2026-09-01 */};
	int c;
	while ((c = getopt_long(argc, argv, "o:s:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_OUT: o.out_dir = optarg; break; /* --out */
		case OPT_WHAT: /* --what */
			o.what = 0;
			for (const char *p = optarg;;) {
				size_t len = strcspn(p, ",");
				o.what |= 1u << stream_of("--what", p, len);
				if (!p[len])
					break;
				p += len + 1;
			}
			break;
		case OPT_STREAM: o.stream = stream_of("--stream", optarg, strlen(optarg)); break; /* --stream */
		case 'o': o.output = optarg; break; /* --output */
		case 's': o.seed = lmrec_opt_u64("--seed", optarg, 0, UINT64_MAX); break; /* --seed */
		case OPT_USERS: /* --users */
			o.users = lmrec_opt_u64("--users", optarg, 1, UINT32_MAX - 1);
			o.have_users = 1;
			break;
		case OPT_ITEMS: /* --items */
			o.items = lmrec_opt_u64("--items", optarg, 1, UINT32_MAX - 1);
			o.have_items = 1;
			break;
		case OPT_DAYS: /* --days */
			o.days = lmrec_opt_u64("--days", optarg, 1, 36500);
			o.have_days = 1;
			break;
		case OPT_START: /* --start */
			o.start = parse_date(optarg);
			o.have_start = 1;
			break;
		case OPT_CONVERSATIONS: /* --conversations */
			o.conversations = lmrec_opt_u64("--conversations", optarg, 0, 1000000);
			break;
		case OPT_GOALS: o.goals = lmrec_opt_u64("--goals", optarg, 0, 1000000); break; /* --goals */
		case OPT_INTERACTIONS: /* --interactions */
			o.interactions = lmrec_opt_u64("--interactions", optarg, 0, UINT64_MAX / 2);
			o.have_interactions = 1;
			break;
		case OPT_SHAPE: /* --shape */
			if (strcmp(optarg, "ml20m") != 0)
				lmrec_usage_error("invalid value for --shape: '%s' (expected ml20m)", optarg);
			o.shape = 1;
			break;
		case 'q': o.quiet = 1; break;            /* --quiet */
		case OPT_PROGRESS: o.progress = 1; break; /* --progress */
		case 'h': usage(0); break;               /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (optind < argc)
		lmrec_usage_error("unexpected argument '%s' (lmrec-synth reads no input)", argv[optind]);
	if (!o.out_dir == (o.stream < 0))
		lmrec_usage_error(o.out_dir ? "--out and --stream exclude each other"
					    : "give --out DIR or --stream NAME");
	if (o.output && o.out_dir)
		lmrec_usage_error("--output goes with --stream; --out names a directory");
	if (o.what && !o.out_dir)
		lmrec_usage_error("--what goes with --out");
	if (o.out_dir && !*o.out_dir)
		lmrec_usage_error("invalid value for --out: '' (expected a directory)");
	if (!o.what) /* a world has media, conversations, feedback and goals; scale mode has none */
		o.what = 1u << S_ITEMS | 1u << S_USERS | 1u << S_INTERACTIONS |
			 (o.shape || o.have_interactions
				  ? 0u
				  : 1u << S_IMAGE | 1u << S_AUDIO | (o.conversations ? TALK_STREAMS : 0u) |
					    1u << S_FEEDBACK | (o.goals ? GOAL_STREAMS : 0u) | 1u << S_TASKS |
					    1u << S_RULES);

	int rc;
	if (o.shape || o.have_interactions) {
		if (o.shape) {
			if (!o.have_users)
				o.users = 138493;
			if (!o.have_items)
				o.items = 27278;
			if (!o.have_interactions)
				o.interactions = 20000263;
			if (!o.have_start)
				o.start = 789609600; /* 1995-01-09 */
			if (!o.have_days)
				o.days = 7387; /* to 2015-03-31 */
		}
		rc = run_scale(&o);
	} else {
		if (o.users > 1000000)
			lmrec_usage_error("invalid value for --users: '%llu' (a world holds at most 1000000;"
					  " use --interactions for scale mode)",
					  (unsigned long long)o.users);
		if (o.days > 3650)
			lmrec_usage_error("invalid value for --days: '%llu' (a world spans at most 3650 days;"
					  " scale mode 36500)",
					  (unsigned long long)o.days);
		if (o.items < 100 || o.items > 100000)
			lmrec_usage_error("invalid value for --items: '%llu' (a world holds 100 to 100000 items)",
					  (unsigned long long)o.items);
		rc = run_world(&o);
	}
	lmrec_close_stdout();
	return rc;
}
