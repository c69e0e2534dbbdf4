/* test_daemon.c - the daemon's loop on a fixture /proc: the victim rules
 * (never pid 1, kernel threads, oom_score_adj -1000 or an ignored name;
 * the biggest of the rest), a dry run as one episode (one would-be kill,
 * hooks once, a reminder at most every 5 s while the trigger holds, the
 * unknowable facts null in its JSON event), and no heap growth across
 * 1,000 kill cycles (mallinfo2: bytes in use and the number of mmapped
 * blocks stay put). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/daemon.h"
#include "daemon_fixture.h"
#include "fixture_tree.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	fixture_put(root, rel, text);
}

/* One fixture process: stat with comm, flags and rss (pages), its adj. */
static void task(int pid, const char *comm, unsigned int flags, unsigned long rss_pages, int adj)
{
	char rel[64], text[512];

	snprintf(rel, sizeof(rel), "%d", pid);
	fixture_mkdir(root, rel);
	snprintf(rel, sizeof(rel), "%d/stat", pid);
	snprintf(text, sizeof(text),
		 "%d (%s) S 1 %d %d 0 -1 %u 100 0 0 0 5 5 0 0 20 0 1 0 %d 123456789 %lu 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
		 pid, comm, pid, pid, flags, 1000 + pid, rss_pages);
	put(rel, text);
	snprintf(rel, sizeof(rel), "%d/oom_score_adj", pid);
	snprintf(text, sizeof(text), "%d\n", adj);
	put(rel, text);
	snprintf(rel, sizeof(rel), "%d/status", pid);
	snprintf(text, sizeof(text),
		 "Name:\t%s\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nPPid:\t1\nUid:\t0\t0\t0\t0\n"
		 "VmSize:\t%lu kB\nVmRSS:\t%lu kB\nRssAnon:\t%lu kB\nRssFile:\t0 kB\nRssShmem:\t0 kB\n"
		 "VmPTE:\t12 kB\nVmSwap:\t0 kB\nThreads:\t1\n",
		 comm, pid, pid, rss_pages * 8, rss_pages * 4, rss_pages * 4);
	put(rel, text);
	/* the scanner's first-pass key, the kernel's oom_score (its scale
	 * since Linux 5.9; 250000 pages in all): 0 for the unkillable */
	snprintf(rel, sizeof(rel), "%d/oom_score", pid);
	snprintf(text, sizeof(text), "%ld\n",
		 pid == 1 || (flags & 0x00200000) || adj == -1000
		 ? 0L : (1000 + ((long)rss_pages + adj * 250L) * 1000 / 250000) * 2 / 3);
	put(rel, text);
	snprintf(rel, sizeof(rel), "%d/cgroup", pid);
	put(rel, "0::/\n");
}

