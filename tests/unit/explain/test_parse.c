/* test_parse.c - event assembly: KERN_CONT pieces, caller ids, ratelimited
 * headers, several hosts, every era's kill lines, oom.group, panics, the
 * user-space killers and oomkit's own kernel-shaped report. Lines are the
 * kernel's verbatim format strings with values filled in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parse_lines.h"

static void kern_cont_pieces(void **state)
{
	static const char *const lines[] = {
		"[ 10.000000] perl invoked oom-killer: gfp_mask=0x14201ca(GFP_HIGHUSER_MOVABLE|__GFP_COLD), nodemask=",
		"[ 10.000001] (null)",
		"[ 10.000002] ,  order=0, oom_score_adj=0",
		"[ 10.000003] Node 0 ",
		"[ 10.000004] DMA32 free:59900kB min:24044kB low:30052kB high:36060kB present:3129204kB managed:2503388kB",
		"[ 10.000005] Task in /lxc/foo",
		"[ 10.000006]  killed as a result of limit of ",
		"[ 10.000007] /lxc/foo",
		"[ 10.000008] Memory cgroup out of memory: Kill process 42 (perl) score 506 or sacrifice child",
		"[ 10.000009] Killed process 42 (perl) total-vm:263576kB, anon-rss:255872kB, file-rss:0kB, shmem-rss:0kB",
		NULL,
	};

	(void)state;
	parse(lines);
	assert_int_equal(nev, 1);
	assert_string_equal(evs[0].oc.invoker.comm, "perl");
	assert_string_equal(evs[0].gfp_mask, "0x14201ca");
	assert_string_equal(evs[0].nodemask, "(null)");
	assert_int_equal(evs[0].order, 0);
	assert_int_equal(evs[0].invoker_oom_score_adj, 0);
	assert_int_equal(evs[0].nr_zones, 1);
	assert_string_equal(evs[0].zones[0].name, "DMA32");
	assert_int_equal(evs[0].zones[0].node, 0);
	assert_int_equal(evs[0].zones[0].managed_kb, 2503388);
	assert_string_equal(evs[0].task_memcg, "/lxc/foo");
	assert_string_equal(evs[0].oom_memcg, "/lxc/foo");
	assert_int_equal(evs[0].oc.constraint, CONSTRAINT_MEMCG);
	assert_int_equal(evs[0].select_score, 506);
	assert_int_equal(evs[0].victim.anon_rss_kb, 255872);
	assert_false(evs[0].truncated_start);
	assert_false(evs[0].truncated_end);
}

static void oom_kill_line_in_pieces(void **state)
{
	static const char *const lines[] = {
		"[ 1.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		"[ 1.1] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null)",
		"[ 1.2] ,cpuset=/,mems_allowed=0-1,3",
		"[ 1.3] ,oom_memcg=/k8s/pod1,task_memcg=/k8s/pod1/c1,task=x,y (z),pid=77,uid=1000",
		"[ 1.4] Memory cgroup out of memory: Killed process 77 (x,y (z)) total-vm:100kB, anon-rss:50kB, file-rss:1kB, shmem-rss:2kB, UID:1000 pgtables:4kB oom_score_adj:-5",
		NULL,
	};

	(void)state;
	parse(lines);
	assert_int_equal(nev, 1);
	assert_string_equal(evs[0].oom_memcg, "/k8s/pod1");
	assert_string_equal(evs[0].task_memcg, "/k8s/pod1/c1");
	assert_string_equal(evs[0].mems_allowed, "0-1,3");
	assert_string_equal(evs[0].victim.comm, "x,y (z)");
	assert_int_equal(evs[0].victim.pid, 77);
	assert_int_equal(evs[0].victim.uid, 1000);
	assert_int_equal(evs[0].victim.oom_score_adj, -5);
	assert_int_equal(evs[0].victim.shmem_rss_kb, 2);
}

static void caller_ids_keep_other_cpus_out(void **state)
{
	static const char *const lines[] = {
		"[ 1.0][ T500] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		"[ 1.1][ T500] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
		"[ 1.2][ T500] [    500]     0   500     1000      900    65536        0             0 a",
		"[ 1.3][ T777] [    777]     0   777     9999     9999    65536        0             0 intruder",
		"[ 1.4][ T500] Out of memory: Killed process 500 (a) total-vm:4000kB, anon-rss:3600kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:64kB oom_score_adj:0",
		"[ 1.5][   T9] oom_reaper: reaped process 500 (a), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
		NULL,
	};

	(void)state;
	parse(lines);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].nr_tasks, 1);
	assert_int_equal(evs[0].reaped, 1);
	assert_int_equal(ranks[0].verdict, RANK_TOP);
}

static void ratelimited_headers_and_hosts(void **state)
{
	static const char *const lines[] = {
		"Jan 1 00:00:01 web1 kernel: oom_kill_process: 3 callbacks suppressed",
		"Jan 1 00:00:01 web1 kernel: Out of memory: Killed process 11 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB",
		"Jan 1 00:00:01 web2 kernel: b invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
		"Jan 1 00:00:02 web1 kernel: Out of memory: Killed process 12 (c) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB",
		"Jan 1 00:00:02 web2 kernel: Out of memory: Killed process 22 (b) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB",
		NULL,
	};

	(void)state;
	parse(lines);
	assert_int_equal(nev, 3);
	assert_int_equal(evs[0].victim.pid, 11);
	assert_true(evs[0].truncated_start);
	assert_int_equal(evs[0].suppressed, 3);
	assert_int_equal(evs[1].victim.pid, 12);
	assert_string_equal(evs[2].host, "web2");
	assert_string_equal(evs[2].oc.invoker.comm, "b");
	assert_int_equal(evs[2].victim.pid, 22);
	assert_false(evs[2].truncated_start);
}

static void old_kill_lines(void **state)
{
	static const char *const lines[] = {
		/* 2.6.32 vanilla */
		"Out of memory: kill process 1234 (foo) score 7899 or a child",
		"Killed process 1234 (foo)",
		/* RHEL6 */
		"httpd invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0",
		"Out of memory: Kill process 9682 (mysqld) score 9 or sacrifice child",
		"Killed process 9682, UID 27, (mysqld) total-vm:47388kB, anon-rss:3744kB, file-rss:80kB",
		/* RHEL7 */
		"java invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0",
		"Out of memory: Kill process 100 (java) score 900 or sacrifice child",
		"Killed process 101 (java child), UID 1000, total-vm:1000kB, anon-rss:900kB, file-rss:0kB, shmem-rss:0kB",
		NULL,
	};

	(void)state;
	parse(lines);
	assert_int_equal(nev, 3);
	assert_int_equal(evs[0].victim.pid, 1234);
	assert_int_equal(evs[0].select_score, 7899);
	assert_int_equal(evs[1].victim.pid, 9682);
	assert_int_equal(evs[1].victim.uid, 27);
	assert_string_equal(evs[1].victim.comm, "mysqld");
	assert_int_equal(evs[1].invoker_oom_adj, 0);
	assert_int_equal(ranks[1].era, OOM_ERA_2_6_36);
	assert_string_equal(ranks[1].gfp_decoded, "GFP_HIGHUSER_MOVABLE|__GFP_COLD");
	assert_string_equal(evs[2].victim.comm, "java child");
	assert_int_equal(evs[2].victim.uid, 1000);
	assert_int_equal(evs[2].select_pid, 100);
}

