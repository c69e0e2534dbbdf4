/* rank.c - see rank.h. */
#include "rank.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/select.h"

void rank_scene_global(struct oom_control *oc, const struct meminfo *mi, unsigned long page_size)
{
	memset(oc, 0, sizeof(*oc));
	oc->constraint = CONSTRAINT_NONE;
	oc->page_size = page_size;
	oc->order = -1;
	oc->totalpages = oom_totalpages_global(mi->mem_total_kb, mi->swap_total_kb, page_size);
}

void rank_scene_memcg(struct oom_control *oc, const struct memcg_state *st, const struct meminfo *mi,
		      unsigned long page_size)
{
	/* PAGE_COUNTER_MAX: what an unlimited page counter holds, in bytes */
	const uint64_t counter_max = (uint64_t)(LONG_MAX / (long)page_size) * page_size;
	uint64_t limit = st->limit_bytes, swap = st->swap_limit_bytes;

	memset(oc, 0, sizeof(*oc));
	oc->constraint = CONSTRAINT_MEMCG;
	oc->page_size = page_size;
	oc->order = -1;
	snprintf(oc->memcg, sizeof(oc->memcg), "%.*s", (int)sizeof(oc->memcg) - 1, st->path);
	snprintf(oc->memcg_dir, sizeof(oc->memcg_dir), "%.*s", (int)sizeof(oc->memcg_dir) - 1, st->dir);
	if (limit == CGROUP_UNLIMITED)
		memcg_effective_limit(st, &limit);
	if (limit == CGROUP_UNLIMITED)
		limit = counter_max;
	if (swap == CGROUP_UNLIMITED)
		swap = counter_max;
	oc->totalpages = oom_totalpages_memcg(limit, swap, st->version == CGROUP_V1 && st->has_memsw,
					      st->swappiness, mi->swap_total_kb, page_size);
}

/* Killable first, by points descending, the kernel's choice first among
 * equals (created later); then the unkillable by size. */
static int by_badness(const void *pa, const void *pb)
{
	const struct rank_row *a = pa, *b = pb;

	if (!a->unkillable != !b->unkillable)
		return a->unkillable ? 1 : -1;
	if (!a->unkillable && a->points != b->points)
		return a->points > b->points ? -1 : 1;
	if (a->unkillable && a->mem_pages != b->mem_pages)
		return a->mem_pages > b->mem_pages ? -1 : 1;
	if (a->t->start_time != b->t->start_time)
		return a->t->start_time > b->t->start_time ? -1 : 1;
	return a->t->pid > b->t->pid ? -1 : a->t->pid < b->t->pid;
}

static void rank_row_fill(struct rank_row *row, const struct task_info *t, const struct oom_control *oc)
{
	unsigned long kpp = oc->page_size / 1024;

	row->t = t;
	row->points = task_badness(t, oc);
	row->score = oom_score_proc(row->points, oc->totalpages, OOM_ERA_5_9);
	row->mem_pages = (task_rss_kb(t) + t->swap_kb + t->pgtables_kb) / kpp;
	row->unkillable = oom_unkillable_reason(t);
	row->victim = t == oc->chosen;
}

int rank_build(struct rank *r, struct oom_control *oc, const struct proc_snapshot *snap)
{
	memset(r, 0, sizeof(*r));
	r->rows = calloc(snap->nr ? snap->nr : 1, sizeof(*r->rows));
	if (!r->rows)
		return -ENOMEM;
	select_bad_process(oc, snap, NULL, NULL);
	for (size_t i = 0; i < snap->nr; i++) {
		const struct task_info *t = &snap->tasks[i];

		if (oc->constraint == CONSTRAINT_MEMCG && !task_in_memcg(t, oc->memcg))
			continue;
		rank_row_fill(&r->rows[r->nr], t, oc);
		r->nr_killable += !r->rows[r->nr].unkillable;
		r->nr++;
	}
	qsort(r->rows, r->nr, sizeof(*r->rows), by_badness);
	r->victim = r->nr && r->rows[0].victim ? &r->rows[0] : NULL;
	return 0;
}

static int by_task_list(const void *pa, const void *pb)
{
	const struct rank_row *a = pa, *b = pb;

	if (a->t->start_time != b->t->start_time)
		return a->t->start_time < b->t->start_time ? -1 : 1;
	return a->t->pid < b->t->pid ? -1 : a->t->pid > b->t->pid;
}

void rank_sort_task_list(struct rank *r)
{
	qsort(r->rows, r->nr, sizeof(*r->rows), by_task_list);
	r->victim = NULL;
	for (size_t i = 0; i < r->nr; i++)
		if (r->rows[i].victim)
			r->victim = &r->rows[i];
}

void rank_free(struct rank *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
}
