/* rank.c - see rank.h. */
#include "rank.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cgroup_ns.h"
#include "core/scene.h"
#include "core/select.h"

int rank_scene(struct oom_control *oc, const char *proc_root, const char *cgroup, const struct meminfo *mi,
	       unsigned long page_size)
{
	struct oom_scene scene = { .page_size = page_size, .mem_total_kb = mi->mem_total_kb,
				   .swap_total_kb = mi->swap_total_kb };
	struct memcg_roots roots;
	struct memcg_state st;
	struct memcg_bound b;
	char dir[PATH_MAX];
	enum cgroup_version v;
	int r = 0;

	memset(oc, 0, sizeof(*oc));
	oc->order = -1;
	r = memcg_roots_find(proc_root, &roots);
	/* read from a container: each process's cgroup as the host names it */
	cgroup_ns_set_root(r == 0 ? roots.ns_root : "");
	if (cgroup) {
		if (r == 0)
			r = memcg_resolve(&roots, cgroup, dir, sizeof(dir), &v);
		if (r == 0)
			r = memcg_read(&roots, dir, v, &st);
		if (r < 0)
			return r;
		memcg_bound_of(&st, &b);
		scene.memcg = &b;
	}
	/* a path longer than oc->memcg is shown cut, as before */
	constrained_alloc(oc, &scene);
	return 0;
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
	return task_list_later(a->t, b->t) ? -1 : task_list_later(b->t, a->t);
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

int rank_build(struct rank *r, struct oom_control *oc, struct proc_snapshot *snap)
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

	return task_list_later(b->t, a->t) ? -1 : task_list_later(a->t, b->t);
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
