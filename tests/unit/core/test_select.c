/* test_select.c - oom_unkillable_reason, task_badness and
 * select_bad_process on the fixture tree: numbers worked out by hand from
 * mm/oom_kill.c (totalpages = (24000000 + 2000000) kB / 4 = 6500000). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/select.h"

static struct proc_snapshot snap;

static int setup(void **state)
{
	(void)state;
	return proc_snapshot_take(&snap, "tests/fixtures/proc", PROC_DETAIL_ALL);
}

static int teardown(void **state)
{
	(void)state;
	proc_snapshot_free(&snap);
	return 0;
}

static const struct task_info *find(pid_t pid)
{
	for (size_t i = 0; i < snap.nr; i++)
		if (snap.tasks[i].pid == pid)
			return &snap.tasks[i];
	fail();
	return NULL;
}

static struct oom_control global_oc(void)
{
	struct oom_control oc = { .constraint = CONSTRAINT_NONE, .totalpages = 6500000, .page_size = 4096 };
	return oc;
}

static void unkillable_reasons(void **state)
{
	(void)state;
	struct task_info self = *find(100);

	assert_string_equal(oom_unkillable_reason(find(1)), "init");
	assert_string_equal(oom_unkillable_reason(find(2)), "kernel thread");
	assert_string_equal(oom_unkillable_reason(find(103)), "zombie");
	assert_string_equal(oom_unkillable_reason(find(102)), "oom_score_adj -1000");
	assert_null(oom_unkillable_reason(find(100)));
	self.pid = getpid();
	assert_string_equal(oom_unkillable_reason(&self), "oomkit itself");
	self.in_vfork = true;
	assert_string_equal(oom_unkillable_reason(&self), "in vfork");
}

static void badness_by_hand(void **state)
{
	(void)state;
	struct oom_control oc = global_oc();
	struct task_info self = *find(100);

	/* 100: rss 424000 kB = 106000 pages, swap 3000, VmPTE 900 kB = 225 */
	assert_int_equal(task_badness(find(100), &oc), 109225);
	assert_int_equal(oom_score_proc(109225, oc.totalpages, OOM_ERA_5_9), 677);
	/* 101: 750 + 10 pages, adj 300 * 6500 */
	assert_int_equal(task_badness(find(101), &oc), 760 + 300 * 6500);
	/* 104: 50 + 5 pages, adj -500 * 6500 */
	assert_int_equal(task_badness(find(104), &oc), 55 - 500 * 6500);
	assert_true(task_badness(find(102), &oc) == OOM_BADNESS_UNKILLABLE);
	assert_true(task_badness(find(1), &oc) == OOM_BADNESS_UNKILLABLE);
	/* oomkit itself keeps the kernel's score: only selection skips it */
	self.pid = getpid();
	assert_int_equal(task_badness(&self, &oc), 109225);
	/* rss is stat's approximate counter, not the exact Rss* sum of status */
	self.rss_pages = 106000 - 40;
	assert_int_equal(task_badness(&self, &oc), 109225 - 40);
	/* 64 KiB pages: stat's rss is in pages already, kB figures divide */
	oc.page_size = 65536;
	self.rss_pages = 424000 / 64;
	assert_int_equal(task_badness(&self, &oc), 424000 / 64 + 12000 / 64 + 900 / 64);
}

static void select_global_and_memcg(void **state)
{
	(void)state;
	struct oom_control oc = global_oc();

	assert_int_equal(select_bad_process(&oc, &snap, NULL, NULL), 0);
	assert_int_equal(oc.chosen->pid, 101);
	assert_int_equal(oc.chosen_points, 760 + 300 * 6500);
	assert_int_equal(oc.nr_candidates, 3);
	oc.constraint = CONSTRAINT_MEMCG;
	strcpy(oc.memcg, "/victims/a/b");
	assert_int_equal(select_bad_process(&oc, &snap, NULL, NULL), 0);
	assert_int_equal(oc.chosen->pid, 101);
	assert_int_equal(oc.nr_candidates, 1);
	strcpy(oc.memcg, "/victims/a/");
	assert_int_equal(select_bad_process(&oc, &snap, NULL, NULL), 0);
	assert_int_equal(oc.nr_candidates, 2);
	strcpy(oc.memcg, "/victims/ab");
	assert_int_equal(select_bad_process(&oc, &snap, NULL, NULL), -ESRCH);
	assert_null(oc.chosen);
	strcpy(oc.memcg, "/");
	assert_int_equal(select_bad_process(&oc, &snap, NULL, NULL), 0);
	assert_int_equal(oc.nr_candidates, 3);
}