static int setup(void **state)
{
	(void)state;
	fixture_tree_new(root, "daemon");
	/* 4.8% available, no swap: the SIGKILL stage holds */
	put("meminfo", "MemTotal: 1000000 kB\nMemFree: 10000 kB\nMemAvailable: 48000 kB\n"
		       "SwapTotal: 0 kB\nSwapFree: 0 kB\n");
	task(1, "init", 0, 90000, 0);
	task(2, "kthreadd", 0x00200000, 0, 0);
	task(100, "big db", 0, 200000, -1000);
	task(101, "keeper", 0, 150000, 0);
	task(102, "hog) S 1 (x", 0, 50000, 0); /* a hostile name */
	task(103, "small", 0, 1000, 500);      /* adj 500: 500 * 250 pages > 50000 */
	task(104, "tiny", 0, 10, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fixture_tree_remove(root);
}

static struct daemon d;

static void start(bool dry_run)
{
	char why[256];
	struct config_error err;

	daemon_fixture_config(&d, root);
	d.cfg.dry_run = dry_run;
	snprintf(d.cfg.json_file, sizeof(d.cfg.json_file), "%s/events.json", root);
	assert_int_equal(config_set(&d.cfg, "kill", "ignore", "^keeper$", &err), 0);
	assert_int_equal(daemon_start(&d, why, sizeof(why)), 0);
}

static size_t count_lines(const char *rel)
{
	char path[256], line[4096];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static void test_victim_rules(void **state)
{
	const struct kill_record *rec;

	(void)state;
	start(true);
	daemon_step(&d, 1000000000ULL);
	assert_int_equal(d.stats.stage, STAGE_KILL);
	assert_string_equal(d.stats.trigger, "memavailable 4.8% < 5%");
	assert_int_equal(d.stats.dry_run_kills, 1);
	rec = &d.stats.last_kills[0];
	/* 103: 1000 + 500 * (250000 totalpages / 1000) = 126000 points beats 102's 50000 */
	assert_int_equal(rec->pid, 103);
	assert_int_equal(rec->signal, SIGKILL);
	assert_true(rec->dry_run);
	assert_int_equal(d.sel.oc.nr_candidates, 3); /* 102, 103, 104 */
	daemon_stop(&d);
	assert_int_equal(count_lines("events.json"), 1);
}

static void oom_score(int pid, const char *score)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%d/oom_score", pid);
	put(rel, score);
}

/* The episode reads the killable top first (init, kthreadd and the -1000
 * task score 0: not read), and the policy's best there is its choice.
 * When the policy leaves nobody there (keeper alone scores above 0 here,
 * as an old kernel's rounding does to small tasks), every task is read. */
static void test_episode_reads_the_killable_top_first(void **state)
{
	(void)state;
	start(true);
	daemon_step(&d, 1000000000ULL);
	assert_int_equal(d.stats.last_kills[0].pid, 103);
	assert_int_equal(d.sel.snap.nr, 4);
	daemon_stop(&d);

	for (int pid = 102; pid <= 104; pid++)
		oom_score(pid, "0\n");
	start(true);
	daemon_step(&d, 1000000000ULL);
	assert_int_equal(d.stats.last_kills[0].pid, 103);
	assert_int_equal(d.sel.snap.nr, 7);
	daemon_stop(&d);
	task(102, "hog) S 1 (x", 0, 50000, 0);
	task(103, "small", 0, 1000, 500);
	task(104, "tiny", 0, 10, 0);
}

static void test_no_heap_growth_across_1000_kill_cycles(void **state)
{
	struct mallinfo2 before, after;
	int saved = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY);

	(void)state;
	dup2(devnull, STDERR_FILENO); /* one line per would-be kill */
	start(true);
	for (int i = 0; i < 10; i++) { /* start-up: lazy buffers of stdio and libc */
		d.cfg.memory_enabled = i % 2 == 0;
		daemon_step(&d, (uint64_t)(i + 1) * 100000000ULL);
	}
	before = mallinfo2();
	for (int i = 10; i < 1010; i++) {
		/* one episode a cycle: the trigger holds, then clears */
		d.cfg.memory_enabled = true;
		daemon_step(&d, (uint64_t)(2 * i + 1) * 100000000ULL);
		d.cfg.memory_enabled = false;
		daemon_step(&d, (uint64_t)(2 * i + 2) * 100000000ULL);
	}
	after = mallinfo2();
	daemon_stop(&d);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(devnull);
	assert_int_equal(d.stats.dry_run_kills, 1005);
	assert_int_equal(count_lines("events.json"), 1 + 1005);
	if (after.uordblks != before.uordblks || after.hblks != before.hblks)
		fail_msg("heap grew: in use %zu -> %zu bytes, mmapped blocks %zu -> %zu",
			 before.uordblks, after.uordblks, before.hblks, after.hblks);
}

static size_t count_in(const char *path, const char *needle)
{
	char line[4096];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return n;
}

/* A dry run is a real episode without the signals: with the trigger held
 * for 12 s, one would-be kill, the post_kill hook once, a reminder line at
 * most every 5 s; the JSON event's unknowable facts (exit, memory after)
 * null. A new episode after the trigger cleared. */
