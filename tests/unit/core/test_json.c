/* test_json.c - the JSON writer's escaping and comma placement, and the
 * one-line escaping of hostile process names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"

static char *render(void (*fill)(struct json *))
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct json j;

	json_init(&j, f);
	fill(&j);
	fclose(f);
	return buf;
}

static void fill_nested(struct json *j)
{
	json_begin_object(j);
	json_kv_int(j, "pid", 42);
	json_key(j, "rows");
	json_begin_array(j);
	json_int(j, 1);
	json_begin_object(j);
	json_kv_bool(j, "x", true);
	json_kv_null(j, "y");
	json_end_object(j);
	json_end_array(j);
	json_kv_string(j, "comm", "a\"b\\c\n$(touch /tmp/x)\x01\xff");
	json_kv_string(j, "utf8", "caf\xc3\xa9");
	json_end_object(j);
}

static void nested_output_is_exact(void **state)
{
	(void)state;
	assert_string_equal(render(fill_nested),
			    "{\"pid\":42,\"rows\":[1,{\"x\":true,\"y\":null}],"
			    "\"comm\":\"a\\\"b\\\\c\\n$(touch /tmp/x)\\u0001\\u00ff\","
			    "\"utf8\":\"caf\xc3\xa9\"}\n");
}

static void text_escape_keeps_one_line(void **state)
{
	(void)state;
	char out[64];
	assert_string_equal(text_escape("a b)\n(c\\", out, sizeof(out)), "a b)\\x0a(c\\\\");
	assert_string_equal(text_escape("abcdef", out, 4), "abc");
	assert_string_equal(text_escape("\x7f", out, 3), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nested_output_is_exact),
		cmocka_unit_test(text_escape_keeps_one_line),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
