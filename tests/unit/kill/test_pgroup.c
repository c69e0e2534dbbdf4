/* test_pgroup.c - a fork bomb's process group stopped, checked and killed,
 * with real processes: a session of its own holding a leader and eight
 * copies named "bomb". kill_find_swarm() finds the group clean; the kill
 * stops the group (kill(-pgid, SIGSTOP)) and checks it again:
 *  - unchanged, the group dies with one kill(2), reported "stopped";
 *  - when a member stopped being a copy after the search (it renames
 *    itself, as a copy that exec'd would), or a process that may not die
 *    joined the group with setpgid(2) (another name; a "bomb" the policy
 *    protects), no kill(-pgid): the copies die through pidfds held while
 *    the group is stopped, and that member is spared, lives AND runs again
 *    (SIGCONT: never left stopped; a watcher sees it stop and continue);
 *  - a dry run stops nothing;
 *  - our own process group is never stopped, even when named the bomb's. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/pidfd.h"
#include "core/policy.h"
#include "kill/kill.h"

#define COPIES 8

static pid_t leader, copies[COPIES], joiner, watcher;
static bool other_continued; /* what the last run()'s watcher saw */
/* pidfds of all of them: the teardown signals through these, never by a
 * pid that a process of someone else may have taken since */
static int pidfds[COPIES + 3] = { [0 ... COPIES + 2] = -1 };
static int ready[2], watch[2];
static char link_dir[64]; /* holds keepme/bomb -> sleep: a protected "bomb" */

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

static void join_leaders_group(int sig)
{
	(void)sig;
	setpgid(0, getsid(0));
}

/* "other": outside the bomb's group until SIGUSR2 moves it in. */
static void other_main(void)
{
	prctl(PR_SET_NAME, "other");
	signal(SIGUSR2, join_leaders_group);
	(void)!write(ready[1], "x", 1);
	for (;;)
		pause();
}

/* JOINER_OTHER: a watcher in a group of its own in the bomb's session,
 * whose child is "other"; it sends the child's pid, then 's' when it
 * sees the child stopped and 'c' when continued, down watch[]. */
static void watcher_main(void)
{
	pid_t child;
	int status;

	setpgid(0, 0);
	child = fork();
	if (child == 0)
		other_main();
	(void)!write(watch[1], &child, sizeof(child));
	while (waitpid(child, &status, WUNTRACED | WCONTINUED) == child) {
		if (WIFSTOPPED(status))
			(void)!write(watch[1], "s", 1);
		else if (WIFCONTINUED(status))
			(void)!write(watch[1], "c", 1);
		else
			break;
	}
	_exit(0);
}

/* JOINER_OTHER: "other" (watched); JOINER_PROTECTED: a sleep exec'd as
 * keepme/bomb (named "bomb", protected by cmdline:keepme), in the group
 * from the start. */
enum { JOINER_NONE, JOINER_OTHER, JOINER_PROTECTED };

static void joiner_main(int kind)
{
	char path[128];

	if (kind == JOINER_OTHER)
		watcher_main();
	snprintf(path, sizeof(path), "%s/keepme/bomb", link_dir);
	(void)!write(ready[1], "x", 1);
	execl(path, path, "600", (char *)NULL);
	_exit(127);
}

/* The leader makes a session of its own (as setsid(1) does), forks the
 * joiner (when asked) and the copies, and reports their pids. */
