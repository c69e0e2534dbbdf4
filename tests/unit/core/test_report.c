/* test_report.c - the kernel-shaped report: exact line formats (6.8+
 * dump_tasks row, oom-kill summary, Killed line, reaper line), escaping of
 * hostile names (one record per line), the trigger's commas, and the
 * /dev/kmsg copy (one write per line, <level> prefix). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/report.h"

static struct task_info victim(void)
{
	struct task_info t;

	memset(&t, 0, sizeof(t));
	t.pid = 4404;
	t.pgid = 4404;
	t.uid = 1000;
	t.has_mm = true;
	t.total_vm_kb = 74156;
	t.rss_anon_kb = 71784;
	t.rss_file_kb = 1196;
	t.rss_shmem_kb = 8;
	t.swap_kb = 40;
	t.pgtables_kb = 180;
	t.oom_score_adj = 300;
	strcpy(t.comm, "python3");
	strcpy(t.memcg, "/kubepods/pod1/c1");
	return t;
}

static struct oom_control scene(void)
{
	struct oom_control oc;

	memset(&oc, 0, sizeof(oc));
	oc.constraint = CONSTRAINT_MEMCG;
	strcpy(oc.memcg, "/kubepods/pod1");
	oc.page_size = 4096;
	oc.order = -1;
	oc.kill_signal = SIGKILL;
	strcpy(oc.trigger, "psi full 40%, 2s");
	strcpy(oc.invoker.comm, "oomkit");
	return oc;
}

/* Runs fill() with a report on a memory FILE and returns the text. */
static char *capture(void (*fill)(struct report *, void *), void *arg)
{
	static char *buf;
	size_t len;
	struct report r;
	FILE *f;

	free(buf);
	f = open_memstream(&buf, &len);
	report_init(&r, f, -1);
	fill(&r, arg);
	fclose(f);
	return buf;
}

static void row_layout(void **state)
{
	struct task_info t = victim();
	char row[256];

	(void)state;
	/* "[%7d] %5d %5d %8lu %8lu %8lu %8lu %9lu %8ld %8lu         %5hd %s" */
	assert_string_equal(dump_task_row(&t, 4096, row, sizeof(row)),
			    "[   4404]  1000  4404    18539    18247    17946      299         2   184320       10"
			    "           300 python3");
}

static void fill_summary(struct report *r, void *arg)
{
	struct oom_control oc = scene();

	dump_oom_summary(r, &oc, arg);
	oc.constraint = CONSTRAINT_NONE;
	dump_oom_summary(r, &oc, arg);
}

static void summary_lines(void **state)
{
	struct task_info t = victim();

	(void)state;
	assert_string_equal(capture(fill_summary, &t),
			    "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),oom_memcg=/kubepods/pod1,"
			    "task_memcg=/kubepods/pod1/c1,task=python3,pid=4404,uid=1000\n"
			    "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),global_oom,"
			    "task_memcg=/kubepods/pod1/c1,task=python3,pid=4404,uid=1000\n");
}

static void fill_header(struct report *r, void *arg)
{
	struct oom_control oc = scene();

	(void)arg;
	oc.constraint = CONSTRAINT_NONE;
	dump_header(r, &oc, NULL, NULL);
}

static void header_trigger_commas(void **state)
{
	(void)state;
	assert_string_equal(capture(fill_header, NULL),
			    "oomkit invoked oom-killer: trigger=psi full 40%; 2s, order=-1, oom_score_adj=0\n");
}

/* A killed victim with one sharer and one spared pid-1 sharer, reaped. */
static void fill_kill(struct report *r, void *arg)
{
	struct oom_kill_result *k = arg;
	struct oom_control oc = scene();

	oc.chosen = &k->members[0].t;
	oc.reaped = true;
	oc.t_signal_ns = 1000000;
	oc.t_exit_ns = 3500000;
	oc.t_reaped_ns = 2000000;
	oc.avail_before_kb = 100;
	oc.avail_after_kb = 71900;
	oc.kill = k;
	report_kill(r, &oc);
}

static struct oom_kill_result *kill_scene(void)
{
	static struct oom_kill_result res;
	struct oom_kill_result *k = &res;

