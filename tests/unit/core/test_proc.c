/* test_proc.c - the /proc parsers against hostile names, and snapshots of
 * the fixture tree tests/fixtures/proc (kthread, zombie, v1 and v2 cgroups). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/proc.h"

#define FIXTURE "tests/fixtures/proc"

static void stat_comm_up_to_last_paren(void **state)
{
	(void)state;
	struct task_info t;
	const char *s = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 "
			"1000 10 18446744073709551615\n";

	memset(&t, 0, sizeof(t));
	assert_int_equal(proc_parse_stat(s, &t), 0);
	assert_int_equal(t.pid, 4242);
	assert_string_equal(t.comm, "a) b (c");
	assert_int_equal(t.state, 'S');
	assert_int_equal(t.ppid, 1);
	assert_int_equal(t.flags, 4194560);
	assert_false(t.kthread);
	assert_int_equal(t.start_time, 987654);
	assert_int_equal(t.rss_pages, 10);
}

static void stat_newline_and_shell_in_comm(void **state)
{
	(void)state;
	struct task_info t;
	const char *s = "7 ($(touch /tmp/pwned)\n) ) D 2 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 55 "
			"0 0\n";

	assert_int_equal(proc_parse_stat(s, &t), 0);
	assert_string_equal(t.comm, "$(touch /tmp/pwned)\n) ");
	assert_int_equal(t.state, 'D');
	assert_true(t.kthread); /* 2129984 = 0x208040 holds PF_KTHREAD */
	assert_int_equal(t.start_time, 55);
}

static void stat_rejects_garbage(void **state)
{
	(void)state;
	struct task_info t;

	assert_int_equal(proc_parse_stat("", &t), -EINVAL);
	assert_int_equal(proc_parse_stat("12 (x", &t), -EINVAL);
	assert_int_equal(proc_parse_stat("12 (x) S 1 2", &t), -EINVAL); /* truncated before field 22 */
	assert_int_equal(proc_parse_stat("x (y) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0", &t), -EINVAL);
	assert_int_equal(proc_parse_stat("1 )x( S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0", &t), -EINVAL);
}

static void status_memory_split(void **state)
{
	(void)state;
	struct task_info t;
	const char *s = "Name:\tx\nUid:\t1000\t0\t0\t0\nVmSize:\t  5000 kB\nVmRSS:\t 30 kB\n"
			"RssAnon:\t 10 kB\nRssFile:\t 12 kB\nRssShmem:\t 8 kB\nVmPTE:\t 44 kB\nVmSwap:\t 4 kB\n";

	memset(&t, 0, sizeof(t));
	assert_int_equal(proc_parse_status(s, &t), 0);
	assert_int_equal(t.uid, 1000);
	assert_int_equal(t.total_vm_kb, 5000);
	assert_int_equal(t.rss_anon_kb, 10);
	assert_int_equal(t.rss_file_kb, 12);
	assert_int_equal(t.rss_shmem_kb, 8);
	assert_int_equal(task_rss_kb(&t), 30);
	assert_int_equal(t.pgtables_kb, 44);
	assert_int_equal(t.swap_kb, 4);
	assert_true(t.has_mm);
	memset(&t, 0, sizeof(t));
	assert_int_equal(proc_parse_status("Name:\tkworker\nUid:\t0\t0\t0\t0\nThreads:\t1\n", &t), 0);
	assert_false(t.has_mm);
	assert_int_equal(proc_parse_status("Name:\tno uid\n", &t), -EINVAL);
}

static void cgroup_memory_line_then_v2(void **state)
{
	(void)state;
	char cg[64];

	proc_parse_cgroup("5:cpu,cpuacct:/a\n4:memory:/m/n\n0::/u\n", cg, sizeof(cg));
	assert_string_equal(cg, "/m/n");
	proc_parse_cgroup("5:cpu,memory:/both\n0::/u\n", cg, sizeof(cg));
	assert_string_equal(cg, "/both");
	proc_parse_cgroup("5:memoryx:/no\n0::/u/v\n", cg, sizeof(cg));
	assert_string_equal(cg, "/u/v");
	proc_parse_cgroup("garbage", cg, sizeof(cg));
	assert_string_equal(cg, "");
	proc_parse_cgroup("0::/a/very/long/path/that/does/not/fit/in/the/small/buffer/given/here\n", cg, 16);
	assert_int_equal(strlen(cg), 15);
}