static void test_dry_run_one_kill_per_episode(void **state)
{
	const uint64_t ms = 1000000ULL;
	char log[128], hook[128], json[128];
	int saved = dup(STDERR_FILENO), fd;

	(void)state;
	snprintf(log, sizeof(log), "%s/stderr", root);
	snprintf(hook, sizeof(hook), "%s/hook.sh", root);
	snprintf(json, sizeof(json), "%s/events.json", root);
	put("hook.sh", "#!/bin/sh\necho run >> \"$0.out\"\n");
	chmod(hook, 0755);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	unlink(json);
	dup2(fd, STDERR_FILENO);
	start(true);
	snprintf(d.cfg.post_kill, sizeof(d.cfg.post_kill), "%s", hook);
	for (uint64_t t = 1000; t <= 13000; t += 100)
		daemon_step(&d, t * ms);
	assert_int_equal(d.stats.dry_run_kills, 1);
	assert_int_equal(d.stats.hooks_run, 1);
	d.cfg.memory_enabled = false; /* the trigger clears */
	daemon_step(&d, 13100 * ms);
	d.cfg.memory_enabled = true;
	daemon_step(&d, 13200 * ms);
	assert_int_equal(d.stats.dry_run_kills, 2);
	daemon_stop(&d);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	assert_int_equal(count_in(log, "dry-run: would send SIGKILL"), 2);
	assert_int_equal(count_in(log, "dry-run: memavailable 4.8% < 5% still holds"), 2); /* at 6 s, 11 s */
	assert_int_equal(count_lines("events.json"), 2);
	assert_int_equal(count_in(json, "\"exited\":null,\"reaped\":null,\"ms_to_exit\":null,"), 2);
	assert_int_equal(count_in(json, "\"avail_after_kb\":null,"), 2);
}

/* A PSI trigger event (what poll reports as POLLPRI) is a trigger with the
 * kernel trigger's words; after a kill, lagging PSI is muted for the
 * cool-down; the sustained rule needs its whole duration. */
static void test_psi_trigger_and_cooldown(void **state)
{
	const uint64_t s = 1000000000ULL;

	(void)state;
	start(true);
	d.cfg.memory_enabled = false;
	d.cfg.psi.enabled = true; /* as armed: full 40% of 2 s */
	daemon_step(&d, 1 * s);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	d.psi_fired = true;
	d.psi_fired_scope = -1;
	daemon_step(&d, 2 * s);
	assert_int_equal(d.stats.stage, STAGE_TERM);
	assert_string_equal(d.stats.trigger, "psi full 40% 2s");
	assert_int_equal(d.stats.dry_run_kills, 1);
	/* muted: the event of a window that saw the last kill does not count */
	d.psi_muted_until_ns = 10 * s;
	d.psi_fired = true;
	daemon_step(&d, 3 * s);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(d.stats.dry_run_kills, 1);
	assert_false(d.psi_fired);
	daemon_stop(&d);
}

static void meminfo_avail(unsigned long kb)
{
	char text[256];

	snprintf(text, sizeof(text), "MemTotal: 1000000 kB\nMemFree: 10000 kB\nMemAvailable: %lu kB\n"
				     "SwapTotal: 0 kB\nSwapFree: 0 kB\n", kb);
	put("meminfo", text);
}

/* A machine-wide PSI event with MemAvailable above [psi]
 * available_below_percent (50%) kills nobody (a fork bomb's stalls after
 * it died); below, the same event does. */
static void test_psi_needs_short_memory(void **state)
{
	const uint64_t s = 1000000000ULL;

	(void)state;
	start(true);
	d.cfg.memory_enabled = false;
	d.cfg.psi.enabled = true;
	meminfo_avail(600000);
	d.psi_fired = true;
	d.psi_fired_scope = -1;
	daemon_step(&d, 1 * s);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(d.stats.dry_run_kills, 0);
	assert_false(d.psi_fired);
	meminfo_avail(400000);
	d.psi_fired = true;
	daemon_step(&d, 2 * s);
	assert_int_equal(d.stats.stage, STAGE_TERM);
	assert_int_equal(d.stats.dry_run_kills, 1);
	daemon_stop(&d);
	meminfo_avail(48000);
}

/* The SIGTERM floor holds on the level only: MemAvailable at 20% falling
 * at 2 GB/s is a burst that may stop (nothing happens; it would reach 0 in
 * 100 ms, after the next sample); below the floor the SIGTERM stage says
 * the rate and the next sample. Only when the kernel's limit comes before
 * the next sample plus the time to act is waiting too late: SIGKILL now,
 * above the floor too. */
