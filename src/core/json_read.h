/* json_read.h - reading JSON that comes from another program (varlink
 * messages of systemd), without allocation: a value is a view into the
 * caller's text, checked whole before anything is read from it (depth
 * bounded), then walked member by member. Strings are copied out with their
 * escapes undone; numbers are read as unsigned integers only (what the
 * messages carry). The writer is json.h. */
#ifndef OOMKIT_JSON_READ_H
#define OOMKIT_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_READ_MAX_DEPTH 32

enum json_type { JSON_T_NONE, JSON_T_OBJECT, JSON_T_ARRAY, JSON_T_STRING, JSON_T_NUMBER, JSON_T_BOOL,
		 JSON_T_NULL };

struct json_value {
	enum json_type type;
	const char *text;  /* the value's first byte */
	size_t len;        /* up to its last byte */
};

/* The one value that s (n bytes) holds, blanks around it allowed; -EINVAL
 * when it is not exactly one well-formed value. */
int json_read(const char *s, size_t n, struct json_value *v);

/* Iterates an object's members or an array's elements: *pos starts at 0;
 * 1 with the next one, 0 at the end. Only for values json_read() checked. */
int json_object_next(const struct json_value *obj, size_t *pos, struct json_value *key,
		     struct json_value *val);
int json_array_next(const struct json_value *arr, size_t *pos, struct json_value *elem);

/* The member named key of obj (type JSON_T_NONE when absent). */
struct json_value json_member(const struct json_value *obj, const char *key);

/* A string's contents, escapes undone (\u0000 refused), into out; -EINVAL
 * when v is not a string, -ENAMETOOLONG when it does not fit. */
int json_read_string(const struct json_value *v, char *out, size_t size);
/* Is v the string s (escapes undone)? */
bool json_string_is(const struct json_value *v, const char *s);
/* A non-negative integer; -EINVAL for anything else (fractions,
 * exponents, signs), -ERANGE above UINT64_MAX. */
int json_read_u64(const struct json_value *v, uint64_t *out);
bool json_read_bool(const struct json_value *v, bool dflt);

#endif
