/* badness.c - oom_badness() by kernel era, transcribed from mm/oom_kill.c of
 * 2.6.32, 2.6.36, 3.7, 3.14, 4.17 and 5.9 (see badness.h for the ranges). */
#include "badness.h"

#include <stdint.h>

/* The kernel's int_sqrt(): floor of the square root. */
static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, bit = 1ul << (sizeof(long) * 8 - 2);

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* 2.6.32 badness(): the size of the address space, scaled by how long and
 * how hard the task has worked, by privileges and by oom_adj bit shifts. */
static long badness_2_6_32(const struct oom_badness_task *t)
{
	unsigned long points, cpu_time, run_time;

	if (t->unkillable || t->oom_score_adj == -17)
		return OOM_BADNESS_UNKILLABLE;
	if (t->oom_origin)
		return LONG_MAX;
	points = t->total_vm_pages + t->children_vm_pages;
	/* cputime in jiffies >> (SHIFT_HZ + 3): units of ~8 s whatever HZ is */
	cpu_time = t->cpu_time_s * 1000 / 8192;
	run_time = t->run_time_s >> 10;
	if (cpu_time)
		points /= int_sqrt(cpu_time);
	if (run_time)
		points /= int_sqrt(int_sqrt(run_time));
	if (t->niced)
		points *= 2;
	if (t->cap_sys_admin || t->cap_sys_resource)
		points /= 4;
	if (t->cap_sys_rawio)
		points /= 4;
	if (t->mems_disjoint)
		points /= 8;
	if (t->oom_score_adj > 0) {
		if (!points)
			points = 1;
		points <<= t->oom_score_adj;
	} else if (t->oom_score_adj < 0) {
		points >>= -t->oom_score_adj;
	}
	return points > LONG_MAX ? LONG_MAX : (long)points;
}

/* 2.6.36: the share of memory in thousandths, so that oom_score_adj can be
 * added in the same unit; never 0 for an eligible task. */
static long badness_2_6_36(const struct oom_badness_task *t, unsigned long totalpages)
{
	long points;

	if (!totalpages)
		totalpages = 1;
	points = (long)((t->rss_pages + t->pgtables_pages + t->swap_pages) * 1000 / totalpages);
	if (t->cap_sys_admin)
		points -= 30;
	points += t->oom_score_adj;
	if (points <= 0)
		return 1;
	return points < 1000 ? points : 1000;
}

/* 3.7 .. 5.8: points in pages; adj scaled to pages; eligible tasks >= 1. */
static long badness_pages(const struct oom_badness_task *t, unsigned long totalpages,
			  enum oom_era era)
{
	long points = (long)(t->rss_pages + t->swap_pages + t->pgtables_pages);
	long adj = t->oom_score_adj;

	if (t->cap_sys_admin && era == OOM_ERA_3_7)
		adj -= 30;
	if (t->cap_sys_admin && era == OOM_ERA_3_14)
		points -= points * 3 / 100;
	adj *= (long)(totalpages / 1000);
	points += adj;
	if (era == OOM_ERA_5_9)
		return points;
	return points > 0 ? points : 1;
}

long oom_badness(const struct oom_badness_task *t, unsigned long totalpages, enum oom_era era)
{
	if (era == OOM_ERA_2_6_32)
		return badness_2_6_32(t);
	if (t->unkillable || t->oom_score_adj == -1000)
		return OOM_BADNESS_UNKILLABLE;
	if (era == OOM_ERA_2_6_36)
		return badness_2_6_36(t, totalpages);
	return badness_pages(t, totalpages, era);
}

unsigned long oom_score_proc(long points, unsigned long totalpages, enum oom_era era)
{
	if (points == OOM_BADNESS_UNKILLABLE)
		return 0;
	if (!totalpages)
		totalpages = 1;
	switch (era) {
	case OOM_ERA_2_6_32:
	case OOM_ERA_2_6_36:
		return (unsigned long)points;
	case OOM_ERA_3_7:
	case OOM_ERA_3_14:
	case OOM_ERA_4_17:
		return (unsigned long)points * 1000 / totalpages;
	case OOM_ERA_5_9:
		/* proc_oom_score(): [0, 2000] so that old readers keep working */
		return (unsigned long)((1000 + points * 1000 / (long)totalpages) * 2 / 3);
	}
	return 0;
}

long oom_score_printed(long points, unsigned long totalpages, enum oom_era era)
{
	if (era == OOM_ERA_5_9)
		return -1;
	if (points == OOM_BADNESS_UNKILLABLE)
		return 0;
	return (long)oom_score_proc(points, totalpages, era);
}

bool oom_better_candidate(long points, long chosen_points, bool have_chosen, enum oom_era era)
{
	if (points == OOM_BADNESS_UNKILLABLE)
		return false;
	if (!have_chosen)
		return true;
	/* 5.9+ selects on points >= chosen: the last of equals wins. Earlier
	 * kernels skipped equals ("prefer thread group leaders"; 2.6.32: strict
	 * >), so the first of equals in task-list order wins. */
	if (era >= OOM_ERA_4_17)
		return points >= chosen_points;
	return points > chosen_points;
}

unsigned long oom_totalpages_global(unsigned long mem_total_kb, unsigned long swap_total_kb,
				    unsigned long page_size)
{
	unsigned long kb_per_page = page_size / 1024;

	if (!kb_per_page)
		kb_per_page = 1;
	return mem_total_kb / kb_per_page + swap_total_kb / kb_per_page;
}

unsigned long oom_totalpages_memcg(unsigned long long mem_limit_bytes,
				   unsigned long long swap_limit_bytes, bool memsw_v1,
				   unsigned int swappiness, unsigned long swap_total_kb,
				   unsigned long page_size)
{
	unsigned long long max = mem_limit_bytes / page_size;
	unsigned long long total_swap = swap_total_kb / (page_size / 1024);

	if (swappiness) {
		unsigned long long swap;

		if (memsw_v1)
			swap = swap_limit_bytes / page_size > max ? swap_limit_bytes / page_size - max : 0;
		else
			swap = swap_limit_bytes / page_size;
		max += swap < total_swap ? swap : total_swap;
	}
	if (max > LONG_MAX)
		max = LONG_MAX;
	return max ? (unsigned long)max : 1;
}

const char *oom_era_name(enum oom_era era)
{
	static const char *const names[] = {
		[OOM_ERA_2_6_32] = "2.6.32", [OOM_ERA_2_6_36] = "2.6.36",
		[OOM_ERA_3_7] = "3.7",       [OOM_ERA_3_14] = "3.14",
		[OOM_ERA_4_17] = "4.17",     [OOM_ERA_5_9] = "5.9",
	};
	return (unsigned)era < sizeof(names) / sizeof(names[0]) ? names[era] : "?";
}
