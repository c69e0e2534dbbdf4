/* parse.h - the kernel OOM report parser (`oomkit explain`): feed it log
 * lines of any wrapping (dmesg, syslog, journalctl, #012, caller ids; see
 * parse_prefix.h) and it calls back once per OOM event (event.h) with
 * everything the report showed. Streaming: memory is bounded by the open
 * events, never by the input. read.h feeds it from a file or /dev/kmsg. */
#ifndef OOMKIT_PARSE_H
#define OOMKIT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* One input line, after the wrapping was taken off (parse_prefix.h). */
struct kr_line {
	const char *msg;
	size_t len;
	const char *host;       /* "" when none */
	const char *time;       /* "" when none */
	const char *tag;        /* syslog program tag ("kernel", "earlyoom") or "" */
	int64_t kernel_us;      /* KR_UNSET when none */
	int64_t caller;         /* KR_UNSET when none */
	int64_t lineno;
	bool same_record;       /* a later sub-line of the record before (split on
				 * '\n'/#012, or indented); the parser also infers
				 * it from an equal kernel timestamp */
};

typedef void (*kr_emit_fn)(const struct kr_event *ev, void *arg);

struct kr_parser;

struct kr_parser *kr_parser_new(kr_emit_fn emit, void *arg);
/* A parser that allocates nothing after this call (the daemon's): one
 * host (lines naming another are dropped), KR_FIXED_EVENTS events of at
 * most max_tasks task rows each (more are counted in tasks_dropped), all
 * allocated here and reused. */
#define KR_FIXED_EVENTS 3
struct kr_parser *kr_parser_new_fixed(kr_emit_fn emit, void *arg, size_t max_tasks);
/* Feeds one line (msg without newline). */
void kr_parser_feed(struct kr_parser *p, const struct kr_line *line);
/* True when no event is open or pending: the caller may skip lines that
 * kr_scan_candidate() would not stop at (line numbers must then keep
 * counting the skipped lines: they time out waiting events). */
bool kr_parser_idle(const struct kr_parser *p);
/* A prefix was learned from the input's lines (read_paste.h): an open
 * event's header name read before it sheds it. */
struct paste_shape;
void kr_parser_prefix(struct kr_parser *p, const struct paste_shape *sh);
/* True while an event waits to be emitted: open, or killed and waiting
 * for its reaper line (a reader with a clock of its own flushes it then). */
bool kr_parser_pending(const struct kr_parser *p);
/* Emits every event still open (end of input, or --follow went quiet). */
void kr_parser_flush(struct kr_parser *p);
void kr_parser_free(struct kr_parser *p);

#endif