static void test_level_then_too_late(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	start(true);
	meminfo_avail(400000);
	daemon_step(&d, 1000 * ms);
	meminfo_avail(200000);
	daemon_step(&d, 1100 * ms);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(d.stats.dry_run_kills, 0);
	meminfo_avail(190000); /* growth stopped (100 MB/s): no threat */
	daemon_step(&d, 1200 * ms);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	meminfo_avail(90000); /* 9%: the level, 0.5 GB/s (empty in 180 ms) */
	daemon_step(&d, 1500 * ms);
	assert_int_equal(d.stats.stage, STAGE_TERM);
	assert_non_null(strstr(d.stats.trigger, "memavailable 9.0% < 10% (488MiB/s; next sample in "));
	daemon_stop(&d);
	start(true); /* (a dry-run kill samples again on the real clock) */
	meminfo_avail(200000);
	daemon_step(&d, 1000 * ms);
	meminfo_avail(120000); /* 12% at 16 GB/s: empty in 7.5 ms, before the next sample + a kill */
	daemon_step(&d, 1005 * ms);
	assert_int_equal(d.stats.stage, STAGE_KILL);
	assert_non_null(strstr(d.stats.trigger, "memavailable 12.0%; 15625MiB/s: the limit in 8ms, next sample in 4ms + 5ms to act"));
	daemon_stop(&d);
	meminfo_avail(48000);
}

/* At the SIGTERM level, a fall that empties memory before a SIGTERMed
 * victim would have exited is a SIGKILL: 9% at 2 GB/s is empty in 45 ms,
 * before the 100 ms a SIGTERM's exit is taken to need before any was
 * measured. Victims measured to exit in 20 ms leave it a SIGTERM, and
 * above the floor the same fall is no reason to act at all. */
static void test_sigterm_exit_counts_at_the_level(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	for (int measured = 0; measured < 2; measured++) {
		start(true);
		d.term_exit_ns = measured ? 20 * ms : 0;
		meminfo_avail(400000);
		daemon_step(&d, 1000 * ms);
		meminfo_avail(200000); /* 20%, 2 GB/s: empty in 100 ms, after the next sample */
		daemon_step(&d, 1100 * ms);
		assert_int_equal(d.stats.stage, STAGE_NONE);
		meminfo_avail(90000);
		daemon_step(&d, 1155 * ms);
		if (measured) {
			assert_int_equal(d.stats.stage, STAGE_TERM);
		} else {
			assert_int_equal(d.stats.stage, STAGE_KILL);
			assert_non_null(strstr(d.stats.trigger, "memavailable 9.0% < 10%; 1953MiB/s: the limit in 45ms, a SIGTERM's exit in 100ms + 5ms to act"));
		}
		daemon_stop(&d);
	}
	meminfo_avail(48000);
}

/* Within twice the SIGTERM floor the idle daemon scans once a second: the
 * first episode's invoker is then the task that grew since (not merely the
 * biggest one, "big db"), with its growth. */
static void test_warm_up_names_the_grower(void **state)
{
	const uint64_t ms = 1000000ULL;
	(void)state;
	start(true);
	meminfo_avail(150000);
	daemon_step(&d, 1000 * ms);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(d.next_warm_ns, 2000 * ms);
	task(104, "tiny", 0, 20010, 0); /* grew by 20000 pages */
	meminfo_avail(48000);
	daemon_step(&d, 1500 * ms);
	assert_int_equal(d.stats.dry_run_kills, 1);
	assert_int_equal(d.sel.oc.invoker.pid, 104);
	assert_int_equal(d.sel.oc.invoker.growth_kb, 80000);
	daemon_stop(&d);
	task(104, "tiny", 0, 10, 0);
}

/* Memory held still within twice the floor is warmed up once: a second
 * later, 1000 kB lower, no scan, nor at a dip at a fall's pace of 10000
 * kB; once it moved by a quarter of the floor (25000 kB), again; above
 * twice the floor and back, at once. */
static void test_still_memory_warms_once(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	start(true);
	meminfo_avail(150000);
	daemon_step(&d, 1000 * ms);
	assert_int_equal(d.next_warm_ns, 2000 * ms);
	meminfo_avail(149000);
	daemon_step(&d, 2100 * ms);
	assert_int_equal(d.next_warm_ns, 2000 * ms);
	meminfo_avail(139000); /* a dip at 333 MB/s, a fall's pace (a page-cache thrash) */
	daemon_step(&d, 2130 * ms);
	assert_int_equal(d.next_fall_warm_ns, 0);
	assert_int_equal(d.next_warm_ns, 2000 * ms);
	meminfo_avail(124000);
	daemon_step(&d, 3200 * ms);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(d.next_warm_ns, 4200 * ms);
	meminfo_avail(300000);
	daemon_step(&d, 4300 * ms);
	meminfo_avail(190000);
	daemon_step(&d, 5400 * ms);
	assert_int_equal(d.next_warm_ns, 6400 * ms);
	daemon_stop(&d);
	meminfo_avail(48000);
}

