/* test_kill.c - oom_kill_process() against real child processes and real
 * pidfds: the safety refusals, the start-time check after pidfd_open (a
 * stale start time is a reused pid: nothing is signalled), the same-tick
 * rule, a dry run, a vanished victim, and a real kill; the daemon's staged
 * kill: a held victim that became protected or whose start time changed
 * before the SIGTERM is not signalled, an unchanged one is. */
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

struct fixture {
	struct kill_ctx *k;
	struct task_info t;
	struct oom_control oc;
	pid_t child;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->k = kill_ctx_new("/proc");
	f->child = fork();
	if (f->child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
		for (;;)
			pause();
	}
	assert_int_equal(task_info_read("/proc", f->child, 0, &f->t), 0);
	f->k->snapshot_tick = f->t.start_time + 1; /* the scan began a tick later */
	f->k->timeout_ms = 5000;
	f->oc.chosen = &f->t;
	f->oc.kill_signal = SIGKILL;
	f->oc.page_size = 4096;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	kill(f->child, SIGKILL);
	waitpid(f->child, NULL, 0);
	kill_ctx_free(f->k);
	free(f);
	return 0;
}

static bool child_alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

static void refusals(void **state)
{
	struct fixture *f = *state;
	struct task_info t = f->t;
	struct policy p;
	char err[POLICY_ERR_MAX];

	assert_null(kill_refuse_reason(f->k, &t));
	t.pid = 1;
	assert_string_equal(kill_refuse_reason(f->k, &t), "pid 1");
	t = f->t;
	t.kthread = true;
	assert_string_equal(kill_refuse_reason(f->k, &t), "kernel thread");
	t = f->t;
	t.pid = getpid();
	assert_string_equal(kill_refuse_reason(f->k, &t), "oomkit itself");
	t = f->t;
	t.oom_score_adj = -1000;
	assert_string_equal(kill_refuse_reason(f->k, &t), "oom_score_adj -1000");
	f->oc.chosen = &t;
	assert_int_equal(oom_kill_process(&f->oc, f->k), -EPERM);
	assert_int_equal(f->k->res.outcome, KILL_REFUSED);
	policy_init(&p, getpid());
	assert_int_equal(policy_add_spec(&p, POLICY_PROTECT, "uid:0", err, sizeof(err)), 0);
	f->k->policy = &p;
	t = f->t;
	t.uid = 0;
	assert_string_equal(kill_refuse_reason(f->k, &t), "protected");
	f->k->policy = NULL;
	policy_free(&p);
	assert_true(child_alive(f->child));
}

static void stale_start_time_is_a_reused_pid(void **state)
{
	struct fixture *f = *state;

	f->t.start_time -= 1;
	assert_int_equal(oom_kill_process(&f->oc, f->k), -ESTALE);
	assert_int_equal(f->k->res.outcome, KILL_PID_REUSED);
	assert_false(f->oc.killed);
	assert_true(child_alive(f->child));
}

static void same_tick_is_refused(void **state)
{
	struct fixture *f = *state;

	f->k->snapshot_tick = f->t.start_time;
	assert_int_equal(oom_kill_process(&f->oc, f->k), -ESTALE);
	assert_int_equal(f->k->res.outcome, KILL_TOO_YOUNG);
	assert_true(child_alive(f->child));
}

static void dry_run_signals_nothing(void **state)
{
	struct fixture *f = *state;

	f->oc.dry_run = true;
	assert_int_equal(oom_kill_process(&f->oc, f->k), 0);
	assert_int_equal(f->k->res.outcome, KILL_DRY_RUN);
	assert_int_equal(f->k->res.nr_members, 1);
	assert_int_equal(f->k->res.members[0].t.pid, f->child);
	assert_true(child_alive(f->child));
}

static void vanished_victim(void **state)
{
	struct fixture *f = *state;

	kill(f->child, SIGKILL);
	waitpid(f->child, NULL, 0);
	assert_int_equal(oom_kill_process(&f->oc, f->k), -ESRCH);
	assert_int_equal(f->k->res.outcome, KILL_VICTIM_GONE);
}

