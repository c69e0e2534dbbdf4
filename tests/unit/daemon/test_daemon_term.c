/* test_daemon_term.c - the daemon's SIGTERM stage re-checks its victim
 * through kill/ after the pre_kill hook's wait: a real child process
 * described by a fixture /proc is selected, then its oom_score_adj (or its
 * start time: another process at the pid) changes in the fixture before
 * the signal, or it becomes protected (its command line now matches the
 * protect rule); it must not be signalled and no kill is counted.
 * Unchanged, it gets its SIGTERM; its exit is measured (the projection
 * at a SIGTERM level counts it), and one that ignores the SIGTERM is
 * SIGKILLed as soon as memory would be gone before its expected exit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/daemon.h"
#include "daemon_fixture.h"
#include "fixture_tree.h"

static char root[64];
static struct daemon d;
static pid_t child;

/* The child's own stat and status, copied; adj and start time chosen. */
static void describe_child(const char *adj, int start_delta)
{
	char rel[64], path[64], text[1024], out[2100], *p;
	unsigned long long start;
	FILE *f;
	size_t n;

	snprintf(rel, sizeof(rel), "%d", (int)child);
	fixture_mkdir(root, rel);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)child);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	/* field 22 (start time) is the 20th after the ") " that ends comm */
	p = strrchr(text, ')') + 2;
	for (int i = 0; i < 19; i++)
		p = strchr(p, ' ') + 1;
	start = strtoull(p, NULL, 10);
	snprintf(out, sizeof(out), "%.*s%llu%s", (int)(p - text), text, start + (unsigned long long)start_delta,
		 strchr(p, ' '));
	snprintf(rel, sizeof(rel), "%d/stat", (int)child);
	fixture_put(root, rel, out);
	snprintf(rel, sizeof(rel), "%d/status", (int)child);
	snprintf(text, sizeof(text),
		 "Name:\tterm-victim\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nPPid:\t1\nUid:\t0\t0\t0\t0\n"
		 "VmSize:\t800000 kB\nVmRSS:\t400000 kB\nRssAnon:\t400000 kB\nRssFile:\t0 kB\nRssShmem:\t0 kB\n"
		 "VmPTE:\t12 kB\nVmSwap:\t0 kB\nThreads:\t1\n", (int)child, (int)child);
	fixture_put(root, rel, text);
	snprintf(rel, sizeof(rel), "%d/oom_score_adj", (int)child);
	fixture_put(root, rel, adj);
	snprintf(rel, sizeof(rel), "%d/oom_score", (int)child);
	fixture_put(root, rel, "0\n");
	snprintf(rel, sizeof(rel), "%d/cgroup", (int)child);
	fixture_put(root, rel, "0::/\n");
}

static bool child_ignores_term;

static int setup(void **state)
{
	struct config_error err;
	char why[256];

	(void)state;
	child = fork();
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
		if (child_ignores_term)
			signal(SIGTERM, SIG_IGN);
		for (;;)
			pause();
	}
	usleep(30000); /* a victim started in the scan's tick is left alone (kill.h) */
	fixture_tree_new(root, "daemon-term");
	/* 8% available: below the SIGTERM floor (10%), above the SIGKILL one */
	fixture_put(root, "meminfo", "MemTotal: 1000000 kB\nMemFree: 10000 kB\nMemAvailable: 80000 kB\n"
				     "SwapTotal: 0 kB\nSwapFree: 0 kB\n");
	describe_child("0\n", 0);
	daemon_fixture_config(&d, root);
	snprintf(d.cfg.pre_kill, sizeof(d.cfg.pre_kill), "/bin/true");
	assert_int_equal(config_set(&d.cfg, "kill", "protect", "cmdline:keepme", &err), 0);
	assert_int_equal(daemon_start(&d, why, sizeof(why)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	daemon_stop(&d);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return fixture_tree_remove(root);
}

static bool child_alive(void)
{
	usleep(20000);
	return waitpid(child, NULL, WNOHANG) == 0;
}

/* Selection, then the pre_kill hook's wait, then the SIGTERM stage. */
static void select_then_term(void (*between)(void))
{
	const uint64_t s = 1000000000ULL;

	daemon_step(&d, 1 * s);
	assert_int_equal(d.stats.stage, STAGE_TERM);
	assert_int_equal(d.ep.state, EP_PRE_HOOK);
	assert_int_equal(d.sel.oc.chosen->pid, child);
	between();
	daemon_step(&d, 1 * s + (d.cfg.hook_timeout_ms + 1) * 1000000ULL);
}

static void adj_to_min(void)
{
	describe_child("-1000\n", 0);
}

static void pid_reused(void)
{
	describe_child("0\n", 1);
}

/* (e.g. it exec'd a protected program during the hook's wait) */
static void now_protected(void)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%d/cmdline", (int)child);
	fixture_put(root, rel, "/opt/keepme/worker");
}

