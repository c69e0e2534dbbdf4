/* parse_prefix.c - the wrappings of kernel log lines (parse_prefix.h):
 * dmesg, syslog imklog/imjournal, journalctl short/iso/precise/monotonic/
 * json, /dev/kmsg, caller ids. */
#include "parse_prefix.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#include "event.h"

static size_t span_digits(const char *s, const char *end)
{
	const char *p = s;

	while (p < end && isdigit((unsigned char)*p))
		p++;
	return (size_t)(p - s);
}

/* "[  130.773033]" -> microseconds; returns bytes used or 0. */
static size_t parse_kernel_ts(const char *s, const char *end, int64_t *us)
{
	const char *p = s + 1;
	size_t n, f;
	int64_t sec = 0, frac = 0;

	if (p >= end || *s != '[')
		return 0;
	while (p < end && *p == ' ')
		p++;
	n = span_digits(p, end);
	if (!n || n > 12 || p + n >= end || p[n] != '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		sec = sec * 10 + (p[i] - '0');
	p += n + 1;
	f = span_digits(p, end);
	if (!f || f > 9 || p + f >= end || p[f] != ']')
		return 0;
	for (size_t i = 0; i < 6; i++)
		frac = frac * 10 + (i < f ? p[i] - '0' : 0);
	*us = sec * 1000000 + frac;
	return (size_t)(p + f + 1 - s);
}

/* "[ T1234]" / "[C3]" -> caller; returns bytes used or 0. */
static size_t parse_caller(const char *s, const char *end, int64_t *caller)
{
	const char *p = s + 1;
	size_t n;
	int64_t v = 0;
	char kind;

	if (p >= end || *s != '[')
		return 0;
	while (p < end && *p == ' ')
		p++;
	if (p >= end || (*p != 'T' && *p != 'C'))
		return 0;
	kind = *p++;
	n = span_digits(p, end);
	if (!n || n > 9 || p + n >= end || p[n] != ']')
		return 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	*caller = kind == 'T' ? v : -1 - v;
	return (size_t)(p + n + 1 - s);
}

static bool is_month(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	/* journalctl in some locales writes them in lower case ("jun 20") */
	const char k[3] = { (char)toupper((unsigned char)s[0]), s[1], s[2] };

	for (int i = 0; i < 12; i++)
		if (!memcmp(k, months + 3 * i, 3))
			return true;
	return false;
}

/* "hh:mm:ss" at s */
static bool is_clock(const char *s, const char *end)
{
	return end - s >= 8 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	       s[2] == ':' && isdigit((unsigned char)s[3]) && s[5] == ':' &&
	       isdigit((unsigned char)s[6]) && isdigit((unsigned char)s[7]);
}

/* "Jan 25 12:18:47[.123456]" -> length, 0 if not */
static size_t parse_bsd_time(const char *s, const char *end)
{
	const char *p = s + 4;

	if (end - s < 15 || !is_month(s) || s[3] != ' ')
		return 0;
	if (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	p += span_digits(p, end);
	if (p >= end || *p++ != ' ' || !is_clock(p, end))
		return 0;
	p += 8;
	if (p < end && *p == '.')
		p += 1 + span_digits(p + 1, end);
	return (size_t)(p - s);
}

/* "2022-01-25T12:18:47[,.]123456+00:00" or "...+0000" -> length, 0 if not */
static size_t parse_iso_time(const char *s, const char *end)
{
	const char *p = s;

	if (end - s < 19 || span_digits(s, end) != 4 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || !is_clock(s + 11, end))
		return 0;
	p += 19;
	if (p < end && (*p == '.' || *p == ','))
		p += 1 + span_digits(p + 1, end);
	if (p < end && (*p == '+' || *p == '-'))
		p += 1 + span_digits(p + 1, end);
	if (p < end && *p == ':')
		p += 1 + span_digits(p + 1, end);
	if (p < end && *p == 'Z')
		p++;
	return (size_t)(p - s);
}

/* "[Mon Jan 25 12:18:47 2022]" -> length, 0 if not */
static size_t parse_ctime_bracket(const char *s, const char *end)
{
	const char *close;

	if (end - s < 26 || *s != '[' || !isalpha((unsigned char)s[1]) || s[4] != ' ' || !is_month(s + 5))
		return 0;
	close = memchr(s, ']', (size_t)(end - s) < 40 ? (size_t)(end - s) : 40);
	return close ? (size_t)(close + 1 - s) : 0;
}

static bool host_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_' || c == ':';
}

/* "host tag[pid]: " at s; strict says only "kernel:" or a tag with "[pid]"
 * are accepted (after an ISO time, where dmesg --time-format iso puts the
 * message straight after the time). Returns bytes used or 0. */
static size_t parse_host_tag(const char *s, const char *end, bool strict, struct kr_prefix *out)
{
	const char *p = s, *h, *t, *te, *colon;
	bool has_pid = false;

	h = p;
	while (p < end && host_char(*p) && *p != ':')
		p++;
	/* syslog without a host name: "Dec 14 17:13:12 kernel: " */
	if (p - h == 6 && !memcmp(h, "kernel", 6) && p + 1 < end && p[0] == ':' && p[1] == ' ') {
		kr_copy(out->tag, sizeof(out->tag), h, 6);
		return (size_t)(p + 2 - s);
	}
	if (p == h || p >= end || *p != ' ')
		return 0;
	t = ++p;
	while (p < end && *p != ' ' && *p != ':' && *p != '[')
		p++;
	te = p;
	if (p < end && *p == '[') {
		const char *c = memchr(p, ']', (size_t)(end - p));

		if (!c)
			return 0;
		has_pid = true;
		p = c + 1;
	}
	colon = p;
	if (te == t || colon >= end || *colon != ':' || (colon + 1 < end && colon[1] != ' '))
		return 0;
	if (strict && !has_pid && !(te - t == 6 && !memcmp(t, "kernel", 6)))
		return 0;
	kr_copy(out->host, sizeof(out->host), h, (size_t)(t - 1 - h));
	kr_copy(out->tag, sizeof(out->tag), t, (size_t)(te - t));
	p = colon + 1;
	if (p < end && *p == ' ')
		p++;
	return (size_t)(p - s);
}

/* The kernel's own prefix: "[ts]" then optional caller id, each followed
 * by an optional space. */
static const char *kernel_prefix(const char *p, const char *end, struct kr_prefix *out)
{
	size_t n = parse_kernel_ts(p, end, &out->kernel_us);

	if (!n)
		return p;
	p += n;
	if (p < end && *p == ' ' && p + 1 < end && p[1] == '[')
		n = parse_caller(p + 1, end, &out->caller), p += n ? n + 1 : 0;
	else if (p < end && *p == '[')
		p += parse_caller(p, end, &out->caller);
	if (p < end && *p == ' ')
		p++;
	return p;
}

/* RFC 5424 (syslog forwarded), after "<PRI>1 ": "TIMESTAMP HOST APP PROCID
 * MSGID SD " with "-" for a field left out. Returns bytes used or 0. */
static size_t rfc5424(const char *s, const char *end, struct kr_prefix *out)
{
	const char *f[6], *p = s;

	for (int i = 0; i < 6; i++) { /* time, host, app, procid, msgid, structured data */
		f[i] = p;
		if (i == 5 && p < end && *p == '[')
			p = memchr(p, ']', (size_t)(end - p));
		else
			p = memchr(p, ' ', (size_t)(end - p));
		if (!p || (i == 5 && *p == ']' && ++p >= end))
			return 0;
		p++;
	}
	if (!parse_iso_time(f[0], end))
		return 0;
	kr_copy(out->time, sizeof(out->time), f[0], (size_t)(f[1] - 1 - f[0]));
	if (f[2] - 1 - f[1] != 1 || *f[1] != '-')
		kr_copy(out->host, sizeof(out->host), f[1], (size_t)(f[2] - 1 - f[1]));
	kr_copy(out->tag, sizeof(out->tag), f[2], (size_t)(f[3] - 1 - f[2]));
	return (size_t)(p - s);
}

void kr_strip_prefix(const char *line, size_t len, struct kr_prefix *out)
{
	const char *p = line, *end = line + len;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->kernel_us = KR_UNSET;
	out->caller = KR_UNSET;
	/* syslog PRI / dmesg -r level */
	if (p < end && *p == '<' && (n = span_digits(p + 1, end)) && n <= 3 && p + 1 + n < end && p[1 + n] == '>') {
		p += n + 2;
		if (end - p > 2 && p[0] == '1' && p[1] == ' ' && (n = rfc5424(p + 2, end, out))) {
			out->msg_off = (size_t)(p + 2 + n - line);
			return;
		}
	}
	/* dmesg -x: "kern  :warn  : " */
	if (end - p > 14 && isalpha((unsigned char)*p) && p[6] == ':' && p[13] == ':' && p[14] == ' ')
		p += 15;
	if ((n = parse_bsd_time(p, end)) || (n = parse_iso_time(p, end))) {
		bool iso = !is_month(p);

		kr_copy(out->time, sizeof(out->time), p, n);
		p += n;
		if (p < end && *p == ' ')
			p++;
		p += parse_host_tag(p, end, iso, out);
	} else if ((n = parse_ctime_bracket(p, end))) {
		kr_copy(out->time, sizeof(out->time), p + 1, n - 2);
		p += n;
		if (p < end && *p == ' ')
			p++;
	} else if (p < end && *p == '[') {
		const char *q = kernel_prefix(p, end, out);

		/* journalctl -o short-monotonic: "[  130.773033] host kernel: " */
		if (q != p)
			q += parse_host_tag(q, end, true, out);
		p = q;
	}
	/* imklog puts the kernel's own "[ts] " after "host kernel: " */
	if (p < end && *p == '[' && out->kernel_us == KR_UNSET)
		p = kernel_prefix(p, end, out);
	if (p == line && p < end && (*p == ' ' || *p == '\t')) {
		out->indented = true;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
	}
	out->msg_off = (size_t)(p - line);
}

/* --- journalctl -o json --- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* Parses a JSON string at p ('"'), unescaping into dst (may be NULL);
 * returns the byte after the closing quote or NULL. \uXXXX beyond one byte
 * is written as UTF-8. */
static const char *json_str(const char *p, const char *end, char *dst, size_t size, size_t *outlen)
{
	size_t o = 0;

	if (p >= end || *p != '"')
		return NULL;
	for (p++; p < end && *p != '"'; p++) {
		unsigned c = (unsigned char)*p;

		if (c == '\\') {
			if (++p >= end)
				return NULL;
			switch (*p) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				int v = 0;

				if (end - p < 5)
					return NULL;
				for (int i = 1; i <= 4; i++) {
					int h = kr_hexval(p[i]);

					if (h < 0)
						return NULL;
					v = v * 16 + h;
				}
				p += 4;
				if (v >= 0x80 && dst) { /* UTF-8, 2 or 3 bytes */
					if (v >= 0x800 && o + 1 < size)
						dst[o++] = (char)(0xe0 | (v >> 12)), v = 0x80 | (v & 0xfff);
					if (o + 1 < size)
						dst[o++] = (char)(v >= 0x800 ? 0x80 | ((v >> 6) & 0x3f) : 0xc0 | (v >> 6));
					v = 0x80 | (v & 0x3f);
				}
				c = (unsigned)v;
				break;
			}
			default: c = (unsigned char)*p; break;
			}
		}
		if (dst && o + 1 < size)
			dst[o++] = (char)c;
	}
	if (p >= end)
		return NULL;
	if (dst && size)
		dst[o] = '\0';
	if (outlen)
		*outlen = o;
	return p + 1;
}

