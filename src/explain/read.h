/* read.h - reads a log (file, pipe, or /dev/kmsg) into the parser
 * with bounded memory: a fixed buffer, lines longer than it truncated and
 * counted, foreign lines skipped by kr_scan_candidate() while no event is
 * open. Each line's wrapping is taken off (parse_prefix.h), #012 and
 * journal JSON multi-line messages are split into the kernel's lines. */
#ifndef OOMKIT_READ_H
#define OOMKIT_READ_H

#include <stdbool.h>
#include <stdint.h>

#include "parse.h"

#define KR_READ_BUF (1u << 20)

struct kr_read_stats {
	int64_t lines, bytes, long_lines, binary_lines;
	bool not_text;            /* the start of the input is binary */
	int64_t first_bad_line;
	/* what a paste did to the input, undone (read_paste.h) */
	int64_t garbage_bytes, garbage_lines; /* binary bytes skipped before the text, or before a line's prefix */
	int64_t pager_cut_lines;  /* lines ending in "…" or "...": the cut value is not read */
	int64_t joined_lines;     /* lines a mail client or terminal wrapped, joined back */
	int64_t cr_breaks;        /* bare CR line ends */
	bool quoted_printable;    /* "=3D" and soft line breaks decoded */
	char prefix[40];          /* a prefix no wrapping knows, learned from the input's lines */
};

/* Reads fd until EOF (with follow: forever, waiting for data). Returns 0
 * or -errno of the failing read. */
int kr_read_stream(int fd, struct kr_parser *p, struct kr_read_stats *st, bool follow);

/* /dev/kmsg: one record per read(); non-blocking fd ends at -EAGAIN unless
 * follow, then it polls and flushes the parser when the log goes quiet. */
int kr_read_kmsg(int fd, struct kr_parser *p, struct kr_read_stats *st, bool follow);

/* One /dev/kmsg record ("pri,seq,usec,flags;text\n KEY=VALUE...", as one
 * read() returns it) fed to p; false when rec is not such a record. For
 * readers with a poll loop of their own (the daemon's kernel log watch). */
#define KR_KMSG_RECORD_MAX 8192
bool kr_feed_kmsg_record(struct kr_parser *p, const char *rec, size_t len, int64_t lineno);

/* One raw line (no '\n'): wrapping removed, fed to p. Exposed for tests
 * and the fuzz target. */
void kr_feed_raw_line(struct kr_parser *p, const char *line, size_t len, int64_t lineno);

#endif