static void nothing(void)
{
}

/* The SIGTERM stage after between(): nothing sent, no kill counted. */
static void not_signalled(void (*between)(void))
{
	select_then_term(between);
	assert_int_equal(d.ep.state, EP_IDLE);
	assert_int_equal(d.stats.kills, 0);
	assert_int_equal(d.stats.sigterms, 0);
	assert_true(child_alive());
}

static void test_adj_changed_before_sigterm(void **state)
{
	(void)state;
	not_signalled(adj_to_min);
}

static void test_start_time_changed_before_sigterm(void **state)
{
	(void)state;
	not_signalled(pid_reused);
}

static void test_protected_before_sigterm(void **state)
{
	(void)state;
	not_signalled(now_protected);
}

static void test_unchanged_victim_gets_sigterm(void **state)
{
	int status;

	(void)state;
	select_then_term(nothing);
	assert_int_equal(d.ep.state, EP_TERM_SENT);
	assert_int_equal(d.stats.sigterms, 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
}

/* A victim that exits of its SIGTERM tells how long such an exit takes:
 * 40 ms, averaged with the 100 ms assumed before any, is 70 ms. */
static void test_sigterm_exit_measured(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	select_then_term(nothing);
	assert_int_equal(d.ep.state, EP_TERM_SENT);
	assert_true(!child_alive());
	daemon_step(&d, d.ep.t_signal_ns + 40 * ms);
	assert_int_equal(d.ep.state, EP_RECOVER);
	assert_int_equal(d.term_exit_ns, 70 * ms);
}

/* During the grace, memory that would be gone before the SIGTERMed victim
 * is expected to exit (8% falling at 2 GB/s: gone in 30 ms; the exit is
 * taken to need 100 ms, 90 of which are left) escalates to SIGKILL then,
 * not when the grace ends. */
static int setup_stubborn(void **state)
{
	child_ignores_term = true;
	return setup(state);
}

static void test_grace_escalates_before_the_expected_exit(void **state)
{
	const uint64_t ms = 1000000ULL;
	int status;

	(void)state;
	child_ignores_term = false;
	select_then_term(nothing);
	assert_int_equal(d.ep.state, EP_TERM_SENT);
	assert_true(child_alive());
	fixture_put(root, "meminfo", "MemTotal: 1000000 kB\nMemFree: 10000 kB\nMemAvailable: 60000 kB\n"
				     "SwapTotal: 0 kB\nSwapFree: 0 kB\n");
	daemon_step(&d, d.ep.t_signal_ns + 10 * ms);
	assert_int_equal(d.stats.escalations, 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* A SIGHUP during the kill is carried out once the episode is over: the
 * episode's oom_control points into the snapshot a reload may free. */
static void test_reload_waits_for_the_kill(void **state)
{
	const uint64_t s = 1000000000ULL;

	(void)state;
	daemon_step(&d, 1 * s);
	assert_int_equal(d.ep.state, EP_PRE_HOOK);
	d.reload_pending = true;
	daemon_reload_when_idle(&d);
	assert_int_equal(d.stats.reloads + d.stats.reload_failures, 0);
	adj_to_min();
	daemon_step(&d, 1 * s + (d.cfg.hook_timeout_ms + 1) * 1000000ULL);
	assert_int_equal(d.ep.state, EP_IDLE);
	daemon_reload_when_idle(&d);
	assert_int_equal(d.stats.reloads + d.stats.reload_failures, 1);
	assert_false(d.reload_pending);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_adj_changed_before_sigterm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_time_changed_before_sigterm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protected_before_sigterm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unchanged_victim_gets_sigterm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_waits_for_the_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigterm_exit_measured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grace_escalates_before_the_expected_exit, setup_stubborn,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
