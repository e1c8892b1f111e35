/* lmrec — the profile store: each user's long-term memory (issue 8), in
 * memory and on disk (lmrec-profile(5) gives the file format byte by byte).
 *
 * Per user: weighted entries of five kinds (category, attr, domain, habit,
 * blocked), each with the time its weight was last set, and the time of
 * the user's last update. Weights halve every half_life days, applied
 * lazily from each entry's time (blocked entries never decay), so an
 * update costs only the users it touches.
 *
 * On disk: a header (magic, version, half-life, the committed length and
 * record count, CRC-32), a snapshot of user records closed by a commit
 * record, then an append-only log of update batches, each closed by its
 * own commit record. An update appends its batch past the committed
 * length, fsyncs, then rewrites the header's committed length: a process
 * killed at any point leaves either the old header (the batch's bytes are
 * a torn tail, ignored) or the new one. Compaction rewrites the store as
 * one snapshot through a temporary file, fsync, rename and an fsync of the
 * folder. Readers refuse a bad magic, a newer version, a bad checksum or
 * any malformed byte of the committed part, naming the byte offset.
 *
 * Ids and keys are kept in their escaped TSV form (no raw TAB, LF, CR or
 * NUL; valid escapes), as the streams they come from hold them. */
#ifndef LMREC_PROFILE_H
#define LMREC_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#define LMREC_PROFILE_MAGIC "LMRCPROF"
#define LMREC_PROFILE_VERSION 1u
#define LMREC_PROFILE_HEADER 64u

enum lmrec_profile_kind {
	LMREC_PK_CATEGORY, /* category -> weight */
	LMREC_PK_ATTR,     /* key=value -> weight (dislikes negative) */
	LMREC_PK_DOMAIN,   /* domain -> weight */
	LMREC_PK_HABIT,    /* weekday:DOMAIN[:key=value] or weekend:... -> decayed count */
	LMREC_PK_BLOCKED,  /* item -> 1, never decays */
	LMREC_PK_N
};

/* The kind's name as show writes it ("category", "attr", ...). */
const char *lmrec_profile_kind_name(unsigned kind);

struct lmrec_profile_entry {
	char *key;      /* NUL-terminated, escaped form */
	uint32_t keylen;
	uint8_t kind;
	double w;       /* weight as of ts */
	int64_t ts;
};

struct lmrec_profile_user {
	int64_t updated; /* time of the user's last update (0: never) */
	struct lmrec_profile_entry *e; /* (n) sorted by kind, then key bytes */
	size_t n, cap;
	int live;        /* 0 once forgotten */
	int dirty;       /* changed since read: goes into the next batch */
};

/* One queued change (lmrec_profile_add), merged by lmrec_profile_apply. */
struct lmrec_profile_delta {
	uint32_t user, key; /* user index, index in keys */
	uint32_t rank;      /* the key's place in byte order (set by apply) */
	uint32_t seq;       /* order of arrival within the user: ties of ts keep it */
	int64_t ts;
	double d;
};

struct lmrec_profile {
	double half_life;   /* days */
	uint64_t seq;       /* batches committed so far (the snapshot's included) */
	int64_t inter_mark; /* newest interaction time folded in (0: none) */
	int64_t feedback_mark; /* newest feedback time folded in (0: none) */
	int64_t now;        /* the time of the last update (its end of day) */
	int64_t saved_inter, saved_feedback; /* the marks of the last commit read or written */
	size_t forgotten;   /* users forgotten since read: only a snapshot may follow */
	struct lmrec_ids *ids;            /* user ids (escaped form) */
	struct lmrec_profile_user *u;     /* (ids->n) */
	size_t ucap;
	struct lmrec_ids *keys;           /* queued keys: kind byte, then the key */
	struct lmrec_profile_delta *q;    /* (nq) queued changes */
	size_t nq, qcap;
	/* What the reader found (0 for a store made in memory). */
	uint64_t file_size, committed, records, batches, snapshot_end;
	/* Test hook (LMREC_PROFILE_CRASH_AFTER): the writers raise SIGKILL
	 * once this many bytes are written (0: never). */
	uint64_t crash_after, written;
};

/* An empty store; half_life in days (> 0). */
struct lmrec_profile *lmrec_profile_new(double half_life);
void lmrec_profile_free(struct lmrec_profile *p);

