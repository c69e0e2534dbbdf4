/* test_swarm.c - kill_find_swarm() over a fake /proc: a fork bomb is the
 * name most young processes share when forked by a namesake; its process
 * group is killable at once only when it holds nothing but copies (same
 * name, uid and memory cgroup), none -1000, protected or ignored by the
 * policy, and it is neither init's nor ours; the victim is the biggest
 * copy that may be killed; compilers forked by make are no bomb; too few
 * copies are none. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixture_tree.h"
#include "core/policy.h"
#include "kill/kill.h"

#define OLD_TICK 100
#define YOUNG_TICK 5000
#define SINCE_TICK 4000
#define BOMB_PGID 700

static char task_state = 'S';
static int task_uid;

/* One file of /proc/PID. */
static void put_file(const char *root, int pid, const char *name, const char *text)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%d/%s", pid, name);
	fixture_put(root, rel, text);
}

/* One /proc/PID with stat (fields 3..24, state task_state), status (uid
 * task_uid), oom_score_adj, cgroup and cmdline. */
static void put_task(const char *root, int pid, const char *comm, int ppid, int pgid,
		     unsigned long long start, unsigned long rss_pages, int adj)
{
	char rel[64], text[512];

	snprintf(rel, sizeof(rel), "%d", pid);
	fixture_mkdir(root, rel);
	snprintf(text, sizeof(text),
		 "%d (%s) %c %d %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %llu 6000000 %lu 0\n", pid, comm,
		 task_state, ppid, pgid, pgid, start, rss_pages);
	put_file(root, pid, "stat", text);
	snprintf(text, sizeof(text), "Name:\t%s\nUid:\t%d\t%d\t%d\t%d\nVmSize:\t6000 kB\n", comm, task_uid,
		 task_uid, task_uid, task_uid);
	put_file(root, pid, "status", text);
	snprintf(text, sizeof(text), "%d\n", adj);
	put_file(root, pid, "oom_score_adj", text);
	put_file(root, pid, "cgroup", "4:memory:/bombs\n");
	snprintf(text, sizeof(text), "/usr/bin/%s", comm);
	put_file(root, pid, "cmdline", text);
}

/* init, a shell, and a bomb of n copies: the root (the group leader,
 * forked by the shell) and copies forked by copies. */
static void put_machine(const char *root, int n)
{
	put_task(root, 1, "init", 0, 1, 1, 100, 0);
	put_task(root, 600, "bash", 1, 600, OLD_TICK, 900, 0);
	put_task(root, BOMB_PGID, "bomb", 600, BOMB_PGID, YOUNG_TICK, 130, 0);
	for (int i = 1; i < n; i++)
		put_task(root, BOMB_PGID + i, "bomb", BOMB_PGID + (i - 1) / 2, BOMB_PGID, YOUNG_TICK + i,
			 i == 40 ? 400 : 130, 0);
}

/* A fresh fake /proc in root, with put_machine(copies) when copies > 0. */
static struct kill_ctx *new_machine(char *root, int copies)
{
	struct kill_ctx *k;

	fixture_tree_new(root, "swarm");
	fixture_put(root, "meminfo", "MemTotal: 1000000 kB\nMemAvailable: 500000 kB\n");
	if (copies)
		put_machine(root, copies);
	k = kill_ctx_new(root);
	assert_non_null(k);
	return k;
}

static void done(struct kill_ctx *k, const char *root)
{
	kill_ctx_free(k);
	fixture_tree_remove(root);
}

static void finds_the_bomb_and_its_clean_group(void **state)
{
	char root[64];
	struct kill_ctx *k;
	struct swarm s;

	(void)state;
	k = new_machine(root, 80);
	assert_int_equal(kill_find_swarm(k, SINCE_TICK, 64, &s), 0);
	assert_string_equal(s.comm, "bomb");
	assert_int_equal(s.nr_young, 79); /* the root was forked by bash: no copy */
	assert_int_equal(s.pgid, BOMB_PGID);
	assert_int_equal(s.nr_pgroup, 80);
	assert_true(s.pgroup_clean);
	assert_int_equal(s.biggest, BOMB_PGID + 40);
	/* too few copies: no bomb */
	assert_int_equal(kill_find_swarm(k, SINCE_TICK, 100, &s), -ESRCH);
	/* all of them older than the window: no bomb */
	assert_int_equal(kill_find_swarm(k, YOUNG_TICK + 1000, 64, &s), -ESRCH);
	done(k, root);
}

static void group_with_others_is_not_clean(void **state)
{
	char root[64];
	struct kill_ctx *k;
	struct swarm s;

	(void)state;
	k = new_machine(root, 80);
	/* the job's group also holds the script that started the bomb */
	put_task(root, 650, "run-bomb.sh", 600, BOMB_PGID, OLD_TICK, 300, 0);
	assert_int_equal(kill_find_swarm(k, SINCE_TICK, 64, &s), 0);
	assert_int_equal(s.pgid, BOMB_PGID);
	assert_false(s.pgroup_clean);
	done(k, root);

	/* a -1000 copy: never killed, so no kill(-pgid) either */
	k = new_machine(root, 80);
	put_task(root, BOMB_PGID + 70, "bomb", BOMB_PGID + 34, BOMB_PGID, YOUNG_TICK + 70, 130, -1000);
	assert_int_equal(kill_find_swarm(k, SINCE_TICK, 64, &s), 0);
	assert_false(s.pgroup_clean);
	done(k, root);
}