static void oom_group_panic_exiting(void **state)
{
	static const char *const lines[] = {
		"[ 1.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		"[ 1.1] Tasks in /grp are going to be killed due to memory.oom.group set",
		"[ 1.2] Memory cgroup out of memory: Killed process 1 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
		"[ 1.3] Memory cgroup out of memory: Killed process 2 (b) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
		"[ 1.4] Memory cgroup out of memory: Killed process 3 (c) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
		"[ 2.0] b invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		"[ 2.1] Out of memory: OOM victim 9 (z) is already exiting. Skip killing the task",
		"[ 3.0] c invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
		"[ 3.1] Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled",
		"[ 4.0] d invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		"[ 4.1] Out of memory and no killable processes...",
		NULL,
	};

	(void)state;
	parse(lines);
	assert_int_equal(nev, 4);
	assert_string_equal(evs[0].oom_group, "/grp");
	assert_int_equal(evs[0].nr_others, 2);
	assert_int_equal(evs[0].others[1].pid, 3);
	assert_true(evs[1].already_exiting);
	assert_int_equal(evs[1].victim.pid, 9);
	assert_true(evs[2].panic);
	assert_string_equal(evs[2].panic_msg, "Out of memory: system-wide panic_on_oom is enabled");
	assert_true(evs[3].no_killable);
	assert_false(evs[3].truncated_end);
}

static void sysrq_and_allocating_task(void **state)
{
	static const char *const lines[] = {
		"[ 1.0] sysrq: Manual OOM execution",
		"[ 1.1] kworker/0:2 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0",
		"[ 1.2] Out of memory: Killed process 5 (e) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
		"[ 2.0] big invoked oom-killer: gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null), order=0, oom_score_adj=0",
		"[ 2.1] Out of memory (oom_kill_allocating_task): Kill process 6 (big) score 0 or sacrifice child",
		"[ 2.2] Killed process 6 (big) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB",
		NULL,
	};

	(void)state;
	parse(lines);
	assert_int_equal(nev, 2);
	assert_true(evs[0].sysrq);
	assert_string_equal(evs[0].invoker_kind, "sysrq");
	assert_true(evs[1].allocating_task);
	assert_int_equal(ranks[1].verdict, RANK_NOT_TOP);
}

