/* parse_state.h - the parser's own state (internal to parse.c and
 * parse_host.c): one state per host (and per printk caller while two
 * reports are printed at once), the event being assembled and the one
 * waiting for its late lines; parse_host.c makes, finds, emits and frees
 * them, parse.c reads lines into them. */
#ifndef OOMKIT_PARSE_STATE_H
#define OOMKIT_PARSE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define KR_MAX_HOSTS 32
#define KR_MSG_MAX 4096
#define KR_QUIET_MAX 2000  /* lines without a report line after which an open event is cut */
#define KR_LINGER_MAX 5000 /* input lines a killed event waits for its reaper line */
#define KR_STACK_REACH 200 /* lines from an excerpt's first stack line to its first report line */
#define KR_DOWN_REACH 50   /* lines after a kill in which the machine going down is its doing */

enum section { S_NONE, S_HEADER, S_MEMCG_STATS, S_MEMINFO, S_SLAB, S_TASKS, S_KILLED };

struct host_state {
	char host[64];
	int64_t caller;          /* KR_UNSET: the host's lines; else one printk caller's report */
	struct kr_event *open;   /* being assembled */
	struct kr_event *linger; /* killed; may still get oom_reaper / oom.group lines */
	enum section section;
	int64_t last_seq, linger_since; /* line of the last report line; when the kill was seen */
	bool sysrq_pending;
	int64_t suppressed;
	char stack_line[160];     /* "Pid: N, comm: X" with no event open: an excerpt */
	int64_t stack_seq;        /* that starts there names the invoker in it */
	struct kr_event *user;    /* a user-space kill: its next line may say "dryrun" */
	bool dryrun_mode;         /* earlyoom said "dryrun mode enabled" */
	char pending[KR_MSG_MAX]; /* a KERN_CONT piece waiting for the rest */
	struct kr_line pending_line; /* its strings point into pending_* below */
	char pending_time[64], pending_tag[32];
	/* the record before: a comm holding '\n' splits a record in two */
	int64_t last_us, last_caller;
	bool same_record;         /* the current line continues the record before */
	char prev_msg[128];
	bool prev_used;
	int pending_joins;
};

struct kr_parser {
	kr_emit_fn emit;
	void *arg;
	struct host_state *hosts[KR_MAX_HOSTS];
	int nhosts, busy;
	int64_t seq; /* lines fed, all hosts */
	struct kr_pool *pool; /* kr_parser_new_fixed(): events come from here */
};

/* Returns an event to where it came from (the heap or the fixed pool). */
void kr_event_free(struct kr_parser *p, struct kr_event *ev);
/* Hands *evp to the caller's callback (completed first) and frees it. */
void kr_emit(struct kr_parser *p, struct host_state *h, struct kr_event **evp);
/* A new event of h's, starting at line l (NULL when none is left). */
struct kr_event *kr_event_new(struct kr_parser *p, struct host_state *h, const struct kr_line *l);
/* The open event is done: it waits for late lines (reaper, oom.group)
 * when it killed, else it is emitted. */
void kr_close_open(struct kr_parser *p, struct host_state *h);
/* h's state for host (and caller, KR_UNSET for the host's own); made when
 * create, the oldest forgotten when all are taken. */
struct host_state *kr_host_get(struct kr_parser *p, const char *host, int64_t caller, bool create);
/* The state line l (message m) belongs to. */
struct host_state *kr_state_for(struct kr_parser *p, const struct kr_line *l, const char *m);
/* The event an oom_reaper line m is about; *owner its state. */
struct kr_event *kr_reaped_event(struct kr_parser *p, struct host_state *h, const char *m,
				 struct host_state **owner);
/* Opens a new event in h at line l (truncated: its header is not in the log). */
void kr_start_event(struct kr_parser *p, struct host_state *h, const struct kr_line *l, bool truncated);
/* Emits events that waited too long (a host gone quiet). */
void kr_expire(struct kr_parser *p);

#endif