/* The case: the bomb's group also holds a process named like the
 * copies that the policy protects (or ignores): no kill(-pgid), and it is
 * not the victim either, though the biggest. */
static void group_with_a_protected_or_ignored_namesake(void **state)
{
	static const enum policy_kind kinds[] = { POLICY_PROTECT, POLICY_IGNORE };
	char root[64], err[POLICY_ERR_MAX];
	struct kill_ctx *k;
	struct policy p;
	struct swarm s;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		k = new_machine(root, 80);
		put_task(root, 780, "bomb", BOMB_PGID, BOMB_PGID, YOUNG_TICK + 80, 9000, 0);
		put_file(root, 780, "cmdline", "/home/u/keepme/bomb 600");
		policy_init(&p, getpid());
		assert_int_equal(policy_add_spec(&p, kinds[i], "cmdline:keepme", err, sizeof(err)), 0);
		k->policy = &p;
		assert_int_equal(kill_find_swarm(k, SINCE_TICK, 64, &s), 0);
		assert_int_equal(s.pgid, BOMB_PGID);
		assert_false(s.pgroup_clean);
		assert_int_equal(s.biggest, BOMB_PGID + 40);
		policy_free(&p);
		done(k, root);
	}
}

/* Copies of another uid or memory cgroup are no copies of this bomb. */
static void group_with_another_uid_or_cgroup(void **state)
{
	char root[64];
	struct kill_ctx *k;
	struct swarm s;

	(void)state;
	k = new_machine(root, 80);
	task_uid = 1000;
	put_task(root, 780, "bomb", BOMB_PGID, BOMB_PGID, YOUNG_TICK + 80, 130, 0);
	task_uid = 0;
	assert_int_equal(kill_find_swarm(k, SINCE_TICK, 64, &s), 0);
	assert_false(s.pgroup_clean);
	done(k, root);

	k = new_machine(root, 80);
	put_file(root, BOMB_PGID + 3, "cgroup", "4:memory:/elsewhere\n");
	assert_int_equal(kill_find_swarm(k, SINCE_TICK, 64, &s), 0);
	assert_false(s.pgroup_clean);
	done(k, root);
}

static void never_our_group_nor_init(void **state)
{
	char root[64];
	struct kill_ctx *k;
	struct swarm s;
	int own = (int)getpgrp();

	(void)state;
	k = new_machine(root, 0);
	put_task(root, 1, "init", 0, 0, 1, 100, 0);
	for (int i = 0; i < 70; i++) /* no job control: init's group (0), as in the guest */
		put_task(root, 800 + i, "bomb", i ? 800 + (i - 1) / 2 : 1, 0, YOUNG_TICK + i, 130, 0);
	for (int i = 0; i < 70; i++) /* copies in our own group */
		put_task(root, 2000 + i, "twin", i ? 2000 + (i - 1) / 2 : 1, own, YOUNG_TICK + i, 130, 0);
	assert_int_equal(kill_find_swarm(k, SINCE_TICK, 64, &s), 0);
	assert_int_equal(s.pgid, 0);
	assert_false(s.pgroup_clean);
	put_task(root, 2100, "twin", 2000, own, YOUNG_TICK, 130, 0); /* twin now outnumbers bomb */
	assert_int_equal(kill_find_swarm(k, SINCE_TICK, 64, &s), 0);
	assert_string_equal(s.comm, "twin");
	assert_int_equal(s.pgid, 0);
	assert_false(s.pgroup_clean);
	done(k, root);
}

/* Neither a build (compilers are forked by gcc) nor a dead bomb's zombies. */
static void a_build_is_no_bomb(void **state)
{
	char root[64];
	struct kill_ctx *k;
	struct swarm s;

	(void)state;
	k = new_machine(root, 0);
	put_task(root, 1, "init", 0, 1, 1, 100, 0);
	task_state = 'Z'; /* a killed bomb's copies waiting to be reaped fork no more */
	for (int i = 0; i < 100; i++)
		put_task(root, 3000 + i, "ghost", i ? 3000 + (i - 1) / 2 : 1, 3000, YOUNG_TICK + i, 0, 0);
	task_state = 'S';
	put_task(root, 900, "make", 1, 900, OLD_TICK, 500, 0);
	for (int i = 0; i < 100; i++) { /* make -j100: gcc forks cc1 */
		put_task(root, 1000 + 2 * i, "gcc", 900, 900, YOUNG_TICK + i, 200, 0);
		put_task(root, 1001 + 2 * i, "cc1", 1000 + 2 * i, 900, YOUNG_TICK + i, 9000, 0);
	}
	assert_int_equal(kill_find_swarm(k, SINCE_TICK, 64, &s), -ESRCH);
	done(k, root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_the_bomb_and_its_clean_group),
		cmocka_unit_test(group_with_others_is_not_clean),
		cmocka_unit_test(group_with_a_protected_or_ignored_namesake),
		cmocka_unit_test(group_with_another_uid_or_cgroup),
		cmocka_unit_test(never_our_group_nor_init),
		cmocka_unit_test(a_build_is_no_bomb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
