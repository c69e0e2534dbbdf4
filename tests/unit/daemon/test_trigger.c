/* test_trigger.c - the daemon's trigger decisions: earlyoom's floors with
 * and without swap (and swap appearing later), trigger texts as the report
 * prints them, memcg headroom, the adaptive interval and the sustained
 * PSI rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/trigger.h"

static void test_floor_kb(void **state)
{
	struct floor f = { .percent = 10 };

	(void)state;
	assert_int_equal(floor_kb(&f, 1000000), 100000);
	f.size_kb = 50000; /* both set: the lower wins */
	assert_int_equal(floor_kb(&f, 1000000), 50000);
	f.percent = 0;
	assert_int_equal(floor_kb(&f, 1000000), 50000);
	f.size_kb = 0;
	assert_int_equal(floor_kb(&f, 1000000), 0);
}

static void test_memory_stage_no_swap(void **state)
{
	struct oomkit_config c;
	struct mem_sample s = { .mem_total_kb = 1000000, .mem_available_kb = 48000 };
	char text[160];

	(void)state;
	config_defaults(&c);
	assert_int_equal(memory_stage(&c, &s, text, sizeof(text)), STAGE_KILL);
	assert_string_equal(text, "memavailable 4.8% < 5%");
	s.mem_available_kb = 90000;
	assert_int_equal(memory_stage(&c, &s, text, sizeof(text)), STAGE_TERM);
	assert_string_equal(text, "memavailable 9.0% < 10%");
	s.mem_available_kb = 200000;
	assert_int_equal(memory_stage(&c, &s, text, sizeof(text)), STAGE_NONE);
	assert_string_equal(text, "");
	c.memory_enabled = false;
	s.mem_available_kb = 1000;
	assert_int_equal(memory_stage(&c, &s, text, sizeof(text)), STAGE_NONE);
}

static void test_memory_stage_swap_added_later(void **state)
{
	struct oomkit_config c;
	struct mem_sample s = { .mem_total_kb = 1000000, .mem_available_kb = 40000 };
	char text[160];

	(void)state;
	config_defaults(&c);
	assert_int_equal(memory_stage(&c, &s, text, sizeof(text)), STAGE_KILL);
	/* swapon/zram: plenty of swap free, the kernel can still swap: wait */
	s.swap_total_kb = 500000;
	s.swap_free_kb = 400000;
	assert_int_equal(memory_stage(&c, &s, text, sizeof(text)), STAGE_NONE);
	s.swap_free_kb = 20000;
	assert_int_equal(memory_stage(&c, &s, text, sizeof(text)), STAGE_KILL);
	assert_string_equal(text, "memavailable 4.0% < 5%, swapfree 4.0% < 5%");
}

static void test_memory_stage_size_floor(void **state)
{
	struct oomkit_config c;
	struct mem_sample s = { .mem_total_kb = 64 * 1048576UL, .mem_available_kb = 800 * 1024 };
	char text[160];

	(void)state;
	config_defaults(&c);
	c.mem_kill.size_kb = 1048576; /* 1 GiB < 5% of 64 GiB: the size binds */
	c.mem_term.size_kb = 2 * 1048576;
	assert_int_equal(memory_stage(&c, &s, text, sizeof(text)), STAGE_KILL);
	assert_string_equal(text, "memavailable 800.0MiB < 1.0GiB");
}

static void test_memcg_stage(void **state)
{
	struct cgroup_watch_spec w = { .term = { .percent = 10 }, .kill = { .percent = 5 } };
	char text[256];
	uint64_t lim = 512ULL << 20;

	(void)state;
	assert_int_equal(memcg_stage(&w, "/sys/fs/cgroup/memory/x", lim / 2, lim, text, sizeof(text)),
			 STAGE_NONE);
	assert_int_equal(memcg_stage(&w, "/sys/fs/cgroup/memory/x", lim * 93 / 100, lim, text,
				     sizeof(text)), STAGE_TERM);
	assert_int_equal(memcg_stage(&w, "/sys/fs/cgroup/memory/x", lim * 997 / 1000, lim, text,
				     sizeof(text)), STAGE_KILL);
	assert_string_equal(text, "memcg /sys/fs/cgroup/memory/x 99.7% of 512.0MiB");
	assert_int_equal(memcg_stage(&w, "/x", lim + 4096, lim, text, sizeof(text)), STAGE_KILL);
	assert_int_equal(memcg_stage(&w, "/x", 1 << 20, UINT64_MAX, text, sizeof(text)), STAGE_NONE);
}

static void test_next_interval(void **state)
{
	(void)state;
	/* 1 GiB above the floor at an assumed 6000 MiB/s: 170 ms */
	assert_int_equal(next_interval_ms(1048576, 0, 6000 * 1024.0, 10, 1000), 170);
	/* an observed faster hog shortens it */
	assert_int_equal(next_interval_ms(1048576, 12000 * 1024.0, 6000 * 1024.0, 10, 1000), 85);
	assert_int_equal(next_interval_ms(100, 0, 6000 * 1024.0, 10, 1000), 10);
	assert_int_equal(next_interval_ms(100UL << 20, 0, 6000 * 1024.0, 10, 1000), 1000);
}

static void test_psi_sustained(void **state)
{
	struct psi_sustained_spec r = { .enabled = true, .kind = PSI_FULL, .avg10_percent = 50,
					.duration_ms = 20000 };
	struct psi_sustained_state st = { 0 };
	const uint64_t s = 1000000000ULL;

	(void)state;
	assert_false(psi_sustained_check(&r, &st, 60, 100 * s));
	assert_false(psi_sustained_check(&r, &st, 70, 110 * s));
	assert_true(psi_sustained_check(&r, &st, 55, 120 * s));
	assert_false(psi_sustained_check(&r, &st, 40, 121 * s)); /* dips: starts over */
	assert_false(psi_sustained_check(&r, &st, 60, 122 * s));
	assert_false(psi_sustained_check(&r, &st, 60, 141 * s));
	assert_true(psi_sustained_check(&r, &st, 60, 142 * s));
}

static void test_texts(void **state)
{
	struct psi_trigger_spec t = { .enabled = true, .kind = PSI_FULL, .stall_us = 800000,
				      .window_us = 2000000 };
	struct mem_sample s;
	char text[128];

	(void)state;
	psi_trigger_text(&t, "", text, sizeof(text));
	assert_string_equal(text, "psi full 40% 2s");
	psi_trigger_text(&t, "/sys/fs/cgroup/x", text, sizeof(text));
	assert_string_equal(text, "psi /sys/fs/cgroup/x full 40% 2s");
	assert_int_equal(mem_sample_parse("MemTotal:       24684000 kB\nMemFree: 1 kB\n"
					  "MemAvailable:   1234 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", &s), 0);
	assert_int_equal(s.mem_total_kb, 24684000);
	assert_int_equal(s.mem_available_kb, 1234);
	assert_int_not_equal(mem_sample_parse("garbage\n", &s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floor_kb),
		cmocka_unit_test(test_memory_stage_no_swap),
		cmocka_unit_test(test_memory_stage_swap_added_later),
		cmocka_unit_test(test_memory_stage_size_floor),
		cmocka_unit_test(test_memcg_stage),
		cmocka_unit_test(test_next_interval),
		cmocka_unit_test(test_psi_sustained),
		cmocka_unit_test(test_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