static void real_kill(void **state)
{
	struct fixture *f = *state;
	int status;

	assert_int_equal(oom_kill_process(&f->oc, f->k), 0);
	assert_int_equal(f->k->res.outcome, KILL_OK);
	assert_true(f->oc.killed);
	assert_true(f->k->res.members[0].exited);
	assert_true(f->oc.t_exit_ns >= f->oc.t_signal_ns);
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* Between the hold (after selection) and the SIGTERM (after a pre_kill
 * hook, say) the victim became protected (a reload's protect rule): it is
 * refused. (oom_score_adj -1000 takes CAP_SYS_RESOURCE to set; the
 * daemon's test changes it in a fixture /proc.) */
static void term_rechecks_refusal(void **state)
{
	struct fixture *f = *state;
	struct policy p;
	char err[POLICY_ERR_MAX];

	assert_int_equal(kill_victim_hold(f->k, &f->oc), 0);
	policy_init(&p, getpid());
	assert_int_equal(policy_add_spec(&p, POLICY_PROTECT, "uid:0", err, sizeof(err)), 0);
	f->t.uid = 4242; /* as selected: not protected; as read afresh (uid 0): protected */
	f->k->policy = &p;
	assert_int_equal(kill_victim_term(f->k, &f->oc), -EPERM);
	f->k->policy = NULL;
	policy_free(&p);
	assert_int_equal(f->k->res.outcome, KILL_REFUSED);
	assert_false(f->oc.killed);
	usleep(20000);
	assert_true(child_alive(f->child));
	assert_false(kill_victim_exited(f->k));
}

/* The process at the pid is no longer the one selected (its start time
 * differs from the snapshot's): not signalled. */
static void term_rechecks_start_time(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(kill_victim_hold(f->k, &f->oc), 0);
	f->t.start_time -= 1;
	assert_int_equal(kill_victim_term(f->k, &f->oc), -ESTALE);
	assert_int_equal(f->k->res.outcome, KILL_PID_REUSED);
	usleep(20000);
	assert_true(child_alive(f->child));
}

/* A hold is refused as oom_kill_process() would; an unchanged victim gets
 * its SIGTERM through the held pidfd, which then tells its exit. */
static void term_signals_held_victim(void **state)
{
	struct fixture *f = *state;
	struct task_info t = f->t;
	int status;

	t.oom_score_adj = -1000;
	f->oc.chosen = &t;
	assert_int_equal(kill_victim_hold(f->k, &f->oc), -EPERM);
	assert_int_equal(kill_victim_pidfd(f->k), -1);
	f->oc.chosen = &f->t;
	assert_int_equal(kill_victim_hold(f->k, &f->oc), 0);
	assert_true(kill_victim_pidfd(f->k) >= 0);
	assert_int_equal(kill_victim_term(f->k, &f->oc), 0);
	assert_true(f->oc.killed);
	assert_int_equal(f->oc.kill_signal, SIGTERM);
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	assert_true(kill_victim_exited(f->k));
	kill_victim_release(f->k);
	assert_int_equal(kill_victim_pidfd(f->k), -1);
}

static void units(void **state)
{
	enum kill_unit u;

	(void)state;
	assert_int_equal(kill_unit_parse("cgroup", &u), 0);
	assert_int_equal(u, KILL_UNIT_CGROUP);
	assert_int_equal(kill_unit_parse("session", &u), -EINVAL);
	assert_string_equal(kill_outcome_name(KILL_TOO_YOUNG), "too_young");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_start_time_is_a_reused_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(same_tick_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(dry_run_signals_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(vanished_victim, setup, teardown),
		cmocka_unit_test_setup_teardown(real_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(term_rechecks_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(term_rechecks_start_time, setup, teardown),
		cmocka_unit_test_setup_teardown(term_signals_held_victim, setup, teardown),
		cmocka_unit_test(units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
