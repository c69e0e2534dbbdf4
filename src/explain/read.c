/* read.c - the parser's input (read.h): a log read through one fixed
 * buffer, the foreign stretches skipped with kr_scan_candidate() while the
 * parser is idle, each line unwrapped (parse_prefix.h) and split into the
 * kernel's lines before it is fed to the parser. */
#include "read.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse_prefix.h"
#include "read_paste.h"
#include "read_scan.h"

#define KR_JSON_MSG_MAX 65536
#define KR_LINE_MAX 8192   /* a line rewritten (colours, quoted-printable) or joined */
#define KR_WRAP_MIN 40     /* a line a mail client or terminal wrapped is at least this long, */
#define KR_WRAP_MAX 120    /* and no line of its input has a blank further in than this */
#define KR_GARBAGE_MAX 65536 /* binary bytes skipped before a text log */

/* What the reader learned of the current input (reset per input):
 * continuation lines (dmesg and journalctl indent the sub-lines of a
 * multi-line record) inherit the host and caller of the line before; a
 * prefix no wrapping knows is learned once; quoted-printable and /dev/kmsg
 * records are a property of the whole input. */
static struct {
	struct kr_prefix last;
	struct paste_shape shape;
	bool inner;      /* a known wrapping follows the learned prefix ("> " + "[ts] ") */
	bool qp, kmsg;
	int cr_lines;    /* its lines end in a bare CR: 1; in LF or CRLF: 0; not known yet: -1 */
	bool bare;       /* kernel messages stand at the start of its lines: nothing to learn */
	size_t longest, at_longest; /* the longest line so far, how many were that long */
	size_t last_blank;          /* the furthest blank of any line so far */
} in;
static struct kr_read_stats no_stats, *stats = &no_stats;

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

/* Binary bytes glued before a known prefix ("\x81\xda...[  3.49] hog
 * invoked ..."): where the prefix starts, 0 if the line does not start
 * with such bytes or no prefix follows them. */
static size_t garbage_before_prefix(const char *line, size_t len)
{
	unsigned char c = len ? (unsigned char)line[0] : 'a';
	struct kr_prefix px;

	/* text starts with a printable byte or a UTF-8 lead byte */
	if ((c >= 0x20 && c < 0x80) || c == '\t' || (c >= 0xc2 && c <= 0xf4))
		return 0;
	for (size_t k = 1; k < len && k < 512; k++) {
		kr_strip_prefix(line + k, len - k, &px);
		if (px.msg_off && !px.indented)
			return k;
	}
	return 0;
}

/* The prefix line[0..k) is this input's: kept as a shape (and whether a
 * known wrapping follows it), said once, taken off a header already read. */
static void learn(struct kr_parser *p, const char *line, size_t len, size_t k, struct kr_prefix *px)
{
	paste_learn(&in.shape, line, k);
	kr_strip_prefix(line + k, len - k, px);
	in.inner = px->msg_off > 0;
	kr_copy(stats->prefix, sizeof(stats->prefix), line, k);
	kr_parser_prefix(p, &in.shape);
}

/* Quote marks a mail client or a forum puts before a known wrapping
 * ("> ", ">> ", "# ", "| "): their length, 0 if there are none. */
static size_t quote_marks(const char *line, size_t len)
{
	struct kr_prefix px;

	for (size_t k = 1; k <= 8 && k < len && line[k - 1] && strchr("># |", line[k - 1]); k++) {
		kr_strip_prefix(line + k, len - k, &px);
		if (px.msg_off && !px.indented)
			return k;
	}
	return 0;
}

/* The line has no prefix the wrappings know, or only blanks: the learned
 * prefix, else learn it here when the line holds a kernel message that
 * starts lines (the prefix is what stands before it, less any known
 * wrapping after it). Blanks before a line's own prefix, or before such a
 * message, are a quote (a code block, an indented mail): dmesg and
 * journalctl indent only the later lines of a record, never a prefix or a
 * message that starts lines. */
static void unknown_prefix(struct kr_parser *p, const char *line, size_t len, struct kr_prefix *px)
{
	size_t k = paste_match(&in.shape, line, len), b = 0;
	long a = -1;

	while (px->indented && b < len && (line[b] == ' ' || line[b] == '\t'))
		b++;
	if (!k && b && (kr_strip_prefix(line + b, len - b, px), px->msg_off && !px->indented)) {
		px->msg_off += b;
		return;
	}
	if (!k && (k = quote_marks(line, len)))
		learn(p, line, len, k, px);
	if (!k && !in.bare && (a = paste_anchor(line, len)) == 0)
		in.bare = true;
	if (!k && a >= (long)b && a > 0) {
		for (k = b ? b : 1; k < (size_t)a; k++) {
			kr_strip_prefix(line + k, len - k, px);
			if (px->msg_off + k == (size_t)a && !px->indented) /* the prefix takes its blanks */
				break;
		}
		learn(p, line, len, k, px);
	}
	if (!k && !b && (k = garbage_before_prefix(line, len))) {
		stats->garbage_bytes += (int64_t)k;
		stats->garbage_lines++;
	}
	kr_strip_prefix(line + k, len - k, px);
	px->msg_off += k;
}