/* A warm-up at the start of a fast fall keeps its choice (the top task,
 * here the one filling memory); at the floor, still falling fast, that one
 * task is read again alone and taken, no scan. It is not taken when its
 * fresh read says -1000, nor when it did not grow (another task fills
 * memory): a scan then chooses. */
/* A dry-run daemon whose warm-up at 1.1 s, at the start of a fast fall,
 * chose 104, the task filling memory. */
static void warm_in_fall(void)
{
	const uint64_t ms = 1000000ULL;

	start(true);
	meminfo_avail(900000);
	daemon_step(&d, 1000 * ms);
	task(104, "tiny", 0, 130000, 0); /* the top now (small's points: 126000) */
	meminfo_avail(500000);           /* 4 GB/s, a second from twice the floor */
	daemon_step(&d, 1100 * ms);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(d.sel.pick.pid, 104);
	assert_int_equal(d.next_warm_ns, 2100 * ms);
}

/* Stops the daemon and puts back what the fall tests change. */
static void fall_done(void)
{
	daemon_stop(&d);
	task(104, "tiny", 0, 10, 0);
	meminfo_avail(48000);
}

static void fall_to_floor(unsigned long after_pages, int after_adj)
{
	const uint64_t ms = 1000000ULL;

	warm_in_fall();
	task(104, "tiny", 0, after_pages, after_adj);
	meminfo_avail(90000);
	daemon_step(&d, 1150 * ms);
	assert_int_equal(d.stats.dry_run_kills, 1);
}

static void test_fast_fall_takes_the_warm_pick(void **state)
{
	(void)state;
	fall_to_floor(330000, 0);
	assert_int_equal(d.sel.oc.chosen->pid, 104);
	assert_int_equal(d.sel.snap.nr_scanned, 1);
	assert_int_equal(d.sel.oc.invoker.growth_kb, 800000);
	daemon_stop(&d);
	fall_to_floor(330000, -1000);
	assert_int_equal(d.sel.oc.chosen->pid, 103);
	assert_true(d.sel.snap.nr_scanned > 1);
	daemon_stop(&d);
	fall_to_floor(130000, 0);
	assert_int_equal(d.sel.oc.chosen->pid, 104);
	assert_true(d.sel.snap.nr_scanned > 1);
	fall_done();
}

/* A fast fall that starts within twice the floor, half a second after the
 * idle warm-up of that level chose another task: a warm-up at once, whose
 * choice (the grower) the floor then takes alone. */
static void test_fall_near_the_floor_warms_at_once(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	start(true);
	meminfo_avail(150000);
	daemon_step(&d, 1000 * ms);
	assert_int_equal(d.sel.pick.pid, 103);
	task(104, "tiny", 0, 130000, 0);
	meminfo_avail(120000); /* 300 MB/s */
	daemon_step(&d, 1500 * ms);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(d.sel.pick.pid, 104);
	task(104, "tiny", 0, 330000, 0);
	meminfo_avail(90000);
	daemon_step(&d, 1550 * ms);
	assert_int_equal(d.stats.dry_run_kills, 1);
	assert_int_equal(d.sel.oc.chosen->pid, 104);
	assert_int_equal(d.sel.snap.nr_scanned, 1);
	fall_done();
}

/* A second fast fall while the warm-up's choice still fills memory needs
 * no other warm-up: only that task is read again. */
static void test_fall_keeps_a_pick_that_fills(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	warm_in_fall();
	task(104, "tiny", 0, 180000, 0); /* 200000 kB more, what the machine lost */
	meminfo_avail(300000);
	daemon_step(&d, 2200 * ms);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(d.next_fall_warm_ns, 3200 * ms);
	assert_int_equal(d.next_warm_ns, 2100 * ms);
	assert_int_equal(d.sel.pick.pid, 104);
	fall_done();
}

/* Near the floor the loop samples every 3 ms only while memory falls fast
 * enough to go from the SIGTERM floor (100000 kB) to nothing in 100 ms: a
 * fall of 100 MB/s keeps interval_min (10 ms), one of 3 GB/s gets the
 * headroom's own 8 ms (55000 kB above the SIGKILL floor at 6000 MiB/s). */
