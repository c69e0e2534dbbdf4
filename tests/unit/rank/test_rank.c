/* test_rank.c - the ranking of `oomkit rank` on the fixture tree
 * tests/fixtures/proc: the scene rank builds (totalpages in the page size
 * given), the order (killable by points, the next victim first, then the
 * unkillable by size), the unkillable reasons, the kernel's dump_tasks
 * order, and a memory cgroup's subtree as the scope. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/mem.h"
#include "rank/rank.h"

#define FIXTURE "tests/fixtures/proc"

struct ranked {
	struct proc_snapshot snap;
	struct oom_control oc;
	struct rank r;
};

static void rank_fixture(struct ranked *k, unsigned long page_size)
{
	struct meminfo mi;

	memset(k, 0, sizeof(*k));
	assert_int_equal(meminfo_read(FIXTURE, &mi), 0);
	assert_int_equal(rank_scene(&k->oc, FIXTURE, NULL, &mi, page_size), 0);
	assert_int_equal(proc_snapshot_take(&k->snap, FIXTURE, PROC_DETAIL_ALL), 0);
	assert_int_equal(rank_build(&k->r, &k->oc, &k->snap), 0);
}

static void ranked_free(struct ranked *k)
{
	rank_free(&k->r);
	proc_snapshot_free(&k->snap);
}

static const struct rank_row *row_of(const struct rank *r, pid_t pid)
{
	for (size_t i = 0; i < r->nr; i++)
		if (r->rows[i].t->pid == pid)
			return &r->rows[i];
	fail_msg("pid %d not ranked", (int)pid);
	return NULL;
}

static void scene_follows_page_size(void **state)
{
	struct ranked k;

	(void)state;
	rank_fixture(&k, 4096);
	assert_int_equal(k.oc.constraint, CONSTRAINT_NONE);
	assert_int_equal(k.oc.order, -1);
	assert_int_equal(k.oc.totalpages, 26000000 / 4);
	ranked_free(&k);
	rank_fixture(&k, 16384);
	assert_int_equal(k.oc.page_size, 16384);
	assert_int_equal(k.oc.totalpages, 26000000 / 16);
	ranked_free(&k);
}

/* 101 (adj 300) outranks the far bigger 100 (adj 0); 104 (adj -500) comes
 * last of the killable; then the unkillable, each with the kernel's reason. */
static void order_victim_and_reasons(void **state)
{
	struct ranked k;

	(void)state;
	rank_fixture(&k, 4096);
	assert_int_equal(k.r.nr, 7);
	assert_int_equal(k.r.nr_killable, 3);
	assert_non_null(k.r.victim);
	assert_ptr_equal(k.r.victim, &k.r.rows[0]);
	assert_int_equal(k.r.victim->t->pid, 101);
	assert_ptr_equal(k.oc.chosen, k.r.victim->t);
	assert_int_equal(k.r.rows[1].t->pid, 100);
	assert_int_equal(k.r.rows[2].t->pid, 104);
	assert_true(k.r.rows[0].points > k.r.rows[1].points && k.r.rows[1].points > k.r.rows[2].points);
	for (size_t i = 3; i < k.r.nr; i++)
		assert_non_null(k.r.rows[i].unkillable);
	assert_string_equal(row_of(&k.r, 1)->unkillable, "init");
	assert_string_equal(row_of(&k.r, 2)->unkillable, "kernel thread");
	assert_string_equal(row_of(&k.r, 102)->unkillable, "oom_score_adj -1000");
	assert_string_equal(row_of(&k.r, 103)->unkillable, "zombie");
	assert_null(row_of(&k.r, 100)->unkillable);
	/* the /proc/PID/oom_score scale, (1000 + 300 + its tiny share) * 2 / 3 */
	assert_int_equal(row_of(&k.r, 101)->score, 866);
	/* the kernel's dump_tasks order keeps the victim marked */
	rank_sort_task_list(&k.r);
	assert_int_equal(k.r.victim->t->pid, 101);
	assert_true(k.r.rows[0].t->start_time <= k.r.rows[1].t->start_time);
	ranked_free(&k);
}

/* A memory cgroup's OOM ranks its subtree only: /victims/a holds 100 and,
 * below it, 101. */
static void memcg_scope(void **state)
{
	struct ranked k;

	(void)state;
	rank_fixture(&k, 4096);
	rank_free(&k.r);
	k.oc.constraint = CONSTRAINT_MEMCG;
	snprintf(k.oc.memcg, sizeof(k.oc.memcg), "/victims/a");
	assert_int_equal(rank_build(&k.r, &k.oc, &k.snap), 0);
	assert_int_equal(k.r.nr, 2);
	assert_int_equal(k.r.victim->t->pid, 101);
	assert_int_equal(k.r.rows[1].t->pid, 100);
	ranked_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scene_follows_page_size),
		cmocka_unit_test(order_victim_and_reasons),
		cmocka_unit_test(memcg_scope),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
