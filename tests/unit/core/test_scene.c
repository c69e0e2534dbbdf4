/* test_scene.c - constrained_alloc(): the constraint and totalpages of a
 * global, cpuset and memory-cgroup OOM, in the page size given. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/scene.h"

static const struct oom_scene machine = { .page_size = 4096, .mem_total_kb = 8u << 20, .swap_total_kb = 2u << 20 };

static void test_global_and_cpuset(void **state)
{
	struct oom_scene s = machine;
	struct oom_control oc;

	(void)state;
	assert_int_equal(constrained_alloc(&oc, &s), 0);
	assert_int_equal(oc.constraint, CONSTRAINT_NONE);
	assert_int_equal(oc.totalpages, (10ul << 20) / 4);
	/* a cpuset of one 4 GiB node: its memory plus all of swap */
	s.cpuset_mem_kb = 4u << 20;
	assert_int_equal(constrained_alloc(&oc, &s), 0);
	assert_int_equal(oc.constraint, CONSTRAINT_CPUSET);
	assert_int_equal(oc.totalpages, (6ul << 20) / 4);
}

static void test_memcg(void **state)
{
	struct memcg_bound b = { .path = "/app", .dir = "/sys/fs/cgroup/memory/app", .version = CGROUP_V1,
				 .limit_bytes = 512u << 20, .swap_limit_bytes = 1u << 30, .has_memsw = true,
				 .swappiness = 60 };
	struct oom_scene s = machine;
	struct oom_control oc;

	(void)state;
	s.memcg = &b;
	s.cpuset_mem_kb = 4u << 20; /* a memcg OOM knows no nodes */
	assert_int_equal(constrained_alloc(&oc, &s), 0);
	assert_int_equal(oc.constraint, CONSTRAINT_MEMCG);
	assert_string_equal(oc.memcg, "/app");
	assert_string_equal(oc.memcg_dir, "/sys/fs/cgroup/memory/app");
	assert_int_equal(oc.totalpages, 2 * 131072);
	b.swappiness = 0;
	constrained_alloc(&oc, &s);
	assert_int_equal(oc.totalpages, 131072);
	/* v2: memory.swap.max itself, capped by the swap there is */
	b = (struct memcg_bound){ .path = "/a", .dir = "/a", .version = CGROUP_V2, .limit_bytes = 512u << 20,
				  .swap_limit_bytes = CGROUP_UNLIMITED, .swappiness = 60 };
	constrained_alloc(&oc, &s);
	assert_int_equal(oc.totalpages, 131072 + (2ul << 20) / 4);
	/* unlimited: PAGE_COUNTER_MAX pages, in the page size given */
	b.limit_bytes = CGROUP_UNLIMITED;
	b.swappiness = 0;
	s.page_size = 65536;
	constrained_alloc(&oc, &s);
	assert_int_equal(oc.totalpages, LONG_MAX / 65536);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_global_and_cpuset),
		cmocka_unit_test(test_memcg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
