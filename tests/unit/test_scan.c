/* test_scan.c - the persistent scanner: procfs method on the fixture tree
 * (top cut with ties, memcg subtree from cgroup.procs), and on the live
 * /proc both methods against a full snapshot: same victim, a child that
 * holds 64 MiB with oom_score_adj 1000. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "select.h"
#include "util.h"
#include <fcntl.h>

static struct oom_control fixture_oc(void)
{
	struct oom_control oc = { .constraint = CONSTRAINT_NONE, .totalpages = 6500000, .page_size = 4096 };
	return oc;
}

static bool has(const struct proc_snapshot *s, pid_t pid)
{
	for (size_t i = 0; i < s->nr; i++)
		if (s->tasks[i].pid == pid)
			return true;
	return false;
}

static void procfs_top_cut_keeps_ties(void **state)
{
	(void)state;
	struct proc_scanner sc;
	struct proc_snapshot snap = { 0 };
	struct oom_control oc = fixture_oc();
	struct proc_scan_opts o = { .top = 1, .details = PROC_DETAIL_ALL, .totalpages = oc.totalpages,
				    .page_size = 4096 };

	assert_int_equal(proc_scanner_init(&sc, "tests/fixtures/proc", 0), 0);
	assert_string_equal(proc_scanner_method(&sc), "procfs");
	for (int round = 0; round < 3; round++) { /* kept descriptors reused */
		assert_int_equal(proc_scanner_scan(&sc, &o, &snap), 0);
		assert_int_equal(snap.nr_scanned, 7);
		/* oom_score 667 for 100, 101, 104: all tied at the cut */
		assert_int_equal(snap.nr, 3);
		assert_true(has(&snap, 100) && has(&snap, 101) && has(&snap, 104));
		assert_int_equal(select_bad_process(&oc, &snap, NULL, NULL), 0);
		assert_int_equal(oc.chosen->pid, 101);
	}
	o.top = 0;
	assert_int_equal(proc_scanner_scan(&sc, &o, &snap), 0);
	assert_int_equal(snap.nr, 7);
	proc_scanner_free(&sc);
	proc_snapshot_free(&snap);
}

static void procfs_memcg_subtree(void **state)
{
	(void)state;
	struct proc_scanner sc;
	struct proc_snapshot snap = { 0 };
	struct proc_scan_opts o = { .top = 1, .totalpages = 6500000, .page_size = 4096,
				    .memcg_dir = "tests/fixtures/cgroup/v1/victims" };

	assert_int_equal(proc_scanner_init(&sc, "tests/fixtures/proc", 0), 0);
	assert_int_equal(proc_scanner_scan(&sc, &o, &snap), 0);
	assert_int_equal(snap.nr_scanned, 2);
	assert_int_equal(snap.nr, 2); /* procfs keys are global: the subtree is read in full */
	assert_true(has(&snap, 100) && has(&snap, 101));
	assert_string_equal(snap.tasks[0].memcg, "/victims/a");
	o.memcg_dir = "tests/fixtures/cgroup/v1/nowhere";
	assert_int_equal(proc_scanner_scan(&sc, &o, &snap), -ENOENT);
	proc_scanner_free(&sc);
	proc_snapshot_free(&snap);
	assert_int_equal(proc_scanner_init(&sc, "tests/fixtures/none", 0), -ENOENT);
}

/* A child holding 64 MiB with adj 1000: the victim by far. */
static pid_t spawn_hog(void)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		size_t n = 64u << 20;
		volatile char *m; /* volatile: the compiler may not drop the unread memory */

		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed assertion must not leave it */
		m = malloc(n);
		for (size_t i = 0; i < n; i += 4096)
			m[i] = 1;
		write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", "1000");
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void live_methods_agree_with_full_snapshot(void **state)
{
	(void)state;
	unsigned int flags[] = { PROC_SCANNER_NO_BPF, 0 };
	struct proc_snapshot full = { 0 }, snap = { 0 };
	struct oom_control oc = { .totalpages = 6000000, .page_size = (unsigned long)sysconf(_SC_PAGESIZE) };
	pid_t hog = spawn_hog();

	assert_int_equal(proc_snapshot_take(&full, "/proc", 0), 0);
	assert_int_equal(select_bad_process(&oc, &full, NULL, NULL), 0);
	assert_int_equal(oc.chosen->pid, hog);
	for (size_t m = 0; m < ARRAY_SIZE(flags); m++) {
		struct proc_scanner sc;
		struct proc_scan_opts o = { .top = 3, .details = PROC_DETAIL_OOM_SCORE,
					    .totalpages = oc.totalpages, .page_size = oc.page_size };

		assert_int_equal(proc_scanner_init(&sc, "/proc", flags[m]), 0);
		for (int round = 0; round < 3; round++) {
			assert_int_equal(proc_scanner_scan(&sc, &o, &snap), 0);
			assert_true(snap.nr >= 3 && snap.nr < snap.nr_scanned);
			assert_int_equal(select_bad_process(&oc, &snap, NULL, NULL), 0);
			assert_int_equal(oc.chosen->pid, hog);
			assert_int_equal(oc.chosen->oom_score_adj, 1000);
			/* the kernel's batched counter may lag the 64 MiB by a few pages */
			assert_true(oc.chosen->rss_pages * oc.page_size >= (60u << 20));
			assert_true(oc.chosen->kernel_oom_score > 1000);
		}
		printf("# method %s: %zu of %zu read in full\n", proc_scanner_method(&sc), snap.nr,
		       snap.nr_scanned);
		proc_scanner_free(&sc);
	}
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	proc_snapshot_free(&full);
	proc_snapshot_free(&snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(procfs_top_cut_keeps_ties),
		cmocka_unit_test(procfs_memcg_subtree),
		cmocka_unit_test(live_methods_agree_with_full_snapshot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