static const struct task_info *find(const struct proc_snapshot *s, pid_t pid)
{
	for (size_t i = 0; i < s->nr; i++)
		if (s->tasks[i].pid == pid)
			return &s->tasks[i];
	return NULL;
}

static void snapshot_of_fixture_tree(void **state)
{
	(void)state;
	struct proc_snapshot s = { 0 };
	const struct task_info *t;

	assert_int_equal(proc_snapshot_take(&s, FIXTURE, PROC_DETAIL_ALL), 0);
	assert_int_equal(s.nr, 7);
	t = find(&s, 2);
	assert_non_null(t);
	assert_true(t->kthread);
	assert_false(t->has_mm);
	t = find(&s, 103);
	assert_int_equal(t->state, 'Z');
	assert_false(t->has_mm);
	t = find(&s, 100);
	assert_string_equal(t->comm, "evil) S 1 (x");
	assert_int_equal(t->uid, 1000);
	assert_int_equal(t->rss_anon_kb, 400000);
	assert_int_equal(t->rss_pages, 106000);
	assert_int_equal(t->swap_kb, 12000);
	assert_int_equal(t->pgtables_kb, 900);
	assert_string_equal(t->memcg, "/victims/a");
	assert_string_equal(t->cmdline, "evil --flag");
	assert_string_equal(t->exe, "/usr/bin/evil tool");
	assert_int_equal(t->kernel_oom_score, 667);
	t = find(&s, 101);
	assert_string_equal(t->comm, "a\nb");
	assert_int_equal(t->oom_score_adj, 300);
	assert_int_equal(t->uid, 65534);
	t = find(&s, 102);
	assert_string_equal(t->comm, "$(touch /tmp/pwned)");
	assert_int_equal(t->oom_score_adj, -1000);
	assert_string_equal(t->cmdline, "sh -c $(touch /tmp/pwned)");
	t = find(&s, 104);
	assert_string_equal(t->memcg, "/user.slice/app");
	assert_int_equal(access("/tmp/pwned", F_OK), -1);
	proc_snapshot_free(&s);
}

static void vanished_and_missing(void **state)
{
	(void)state;
	struct proc_snapshot s = { 0 };
	struct task_info t;

	assert_int_equal(task_info_read(FIXTURE, 99999, 0, &t), -ESRCH);
	assert_int_equal(proc_snapshot_take(&s, "tests/fixtures/no-such-proc", 0), -ENOENT);
	assert_int_equal(proc_name_pid("123"), 123);
	assert_int_equal(proc_name_pid("12a"), 0);
	assert_int_equal(proc_name_pid("self"), 0);
	assert_int_equal(proc_name_pid(""), 0);
	proc_snapshot_free(&s);
}

static void live_self(void **state)
{
	(void)state;
	struct task_info t;

	assert_int_equal(task_info_read("/proc", getpid(), PROC_DETAIL_ALL, &t), 0);
	assert_int_equal(t.pid, getpid());
	assert_int_equal(t.uid, getuid());
	assert_true(t.has_mm);
	assert_true(task_rss_kb(&t) > 0);
	assert_true(t.kernel_oom_score >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_comm_up_to_last_paren),
		cmocka_unit_test(stat_newline_and_shell_in_comm),
		cmocka_unit_test(stat_rejects_garbage),
		cmocka_unit_test(status_memory_split),
		cmocka_unit_test(cgroup_memory_line_then_v2),
		cmocka_unit_test(snapshot_of_fixture_tree),
		cmocka_unit_test(vanished_and_missing),
		cmocka_unit_test(live_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
