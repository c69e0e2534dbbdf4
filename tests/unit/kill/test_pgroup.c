/* test_pgroup.c - a fork bomb's process group killed at once, with real
 * processes: a session of its own holding a leader and eight copies named
 * "bomb". kill_find_swarm() finds the group clean; when a member stops
 * being a copy after that search (it renames itself, as a copy that exec'd
 * would), the check made again right before kill(-pgid) sees it: no
 * kill(-pgid), the copies die one by one through pidfds (unit swarm) and
 * the changed member lives. Unchanged, the group dies with one kill(2). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "kill/kill.h"

#define COPIES 8

static pid_t leader, copies[COPIES];
static int ready[2];

static void rename_self(int sig)
{
	(void)sig;
	prctl(PR_SET_NAME, "changed");
}

/* A copy: named bomb, renames itself on SIGUSR1, waits to be killed. */
static void copy_main(void)
{
	char buf[4096];

	prctl(PR_SET_NAME, "bomb");
	signal(SIGUSR1, rename_self);
	memset(buf, 1, sizeof(buf)); /* some rss */
	(void)!write(ready[1], "x", 1);
	for (;;)
		pause();
}

/* The leader makes a session of its own (as setsid(1) does), then forks
 * the copies and reports their pids. */
static void start_bomb(void)
{
	int pids[2];

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(pids), 0);
	leader = fork();
	if (leader == 0) {
		setsid();
		for (int i = 0; i < COPIES; i++) {
			copies[i] = fork();
			if (copies[i] == 0)
				copy_main();
		}
		(void)!write(pids[1], copies, sizeof(copies));
		copy_main();
	}
	assert_int_equal(read(pids[0], copies, sizeof(copies)), (ssize_t)sizeof(copies));
	for (int i = 0; i <= COPIES; i++) {
		char c;

		assert_int_equal(read(ready[0], &c, 1), 1);
	}
	close(pids[0]);
	close(pids[1]);
	usleep(20000); /* past the tick of the last fork */
}

static bool dead(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 100; i++) {
		size_t n;

		f = fopen(path, "r");
		if (!f)
			return true;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && (p[2] == 'Z' || p[2] == 'X'))
			return true;
		usleep(10000);
	}
	return false;
}

static void stop_bomb(void)
{
	kill(-leader, SIGKILL);
	for (int i = 0; i < COPIES; i++)
		kill(copies[i], SIGKILL);
	waitpid(leader, NULL, 0);
	close(ready[0]);
	close(ready[1]);
}

/* The daemon's way: the search, then oom_kill_process() of the biggest
 * copy with the group as its unit; between them, change(). */
static void search_then_kill(struct kill_ctx *k, struct oom_control *oc, struct task_info *t, void (*change)(void))
{
	struct swarm s;

	/* young: started with our leader or after */
	assert_int_equal(task_info_read("/proc", leader, 0, t), 0);
	assert_int_equal(kill_find_swarm(k, t->start_time, COPIES, &s), 0);
	assert_string_equal(s.comm, "bomb");
	assert_int_equal(s.pgid, leader);
	assert_true(s.pgroup_clean);
	change();
	k->unit = KILL_UNIT_PGROUP;
	k->pgroup_kill = s.pgid;
	k->timeout_ms = 5000;
	assert_int_equal(task_info_read("/proc", copies[0], PROC_DETAIL_MEMCG, t), 0);
	k->snapshot_tick = kill_boot_tick();
	*oc = (struct oom_control){ .chosen = t, .kill_signal = SIGKILL, .page_size = 4096 };
	assert_int_equal(oom_kill_process(oc, k), 0);
}

static void rename_last_copy(void)
{
	char path[64], comm[32] = "";
	FILE *f;

	assert_int_equal(kill(copies[COPIES - 1], SIGUSR1), 0);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)copies[COPIES - 1]);
	for (int i = 0; i < 200 && strcmp(comm, "changed\n"); i++) {
		usleep(10000);
		f = fopen(path, "r");
		if (f && !fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		if (f)
			fclose(f);
	}
	assert_string_equal(comm, "changed\n");
}

static void nothing(void)
{
}

/* The scenario with change() between search and kill: at_once says
 * whether kill(-pgid) may still be used; the last copy lives when not. */
static void run(void (*change)(void), bool at_once)
{
	struct kill_ctx *k = kill_ctx_new("/proc");
	struct oom_control oc;
	struct task_info t;

	start_bomb();
	search_then_kill(k, &oc, &t, change);
	assert_int_equal(k->res.used_pgroup_kill, at_once);
	assert_int_equal(k->res.unit, at_once ? KILL_UNIT_PGROUP : KILL_UNIT_SWARM);
	assert_int_equal(k->res.nr_strays, 0);
	assert_true(dead(leader));
	for (int i = 0; i < COPIES - 1; i++)
		assert_true(dead(copies[i]));
	assert_int_equal(dead(copies[COPIES - 1]), at_once);
	stop_bomb();
	kill_ctx_free(k);
}

static void member_changed_after_the_search(void **state)
{
	(void)state;
	run(rename_last_copy, false);
}

static void clean_group_killed_at_once(void **state)
{
	(void)state;
	run(nothing, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(member_changed_after_the_search),
		cmocka_unit_test(clean_group_killed_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