/* /dev/kmsg's dictionary lines (" SUBSYSTEM=pci", " DEVICE=+pci:...")
 * follow records saved from it. */
static bool kmsg_dict_line(const char *line, size_t len)
{
	size_t i = 1;

	if (len < 3 || line[0] != ' ')
		return false;
	while (i < len && (isupper((unsigned char)line[i]) || line[i] == '_'))
		i++;
	return i > 1 && i < len && line[i] == '=';
}

/* Colours and quoted-printable come off into a copy. */
static const char *rewrite(const char *line, size_t *len)
{
	static char buf[KR_LINE_MAX];
	size_t n = *len < sizeof(buf) ? *len : sizeof(buf);
	bool soft;

	if (!in.qp && !memchr(line, '\x1b', *len))
		return line;
	memcpy(buf, line, n);
	n = paste_strip_sgr(buf, n);
	if (in.qp)
		n = paste_qp_decode(buf, n, &soft);
	*len = n;
	return buf;
}

void kr_feed_raw_line(struct kr_parser *p, const char *line, size_t len, int64_t lineno)
{
	static char msg[KR_JSON_MSG_MAX];
	struct kr_prefix px;
	size_t cut;
	long n;

	line = nbsp_to_space(line, &len);
	line = rewrite(line, &len);
	if ((cut = paste_pager_cut(line, len)) != len) {
		stats->pager_cut_lines++;
		len = cut;
	}
	if (len && line[0] == '{' && (n = kr_journal_json(line, len, msg, sizeof(msg), &px)) >= 0) {
		feed_split(p, &px, msg, (size_t)n, lineno, "\n", 1);
		return;
	}
	if (len && isdigit((unsigned char)line[0]) && (n = kr_kmsg_record(line, len, msg, sizeof(msg), &px)) >= 0) {
		in.kmsg = true;
		feed_split(p, &px, msg, (size_t)n, lineno, "\n", 1);
		return;
	}
	if (in.kmsg && kmsg_dict_line(line, len))
		return;
	kr_strip_prefix(line, len, &px);
	if (!px.msg_off || px.indented)
		unknown_prefix(p, line, len, &px);
	if (px.indented) {
		memcpy(px.host, in.last.host, sizeof(px.host));
		memcpy(px.tag, in.last.tag, sizeof(px.tag));
		px.caller = in.last.caller;
	} else {
		in.last = px;
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

/* "=3D" (an encoded '=') marks a quoted-printable mail body. */
static bool quoted_printable(const char *s, size_t n)
{
	const char *e = s + n;

	while ((s = memchr(s, '=', (size_t)(e - s))) && e - s >= 3) {
		if (s[1] == '3' && s[2] == 'D')
			return true;
		s++;
	}
	return false;
}

/* Does the line carry a prefix (a wrapping, the learned one, a journal
 * object or a kmsg record)? */
static bool prefixed(const char *s, size_t n)
{
	struct kr_prefix px;
	size_t k = paste_match(&in.shape, s, n);

	if (!n || *s == '{' || isdigit((unsigned char)*s) || (k && !in.inner))
		return true;
	/* a quote repeated on a wrapped line's rest: the wrapping after it counts */
	kr_strip_prefix(s + k, n - k, &px);
	return px.msg_off > 0 || px.indented;
}

/* A terminal breaks every long line at its width: many lines are exactly
 * as long as the longest. */
static bool terminal_wrapped(size_t n)
{
	return n == in.longest && in.at_longest >= 3;
}

/* A quoted-printable soft break: "=" ends the line (before a CR). */
static size_t soft_break(const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	return n && s[n - 1] == '=' ? n - 1 : 0;
}

/* "(snip)", "[...]", "<cut>", "...": someone left lines out; nothing a
 * wrapped kernel line continues with. */
static bool elision(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	return n && ((strchr("([<", s[0]) && strchr(")]>", s[n - 1])) || s[0] == '.' ||
		     (n >= 3 && !memcmp(s, "\xe2\x80\xa6", 3)));
}

/* Does `next` continue the line s[0..n) that a mail client or a terminal
 * wrapped? Every line of such an input is short (an OOM report has lines
 * of 200 bytes and more), the input's lines carry a prefix and next has
 * none (nor is it a kernel message that starts lines); quoted-printable
 * says so with "=". A terminal breaks at its width, inside a word: the
 * rest may start with a blank. */
static bool continues(const char *s, size_t n, const char *next, const char *stop)
{
	const char *e = memchr(next, '\n', (size_t)(stop - next));
	size_t m = e ? (size_t)(e - next) : 0, q;

	if (!e || !m)
		return false;
	if (in.qp)
		return soft_break(s, n) > 0;
	if (n < KR_WRAP_MIN || in.last_blank > KR_WRAP_MAX)
		return false;
	/* a quote repeated on the rest: behind it, anything but the input's
	 * wrapping continues the line, even a message that starts lines */
	q = in.inner ? paste_match(&in.shape, next, m) : 0;
	if (q == m || (!q && next[0] == s[0]))
		return false;
	return ((unsigned char)next[q] >= 0xc2 || ((unsigned char)next[q] >= 0x20 && (unsigned char)next[q] < 0x80)) &&
	       (terminal_wrapped(n) || (next[q] != ' ' && next[q] != '\t')) && !prefixed(next, m) &&
	       (q || paste_anchor(next, m) != 0) && !elision(next + q, m - q) && prefixed(s, n);
}

/* Keeps the line lengths continues() judges by. */
static void measure(const char *s, size_t n)
{
	const char *b;

	if (in.last_blank > KR_WRAP_MAX) /* no wrapping: nothing more to learn */
		return;
	if (n > in.longest)
		in.longest = n, in.at_longest = 0;
	in.at_longest += n == in.longest;
	if (n > in.last_blank && (b = memrchr(s, ' ', n)) && (size_t)(b - s) > in.last_blank)
		in.last_blank = (size_t)(b - s);
}

/* The line at s with the lines that continue it joined on (into a copy);
 * returns the start of the line after them. */
static const char *take_line(struct kr_parser *p, const char *s, const char *stop, const char **line, size_t *len,
			     int *used)
{
	static char joined[KR_LINE_MAX];
	const char *nl = memchr(s, '\n', (size_t)(stop - s));
	size_t n = (size_t)(nl - s), o, q;
	struct kr_prefix px;

	if (!in.qp && quoted_printable(s, n))
		in.qp = stats->quoted_printable = true;
	measure(s, n);
	if (!in.shape.n && (q = quote_marks(s, n))) /* before the rest of a first line is looked for */
		learn(p, s, n, q, &px);
	*line = s, *len = n, *used = 1;
	if (!n || !continues(s, n, nl + 1, stop))
		return nl + 1;
	o = n < sizeof(joined) ? n : sizeof(joined);
	memcpy(joined, s, o);
	while (continues(joined, o, nl + 1, stop)) {
		const char *next = nl + 1;
		size_t m;

		nl = memchr(next, '\n', (size_t)(stop - next));
		m = (size_t)(nl - next);
		if (!in.qp) { /* the quote a mail client repeats on the rest goes */
			q = paste_match(&in.shape, next, m);
			next += q, m -= q;
		}
		if (in.qp)
			o = soft_break(joined, o); /* the "=" goes */
		else if (o < sizeof(joined) && !terminal_wrapped(o)) /* a mail client broke at a blank */
			joined[o++] = ' ';
		if (m > sizeof(joined) - o)
			m = sizeof(joined) - o;
		memcpy(joined + o, next, m);
		o += m;
		(*used)++;
		stats->joined_lines += !in.qp;
	}
	*line = joined, *len = o;
	return nl + 1;
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

		s = take_line(p, s, stop, &line, &len, &used);
		process_line(p, st, line, len);
		st->lines += used - 1;
	}
	return stop;
}

/* Lone CRs (old Mac line ends) become newlines; CRLF stays. The first
 * line end says which kind the input uses: others pay no scan. */
static void cr_to_lf(char *s, char *end)
{
	if (in.cr_lines < 0) {
		const char *e = s;

		while (e < end && *e != '\r' && *e != '\n')
			e++;
		if (e + 1 < end)
			in.cr_lines = *e == '\r' && e[1] != '\n';
	}
	while (in.cr_lines == 1 && (s = memchr(s, '\r', (size_t)(end - s))) && s + 1 < end) {
		if (s[1] != '\n') {
			*s = '\n';
			stats->cr_breaks++;
		}
		s++;
	}
}

/* Binary bytes before a text log (a crash, a wrong copy): where the text
 * starts, after a newline that a kilobyte of text follows; 0 if none in
 * the first KR_GARBAGE_MAX bytes. */
static size_t text_start(const char *buf, size_t n)
{
	for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + n - q))) && q < buf + KR_GARBAGE_MAX; q++) {
		size_t rest = (size_t)(buf + n - q - 1);

		if (rest >= 64 && !binary(q + 1, rest < 1024 ? rest : 1024))
			return (size_t)(q + 1 - buf);
	}
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

	memset(&in, 0, sizeof(in)); /* nothing learned carries over to another input */
	in.cr_lines = -1;
	stats = st;
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
	stats = &no_stats;
	return 0;
}

int kr_read_kmsg(int fd, struct kr_parser *p, struct kr_read_stats *st, bool follow)
{
	static char rec[8192], msg[8192];

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		struct kr_prefix px;
		long len;

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
		len = kr_kmsg_record(rec, (size_t)n, msg, sizeof(msg), &px);
		if (len >= 0)
			feed_split(p, &px, msg, (size_t)len, st->lines, "\n", 1);
	}
	kr_parser_flush(p);
	return 0;
}
