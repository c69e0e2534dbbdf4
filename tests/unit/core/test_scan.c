/* test_scan.c - the persistent scanner: procfs method on the fixture tree
 * (top cut with ties, memcg subtree from cgroup.procs), and on the live
 * /proc both methods against a full snapshot: same victim, a child that
 * holds 64 MiB with oom_score_adj 1000; a scan of the killable only. */
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

#include "fixture_tree.h"
#include "core/scan.h"
#include "core/select.h"
#include "core/util.h"
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

/* above_zero: the unkillable (oom_score 0: init's fixture, kthreadd, the
 * -1000 one, the zombie) are not read, the choice is the full scan's. The
 * descriptors a prime keeps are the ones a scan then reads through. */
static void procfs_above_zero_reads_only_the_killable(void **state)
{
	(void)state;
	struct proc_scanner sc;
	struct proc_snapshot snap = { 0 };
	struct oom_control oc = fixture_oc();
	struct proc_scan_opts o = { .top = 16, .totalpages = oc.totalpages, .page_size = 4096, .above_zero = true };

	assert_int_equal(proc_scanner_init(&sc, "tests/fixtures/proc", 0), 0);
	assert_int_equal(sc.nr_fds, 0);
	assert_int_equal(proc_scanner_prime(&sc), 0);
	assert_int_equal(sc.nr_fds, 7);
	assert_int_equal(proc_scanner_scan(&sc, &o, &snap), 0);
	assert_int_equal(sc.nr_fds, 7);
	assert_int_equal(snap.nr_scanned, 7);
	assert_int_equal(snap.nr, 3);
	assert_true(has(&snap, 100) && has(&snap, 101) && has(&snap, 104));
	assert_int_equal(select_bad_process(&oc, &snap, NULL, NULL), 0);
	assert_int_equal(oc.chosen->pid, 101);
	o.above_zero = false;
	assert_int_equal(proc_scanner_scan(&sc, &o, &snap), 0);
	assert_int_equal(snap.nr, 7);
	assert_int_equal(select_bad_process(&oc, &snap, NULL, NULL), 0);
	assert_int_equal(oc.chosen->pid, 101);
	proc_scanner_free(&sc);
	proc_snapshot_free(&snap);
}

/* 1,000 processes with one oom_score (every small process on procfs): only
 * the newest PROC_SCAN_TIES_MAX of the ties are read in full, so the work
 * and the snapshot stay bounded; the victim is the biggest of those. */
static void procfs_ties_are_bounded(void **state)
{
	char root[64], rel[64], text[512];
	struct proc_scanner sc;
	struct proc_snapshot snap = { 0 };
	struct oom_control oc = fixture_oc();
	struct proc_scan_opts o = { .top = 16, .totalpages = oc.totalpages, .page_size = 4096 };

	(void)state;
	fixture_tree_new(root, "ties");
	for (int pid = 1000; pid < 2000; pid++) {
		snprintf(rel, sizeof(rel), "%d", pid);
		fixture_mkdir(root, rel);
		snprintf(rel, sizeof(rel), "%d/oom_score", pid);
		fixture_put(root, rel, "666\n");
		snprintf(rel, sizeof(rel), "%d/oom_score_adj", pid);
		fixture_put(root, rel, "0\n");
		snprintf(rel, sizeof(rel), "%d/stat", pid);
		/* rss 100 pages, 200 for 1500 and 1900 */
		snprintf(text, sizeof(text), "%d (copy) S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %d 6000000 %d 0\n",
			 pid, pid, pid == 1500 || pid == 1900 ? 200 : 100);
		fixture_put(root, rel, text);
		snprintf(rel, sizeof(rel), "%d/status", pid);
		fixture_put(root, rel, "Name:\tcopy\nUid:\t0\t0\t0\t0\nVmSize:\t6000 kB\nVmRSS:\t400 kB\n");
	}
	assert_int_equal(proc_scanner_init(&sc, root, 0), 0);
	assert_int_equal(proc_scanner_scan(&sc, &o, &snap), 0);
	assert_int_equal(snap.nr_scanned, 1000);
	assert_int_equal(snap.nr, 16 + PROC_SCAN_TIES_MAX);
	assert_true(has(&snap, 1999) && has(&snap, 1900) && !has(&snap, 1500));
	assert_int_equal(select_bad_process(&oc, &snap, NULL, NULL), 0);
	assert_int_equal(oc.chosen->pid, 1900);
	proc_scanner_free(&sc);
	proc_snapshot_free(&snap);
	fixture_tree_remove(root);
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

/* A child holding `mb` MiB with adj 1000: above every other process. */
static pid_t spawn_hog_mb(size_t mb)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		size_t n = mb << 20;
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

static pid_t spawn_hog(void)
{
	return spawn_hog_mb(64);
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
		/* every process, but only those the kernel scores above 0 */
		o.top = 0;
		o.above_zero = true;
		assert_int_equal(proc_scanner_scan(&sc, &o, &snap), 0);
		for (size_t i = 0; i < snap.nr; i++)
			assert_true(snap.tasks[i].kernel_oom_score > 0);
		assert_true(snap.nr < snap.nr_scanned); /* kernel threads, at least */
		assert_int_equal(select_bad_process(&oc, &snap, NULL, NULL), 0);
		assert_int_equal(oc.chosen->pid, hog);
		proc_scanner_free(&sc);
	}
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	proc_snapshot_free(&full);
	proc_snapshot_free(&snap);
}