/* MESSAGE as an array of byte values (non-UTF-8 messages). */
static const char *json_bytes(const char *p, const char *end, char *dst, size_t size, size_t *outlen)
{
	size_t o = 0;

	for (p++; p < end && *p != ']';) {
		int v = 0;
		size_t n;

		p = skip_ws(p, end);
		n = span_digits(p, end);
		if (!n || n > 3)
			return NULL;
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (p[i] - '0');
		if (o + 1 < size)
			dst[o++] = (char)v;
		p = skip_ws(p + n, end);
		if (p < end && *p == ',')
			p++;
	}
	if (p >= end)
		return NULL;
	dst[o] = '\0';
	*outlen = o;
	return p + 1;
}

/* Skips any JSON value (strings, numbers, literals, flat arrays). */
static const char *json_skip(const char *p, const char *end)
{
	if (p < end && *p == '"')
		return json_str(p, end, NULL, 0, NULL);
	if (p < end && *p == '[') {
		const char *c = memchr(p, ']', (size_t)(end - p));

		return c ? c + 1 : NULL;
	}
	while (p < end && *p != ',' && *p != '}')
		p++;
	return p;
}

/* __REALTIME_TIMESTAMP (µs since the epoch) as "2026-11-21T21:50:00Z". */
static void realtime_text(char *out, size_t size, const char *val, size_t n)
{
	time_t t = 0;
	struct tm tm;

	if (!n || n > 17 || span_digits(val, val + n) != n) {
		kr_copy(out, size, val, n);
		return;
	}
	for (size_t i = 0; i + 6 < n; i++)
		t = t * 10 + (val[i] - '0');
	if (!gmtime_r(&t, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		kr_copy(out, size, val, n);
}

long kr_journal_json(const char *line, size_t len, char *msg, size_t size, struct kr_prefix *out)
{
	const char *p = line, *end = line + len;
	long msglen = -1;
	char key[40], val[64];

	memset(out, 0, sizeof(*out));
	out->kernel_us = KR_UNSET;
	out->caller = KR_UNSET;
	p = skip_ws(p, end);
	if (p >= end || *p != '{' || !size)
		return -1;
	for (p++;;) {
		size_t klen = 0, vlen = 0;

		p = skip_ws(p, end);
		if (p < end && *p == '}')
			break;
		p = json_str(p, end, key, sizeof(key), &klen);
		if (!p)
			return -1;
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			return -1;
		p = skip_ws(p + 1, end);
		if (!strcmp(key, "MESSAGE")) {
			p = p < end && *p == '[' ? json_bytes(p, end, msg, size, &vlen)
						     : json_str(p, end, msg, size, &vlen);
			if (p)
				msglen = (long)vlen;
		} else if (p < end && *p == '"' &&
			   (!strcmp(key, "_HOSTNAME") || !strcmp(key, "SYSLOG_IDENTIFIER") ||
			    !strcmp(key, "_SOURCE_MONOTONIC_TIMESTAMP") || !strcmp(key, "__REALTIME_TIMESTAMP"))) {
			p = json_str(p, end, val, sizeof(val), &vlen);
			if (!p)
				return -1;
			if (!strcmp(key, "_HOSTNAME"))
				kr_copy(out->host, sizeof(out->host), val, vlen);
			else if (!strcmp(key, "SYSLOG_IDENTIFIER"))
				kr_copy(out->tag, sizeof(out->tag), val, vlen);
			else if (!strcmp(key, "__REALTIME_TIMESTAMP"))
				realtime_text(out->time, sizeof(out->time), val, vlen);
			else if (span_digits(val, val + vlen) == vlen && vlen && vlen < 18) {
				out->kernel_us = 0;
				for (size_t i = 0; i < vlen; i++)
					out->kernel_us = out->kernel_us * 10 + (val[i] - '0');
			}
		} else {
			p = json_skip(p, end);
		}
		if (!p)
			return -1;
		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p++;
		else if (p < end && *p == '}')
			break;
		else
			return -1;
	}
	return msglen;
}

long kr_kmsg_record(const char *rec, size_t len, char *msg, size_t size, struct kr_prefix *out)
{
	const char *p = rec, *end = rec + len, *semi = memchr(rec, ';', len);
	int field = 0;
	size_t o = 0;

	memset(out, 0, sizeof(*out));
	out->kernel_us = KR_UNSET;
	out->caller = KR_UNSET;
	if (!semi || !size)
		return -1;
	while (p < semi) {
		const char *comma = memchr(p, ',', (size_t)(semi - p));
		const char *fe = comma ? comma : semi;

		if (field == 2) {
			size_t n = span_digits(p, fe);

			if (n != (size_t)(fe - p) || !n || n > 18)
				return -1;
			out->kernel_us = 0;
			for (size_t i = 0; i < n; i++)
				out->kernel_us = out->kernel_us * 10 + (p[i] - '0');
		} else if (field == 0 && !span_digits(p, fe)) {
			return -1;
		} else if (fe - p > 8 && !memcmp(p, "caller=", 7) && (p[7] == 'T' || p[7] == 'C')) {
			size_t n = span_digits(p + 8, fe);
			int64_t v = 0;

			for (size_t i = 0; i < n && i < 9; i++)
				v = v * 10 + (p[8 + i] - '0');
			out->caller = p[7] == 'T' ? v : -1 - v;
		}
		field++;
		p = fe + 1;
	}
	if (field < 4)
		return -1;
	for (p = semi + 1; p < end && *p != '\n'; p++) {
		char c = *p;

		if (c == '\\' && end - p >= 4 && p[1] == 'x' && kr_hexval(p[2]) >= 0 && kr_hexval(p[3]) >= 0) {
			c = (char)(kr_hexval(p[2]) * 16 + kr_hexval(p[3]));
			p += 3;
		}
		if (o + 1 < size)
			msg[o++] = c;
	}
	msg[o] = '\0';
	return (long)o;
}

/* --- the message itself --- */

size_t kr_normalise(char *dst, size_t size, const char *msg, size_t len)
{
	/* the bytes that may need more than a copy: one test per byte */
	static const bool special[256] = { [0] = true, ['\r'] = true, ['\\'] = true, [0xc2] = true };
	size_t o = 0;

	if (len >= size)
		len = size - 1;
	for (size_t i = 0; i < len; i++) {
		if (!special[(unsigned char)msg[i]]) {
			dst[o++] = msg[i];
		} else if ((unsigned char)msg[i] == 0xc2 && i + 1 < len && (unsigned char)msg[i + 1] == 0xa0) {
			dst[o++] = ' ';
			i++;
		} else if (msg[i] == '\0' || msg[i] == '\r') {
			dst[o++] = ' ';
		} else if (msg[i] == '\\' && i + 3 < len && msg[i + 1] == 'x' && isxdigit((unsigned char)msg[i + 2]) &&
			   isxdigit((unsigned char)msg[i + 3])) {
			/* the kernel's own escape (/dev/kmsg, dmesg) of a byte in a
			 * name: one byte again, escaped once on output */
			dst[o++] = (char)(kr_hexval(msg[i + 2]) * 16 + kr_hexval(msg[i + 3]));
			i += 3;
		} else {
			dst[o++] = msg[i];
		}
	}
	while (o > 0 && (dst[o - 1] == ' ' || dst[o - 1] == '\t') && !(o >= 2 && dst[o - 2] != ' ' &&
									     !strncmp(dst, "Node ", 5) && o < 10))
		o--;
	dst[o] = '\0';
	return o;
}
