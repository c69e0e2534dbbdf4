/* json.h - a small streaming JSON writer for every --json output, and the
 * escaping of hostile text (process names, paths) for human output.
 * Writes straight to a FILE; no allocation. Commas are tracked per nesting
 * level, so callers only say what comes next. */
#ifndef OOMKIT_JSON_H
#define OOMKIT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *f);
/* Every JSON document oomkit prints (rank, kill, explain, status, the
 * daemon's event file) is an object whose first key is "schema": the
 * version of its documented layout (doc/json-*.md). */
void json_begin_document(struct json *j, int schema);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);
/* Strings are bytes: invalid UTF-8 and control bytes become \u00XX escapes
 * of each byte, so any comm round-trips unambiguously. NULL writes null. */
void json_string(struct json *j, const char *s);
void json_string_len(struct json *j, const char *s, size_t len);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
/* Ratios and percentages only, 6 significant digits, null when not finite.
 * Never a time: times are integers in the unit their key names (unix
 * seconds, _ms, _us, _ns), since 6 digits put a unix time an hour off. */
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* key + value shorthands */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_double(struct json *j, const char *key, double v);
void json_kv_bool(struct json *j, const char *key, bool v);
void json_kv_null(struct json *j, const char *key);

/* Copies s into out (size bytes) for one-line human output: printable
 * ASCII as is, and on a UTF-8 locale (LC_CTYPE) printable UTF-8 characters
 * as is ("café"); backslash as "\\", every other byte (controls, invalid
 * UTF-8, C1 controls, bidirectional overrides) as \xNN. Always
 * NUL-terminates; returns out. */
char *text_escape(const char *s, char *out, size_t size);

#endif
