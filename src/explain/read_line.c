/* read_line.c - one line of input as the reader takes it (read_line.h):
 * a line a mail client or terminal wrapped joined back, what a paste did
 * undone (read_paste.h), the wrapping taken off (parse_prefix.h), the
 * kernel's lines fed to the parser. */
#include "read_line.h"

#include <ctype.h>
#include <string.h>

#include "read_paste.h"

#define KR_JSON_MSG_MAX 65536
#define KR_LINE_MAX 8192   /* a line rewritten (colours, quoted-printable) or joined */
#define KR_WRAP_MIN 40     /* a line a mail client or terminal wrapped is at least this long, */
#define KR_WRAP_MAX 120    /* and no line of its input has a blank further in than this */

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
	bool bare;       /* kernel messages stand at the start of its lines: nothing to learn */
	size_t longest, at_longest; /* the longest line so far, how many were that long */
	size_t last_blank;          /* the furthest blank of any line so far */
} in;
static struct kr_read_stats no_stats, *stats = &no_stats;

void kr_feed_split(struct kr_parser *p, const struct kr_prefix *px, const char *msg, size_t len,
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

	if (!len || (line[0] != '>' && line[0] != '#' && line[0] != '|'))
		return 0;
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
	/* a record's later lines (dmesg, journalctl) are indented lower-case text:
	 * no prefix to learn there */
	if (!k && !in.bare && !(b && b < len && islower((unsigned char)line[b])) && (a = paste_anchor(line, len)) == 0)
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
		kr_feed_split(p, &px, msg, (size_t)n, lineno, "\n", 1);
		return;
	}
	if (len && isdigit((unsigned char)line[0]) && (n = kr_kmsg_record(line, len, msg, sizeof(msg), &px)) >= 0) {
		in.kmsg = true;
		kr_feed_split(p, &px, msg, (size_t)n, lineno, "\n", 1);
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
	kr_feed_split(p, &px, line + px.msg_off, len - px.msg_off, lineno, "#012", 4);
}

void kr_line_begin(struct kr_read_stats *st)
{
	memset(&in, 0, sizeof(in));
	stats = st;
}

void kr_line_end(void)
{
	stats = &no_stats;
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
const char *kr_take_line(struct kr_parser *p, const char *s, const char *stop, const char **line, size_t *len,
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