static void oomkit_and_userspace_killers(void **state)
{
	static const char *const lines[] = {
		"Nov 21 10:00:00 h oomkit[9]: hog invoked oom-killer: trigger=memavailable 4.8% < 5%, order=0, oom_score_adj=0",
		"Nov 21 10:00:00 h oomkit[9]: oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),global_oom,task=hog,pid=70,uid=0",
		"Nov 21 10:00:00 h oomkit[9]: Out of memory: Killed process 70 (hog) total-vm:10kB, anon-rss:8kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
		"Nov 21 10:00:00 h oomkit[9]: oom_reaper: reaped process 70 (hog), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
		"Nov 21 10:00:01 h earlyoom[5]: sending SIGTERM to process 1234 uid 1000 \"firefox\": badness 850, VmRSS 3000 MiB",
		"Nov 21 10:00:02 h systemd-oomd[6]: Killed /user.slice/user-1000.slice/app.scope due to memory pressure for /user.slice being 80.00% > 50.00% for > 20s with reclaim activity",
		"Nov 21 10:00:03 h lmkd[7]: Kill 'com.example' (4321), uid 10089, oom_score_adj 905 to free 58640kB rss, 0kB swap; reason: low watermark is breached",
		NULL,
	};

	(void)state;
	parse(lines);
	assert_int_equal(nev, 4);
	assert_string_equal(evs[0].source, "oomkit");
	assert_string_equal(evs[0].oc.trigger, "memavailable 4.8% < 5%");
	assert_int_equal(evs[0].victim.pid, 70);
	assert_int_equal(evs[0].reaped, 1);
	assert_true(evs[0].global_oom);
	assert_string_equal(evs[1].source, "earlyoom");
	assert_string_equal(evs[1].victim.comm, "firefox");
	assert_string_equal(evs[1].victim.signal, "SIGTERM");
	assert_int_equal(evs[1].victim.rss_kb, 3000 * 1024);
	assert_string_equal(evs[2].source, "systemd-oomd");
	assert_string_equal(evs[2].victim.cgroup, "/user.slice/user-1000.slice/app.scope");
	assert_string_equal(evs[3].source, "lmkd");
	assert_int_equal(evs[3].victim.pid, 4321);
	assert_int_equal(evs[3].victim.oom_score_adj, 905);
}

/* explain_rank(): the re-ranking says why the victim was or was not the
 * table's top candidate. */
static void ranking_verdicts(void **state)
{
	static const char *const lines[] = {
		/* 3.10 RHEL7: parent selected, child sacrificed */
		"[ 1.0] p invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0",
		"[ 1.1] CPU: 0 PID: 100 Comm: p Not tainted 3.10.0-1160.el7.x86_64 #1",
		"[ 1.2] [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
		"[ 1.3] [  100]     0   100    50000    40000      80        0             0 p",
		"[ 1.4] [  101]     0   101    20000    10000      30        0             0 child",
		"[ 1.5] Out of memory: Kill process 100 (p) score 400 or sacrifice child",
		"[ 1.6] Killed process 101 (child), UID 0, total-vm:80000kB, anon-rss:40000kB, file-rss:0kB, shmem-rss:0kB",
		/* 5.10: victim missing from the table */
		"[ 2.0] q invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
		"[ 2.1] CPU: 0 PID: 200 Comm: q Not tainted 5.10.0-60 #1",
		"[ 2.2] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
		"[ 2.3] [    200]     0   200     1000      900    65536        0             0 q",
		"[ 2.4] Out of memory: Killed process 999 (gone) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
		/* 6.x memcg: a -1000 task is never the top; totalpages from the limit */
		"[ 3.0] r invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		"[ 3.1] memory: usage 65536kB, limit 65536kB, failcnt 9",
		"[ 3.2] [  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name",
		"[ 3.3] [    300]     0   300    20000    15000    14000     1000         0   196608        0         -1000 big",
		"[ 3.4] [    301]     0   301     2000     1000      900      100         0    65536        0             0 r",
		"[ 3.5] Memory cgroup out of memory: Killed process 301 (r) total-vm:8000kB, anon-rss:3600kB, file-rss:400kB, shmem-rss:0kB, UID:0 pgtables:64kB oom_score_adj:0",
		NULL,
	};

	(void)state;
	parse(lines);
	assert_int_equal(nev, 3);
	assert_int_equal(ranks[0].era, OOM_ERA_3_14);
	assert_true(ranks[0].era_from_release);
	assert_int_equal(ranks[0].verdict, RANK_TOP);
	assert_non_null(strstr(ranks[0].why, "sacrificed"));
	assert_int_equal(ranks[1].verdict, RANK_NOT_TOP);
	assert_non_null(strstr(ranks[1].why, "not in the task table"));
	assert_int_equal(ranks[2].era, OOM_ERA_5_9);
	assert_int_equal(ranks[2].totalpages, 16384);
	assert_int_equal(ranks[2].verdict, RANK_TOP);
	assert_int_equal(ranks[2].top_points, 1000 + 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kern_cont_pieces),
		cmocka_unit_test(oom_kill_line_in_pieces),
		cmocka_unit_test(caller_ids_keep_other_cpus_out),
		cmocka_unit_test(ratelimited_headers_and_hosts),
		cmocka_unit_test(old_kill_lines),
		cmocka_unit_test(oom_group_panic_exiting),
		cmocka_unit_test(sysrq_and_allocating_task),
		cmocka_unit_test(oomkit_and_userspace_killers),
		cmocka_unit_test(ranking_verdicts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
