/* test_daemon_watch.c - a cgroup v2 watch on a fixture tree (this host's
 * cgroup2 has no memory controller): resolution and version, the kernel
 * path as /proc/PID/cgroup prints it, headroom against memory.max, the
 * kernel's oom_kill counter from memory.events, and "max" as no limit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "daemon/daemon_watch.h"
#include "fixture_tree.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	fixture_put(root, rel, text);
}

static int setup(void **state)
{
	(void)state;
	fixture_tree_new(root, "watch");
	put("cgroup.controllers", "cpu memory pids\n"); /* the v2 root: no cgroup.type */
	fixture_mkdir(root, "batch");
	fixture_mkdir(root, "batch/job");
	put("batch/cgroup.type", "domain\n");
	put("batch/job/cgroup.type", "domain\n");
	put("batch/job/memory.current", "510000000\n");
	put("batch/job/memory.max", "536870912\n");
	put("batch/job/memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 0\noom_group_kill 0\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fixture_tree_remove(root);
}

static void test_v2_fixture(void **state)
{
	struct cgroup_watch_spec spec = { .term = { .percent = 10 }, .kill = { .percent = 5 } };
	struct memcg_watch w;
	char why[256] = "", text[256];

	(void)state;
	snprintf(spec.path, sizeof(spec.path), "%s/batch/job", root);
	assert_int_equal(memcg_watch_open(&w, &spec, why, sizeof(why)), 0);
	assert_int_equal(w.version, 2);
	assert_string_equal(w.kpath, "/batch/job");
	assert_int_equal(w.usage_bytes, 510000000);
	assert_int_equal(w.limit_bytes, 536870912);
	assert_int_equal(w.oom_kill, 0);
	assert_int_equal(w.oom_efd, -1); /* v2: memory.events, not eventfds */
	assert_int_equal(memcg_stage(&w.spec, w.dir, w.usage_bytes, w.limit_bytes, text, sizeof(text)),
			 STAGE_TERM);
	/* the kernel acted: its counter moves */
	put("batch/job/memory.events", "low 0\nhigh 0\nmax 13\noom 2\noom_kill 1\noom_group_kill 0\n");
	assert_int_equal(memcg_watch_read_events(&w), 0);
	assert_int_equal(w.oom_kill, 1);
	/* no limit: no headroom stage */
	put("batch/job/memory.max", "max\n");
	assert_int_equal(memcg_watch_sample(&w, 1000000000ULL), 0);
	assert_true(w.limit_bytes == UINT64_MAX);
	assert_int_equal(memcg_stage(&w.spec, w.dir, w.usage_bytes, w.limit_bytes, text, sizeof(text)),
			 STAGE_NONE);
	memcg_watch_close(&w);
}

static void test_bad_paths(void **state)
{
	struct cgroup_watch_spec spec = { 0 };
	struct memcg_watch w;
	char why[256];

	(void)state;
	snprintf(spec.path, sizeof(spec.path), "%s/nonexistent", root);
	assert_int_not_equal(memcg_watch_open(&w, &spec, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "no such cgroup"));
	snprintf(spec.path, sizeof(spec.path), "%s/batch", root); /* no memory files */
	assert_int_not_equal(memcg_watch_open(&w, &spec, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "not a memory cgroup"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_fixture),
		cmocka_unit_test(test_bad_paths),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