	memset(k, 0, sizeof(*k));
	k->reap = true;
	k->outcome = KILL_OK;
	k->nr_members = 3;
	k->members[0].t = victim();
	k->members[1].t = victim();
	k->members[1].t.pid = 4405;
	strcpy(k->members[1].t.comm, "a)\n$(touch x)");
	k->members[1].why = KILL_WHY_SHARES_MM;
	k->members[1].signalled = true;
	k->members[2].t = victim();
	k->members[2].t.pid = 1;
	strcpy(k->members[2].t.comm, "systemd");
	k->members[2].why = KILL_WHY_SHARES_MM;
	k->members[2].spared = "pid 1";
	return k;
}

static void kill_lines(void **state)
{
	struct oom_kill_result *k = kill_scene();

	(void)state;
	assert_string_equal(capture(fill_kill, k),
		"Memory cgroup out of memory: Killed process 4404 (python3) total-vm:74156kB, anon-rss:71784kB, "
		"file-rss:1196kB, shmem-rss:8kB, UID:1000 pgtables:180kB oom_score_adj:300\n"
		"Kill process 4405 (a)\\x0a$(touch x)) sharing same memory\n"
		"oom killer 4404 (python3) has mm pinned by 1 (systemd)\n"
		"oom_reaper: reaped process 4404 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n"
		"oomkit: process 4404 exited 2.5 ms after the signal, reaped in 1.0 ms; "
		"MemAvailable 100kB -> 71900kB (+71800kB)\n");
}

/* A bomb's group killed copy by copy: one copy signalled, one that had
 * exited since its check (killed by the episode before, slow to die):
 * no "Killed process" for it and no failure, one count line. */
static void gone_member_lines(void **state)
{
	struct oom_kill_result *k = kill_scene();

	(void)state;
	k->unit = KILL_UNIT_PGROUP;
	k->stopped_pgid = 4404;
	for (int i = 1; i < 3; i++) {
		k->members[i].t = victim();
		k->members[i].t.pid = 4405 + i;
		k->members[i].why = KILL_WHY_PGROUP;
		k->members[i].spared = NULL;
	}
	k->members[1].signalled = true;
	k->members[2].signalled = false;
	k->members[2].exited = true;
	assert_string_equal(capture(fill_kill, k),
		"Memory cgroup out of memory: Killed process 4404 (python3) total-vm:74156kB, anon-rss:71784kB, "
		"file-rss:1196kB, shmem-rss:8kB, UID:1000 pgtables:180kB oom_score_adj:300\n"
		"Tasks in process group 4404 are going to be killed due to oomkit --unit pgroup (stopped, its copies one by one)\n"
		"oomkit: process group 4404 was stopped while it was checked, then continued: not every member may die\n"
		"Memory cgroup out of memory: Killed process 4406 (python3) total-vm:74156kB, anon-rss:71784kB, "
		"file-rss:1196kB, shmem-rss:8kB, UID:1000 pgtables:180kB oom_score_adj:300\n"
		"oomkit: 1 more had exited before their signal\n"
		"oom_reaper: reaped process 4404 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n"
		"oomkit: process 4404 exited 2.5 ms after the signal, reaped in 1.0 ms; "
		"MemAvailable 100kB -> 71900kB (+71800kB)\n");
}

/* The SIGKILL after a SIGTERM of the same victim, then one that found it
 * gone: no "Killed process" and no "already exiting" line (explain would
 * count a second event), the sharers, reaper and outcome lines stay. */
static void fill_escalated(struct report *r, void *arg)
{
	struct oom_kill_result *k = arg;
	struct oom_control oc = scene();

	oc.chosen = &k->members[0].t;
	oc.kill_signal = SIGKILL;
	oc.t_signal_ns = 1000000;
	oc.t_exit_ns = 3500000;
	oc.avail_before_kb = 100;
	oc.avail_after_kb = 71900;
	k->nr_members = 2;
	k->reap_err = -ESRCH;
	oc.kill = k;
	report_kill_escalated(r, &oc);
	k->outcome = KILL_VICTIM_GONE;
	oc.kill = k;
	report_kill_escalated(r, &oc);
}

