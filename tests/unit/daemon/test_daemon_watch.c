/* test_daemon_watch.c - a cgroup v2 watch on a fixture tree (this host's
 * cgroup2 has no memory controller): resolution and version, the kernel
 * path as /proc/PID/cgroup prints it, headroom against memory.max, the
 * kernel's oom_kill counter from memory.events, and "max" as no limit;
 * a v1 watch with a memsw limit. The scene a watch gives the daemon
 * (totalpages) equals the one rank and kill read through core: memsw on v1,
 * memory.swap.max on v2, the system's page size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/cgroup.h"
#include "core/scene.h"
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
	put("batch/job/memory.stat", "anon 400000000\nfile 110000000\n");
	put("batch/job/memory.swap.max", "104857600\n");
	/* a v1 hierarchy: its root holds cgroup.sane_behavior */
	fixture_mkdir(root, "v1");
	fixture_mkdir(root, "v1/app");
	put("v1/cgroup.sane_behavior", "0\n");
	put("v1/app/memory.usage_in_bytes", "500000000\n");
	put("v1/app/memory.limit_in_bytes", "536870912\n");
	put("v1/app/memory.memsw.limit_in_bytes", "1073741824\n");
	put("v1/app/memory.memsw.usage_in_bytes", "500000000\n");
	put("v1/app/memory.swappiness", "60\n");
	put("v1/app/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
	put("v1/app/memory.stat", "rss 400000000\ncache 100000000\nhierarchical_memory_limit 536870912\n");
	put("v1/app/cgroup.event_control", "");
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

/* A machine of 8 GiB RAM and 2 GiB swap, sampled. */
static const struct sys_watch machine = { .s = { .mem_total_kb = 8u << 20, .swap_total_kb = 2u << 20 } };

/* The scene rank and kill build: core's reader over the same directory. */
static unsigned long core_totalpages(const char *dir, enum cgroup_version v, unsigned long page_size)
{
	struct memcg_roots roots = { 0 };
	struct oom_scene scene = { .page_size = page_size, .mem_total_kb = machine.s.mem_total_kb,
				   .swap_total_kb = machine.s.swap_total_kb };
	struct oom_control oc;
	struct memcg_state st;
	struct memcg_bound b;

	snprintf(v == CGROUP_V1 ? roots.v1 : roots.v2, PATH_MAX, "%s%s", root, v == CGROUP_V1 ? "/v1" : "");
	snprintf(roots.proc_root, sizeof(roots.proc_root), "/proc");
	assert_int_equal(memcg_read(&roots, dir, v, &st), 0);
	memcg_bound_of(&st, &b);
	scene.memcg = &b;
	assert_int_equal(constrained_alloc(&oc, &scene), 0);
	return oc.totalpages;
}

static unsigned long watch_totalpages(const struct memcg_watch *w, unsigned long page_size)
{
	struct sys_watch s = machine;
	struct oom_control oc;

	s.page_size = page_size;
	watch_scene(&s, w, &oc);
	return oc.totalpages;
}

/* v1 with memsw: the limit plus the swap memsw leaves (1 GiB - 512 MiB),
 * 262144 pages of 4 KiB; the daemon once took the limit alone. */
static void test_v1_memsw_scene(void **state)
{
	struct cgroup_watch_spec spec = { .term = { .percent = 10 }, .kill = { .percent = 5 } };
	struct memcg_watch w;
	char why[256] = "";

	(void)state;
	snprintf(spec.path, sizeof(spec.path), "%s/v1/app", root);
	assert_int_equal(memcg_watch_open(&w, &spec, why, sizeof(why)), 0);
	assert_int_equal(w.version, 1);
	assert_string_equal(w.kpath, "/app");
	assert_int_equal(watch_totalpages(&w, 4096), 262144);
	assert_int_equal(watch_totalpages(&w, 4096), core_totalpages(w.dir, CGROUP_V1, 4096));
	/* arm64 with 64 KiB pages: the same bytes in 16 times fewer pages */
	assert_int_equal(watch_totalpages(&w, 65536), 16384);
	assert_int_equal(watch_totalpages(&w, 65536), core_totalpages(w.dir, CGROUP_V1, 65536));
	memcg_watch_close(&w);
}

/* v2: memory.max plus memory.swap.max (when vm.swappiness > 0). */
static void test_v2_swap_scene(void **state)
{
	struct cgroup_watch_spec spec = { .term = { .percent = 10 }, .kill = { .percent = 5 } };
	struct memcg_watch w;
	char why[256] = "";

	(void)state;
	put("batch/job/memory.max", "536870912\n");
	snprintf(spec.path, sizeof(spec.path), "%s/batch/job", root);
	assert_int_equal(memcg_watch_open(&w, &spec, why, sizeof(why)), 0);
	assert_int_equal(watch_totalpages(&w, 4096), 131072 + (w.swappiness ? 25600 : 0));
	assert_int_equal(watch_totalpages(&w, 4096), core_totalpages(w.dir, CGROUP_V2, 4096));
	memcg_watch_close(&w);
}

/* The global scene: RAM + swap in the system's pages, never 4 KiB assumed. */
static void test_global_scene_page_size(void **state)
{
	struct sys_watch s = machine;
	struct oom_control oc;

	(void)state;
	s.page_size = oom_page_size();
	assert_int_equal(s.page_size, (unsigned long)sysconf(_SC_PAGESIZE));
	s.page_size = 16384;
	watch_scene(&s, NULL, &oc);
	assert_int_equal(oc.constraint, CONSTRAINT_NONE);
	assert_int_equal(oc.page_size, 16384);
	assert_int_equal(oc.totalpages, (10ul << 20) / 16);
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
		cmocka_unit_test(test_v1_memsw_scene),
		cmocka_unit_test(test_v2_swap_scene),
		cmocka_unit_test(test_global_scene_page_size),
		cmocka_unit_test(test_bad_paths),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