/* The pids of the best n of snap by points, into out (sorted by pid). */
static void top_pids(const struct proc_snapshot *snap, const struct oom_control *oc, size_t n, pid_t *out)
{
	long best[8];

	for (size_t k = 0; k < n; k++) {
		out[k] = 0;
		best[k] = LONG_MIN;
		for (size_t i = 0; i < snap->nr; i++) {
			long p = task_badness(&snap->tasks[i], oc);
			bool taken = false;

			for (size_t j = 0; j < k; j++)
				taken |= out[j] == snap->tasks[i].pid;
			if (!taken && p != LONG_MIN && (p > best[k] || (p == best[k] && snap->tasks[i].pid > out[k]))) {
				best[k] = p;
				out[k] = snap->tasks[i].pid;
			}
		}
	}
}

/* The BPF steady-state scan filters in the kernel (top N so far): its top 5
 * must be the top 5 of a full listing. Other processes change meanwhile on
 * a shared machine: one of a few attempts must agree. */
static void bpf_in_kernel_top_equals_full_listing(void **state)
{
	(void)state;
	struct proc_snapshot snap = { 0 };
	struct oom_control oc = { .totalpages = 6000000, .page_size = (unsigned long)sysconf(_SC_PAGESIZE) };
	struct proc_scan_opts o = { .totalpages = oc.totalpages, .page_size = oc.page_size };
	struct proc_scanner sc;
	pid_t hogs[5], a[5], b[5];
	bool same = false;

	assert_int_equal(proc_scanner_init(&sc, "/proc", 0), 0);
	if (strcmp(proc_scanner_method(&sc), "bpf")) {
		proc_scanner_free(&sc);
		skip(); /* no BPF here (not root, no BTF, no libbpf): procfs is covered above */
	}
	for (int i = 0; i < 5; i++)
		hogs[i] = spawn_hog_mb(8 * (size_t)(i + 1));
	for (int attempt = 0; attempt < 5 && !same; attempt++) {
		o.top = 5;
		assert_int_equal(proc_scanner_scan(&sc, &o, &snap), 0);
		assert_true(snap.nr >= 5 && snap.nr < snap.nr_scanned);
		top_pids(&snap, &oc, 5, a);
		o.top = 0; /* the seq_file iterator, every process */
		assert_int_equal(proc_scanner_scan(&sc, &o, &snap), 0);
		assert_true(snap.nr > 5);
		top_pids(&snap, &oc, 5, b);
		same = !memcmp(a, b, sizeof(a));
	}
	assert_true(same);
	/* ours, in the full listing: the bigger hog has more points */
	for (int i = 0; i + 1 < 5; i++) {
		long p0 = LONG_MIN, p1 = LONG_MIN;

		for (size_t t = 0; t < snap.nr; t++) {
			if (snap.tasks[t].pid == hogs[i])
				p0 = task_badness(&snap.tasks[t], &oc);
			if (snap.tasks[t].pid == hogs[i + 1])
				p1 = task_badness(&snap.tasks[t], &oc);
		}
		assert_true(p0 != LONG_MIN && p1 > p0);
	}
	for (int i = 0; i < 5; i++) {
		kill(hogs[i], SIGKILL);
		waitpid(hogs[i], NULL, 0);
	}
	proc_scanner_free(&sc);
	proc_snapshot_free(&snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(procfs_top_cut_keeps_ties),
		cmocka_unit_test(procfs_memcg_subtree),
		cmocka_unit_test(procfs_ties_are_bounded),
		cmocka_unit_test(procfs_above_zero_reads_only_the_killable),
		cmocka_unit_test(live_methods_agree_with_full_snapshot),
		cmocka_unit_test(bpf_in_kernel_top_equals_full_listing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
