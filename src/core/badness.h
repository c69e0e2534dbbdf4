/* badness.h - the kernel's oom_badness() of every era, as pure arithmetic.
 *
 * `rank` and `kill` use OOM_ERA_5_9 (the running kernel); `explain`
 * re-ranks an old kernel's task table with the formula of that kernel's era.
 * Units: pages everywhere (the kernel's unit); callers convert from kB. */
#ifndef OOMKIT_BADNESS_H
#define OOMKIT_BADNESS_H

#include <limits.h>
#include <stdbool.h>

enum oom_era {
	OOM_ERA_2_6_32, /* <= 2.6.35: badness(): total_vm heuristic, oom_adj shifts */
	OOM_ERA_2_6_36, /* 2.6.36 - 3.6 (RHEL6): share of totalpages in 1..1000 */
	OOM_ERA_3_7,    /* 3.7 - 3.13: pages; root bonus adj -= 30 */
	OOM_ERA_3_14,   /* 3.14 - 4.16 (3.10.y, RHEL7): pages; root bonus 3% of points */
	OOM_ERA_4_17,   /* 4.17 - 5.8: pages; no root bonus; eligible tasks >= 1 */
	OOM_ERA_5_9,    /* 5.9+: pages, may be negative; oom_score on 0..2000 */
};

/* Marks a task the kernel would never select (the kernel's LONG_MIN). */
#define OOM_BADNESS_UNKILLABLE LONG_MIN

struct oom_badness_task {
	unsigned long rss_pages;       /* anon + file + shmem resident pages */
	unsigned long swap_pages;      /* MM_SWAPENTS */
	unsigned long pgtables_pages;  /* pgtables_bytes / PAGE_SIZE, or nr_ptes (+ nr_pmds) */
	int oom_score_adj;             /* -1000..1000; OOM_ERA_2_6_32: oom_adj -17..15 */
	bool unkillable;               /* global init, kernel thread, no mm, in vfork */
	bool cap_sys_admin;            /* the root bonus of OOM_ERA_2_6_36 .. OOM_ERA_3_14 */
	/* OOM_ERA_2_6_32 only: */
	unsigned long total_vm_pages;
	unsigned long children_vm_pages; /* sum of total_vm/2 + 1 over children with an mm of their own */
	unsigned long cpu_time_s;        /* utime + stime of the thread group */
	unsigned long run_time_s;        /* uptime - start time */
	bool niced;                      /* task_nice() > 0 */
	bool cap_sys_resource, cap_sys_rawio;
	bool mems_disjoint;              /* no overlap with the allocating task's mems_allowed */
	bool oom_origin;                 /* swapoff / ksm unmerge: PF_OOM_ORIGIN */
};

/* The kernel's oom_badness() (badness() for 2.6.32): points in that era's
 * unit, or OOM_BADNESS_UNKILLABLE. */
long oom_badness(const struct oom_badness_task *t, unsigned long totalpages, enum oom_era era);

/* What /proc/PID/oom_score shows for these points in that era. */
unsigned long oom_score_proc(long points, unsigned long totalpages, enum oom_era era);

/* The "score N" of the kernel's "Kill process N (comm) score N" line
 * (<= 5.0); -1 for eras that print no score. */
long oom_score_printed(long points, unsigned long totalpages, enum oom_era era);

/* select_bad_process()'s comparison: does a task with `points`, met after
 * the current choice in the kernel's iteration order, replace it?
 * have_chosen is false before the first eligible task. */
bool oom_better_candidate(long points, long chosen_points, bool have_chosen, enum oom_era era);

/* totalpages of a global OOM: totalram + total swap, in pages. */
unsigned long oom_totalpages_global(unsigned long mem_total_kb, unsigned long swap_total_kb,
				    unsigned long page_size);

/* totalpages of a memcg OOM, as mem_cgroup_get_max(): the memory limit plus
 * the swap the cgroup may use (capped by total swap) when swappiness > 0.
 * Limits in bytes, UINT64_MAX-like values mean unlimited. v1: swap_limit is
 * memsw.limit (memory+swap); v2: swap.max. Never returns 0. */
unsigned long oom_totalpages_memcg(unsigned long long mem_limit_bytes,
				   unsigned long long swap_limit_bytes, bool memsw_v1,
				   unsigned int swappiness, unsigned long swap_total_kb,
				   unsigned long page_size);

const char *oom_era_name(enum oom_era era);

#endif