static void start_bomb(int joiner_kind)
{
	int pids[2];
	pid_t all[COPIES + 1];
	int expect = COPIES + 1 + (joiner_kind != JOINER_NONE);

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(pids), 0);
	assert_int_equal(pipe(watch), 0);
	leader = fork();
	if (leader == 0) {
		setsid();
		all[COPIES] = 0;
		if (joiner_kind != JOINER_NONE) {
			all[COPIES] = fork();
			if (all[COPIES] == 0)
				joiner_main(joiner_kind);
		}
		for (int i = 0; i < COPIES; i++) {
			all[i] = fork();
			if (all[i] == 0)
				copy_main();
		}
		(void)!write(pids[1], all, sizeof(all));
		copy_main();
	}
	assert_int_equal(read(pids[0], all, sizeof(all)), (ssize_t)sizeof(all));
	memcpy(copies, all, sizeof(copies));
	joiner = all[COPIES];
	if (joiner_kind == JOINER_OTHER) {
		watcher = joiner;
		assert_int_equal(read(watch[0], &joiner, sizeof(joiner)), (ssize_t)sizeof(joiner));
	}
	for (int i = 0; i < expect; i++) {
		char c;

		assert_int_equal(read(ready[0], &c, 1), 1);
	}
	close(pids[0]);
	close(pids[1]);
	for (int i = 0; i < COPIES; i++)
		pidfds[i] = sys_pidfd_open(copies[i]);
	pidfds[COPIES] = sys_pidfd_open(leader);
	pidfds[COPIES + 1] = joiner > 0 ? sys_pidfd_open(joiner) : -1;
	pidfds[COPIES + 2] = watcher > 0 ? sys_pidfd_open(watcher) : -1;
	usleep(20000); /* past the tick of the last fork */
}

/* The state letter of /proc/PID/stat ('?' when gone), and its pgrp. */
static char state_of(pid_t pid, pid_t *pgrp)
{
	char path[64], buf[512], *p;
	char state = '?';
	int g = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p && sscanf(p + 2, "%c %*d %d", &state, &g) < 2)
		state = '?';
	if (pgrp)
		*pgrp = g;
	return state;
}

/* Within 1 s: gone or a zombie (want_dead), else alive and not stopped
 * (a SIGCONT takes effect when the task runs). */
static bool settles(pid_t pid, bool want_dead)
{
	for (int i = 0; i < 100; i++) {
		char s = state_of(pid, NULL);
		bool gone = s == '?' || s == 'Z' || s == 'X';

		if (want_dead ? gone : gone || s != 'T')
			return gone == want_dead;
		usleep(10000);
	}
	return false;
}

static bool dead(pid_t pid)
{
	return settles(pid, true);
}

static bool running(pid_t pid)
{
	return settles(pid, false);
}

