/* test_explain_knobs.c - the kernel's OOM knobs `oomkit explain` reads
 * from a report (explain_knobs.c): which vm.panic_on_oom value a panic's
 * message implies (every era's wording; a deadlock panic is no knob's), a
 * report without its task table (vm.oom_dump_tasks=0, or cut), the
 * allocating task killed (said by the kill message, or likely when the
 * victim is the invoker and neither a table nor a kill line tells), and
 * memory.oom.group; the verdict uses the same words. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parse_lines.h"

static struct explain_knob knobs[MAX_EV][EXPLAIN_KNOBS_MAX];
static size_t nknobs[MAX_EV];

/* parse() of parse_lines.h, then each event's knobs */
static void parse_knobs(const char *const *lines)
{
	parse(lines);
	for (int i = 0; i < nev; i++)
		nknobs[i] = explain_knobs(&evs[i], knobs[i], EXPLAIN_KNOBS_MAX);
}

static void assert_knob(int ev, size_t i, const char *knob, long value, bool certain)
{
	assert_true(nknobs[ev] > i);
	assert_string_equal(knobs[ev][i].knob, knob);
	assert_int_equal(knobs[ev][i].value, value);
	assert_int_equal(knobs[ev][i].certain, certain);
}

static void panics_name_their_knob(void **state)
{
	static const char *const lines[] = {
		"[ 1.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		"[ 1.1] Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled",
		"[ 2.0] b invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
		"[ 2.1] Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled",
		/* 2.6.32 panicked before printing anything: its panic() text alone */
		"[ 3.0] c invoked oom-killer: gfp_mask=0x201da, order=0, oomkilladj=0",
		"[ 3.1] Kernel panic - not syncing: out of memory. Compulsory panic_on_oom is selected.",
		"[ 4.0] c invoked oom-killer: gfp_mask=0x201da, order=0, oomkilladj=0",
		"[ 4.1] Kernel panic - not syncing: out of memory. panic_on_oom is selected",
		"[ 5.0] d invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		"[ 5.1] Out of memory and no killable processes...",
		"[ 5.2] Kernel panic - not syncing: System is deadlocked on memory",
		NULL,
	};

	(void)state;
	parse_knobs(lines);
	assert_int_equal(nev, 5);
	assert_knob(0, 0, "vm.panic_on_oom", 2, true);
	assert_non_null(strstr(knobs[0][0].why, "2 panics on every OOM, memcg ones too"));
	assert_string_equal(ranks[0].why, "no kill: the kernel panicked instead (vm.panic_on_oom=2)");
	assert_knob(1, 0, "vm.panic_on_oom", 1, true);
	assert_string_equal(ranks[1].why, "no kill: the kernel panicked instead (vm.panic_on_oom=1)");
	assert_knob(2, 0, "vm.panic_on_oom", 2, true);
	assert_knob(3, 0, "vm.panic_on_oom", 1, true);
	assert_true(evs[4].panic);
	assert_int_equal(explain_panic_on_oom(&evs[4]), 0);
	for (size_t i = 0; i < nknobs[4]; i++)
		assert_string_not_equal(knobs[4][i].knob, "vm.panic_on_oom");
}

static void missing_table_and_allocating_task(void **state)
{
	static const char *const lines[] = {
		/* no table, the kill line says "Out of memory": not the allocating-task rule */
		"[ 1.0] x invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0",
		"[ 1.1] CPU: 0 PID: 7 Comm: x Not tainted 6.1.0-56-amd64 #1  Debian 6.1.192-2",
		"[ 1.2] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=x,pid=7,uid=0",
		"[ 1.3] Out of memory: Killed process 7 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
		/* no table, no kill line: the victim from the summary is the invoker */
		"[ 2.0] y invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0",
		"[ 2.1] CPU: 1 PID: 8 Comm: y Not tainted 6.1.0-56-amd64 #1  Debian 6.1.192-2",
		"[ 2.2] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=y,pid=8,uid=0",
		/* the kill message names the rule */
		"[ 3.0] z invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0",
		"[ 3.1] Out of memory (oom_kill_allocating_task): Killed process 9 (z) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
		/* a table: no vm.oom_dump_tasks line; a group kill */
		"[ 4.0] w invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		"[ 4.1] Tasks state (memory values in pages):",
		"[ 4.2] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
		"[ 4.3] [     10]     0    10      100       50     4096        0             0 w",
		"[ 4.4] Tasks in /grp are going to be killed due to memory.oom.group set",
		"[ 4.5] Memory cgroup out of memory: Killed process 10 (w) total-vm:400kB, anon-rss:200kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
		NULL,
	};

	(void)state;
	parse_knobs(lines);
	assert_int_equal(nev, 4);
	assert_int_equal(nknobs[0], 1);
	assert_knob(0, 0, "vm.oom_dump_tasks", 0, false);
	assert_non_null(strstr(knobs[0][0].why, "vm.oom_dump_tasks=0, or the table was cut"));
	assert_string_equal(ranks[0].why, "the task table was not printed (vm.oom_dump_tasks=0, or cut off)");
	assert_knob(1, 0, "vm.oom_kill_allocating_task", 1, false);
	assert_non_null(strstr(knobs[1][0].why, "likely: the victim is the allocating task"));
	assert_knob(1, 1, "vm.oom_dump_tasks", 0, false);
	assert_knob(2, 0, "vm.oom_kill_allocating_task", 1, true);
	assert_int_equal(nknobs[3], 1);
	assert_knob(3, 0, "memory.oom.group", 1, true);
	assert_non_null(strstr(knobs[3][0].why, "on /grp: every task of that cgroup"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(panics_name_their_knob),
		cmocka_unit_test(missing_table_and_allocating_task),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