static void escalated_lines(void **state)
{
	struct oom_kill_result *k = kill_scene();

	(void)state;
	assert_string_equal(capture(fill_escalated, k),
		"oomkit: escalated to SIGKILL for process 4404 (python3) after its SIGTERM\n"
		"Kill process 4405 (a)\\x0a$(touch x)) sharing same memory\n"
		"oomkit: process 4404 exited 2.5 ms after the signal, not reaped (its memory was already released); "
		"MemAvailable 100kB -> 71900kB (+71800kB)\n"
		"oomkit: escalated to SIGKILL for process 4404 (python3): not sent, it was exiting or is gone\n");
}

static void fill_dry(struct report *r, void *arg)
{
	struct oom_kill_result *k = arg;
	struct oom_control oc = scene();

	oc.constraint = CONSTRAINT_NONE;
	oc.dry_run = true;
	oc.chosen = &k->members[0].t;
	oc.kill = k;
	report_kill(r, &oc);
	k->outcome = KILL_PID_REUSED;
	oc.kill = k;
	report_kill(r, &oc);
}

static void dry_run_and_reuse(void **state)
{
	struct oom_kill_result *k = kill_scene();

	(void)state;
	k->outcome = KILL_DRY_RUN;
	k->nr_members = 1;
	assert_string_equal(capture(fill_dry, k),
		"Out of memory (dry run): Killed process 4404 (python3) total-vm:74156kB, anon-rss:71784kB, "
		"file-rss:1196kB, shmem-rss:8kB, UID:1000 pgtables:180kB oom_score_adj:300\n"
		"Out of memory (dry run): OOM victim 4404 (python3) is gone and its pid names another process. "
		"Skip killing the task\n");
}

/* Times in the JSON event are integers in the unit their key names; the
 * ones not measured (no exit seen, not reaped) are null, not 0. */
static void json_timing_integers(void **state)
{
	struct oom_kill_result *k = kill_scene();
	struct oom_control oc = scene();
	char out[8192];
	FILE *f = fmemopen(out, sizeof(out), "w");

	(void)state;
	oc.chosen = &k->members[0].t;
	oc.kill = k;
	oc.killed = oc.reaped = true;
	oc.t_signal_ns = 1000000;
	oc.t_exit_ns = 1036400;
	oc.t_reaped_ns = 3000000;
	k->members[0].exited = true;
	report_kill_json(f, &oc, "normal");
	oc.reaped = false;
	k->members[0].exited = false;
	report_kill_json(f, &oc, "normal");
	fclose(f);
	assert_non_null(strstr(out, "\"schema\":2,"));
	assert_non_null(strstr(out, "\"timing_us\":{\"signal_to_exit\":36,\"signal_to_reaped\":2000}"));
	assert_non_null(strstr(out, "\"timing_us\":{\"signal_to_exit\":null,\"signal_to_reaped\":null}"));
}

static void kmsg_one_write_per_line(void **state)
{
	struct report r;
	int fds[2];
	char buf[512];
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	report_init(&r, NULL, fds[1]);
	report_line(&r, KLOG_ERR, "first %d", 1);
	report_line(&r, KLOG_INFO, "second");
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "<3>first 1\n<6>second\n");
	close(fds[0]);
}

/* --syslog: one datagram per line, PRI = facility daemon | kernel level,
 * tagged oomkit[pid], the way syslog daemons read /dev/log. */
static void syslog_datagram_per_line(void **state)
{
	struct report r;
	int sv[2];
	char buf[512], want[128];
	ssize_t n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	report_init_syslog(&r, sv[1]);
	report_line(&r, KLOG_WARNING, "oomkit invoked oom-killer: trigger=%s", "manual");
	report_line(&r, KLOG_ERR, "Out of memory: Killed process 7 (a b)");
	n = recv(sv[0], buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "<28>oomkit[%d]: oomkit invoked oom-killer: trigger=manual", (int)getpid());
	assert_string_equal(buf, want);
	n = recv(sv[0], buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "<27>oomkit[%d]: Out of memory: Killed process 7 (a b)", (int)getpid());
	assert_string_equal(buf, want);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(row_layout),
		cmocka_unit_test(summary_lines),
		cmocka_unit_test(header_trigger_commas),
		cmocka_unit_test(kill_lines),
		cmocka_unit_test(gone_member_lines),
		cmocka_unit_test(escalated_lines),
		cmocka_unit_test(dry_run_and_reuse),
		cmocka_unit_test(json_timing_integers),
		cmocka_unit_test(kmsg_one_write_per_line),
		cmocka_unit_test(syslog_datagram_per_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
