/* read.c - the parser's input (read.h): a log read through one fixed
 * buffer, the foreign stretches skipped with kr_scan_candidate() while the
 * parser is idle, each line unwrapped (parse_prefix.h) and split into the
 * kernel's lines before it is fed to the parser. */
#include "read.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse_prefix.h"
#include "read_scan.h"

#define KR_JSON_MSG_MAX 65536

/* Context kept between lines: continuation lines (dmesg and journalctl
 * indent the sub-lines of a multi-line record) inherit the host and
 * caller of the line before. */
static struct kr_prefix last;

static void feed_split(struct kr_parser *p, const struct kr_prefix *px, const char *msg, size_t len,
		       int64_t lineno, const char *sep, size_t seplen)
{
	struct kr_line l = { .host = px->host, .time = px->time, .tag = px->tag,
			     .kernel_us = px->kernel_us, .caller = px->caller, .lineno = lineno,
			     .same_record = px->indented };
	const char *end = msg + len;

	for (;;) {
		const char *s = seplen ? memmem(msg, (size_t)(end - msg), sep, seplen) : NULL;

		l.msg = msg;
		l.len = (size_t)((s ? s : end) - msg);
		kr_parser_feed(p, &l);
		l.same_record = true;
		if (!s)
			break;
		msg = s + seplen;
	}
}

/* Reports pasted from web pages carry U+00A0 for spaces, even inside the
 * "[  126.809058]" prefix: make them spaces before anything else. */
static const char *nbsp_to_space(const char *line, size_t *len)
{
	static char buf[KR_JSON_MSG_MAX];
	size_t o = 0;

	if (!memmem(line, *len, "\xc2\xa0", 2))
		return line;
	for (size_t i = 0; i < *len && o < sizeof(buf); i++) {
		if ((unsigned char)line[i] == 0xc2 && i + 1 < *len && (unsigned char)line[i + 1] == 0xa0)
			buf[o++] = ' ', i++;
		else
			buf[o++] = line[i];
	}
	*len = o;
	return buf;
}

void kr_feed_raw_line(struct kr_parser *p, const char *line, size_t len, int64_t lineno)
{
	struct kr_prefix px;

	line = nbsp_to_space(line, &len);

	if (len && line[0] == '{') {
		static char msg[KR_JSON_MSG_MAX];
		long n = kr_journal_json(line, len, msg, sizeof(msg), &px);

		if (n >= 0) {
			feed_split(p, &px, msg, (size_t)n, lineno, "\n", 1);
			return;
		}
	}
	kr_strip_prefix(line, len, &px);
	if (px.indented) {
		memcpy(px.host, last.host, sizeof(px.host));
		memcpy(px.tag, last.tag, sizeof(px.tag));
		px.caller = last.caller;
	} else {
		last = px;
	}
	feed_split(p, &px, line + px.msg_off, len - px.msg_off, lineno, "#012", 4);
}

/* Text logs have next to no control bytes; random or compiled data has
 * about one in eight. A few stray NULs (a log after a crash) stay text. */
static bool binary(const char *p, size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		bad += (c < 0x20 && c != '\n' && c != '\t' && c != '\r' && c != 0x1b) || c == 0x7f;
	}
	return bad * 20 > n;
}

static void process_line(struct kr_parser *p, struct kr_read_stats *st, const char *s, size_t len)
{
	st->lines++;
	if (memchr(s, '\0', len)) {
		st->binary_lines++;
		if (!st->first_bad_line)
			st->first_bad_line = st->lines;
	}
	kr_feed_raw_line(p, s, len, st->lines);
}

/* Processes the complete lines of [s, e); returns where the incomplete
 * rest starts. */
