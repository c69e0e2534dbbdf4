/* test_mem.c - /proc/meminfo and PSI parsers on fixtures and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <cmocka.h>

#include "core/mem.h"
#include "core/util.h"

static void meminfo_fixture(void **state)
{
	(void)state;
	struct meminfo mi;

	assert_int_equal(meminfo_read("tests/fixtures/proc", &mi), 0);
	assert_int_equal(mi.mem_total_kb, 24000000);
	assert_int_equal(mi.mem_available_kb, 21000000);
	assert_int_equal(mi.swap_total_kb, 2000000);
	assert_int_equal(mi.swap_free_kb, 1500000);
	assert_int_equal(mi.active_anon_kb, 600000);
	assert_int_equal(mi.inactive_file_kb, 490000);
	assert_int_equal(mi.slab_unreclaimable_kb, 50000);
	assert_int_equal(mi.page_tables_kb, 12000);
	assert_int_equal(mi.hugepage_size_kb, 2048);
}

static void meminfo_bad(void **state)
{
	(void)state;
	struct meminfo mi;

	assert_int_equal(meminfo_parse("", &mi), -EINVAL);
	assert_int_equal(meminfo_parse("hello world\n", &mi), -EINVAL);
	assert_int_equal(meminfo_read("tests/fixtures/nowhere", &mi), -ENOENT);
	assert_int_equal(meminfo_read("/proc", &mi), 0);
	assert_true(mi.mem_total_kb > 0);
}

static void psi_fixture_and_bad(void **state)
{
	(void)state;
	struct psi p;
	char text[512];
	ssize_t n = read_file_at(AT_FDCWD, "tests/fixtures/proc/pressure/memory", text, sizeof(text));

	assert_true(n > 0);
	assert_int_equal(psi_parse(text, &p), 0);
	assert_true(p.some.avg10 == 1.5);
	assert_true(p.some.avg300 == 0.05);
	assert_int_equal(p.some.total_us, 123456);
	assert_true(p.has_full);
	assert_true(p.full.avg10 == 0.75);
	assert_int_equal(p.full.total_us, 65432);
	assert_int_equal(psi_parse("some avg10=1.00 avg60=2.00 avg300=3.00 total=4\n", &p), 0);
	assert_false(p.has_full);
	assert_int_equal(psi_parse("full avg10=1.00 avg60=2.00 avg300=3.00 total=4\n", &p), -EINVAL);
	assert_int_equal(psi_parse("some avg10=x\n", &p), -EINVAL);
	assert_int_equal(psi_parse("some avg10=1 avg60=1 avg300=1 total=1\nfull avg10=", &p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(meminfo_fixture),
		cmocka_unit_test(meminfo_bad),
		cmocka_unit_test(psi_fixture_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
