/* read.c - the parser's input (read.h): a log read through one fixed
 * buffer (binary bytes before the text skipped, bare CR line ends made
 * newlines), the foreign stretches skipped with kr_scan_candidate() while
 * the parser is idle, each line handed to read_line.c, which unwraps it
 * and feeds the kernel's lines to the parser. */
#include "read.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "read_line.h"
#include "read_scan.h"

#define KR_GARBAGE_MAX 65536 /* binary bytes skipped before a text log */

/* Does the input end its lines in a bare CR (1), in LF or CRLF (0), not
 * known yet (-1)? */
static int cr_lines = -1;
static struct kr_read_stats *cr_stats;

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
				 * holding '\n' as a record split over two lines, and a
				 * wrapped line's rest may hold the needle */
				const char *prev = ls - 1 > s ? memrchr(s, '\n', (size_t)(ls - 1 - s)) : NULL;

				st->lines += (int64_t)nl - 1; /* the nl newlines before ls, less prev's own */
				ls = prev ? prev + 1 : s;
			}
			s = ls;
		}
		const char *line;
		size_t len;
		int used;

		s = kr_take_line(p, s, stop, &line, &len, &used);
		process_line(p, st, line, len);
		st->lines += used - 1;
	}
	return stop;
}

/* Lone CRs (old Mac line ends) become newlines; CRLF stays. The first
 * line end says which kind the input uses: others pay no scan. */
static void cr_to_lf(char *s, char *end)
{
	if (cr_lines < 0) {
		const char *e = s;

		while (e < end && *e != '\r' && *e != '\n')
			e++;
		if (e + 1 < end)
			cr_lines = *e == '\r' && e[1] != '\n';
	}
	while (cr_lines == 1 && (s = memchr(s, '\r', (size_t)(end - s))) && s + 1 < end) {
		if (s[1] != '\n') {
			*s = '\n';
			cr_stats->cr_breaks++;
		}
		s++;
	}
}

/* A short tail is text only without a single control byte: 100 random
 * bytes hold 5% of them often enough (about once in 50 inputs) to pass
 * binary()'s test, none of them about once in 10^5 (256 bytes: 10^-13). */
static bool text_tail(const char *p, size_t n)
{
	if (n >= 1024)
		return !binary(p, 1024);
	if (n < 256)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
			return false;
	}
	return true;
}

/* Binary bytes before a text log (a crash, a wrong copy): where the text
 * starts, after a newline that a kilobyte of text follows (or the input's
 * clean last lines); 0 if none in the first KR_GARBAGE_MAX bytes. */
static size_t text_start(const char *buf, size_t n)
{
	for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + n - q))) && q < buf + KR_GARBAGE_MAX; q++)
		if (text_tail(q + 1, (size_t)(buf + n - q - 1)))
			return (size_t)(q + 1 - buf);
	return 0;
}

/* The input starts with binary bytes: where its text starts (the lines
 * skipped counted), or NULL when there is none. */
static const char *skip_garbage(const char *buf, size_t have, struct kr_read_stats *st)
{
	size_t g = text_start(buf, have);

	if (!g)
		return NULL;
	for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + g - q))); q++)
		st->lines++;
	st->garbage_bytes += (int64_t)g;
	return buf + g;
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

	kr_line_begin(st); /* nothing learned carries over to another input */
	cr_lines = -1;
	cr_stats = st;
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
		cr_to_lf(buf + (have ? have - 1 : 0), buf + have + (size_t)n);
		st->bytes += n;
		have += (size_t)n;
		const char *s = buf;

		if (first && binary(buf, have < 4096 ? have : 4096)) {
			if (!(s = skip_garbage(buf, have, st))) {
				st->not_text = true;
				break;
			}
		}
		first = false;

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
	kr_line_end();
	return 0;
}

bool kr_feed_kmsg_record(struct kr_parser *p, const char *rec, size_t len, int64_t lineno)
{
	static char msg[KR_KMSG_RECORD_MAX];
	struct kr_prefix px;
	long n = kr_kmsg_record(rec, len, msg, sizeof(msg), &px);

	if (n < 0)
		return false;
	kr_feed_split(p, &px, msg, (size_t)n, lineno, "\n", 1);
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
