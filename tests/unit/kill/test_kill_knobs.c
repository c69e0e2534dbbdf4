/* test_kill_knobs.c - what `oomkit kill --dry-run` says of the kernel's
 * knobs (kill_knobs.c) on a fake /proc/sys/vm and cgroup2 tree: nothing at
 * the defaults; panic_on_oom (2 always, 1 for a global OOM only) first and
 * alone; oom_kill_allocating_task for a global OOM only; memory.oom.group
 * of the victim's cgroup unless oomkit takes the cgroup itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kill/kill_knobs.h"
#include "fixture_tree.h"

static char root[64];

static int setup(void **state)
{
	(void)state;
	fixture_tree_new(root, "killknobs");
	fixture_mkdir(root, "sys");
	fixture_mkdir(root, "sys/vm");
	fixture_mkdir(root, "cg");
	fixture_mkdir(root, "cg/box");
	fixture_put(root, "cg/box/memory.oom.group", "0\n");
	fixture_put(root, "meminfo", "MemTotal: 1000 kB\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fixture_tree_remove(root);
}

static void knobs(const char *panic, const char *alloc, const char *group)
{
	fixture_put(root, "sys/vm/panic_on_oom", panic);
	fixture_put(root, "sys/vm/oom_kill_allocating_task", alloc);
	fixture_put(root, "cg/box/memory.oom.group", group);
}

/* What the dry run prints for a victim hog (pid 42) in /box. */
static char *said(enum oom_constraint c, enum kill_unit unit)
{
	static char buf[2048];
	static struct task_info t = { .pid = 42, .comm = "hog", .memcg = "/box" };
	struct oom_control oc = { .constraint = c, .chosen = &t, .memcg = "/box" };
	struct memcg_roots roots = { .v2_has_memory = true };
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	snprintf(roots.v2, sizeof(roots.v2), "%s/cg", root);
	buf[0] = '\0';
	kill_knobs_report(f, &oc, root, &roots, unit);
	fclose(f);
	return buf;
}

static void defaults_say_nothing(void **state)
{
	(void)state;
	knobs("0\n", "0\n", "0\n");
	assert_string_equal(said(CONSTRAINT_NONE, KILL_UNIT_PROCESS), "");
	assert_string_equal(said(CONSTRAINT_MEMCG, KILL_UNIT_PROCESS), "");
}

static void panic_first_and_alone(void **state)
{
	(void)state;
	knobs("1\n", "1\n", "1\n");
	assert_string_equal(said(CONSTRAINT_NONE, KILL_UNIT_PROCESS),
			    "oomkit: the kernel would differ: vm.panic_on_oom=1: a kernel OOM here panics the machine "
			    "instead of killing pid 42 (hog)\n");
	knobs("2\n", "0\n", "0\n");
	assert_non_null(strstr(said(CONSTRAINT_MEMCG, KILL_UNIT_PROCESS), "vm.panic_on_oom=2: a kernel OOM here panics"));
}

static void allocating_task_global_only(void **state)
{
	(void)state;
	knobs("1\n", "1\n", "0\n");
	/* panic_on_oom=1 spares a memcg OOM, and so does oom_kill_allocating_task */
	assert_string_equal(said(CONSTRAINT_MEMCG, KILL_UNIT_PROCESS), "");
	knobs("0\n", "1\n", "0\n");
	assert_string_equal(said(CONSTRAINT_NONE, KILL_UNIT_PROCESS),
			    "oomkit: the kernel would differ: vm.oom_kill_allocating_task=1: a kernel OOM here kills "
			    "whichever task is allocating, not pid 42 (hog)\n");
}

static void oom_group(void **state)
{
	(void)state;
	knobs("0\n", "0\n", "1\n");
	assert_string_equal(said(CONSTRAINT_MEMCG, KILL_UNIT_PROCESS),
			    "oomkit: the kernel would differ: memory.oom.group=1 on /box: a kernel OOM kills every "
			    "task of /box with pid 42 (hog)\n");
	assert_non_null(strstr(said(CONSTRAINT_NONE, KILL_UNIT_PROCESS), "memory.oom.group=1 on /box"));
	assert_string_equal(said(CONSTRAINT_MEMCG, KILL_UNIT_CGROUP), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_say_nothing),
		cmocka_unit_test(panic_first_and_alone),
		cmocka_unit_test(allocating_task_global_only),
		cmocka_unit_test(oom_group),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
