/* test_badness.c - oom_badness() by era against values worked out by hand
 * from mm/oom_kill.c of each era. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/badness.h"

static const unsigned long TOTAL = 1000000; /* pages */

static void modern_points_are_pages_plus_scaled_adj(void **state)
{
	(void)state;
	struct oom_badness_task t = { .rss_pages = 5000, .swap_pages = 1000, .pgtables_pages = 10,
				      .oom_score_adj = 100 };
	assert_int_equal(oom_badness(&t, TOTAL, OOM_ERA_5_9), 6010 + 100 * 1000);
	t.oom_score_adj = -1000;
	assert_true(oom_badness(&t, TOTAL, OOM_ERA_5_9) == OOM_BADNESS_UNKILLABLE);
	t.oom_score_adj = -999;
	assert_int_equal(oom_badness(&t, TOTAL, OOM_ERA_5_9), 6010 - 999000);
	t.oom_score_adj = 0;
	t.unkillable = true;
	assert_true(oom_badness(&t, TOTAL, OOM_ERA_5_9) == OOM_BADNESS_UNKILLABLE);
}

static void proc_oom_score_scale_5_9(void **state)
{
	(void)state;
	/* (1000 + points*1000/total) * 2 / 3, integer arithmetic */
	assert_int_equal(oom_score_proc(0, TOTAL, OOM_ERA_5_9), 666);
	assert_int_equal(oom_score_proc(6010, TOTAL, OOM_ERA_5_9), 670);
	assert_int_equal(oom_score_proc(-993990, TOTAL, OOM_ERA_5_9), 4);
	assert_int_equal(oom_score_proc(OOM_BADNESS_UNKILLABLE, TOTAL, OOM_ERA_5_9), 0);
	assert_int_equal(oom_score_proc(2 * (long)TOTAL, TOTAL, OOM_ERA_5_9), 2000);
}

static void root_bonus_by_era(void **state)
{
	(void)state;
	struct oom_badness_task t = { .rss_pages = 100000, .cap_sys_admin = true };
	assert_int_equal(oom_badness(&t, TOTAL, OOM_ERA_3_14), 97000);
	assert_int_equal(oom_badness(&t, TOTAL, OOM_ERA_3_7), 100000 - 30000);
	assert_int_equal(oom_badness(&t, TOTAL, OOM_ERA_4_17), 100000);
	assert_int_equal(oom_badness(&t, TOTAL, OOM_ERA_2_6_36), 100 - 30);
	t.rss_pages = 10; /* floors at 1 for an eligible task before 5.9 */
	assert_int_equal(oom_badness(&t, TOTAL, OOM_ERA_2_6_36), 1);
	assert_int_equal(oom_badness(&t, TOTAL, OOM_ERA_3_7), 1);
}

static void printed_score_pre_5_1(void **state)
{
	(void)state;
	/* "score 1940": adj 1000 on a task using 94% of memory, 4.x scale */
	struct oom_badness_task t = { .rss_pages = 940000, .oom_score_adj = 1000 };
	long p = oom_badness(&t, TOTAL, OOM_ERA_4_17);
	assert_int_equal(oom_score_printed(p, TOTAL, OOM_ERA_4_17), 1940);
	assert_int_equal(oom_score_printed(p, TOTAL, OOM_ERA_5_9), -1);
}

static void legacy_2_6_32_heuristic(void **state)
{
	(void)state;
	struct oom_badness_task t = { .total_vm_pages = 160000, .children_vm_pages = 0 };
	assert_int_equal(oom_badness(&t, TOTAL, OOM_ERA_2_6_32), 160000);
	t.oom_score_adj = 2; /* oom_adj shifts left */
	assert_int_equal(oom_badness(&t, TOTAL, OOM_ERA_2_6_32), 640000);
	t.oom_score_adj = -17; /* OOM_DISABLE */
	assert_true(oom_badness(&t, TOTAL, OOM_ERA_2_6_32) == OOM_BADNESS_UNKILLABLE);
	t.oom_score_adj = 0;
	t.cpu_time_s = 80; /* 9 units of ~8 s: / int_sqrt(9) = 3 */
	t.cap_sys_admin = true;
	assert_int_equal(oom_badness(&t, TOTAL, OOM_ERA_2_6_32), 160000 / 3 / 4);
}

static void tie_rule_by_era(void **state)
{
	(void)state;
	assert_true(oom_better_candidate(5, 5, true, OOM_ERA_5_9));
	assert_false(oom_better_candidate(5, 5, true, OOM_ERA_3_14));
	assert_true(oom_better_candidate(-5, 0, false, OOM_ERA_5_9));
	assert_false(oom_better_candidate(OOM_BADNESS_UNKILLABLE, 0, false, OOM_ERA_5_9));
}

static void totalpages(void **state)
{
	(void)state;
	assert_int_equal(oom_totalpages_global(4000000, 1000000, 4096), 1250000);
	/* v1: memsw limit 300 MiB, memory limit 200 MiB, 1 GiB swap: +100 MiB */
	assert_int_equal(oom_totalpages_memcg(200ull << 20, 300ull << 20, true, 60, 1 << 20, 4096),
			 (300u << 20) / 4096);
	/* no swap on the machine: the limit alone */
	assert_int_equal(oom_totalpages_memcg(200ull << 20, UINT64_MAX, false, 60, 0, 4096),
			 (200u << 20) / 4096);
	assert_int_equal(oom_totalpages_memcg(0, 0, false, 0, 0, 4096), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modern_points_are_pages_plus_scaled_adj),
		cmocka_unit_test(proc_oom_score_scale_5_9),
		cmocka_unit_test(root_bonus_by_era),
		cmocka_unit_test(printed_score_pre_5_1),
		cmocka_unit_test(legacy_2_6_32_heuristic),
		cmocka_unit_test(tie_rule_by_era),
		cmocka_unit_test(totalpages),
	};
	return cmocka_run_group_tests_name("badness", tests, NULL, NULL);
}
