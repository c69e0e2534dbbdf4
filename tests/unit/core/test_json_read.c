/* test_json_read.c - the allocation-free JSON reader the varlink client
 * uses: well-formed values accepted whole, malformed ones refused, members
 * and elements walked, escapes undone, integers read strictly. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/json_read.h"

static int rd(const char *s, struct json_value *v)
{
	return json_read(s, strlen(s), v);
}

static void test_accepts(void **state)
{
	static const char *const good[] = {
		"{}", "[]", " { \"a\" : [1, 2.5, -3e+2, true, false, null, \"x\"] } ", "\"\\u00e9\\n\"", "0",
		"{\"a\":{\"b\":{\"c\":[]}}}",
	};
	struct json_value v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(rd(good[i], &v), 0);
}

static void test_refuses(void **state)
{
	static const char *const bad[] = {
		"", "{", "{\"a\"}", "{\"a\":}", "[1,]", "[1 2]", "{\"a\":1,}", "\"unterminated", "\"bad \\q\"",
		"\"\\u12\"", "01x", "tru", "{} {}", "[\"a\x01\"]", "{a:1}", "-", "1.", "1e",
	};
	struct json_value v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rd(bad[i], &v), -EINVAL);
		assert_int_equal(v.type, JSON_T_NONE);
	}
}

static void test_depth_bounded(void **state)
{
	char deep[200];
	struct json_value v;

	(void)state;
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	assert_int_equal(json_read(deep, sizeof(deep), &v), -EINVAL);
	assert_int_equal(json_read(deep + 100 - JSON_READ_MAX_DEPTH, 2 * JSON_READ_MAX_DEPTH, &v), 0);
}

static void test_walk(void **state)
{
	struct json_value root, k, e, arr;
	size_t pos = 0;
	uint64_t n, sum = 0;
	char s[16];
	int keys = 0;

	(void)state;
	assert_int_equal(rd("{\"x\": \"a\\\"b\", \"list\": [1, 20, 300], \"t\": true}", &root), 0);
	while (json_object_next(&root, &pos, &k, &e))
		keys++;
	assert_int_equal(keys, 3);
	k = json_member(&root, "x");
	assert_int_equal(json_read_string(&k, s, sizeof(s)), 0);
	assert_string_equal(s, "a\"b");
	arr = json_member(&root, "list");
	for (pos = 0; json_array_next(&arr, &pos, &e);) {
		assert_int_equal(json_read_u64(&e, &n), 0);
		sum += n;
	}
	assert_int_equal(sum, 321);
	e = json_member(&root, "t");
	assert_true(json_read_bool(&e, false));
	assert_int_equal(json_member(&root, "none").type, JSON_T_NONE);
	assert_int_equal(json_array_next(&root, &pos, &e), 0); /* not an array */
}

static void test_strings_and_numbers(void **state)
{
	struct json_value v;
	char s[4];
	uint64_t n;

	(void)state;
	assert_int_equal(rd("\"abcd\"", &v), 0);
	assert_int_equal(json_read_string(&v, s, sizeof(s)), -ENAMETOOLONG);
	assert_int_equal(rd("\"a\\u0000b\"", &v), 0);
	assert_int_equal(json_read_string(&v, s, sizeof(s)), -EINVAL);
	assert_int_equal(rd("\"\\u00e9\"", &v), 0);
	assert_int_equal(json_read_string(&v, s, sizeof(s)), 0);
	assert_string_equal(s, "\xc3\xa9");
	assert_int_equal(rd("18446744073709551615", &v), 0);
	assert_int_equal(json_read_u64(&v, &n), 0);
	assert_true(n == UINT64_MAX);
	assert_int_equal(rd("18446744073709551616", &v), 0);
	assert_int_equal(json_read_u64(&v, &n), -ERANGE);
	assert_int_equal(rd("-1", &v), 0);
	assert_int_equal(json_read_u64(&v, &n), -EINVAL);
	assert_int_equal(rd("1.5", &v), 0);
	assert_int_equal(json_read_u64(&v, &n), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_depth_bounded),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_strings_and_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
