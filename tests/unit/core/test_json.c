/* test_json.c - the JSON writer's escaping and comma placement, and the
 * one-line escaping of hostile process names. */
#include <locale.h>
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

/* On a UTF-8 locale valid names print as text; controls, invalid bytes
 * and the characters that move the cursor or reorder text stay escaped. */
static void text_escape_utf8_locale(void **state)
{
	char out[64];

	(void)state;
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		skip();
		return;
	}
	assert_string_equal(text_escape("caf\xc3\xa9", out, sizeof(out)), "caf\xc3\xa9");
	assert_string_equal(text_escape("\xe6\x97\xa5\xe6\x9c\xac", out, sizeof(out)), "\xe6\x97\xa5\xe6\x9c\xac");
	assert_string_equal(text_escape("a\nb\xff", out, sizeof(out)), "a\\x0ab\\xff");
	assert_string_equal(text_escape("\xc3(", out, sizeof(out)), "\\xc3(");
	assert_string_equal(text_escape("\xc2\x85", out, sizeof(out)), "\\xc2\\x85");       /* C1 NEL */
	assert_string_equal(text_escape("x\xe2\x80\xaey", out, sizeof(out)), "x\\xe2\\x80\\xaey"); /* RLO */
	assert_string_equal(text_escape("caf\xc3\xa9", out, 5), "caf");  /* never half a character */
	setlocale(LC_CTYPE, "C");
	assert_string_equal(text_escape("caf\xc3\xa9", out, sizeof(out)), "caf\\xc3\\xa9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nested_output_is_exact),
		cmocka_unit_test(text_escape_keeps_one_line),
		cmocka_unit_test(text_escape_utf8_locale),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
