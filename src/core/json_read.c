/* json_read.c - see json_read.h. One recursive skipper checks a value and
 * finds its end; the iterators re-use it on values it already checked. */
#include <errno.h>
#include <string.h>

#include "json_read.h"

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int hex(char c)
{
	static const char digits[] = "0123456789abcdef";
	char lower = c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c;
	const char *d = lower ? strchr(digits, lower) : NULL;

	return d ? (int)(d - digits) : -1;
}

/* p at the opening quote; the byte after the closing one, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c != '\\')
			continue;
		if (++p == end)
			return NULL;
		if (*p == 'u') {
			if (end - p < 5 || hex(p[1]) < 0 || hex(p[2]) < 0 || hex(p[3]) < 0 || hex(p[4]) < 0)
				return NULL;
			p += 4;
		} else if (!strchr("\"\\/bfnrt", *p)) {
			return NULL;
		}
	}
	return NULL;
}

static const char *skip_digits(const char *p, const char *end, bool need_one)
{
	const char *start = p;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return need_one && p == start ? NULL : p;
}

static const char *skip_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (!(p = skip_digits(p, end, true)))
		return NULL;
	if (p < end && *p == '.' && !(p = skip_digits(p + 1, end, true)))
		return NULL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		p = skip_digits(p, end, true);
	}
	return p;
}

static const char *skip_word(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(end - p) >= n && !memcmp(p, w, n) ? p + n : NULL;
}

static const char *skip_value(const char *p, const char *end, int depth);

/* An object or array body, p after the opening bracket. */
static const char *skip_container(const char *p, const char *end, int depth, char close)
{
	p = skip_blanks(p, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (p >= end || *p != '"' || !(p = skip_string(p, end)))
				return NULL;
			p = skip_blanks(p, end);
			if (p >= end || *p != ':')
				return NULL;
			p = skip_blanks(p + 1, end);
		}
		if (!(p = skip_value(p, end, depth + 1)))
			return NULL;
		p = skip_blanks(p, end);
		if (p < end && *p == close)
			return p + 1;
		if (p >= end || *p != ',')
			return NULL;
		p = skip_blanks(p + 1, end);
	}
}

static const char *skip_value(const char *p, const char *end, int depth)
{
	if (p >= end || depth > JSON_READ_MAX_DEPTH)
		return NULL;
	switch (*p) {
	case '{':
		return skip_container(p + 1, end, depth, '}');
	case '[':
		return skip_container(p + 1, end, depth, ']');
	case '"':
		return skip_string(p, end);
	case 't':
		return skip_word(p, end, "true");
	case 'f':
		return skip_word(p, end, "false");
	case 'n':
		return skip_word(p, end, "null");
	default:
		return *p == '-' || (*p >= '0' && *p <= '9') ? skip_number(p, end) : NULL;
	}
}

static enum json_type type_of(char c)
{
	switch (c) {
	case '{':
		return JSON_T_OBJECT;
	case '[':
		return JSON_T_ARRAY;
	case '"':
		return JSON_T_STRING;
	case 't':
	case 'f':
		return JSON_T_BOOL;
	case 'n':
		return JSON_T_NULL;
	default:
		return JSON_T_NUMBER;
	}
}

/* The checked value at p (blanks before it skipped). */
static const char *take(const char *p, const char *end, struct json_value *v)
{
	const char *after;

	p = skip_blanks(p, end);
	after = skip_value(p, end, 0);
	if (!after)
		return NULL;
	*v = (struct json_value){ .type = type_of(*p), .text = p, .len = (size_t)(after - p) };
	return after;
}

int json_read(const char *s, size_t n, struct json_value *v)
{
	const char *end = s + n, *after = take(s, end, v);

	if (!after || skip_blanks(after, end) != end) {
		*v = (struct json_value){ .type = JSON_T_NONE };
		return -EINVAL;
	}
	return 0;
}

/* The next item of a container: *pos is the offset after the opening
 * bracket or the last item. */
static int next_item(const struct json_value *c, size_t *pos, struct json_value *key, struct json_value *val)
{
	const char *end = c->text + c->len - 1, *p = c->text + (*pos ? *pos : 1);

	p = skip_blanks(p, end);
	if (p < end && *p == ',')
		p = skip_blanks(p + 1, end);
	if (p >= end)
		return 0;
	if (key) {
		if (!(p = take(p, end, key)))
			return 0;
		p = skip_blanks(p, end) + 1; /* the ':' */
	}
	if (!(p = take(p, end, val)))
		return 0;
	*pos = (size_t)(p - c->text);
	return 1;
}

int json_object_next(const struct json_value *obj, size_t *pos, struct json_value *key, struct json_value *val)
{
	return obj->type == JSON_T_OBJECT ? next_item(obj, pos, key, val) : 0;
}

int json_array_next(const struct json_value *arr, size_t *pos, struct json_value *elem)
{
	return arr->type == JSON_T_ARRAY ? next_item(arr, pos, NULL, elem) : 0;
}

struct json_value json_member(const struct json_value *obj, const char *key)
{
	struct json_value k, v;
	size_t pos = 0;

	while (json_object_next(obj, &pos, &k, &v))
		if (json_string_is(&k, key))
			return v;
	return (struct json_value){ .type = JSON_T_NONE };
}

/* One UTF-8 encoding of cp into out; its length. */
static size_t utf8(unsigned int cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

static unsigned int hex4(const char *p)
{
	return (unsigned int)(hex(p[0]) << 12 | hex(p[1]) << 8 | hex(p[2]) << 4 | hex(p[3]));
}

int json_read_string(const struct json_value *v, char *out, size_t size)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p, *end;
	size_t n = 0;

	if (v->type != JSON_T_STRING || !size)
		return -EINVAL;
	for (p = v->text + 1, end = v->text + v->len - 1; p < end; p++) {
		char one[4];
		size_t len = 1;

		one[0] = *p;
		if (*p == '\\' && p[1] == 'u') {
			unsigned int cp = hex4(p + 2);
			if (!cp) /* a NUL inside would cut the string short */
				return -EINVAL;
			len = utf8(cp, one); /* (surrogates pass as their own 3 bytes) */
			p += 5;
		} else if (*p == '\\') {
			one[0] = to[strchr(from, *++p) - from];
		}
		if (n + len >= size)
			return -ENAMETOOLONG;
		memcpy(out + n, one, len);
		n += len;
	}
	out[n] = '\0';
	return 0;
}

bool json_string_is(const struct json_value *v, const char *s)
{
	char buf[256];

	if (v->type != JSON_T_STRING || strlen(s) >= sizeof(buf))
		return false;
	return json_read_string(v, buf, sizeof(buf)) == 0 && !strcmp(buf, s);
}

int json_read_u64(const struct json_value *v, uint64_t *out)
{
	uint64_t n = 0;

	if (v->type != JSON_T_NUMBER)
		return -EINVAL;
	for (size_t i = 0; i < v->len; i++) {
		unsigned int d = (unsigned int)(v->text[i] - '0');
		if (d > 9)
			return -EINVAL;
		if (n > (UINT64_MAX - d) / 10)
			return -ERANGE;
		n = n * 10 + d;
	}
	*out = n;
	return 0;
}

bool json_read_bool(const struct json_value *v, bool dflt)
{
	return v->type == JSON_T_BOOL ? v->text[0] == 't' : dflt;
}