static void test_fast_sampling_needs_a_fast_fall(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	start(true);
	meminfo_avail(115000);
	daemon_step(&d, 1000 * ms);
	meminfo_avail(105000);
	daemon_step(&d, 1100 * ms);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(daemon_timeout_ms(&d, 1100 * ms), 10);
	daemon_stop(&d);
	start(true);
	meminfo_avail(400000);
	daemon_step(&d, 1000 * ms);
	meminfo_avail(105000);
	daemon_step(&d, 1100 * ms);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(daemon_timeout_ms(&d, 1100 * ms), 8);
	daemon_stop(&d);
	meminfo_avail(48000);
}

/* Quiet samples within a second of a fast fall (the decaying rate under
 * 32 MiB/s) do not start the once-a-second warm-up scan near the floor. */
static void test_fall_outlives_a_dip_of_the_rate(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	warm_in_fall();
	task(104, "tiny", 0, 230000, 0);
	meminfo_avail(150000); /* near: 333 MB/s, and the choice fills it */
	daemon_step(&d, 2150 * ms);
	for (uint64_t t = 2200; t <= 2600; t += 50)
		daemon_step(&d, t * ms); /* the rate halves each time */
	assert_true(d.sys.fill_kb_s < 32 * 1024);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(d.next_warm_ns, 2100 * ms);
	fall_done();
}

/* No warm-up while the threads surge (200 new ones, a fork bomb's
 * shape), even where a fast fall would have one. */
static void test_no_warm_up_in_a_thread_surge(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	put("loadavg", "0.00 0.00 0.00 1/100 1\n");
	start(true);
	meminfo_avail(535000);
	daemon_step(&d, 1000 * ms);
	put("loadavg", "0.00 0.00 0.00 1/300 1\n");
	task(104, "tiny", 0, 130000, 0);
	meminfo_avail(500000); /* 350 MB/s: a second from twice the floor */
	daemon_step(&d, 1100 * ms);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(d.sel.pick.pid, 0);
	assert_int_equal(d.next_warm_ns, 0);
	unlink(fixture_put(root, "loadavg", ""));
	fall_done();
}

/* A prefer rule may choose outside the top a warm-up reads: no choice is
 * kept, the floor scans. */
static void test_no_pick_with_a_prefer_rule(void **state)
{
	const uint64_t ms = 1000000ULL;
	struct config_error err;
	char why[256];

	(void)state;
	daemon_fixture_config(&d, root);
	d.cfg.dry_run = true;
	assert_int_equal(config_set(&d.cfg, "kill", "prefer", "^small$", &err), 0);
	assert_int_equal(daemon_start(&d, why, sizeof(why)), 0);
	meminfo_avail(900000);
	daemon_step(&d, 1000 * ms);
	task(104, "tiny", 0, 130000, 0);
	meminfo_avail(500000);
	daemon_step(&d, 1100 * ms);
	assert_int_equal(d.next_warm_ns, 2100 * ms);
	assert_int_equal(d.sel.pick.pid, 0);
	fall_done();
}

/* With swap the machine's SIGKILL stage needs SwapFree below its floor
 * too: MemAvailable under its floor with swap 60% free is no reason to
 * sample at the shortest interval (550000 kB at 6000 MiB/s: 89 ms). */
static void test_interval_counts_swap(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	put("meminfo", "MemTotal: 1000000 kB\nMemFree: 10000 kB\nMemAvailable: 40000 kB\n"
		       "SwapTotal: 1000000 kB\nSwapFree: 600000 kB\n");
	start(true);
	daemon_step(&d, 1000 * ms);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(daemon_timeout_ms(&d, 1000 * ms), 89);
	daemon_stop(&d);
	meminfo_avail(48000);
}

/* swapoff of a 1 GB device, all of it free: SwapTotal and SwapFree drop
 * together in 10 ms while MemAvailable stays at 85%. Nobody filled
 * memory: no fall, no look-ahead, no kill. */