/* Reads the store at path. Returns 0 and *out; -1 when the file is not a
 * valid store (err: "PATH: byte N: reason"; the caller exits 65); -2 when
 * it cannot be read (err: "PATH: open: strerror"; errno kept; exit 1). */
int lmrec_profile_read(const char *path, struct lmrec_profile **out, char *err, size_t errlen);
/* The same over bytes in memory; name is used in messages. */
int lmrec_profile_parse(const unsigned char *buf, size_t len, const char *name,
			struct lmrec_profile **out, char *err, size_t errlen);

/* Index of a user, or -1 (forgotten users included: check live). */
int64_t lmrec_profile_find(const struct lmrec_profile *p, const char *id, size_t len);
/* Index of a user, made (live, empty) when absent or forgotten. */
uint32_t lmrec_profile_user(struct lmrec_profile *p, const char *id, size_t len);

/* w, set at time from, as of time to (blocked entries: kind given, never
 * decays). A later from than to decays nothing backwards: w itself. */
double lmrec_profile_decay(const struct lmrec_profile *p, unsigned kind, double w, int64_t from,
			   int64_t to);

/* Queues a change of d to (user, kind, key) at time ts. For blocked
 * entries d is ignored: the entry becomes 1. */
void lmrec_profile_add(struct lmrec_profile *p, uint32_t user, unsigned kind, const char *key,
		       size_t klen, int64_t ts, double d);
/* Merges the queued changes in order of (user, kind, key, ts, arrival),
 * marks the touched users dirty with updated = now, then drops from them
 * the entries (blocked ones excepted) whose weight decayed to now is
 * below prune in magnitude. Returns the number of users touched. */
size_t lmrec_profile_apply(struct lmrec_profile *p, int64_t now, double prune);
/* Drops, from every live user, the entries whose weight decayed to now is
 * below prune (the compaction's pruning). */
void lmrec_profile_prune_all(struct lmrec_profile *p, int64_t now, double prune);

/* Forgets a user: entries freed, not written again. Returns 1 when the
 * user was in the store, 0 otherwise. The caller then writes a snapshot
 * (lmrec_profile_write_snapshot) so that no byte of the user is left. */
int lmrec_profile_forget(struct lmrec_profile *p, const char *id, size_t len);

/* lmrec-forget's call: removes the n users ids[i] (lens[i] bytes, escaped
 * form) from the store at path, under its lock, and rewrites it as one
 * snapshot, so that no byte of their records is left in the file (its
 * temporary file is renamed over it; the old inode's blocks are the file
 * system's). *found receives how many were in the store. Returns 0; -1
 * when the store is not valid, -2 when it cannot be read (err as
 * lmrec_profile_read; nothing is changed). Dies with exit 75 when another
 * process holds the lock past wait seconds (lmrec_profile_lock), with exit 1 when the new file cannot be
 * written. */
int lmrec_profile_forget_users(const char *path, const char *const *ids, const size_t *lens,
			       size_t n, size_t *found, double wait, char *err, size_t errlen);

/* Counts of live users and of their entries. */
void lmrec_profile_counts(const struct lmrec_profile *p, size_t *users, size_t *entries);

/* Appends the dirty users as one batch to the store at path (which p was
 * read from, at its committed length), then commits it by rewriting the
 * header; clears the dirty marks. The batch's commit record holds p's
 * marks and now. Nothing dirty and marks unchanged: nothing is written,
 * returns 0; else returns the batch's bytes. System errors die (exit 1). */
uint64_t lmrec_profile_append(struct lmrec_profile *p, const char *path);
/* Writes the whole store as one snapshot to path through a temporary file
 * beside it (fsync, rename, fsync of the folder). Returns the file size. */
uint64_t lmrec_profile_write_snapshot(struct lmrec_profile *p, const char *path);

/* The bytes lmrec_profile_write_snapshot would write (a fresh allocation
 * of *len bytes); p is not changed. */
unsigned char *lmrec_profile_encode(const struct lmrec_profile *p, size_t *len);

/* Takes the update lock of the store at path (PATH.lock, flock), waiting
 * up to wait seconds for another process to release it (0: not at all);
 * dies with exit 75 when it is still held. Then removes the temporary files
 * of snapshots whose writer was killed (PATH.tmp.XXXXXX): they may hold
 * users forgotten since. Returns the descriptor, which the caller keeps
 * open until it is done. */
int lmrec_profile_lock(const char *path, double wait);

#endif
