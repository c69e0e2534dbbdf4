/* test_units.c - format_kb: the unit steps at 1 MiB and 1 GiB, one
 * decimal, and a short buffer truncates rather than overflows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/units.h"

static void steps(void **state)
{
	char text[32];

	(void)state;
	format_kb(0, text, sizeof(text));
	assert_string_equal(text, "0KiB");
	format_kb(1023, text, sizeof(text));
	assert_string_equal(text, "1023KiB");
	format_kb(1024, text, sizeof(text));
	assert_string_equal(text, "1.0MiB");
	format_kb(812 * 1024 + 512, text, sizeof(text));
	assert_string_equal(text, "812.5MiB");
	format_kb(1536 * 1024, text, sizeof(text));
	assert_string_equal(text, "1.5GiB");
	format_kb(24684000, text, sizeof(text));
	assert_string_equal(text, "23.5GiB");
}

static void short_buffer(void **state)
{
	char text[4];

	(void)state;
	format_kb(512 * 1024, text, sizeof(text));
	assert_string_equal(text, "512");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(steps),
		cmocka_unit_test(short_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