static const char *process_lines(struct kr_parser *p, struct kr_read_stats *st, const char *s, const char *e)
{
	const char *last_nl = e > s ? memrchr(s, '\n', (size_t)(e - s)) : NULL;
	const char *stop = last_nl ? last_nl + 1 : s;

	while (s < stop) {
		if (kr_parser_idle(p)) {
			size_t nl;
			const char *c = kr_scan_candidate(s, stop, &nl), *ls;

			if (!c) {
				st->lines += (int64_t)nl;
				return stop;
			}
			ls = memrchr(s, '\n', (size_t)(c - s));
			ls = ls ? ls + 1 : s;
			if (ls > s) {
				/* the line before goes first: the kernel prints a comm
				 * holding '\n' as a record split over two lines */
				const char *prev = ls - 1 > s ? memrchr(s, '\n', (size_t)(ls - 1 - s)) : NULL;

				prev = prev ? prev + 1 : s;
				st->lines += (int64_t)nl - 1; /* the nl newlines before ls, less prev's own */
				process_line(p, st, prev, (size_t)(ls - 1 - prev));
			}
			s = ls;
		}
		const char *nl = memchr(s, '\n', (size_t)(stop - s));

		process_line(p, st, s, (size_t)(nl - s));
		s = nl + 1;
	}
	return stop;
}

static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms);
}

int kr_read_stream(int fd, struct kr_parser *p, struct kr_read_stats *st, bool follow)
{
	char *buf = malloc(KR_READ_BUF);
	size_t have = 0;
	bool skipping = false, first = true;
	int quiet = 0;

	memset(&last, 0, sizeof(last)); /* no continuation across inputs */
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf + have, KR_READ_BUF - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;

			free(buf);
			return e;
		}
		if (n == 0) {
			if (!follow)
				break;
			/* explain what is open once the log has been quiet for a while,
			 * not at every pause inside a report */
			if (++quiet == 3)
				kr_parser_flush(p);
			if (usleep(200000))
				break;
			continue;
		}
		quiet = 0;
		if (first && binary(buf, (size_t)n < 4096 ? (size_t)n : 4096)) {
			st->not_text = true;
			break;
		}
		first = false;
		st->bytes += n;
		have += (size_t)n;
		const char *s = buf;

		if (skipping) { /* the rest of an over-long line */
			const char *nl = memchr(buf, '\n', have);

			if (!nl) {
				have = 0;
				continue;
			}
			s = nl + 1;
			skipping = false;
		}
		const char *rest = process_lines(p, st, s, buf + have);

		have = (size_t)(buf + have - rest);
		if (have == KR_READ_BUF) { /* one line fills the buffer: keep its start */
			st->long_lines++;
			process_line(p, st, buf, 4096);
			have = 0;
			skipping = true;
		} else {
			memmove(buf, rest, have);
		}
	}
	if (have && !skipping && !st->not_text)
		process_line(p, st, buf, have);
	free(buf);
	kr_parser_flush(p);
	return 0;
}

bool kr_feed_kmsg_record(struct kr_parser *p, const char *rec, size_t len, int64_t lineno)
{
	static char msg[KR_KMSG_RECORD_MAX];
	struct kr_prefix px;
	long n = kr_kmsg_record(rec, len, msg, sizeof(msg), &px);

	if (n < 0)
		return false;
	feed_split(p, &px, msg, (size_t)n, lineno, "\n", 1);
	return true;
}

int kr_read_kmsg(int fd, struct kr_parser *p, struct kr_read_stats *st, bool follow)
{
	static char rec[KR_KMSG_RECORD_MAX];

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE) /* overwritten records: go on */
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (!follow)
				break;
			/* quiet for 600 ms: the report is complete, explain it */
			if (wait_readable(fd, 600) == 0) {
				kr_parser_flush(p);
				if (wait_readable(fd, -1) < 0)
					return -errno;
			}
			continue;
		}
		if (n <= 0)
			return n < 0 ? -errno : 0;
		st->bytes += n;
		st->lines++;
		kr_feed_kmsg_record(p, rec, (size_t)n, st->lines);
	}
	kr_parser_flush(p);
	return 0;
}