/* Every test's teardown, whatever failed: nothing of the bomb lives on. */
static int stop_bomb(void **state)
{
	(void)state;
	if (leader <= 0)
		return 0;
	for (int i = 0; i < COPIES + 3; i++) {
		if (pidfds[i] >= 0) {
			sys_pidfd_signal(pidfds[i], SIGKILL);
			close(pidfds[i]);
		}
		pidfds[i] = -1;
	}
	waitpid(leader, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	close(watch[0]);
	close(watch[1]);
	leader = joiner = watcher = 0;
	return 0;
}

/* Did the watcher see "other" continued (watcher_main(), 5 s at most)?
 * The kernel reports a continue only for a stopped child (a SIGCONT to a
 * running one is no event); the stop itself may be over before the
 * watcher runs to see it, so its 's' may be missing. */
static bool watched_continued(void)
{
	char c = 0;

	for (int i = 0; i < 500 && c != 'c'; i++) {
		struct pollfd p = { .fd = watch[0], .events = POLLIN };

		if (poll(&p, 1, 10) == 1 && read(watch[0], &c, 1) != 1)
			return false;
	}
	return c == 'c';
}

/* The daemon's way: the search (clean: what it must find the group),
 * then oom_kill_process() of the first copy with the bomb's group to stop;
 * between them, change(). */
static void search_then_kill(struct kill_ctx *k, struct oom_control *oc, struct task_info *t, void (*change)(void),
			     bool clean, bool dry_run)
{
	struct swarm s;

	/* young: started with our leader or after */
	assert_int_equal(task_info_read("/proc", leader, 0, t), 0);
	assert_int_equal(kill_find_swarm(k, t->start_time, COPIES, &s), 0);
	assert_string_equal(s.comm, "bomb");
	assert_int_equal(s.pgid, leader);
	assert_int_equal(s.pgroup_clean, clean);
	change();
	k->unit = clean ? KILL_UNIT_PGROUP : KILL_UNIT_SWARM;
	k->bomb_pgid = s.pgid;
	k->timeout_ms = 5000;
	assert_int_equal(task_info_read("/proc", copies[0], PROC_DETAIL_MEMCG, t), 0);
	k->snapshot_tick = kill_boot_tick();
	*oc = (struct oom_control){ .chosen = t, .kill_signal = SIGKILL, .page_size = 4096, .dry_run = dry_run };
	assert_int_equal(oom_kill_process(oc, k), 0);
}

static void wait_comm(pid_t pid, const char *want)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	for (int i = 0; i < 200 && strcmp(comm, want); i++) {
		usleep(10000);
		f = fopen(path, "r");
		if (f && !fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		if (f)
			fclose(f);
	}
	assert_string_equal(comm, want);
}

static void rename_last_copy(void)
{
	assert_int_equal(kill(copies[COPIES - 1], SIGUSR1), 0);
	wait_comm(copies[COPIES - 1], "changed\n");
}

static void wait_joined(void)
{
	pid_t g = 0;

	for (int i = 0; i < 200 && g != leader; i++) {
		state_of(joiner, &g);
		if (g != leader)
			usleep(10000);
	}
	assert_int_equal(g, leader);
}

/* "other" moves itself into the bomb's group */
static void other_joins(void)
{
	assert_int_equal(kill(joiner, SIGUSR2), 0);
	wait_joined();
}

static void nothing(void)
{
}

/* Is pid among the kill's members, spared (reported so)? */
static bool spared(const struct kill_ctx *k, pid_t pid)
{
	for (size_t i = 1; i < k->res.nr_members; i++)
		if (k->res.members[i].t.pid == pid)
			return k->res.members[i].spared != NULL && !k->res.members[i].signalled;
	return false;
}

/* The scenario with change() between search and kill: at_once says
 * whether kill(-pgid) may still be used (and the search found the group
 * clean); survivor lives, running, when not. */
static void run(int joiner_kind, void (*change)(void), bool at_once, pid_t *survivor, struct policy *p)
{
	struct kill_ctx *k = kill_ctx_new("/proc");
	struct oom_control oc;
	struct task_info t;

	start_bomb(joiner_kind);
	k->policy = p;
	search_then_kill(k, &oc, &t, change, at_once || joiner_kind != JOINER_PROTECTED, false);
	assert_int_equal(k->res.used_pgroup_kill, at_once);
	assert_int_equal(k->res.unit, KILL_UNIT_PGROUP);
	assert_int_equal(k->res.stopped_pgid, leader);
	assert_int_equal(k->res.cont_err, 0);
	assert_int_equal(k->res.nr_strays, 0);
	assert_true(dead(leader));
	for (int i = 0; i < COPIES; i++)
		if (!survivor || copies[i] != *survivor)
			assert_true(dead(copies[i]));
	if (survivor) {
		assert_true(running(*survivor));
		assert_true(spared(k, *survivor));
	}
	if (joiner_kind == JOINER_OTHER)
		other_continued = watched_continued();
	kill_ctx_free(k);
}

static void member_changed_after_the_search(void **state)
{
	(void)state;
	run(JOINER_NONE, rename_last_copy, false, &copies[COPIES - 1], NULL);
}

/* "other" is seen continued, so it was stopped (before the check, then
 * continued after the kill). A stop that "other" had no CPU to enter
 * before the SIGCONT leaves no trace (the SIGCONT discards the pending
 * SIGSTOP): up to five tries, each with every other assertion. */
static void other_joined_after_the_search(void **state)
{
	bool seen = false;

	for (int i = 0; i < 5 && !seen; i++) {
		run(JOINER_OTHER, other_joins, false, &joiner, NULL);
		seen = other_continued;
		stop_bomb(state);
	}
	assert_true(seen);
}

static void clean_group_killed_at_once(void **state)
{
	(void)state;
	run(JOINER_NONE, nothing, true, NULL, NULL);
}

static void dry_run_stops_nothing(void **state)
{
	struct kill_ctx *k = kill_ctx_new("/proc");
	struct oom_control oc;
	struct task_info t;

	(void)state;
	start_bomb(JOINER_NONE);
	search_then_kill(k, &oc, &t, nothing, true, true);
	assert_int_equal(k->res.outcome, KILL_DRY_RUN);
	assert_int_equal(k->res.stopped_pgid, 0);
	assert_true(running(leader));
	for (int i = 0; i < COPIES; i++)
		assert_int_not_equal(state_of(copies[i], NULL), 'T');
	kill_ctx_free(k);
}

/* A "bomb" the policy protects, in the group from the start: the search
 * finds the group unclean, the kill still stops it (the copies cannot
 * fork past their signals), kills the copies and continues the rest. */
static void protected_member_runs_again(void **state)
{
	char path[128];
	struct policy p;
	char err[POLICY_ERR_MAX];

	(void)state;
	snprintf(link_dir, sizeof(link_dir), "/tmp/oomkit-pgroup-XXXXXX");
	assert_non_null(mkdtemp(link_dir));
	snprintf(path, sizeof(path), "%s/keepme", link_dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/keepme/bomb", link_dir);
	assert_int_equal(symlink("/bin/sleep", path), 0);
	policy_init(&p, getpid());
	assert_int_equal(policy_add_spec(&p, POLICY_PROTECT, "cmdline:keepme", err, sizeof(err)), 0);
	run(JOINER_PROTECTED, nothing, false, &joiner, &p);
	policy_free(&p);
	unlink(path);
	snprintf(path, sizeof(path), "%s/keepme", link_dir);
	rmdir(path);
	rmdir(link_dir);
}

/* The victim in our own process group, named as the bomb's: nothing is
 * stopped (we would be), the victim alone dies. In a child of a session of
 * its own, watched for a stop from outside. */
static void our_group_never_stopped(void **state)
{
	int status;
	pid_t child = fork();

	(void)state;
	if (child == 0) {
		struct kill_ctx *k = kill_ctx_new("/proc");
		struct oom_control oc;
		struct task_info t;
		pid_t victim;

		int named[2];
		char c;

		setsid();
		if (pipe(named) < 0)
			_exit(5);
		victim = fork();
		if (victim == 0) {
			prctl(PR_SET_NAME, "bomb");
			(void)!write(named[1], "x", 1);
			for (;;)
				pause();
		}
		/* (named before it is read: else the swarm is every test_pgroup) */
		if (read(named[0], &c, 1) != 1)
			_exit(5);
		usleep(20000); /* past the tick of its fork */
		if (task_info_read("/proc", victim, PROC_DETAIL_MEMCG, &t) == 0) {
			k->unit = KILL_UNIT_PGROUP;
			k->bomb_pgid = getpgrp();
			k->snapshot_tick = kill_boot_tick();
			oc = (struct oom_control){ .chosen = &t, .kill_signal = SIGKILL, .page_size = 4096 };
			status = oom_kill_process(&oc, k) != 0 ? 3 : k->res.stopped_pgid == 0 && !k->res.used_pgroup_kill ? 0 : 4;
		} else {
			status = 2;
		}
		kill(victim, SIGKILL); /* (our child, not reaped yet: its pid is its own) */
		waitpid(victim, NULL, 0);
		_exit(status);
	}
	assert_int_equal(waitpid(child, &status, WUNTRACED), child);
	if (WIFSTOPPED(status)) {
		kill(-child, SIGKILL);
		waitpid(child, &status, 0);
		fail_msg("our own process group was stopped");
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(member_changed_after_the_search, stop_bomb),
		cmocka_unit_test_teardown(other_joined_after_the_search, stop_bomb),
		cmocka_unit_test_teardown(protected_member_runs_again, stop_bomb),
		cmocka_unit_test_teardown(clean_group_killed_at_once, stop_bomb),
		cmocka_unit_test_teardown(dry_run_stops_nothing, stop_bomb),
		cmocka_unit_test(our_group_never_stopped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