static void test_swapoff_is_no_fall(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	put("meminfo", "MemTotal: 1000000 kB\nMemFree: 10000 kB\nMemAvailable: 850000 kB\n"
		       "SwapTotal: 1000000 kB\nSwapFree: 1000000 kB\n");
	start(true);
	daemon_step(&d, 1000 * ms);
	put("meminfo", "MemTotal: 1000000 kB\nMemFree: 10000 kB\nMemAvailable: 850000 kB\n"
		       "SwapTotal: 0 kB\nSwapFree: 0 kB\n");
	daemon_step(&d, 1010 * ms);
	assert_true(d.sys.fill_kb_s < 1.0);
	assert_int_equal(d.stats.stage, STAGE_NONE);
	assert_int_equal(d.stats.dry_run_kills, 0);
	daemon_stop(&d);
	meminfo_avail(48000);
}

/* Copies pids [from, to) of a fork bomb: started now, orphaned to init. */
static void bomb_copies(int from, int to)
{
	char rel[64], text[512];

	for (int pid = from; pid < to; pid++) {
		task(pid, "bomb", 0, 128, 0);
		snprintf(rel, sizeof(rel), "%d/stat", pid);
		snprintf(text, sizeof(text),
			 "%d (bomb) S 1 %d %d 0 -1 0 100 0 0 0 5 5 0 0 20 0 1 0 %llu 123456789 128 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
			 pid, pid, pid, kill_boot_tick());
		put(rel, text);
	}
}

static void drop_task(int pid)
{
	static const char *const files[] = { "stat", "oom_score_adj", "status", "oom_score", "cgroup" };
	char path[256];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%d/%s", root, pid, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%d", root, pid);
	assert_int_equal(rmdir(path), 0);
}

static void loadavg_threads(unsigned long n)
{
	char text[64];

	snprintf(text, sizeof(text), "0.00 0.00 0.00 1/%lu 9999\n", n);
	put("loadavg", text);
}

/* A surge of 70 threads while memory falls 1 GB/s: the search finds 62
 * young copies of "bomb", short of swarm_min (64), and kills nothing. The
 * bomb doubles: 100 ms later, with twice the threads, it is searched again
 * (not a second later, when memory would be gone) and taken whole. */
static void test_fork_bomb_searched_again_when_threads_double(void **state)
{
	const uint64_t ms = 1000000ULL;

	(void)state;
	loadavg_threads(100);
	meminfo_avail(600000);
	start(true);
	daemon_step(&d, 1000 * ms);
	bomb_copies(2000, 2062);
	loadavg_threads(170);
	meminfo_avail(500000);
	daemon_step(&d, 1100 * ms);
	assert_int_equal(d.stats.dry_run_kills, 0);
	bomb_copies(2062, 2140);
	loadavg_threads(240);
	meminfo_avail(400000);
	daemon_step(&d, 1200 * ms);
	assert_int_equal(d.stats.dry_run_kills, 1);
	assert_non_null(strstr(d.stats.trigger, "with 140 new threads"));
	assert_non_null(strstr(d.sel.oc.trigger, "fork bomb: 140 bomb started"));
	daemon_stop(&d);
	for (int pid = 2000; pid < 2140; pid++)
		drop_task(pid);
	loadavg_threads(100);
	meminfo_avail(48000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_victim_rules),
		cmocka_unit_test(test_no_heap_growth_across_1000_kill_cycles),
		cmocka_unit_test(test_dry_run_one_kill_per_episode),
		cmocka_unit_test(test_episode_reads_the_killable_top_first), /* (after the event counts) */
		cmocka_unit_test(test_psi_trigger_and_cooldown),
		cmocka_unit_test(test_psi_needs_short_memory),
		cmocka_unit_test(test_level_then_too_late),
		cmocka_unit_test(test_sigterm_exit_counts_at_the_level),
		cmocka_unit_test(test_warm_up_names_the_grower),
		cmocka_unit_test(test_still_memory_warms_once),
		cmocka_unit_test(test_fast_fall_takes_the_warm_pick),
		cmocka_unit_test(test_fall_near_the_floor_warms_at_once),
		cmocka_unit_test(test_fall_keeps_a_pick_that_fills),
		cmocka_unit_test(test_fall_outlives_a_dip_of_the_rate),
		cmocka_unit_test(test_no_warm_up_in_a_thread_surge),
		cmocka_unit_test(test_no_pick_with_a_prefer_rule),
		cmocka_unit_test(test_interval_counts_swap),
		cmocka_unit_test(test_fast_sampling_needs_a_fast_fall),
		cmocka_unit_test(test_fork_bomb_searched_again_when_threads_double),
		cmocka_unit_test(test_swapoff_is_no_fall),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