/* The policy layer vetoes without touching points: 101 ignored, 100 wins;
 * 101 preferred wins in the first tier whatever the others hold. */
static void policy_layer_vetoes(void **state)
{
	struct oom_control oc = global_oc();
	enum policy_tier tier;
	struct policy p;
	char err[POLICY_ERR_MAX];

	(void)state;
	policy_init(&p, getpid());
	assert_int_equal(policy_add_spec(&p, POLICY_IGNORE, "^a", err, sizeof(err)), 0);
	assert_int_equal(select_bad_process(&oc, &snap, &p, &tier), 0);
	assert_int_equal(oc.chosen->pid, 100);
	assert_int_equal(tier, POLICY_TIER_NORMAL);
	policy_free(&p);
	policy_init(&p, getpid());
	assert_int_equal(policy_add_spec(&p, POLICY_PREFER, "^v2only$", err, sizeof(err)), 0);
	assert_int_equal(select_bad_process(&oc, &snap, &p, &tier), 0);
	assert_int_equal(oc.chosen->pid, 104);
	assert_int_equal(oc.nr_candidates, 1);
	assert_int_equal(tier, POLICY_TIER_PREFER);
	policy_free(&p);
}

/* The loop of any era over a printed table in index order: 5.9 keeps the
 * last of equals, 3.14 the first. */
static long table_points(const void *ctx, size_t i)
{
	return ((const long *)ctx)[i];
}

static void oom_select_tie_rule_by_era(void **state)
{
	static const long pts[] = { 5, OOM_BADNESS_UNKILLABLE, 9, 9, 2 };
	struct oom_task_list l = { .nr = 5, .era = OOM_ERA_5_9, .ctx = pts, .points = table_points };
	size_t n;
	long best;

	(void)state;
	assert_int_equal(oom_select(&l, &best, &n), 3);
	assert_int_equal(best, 9);
	assert_int_equal(n, 4);
	l.era = OOM_ERA_3_14;
	assert_int_equal(oom_select(&l, &best, NULL), 2);
	l.nr = 2;
	l.points = table_points;
	l.ctx = (const long[]){ OOM_BADNESS_UNKILLABLE, OOM_BADNESS_UNKILLABLE };
	assert_int_equal(oom_select(&l, &best, &n), -1);
	assert_true(best == OOM_BADNESS_UNKILLABLE);
	assert_int_equal(n, 0);
}

static void ties_go_to_the_later_task(void **state)
{
	(void)state;
	struct task_info t[3];
	struct proc_snapshot s = { .tasks = t, .nr = 3 };
	struct oom_control oc = global_oc();

	for (int i = 0; i < 3; i++) {
		t[i] = *find(100);
		t[i].pid = 500 + i;
	}
	t[0].start_time = 900; /* created last, listed first */
	t[1].start_time = 100;
	t[2].start_time = 200;
	assert_int_equal(select_bad_process(&oc, &s, NULL, NULL), 0);
	assert_int_equal(oc.chosen->pid, 500);
	t[2].rss_pages += 1; /* one page more beats creation order */
	assert_int_equal(select_bad_process(&oc, &s, NULL, NULL), 0);
	assert_int_equal(oc.chosen->pid, 502);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unkillable_reasons),
		cmocka_unit_test(badness_by_hand),
		cmocka_unit_test(select_global_and_memcg),
		cmocka_unit_test(policy_layer_vetoes),
		cmocka_unit_test(oom_select_tie_rule_by_era),
		cmocka_unit_test(ties_go_to_the_later_task),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
