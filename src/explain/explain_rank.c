/* explain_rank.c - does the kernel's choice follow from its own table?
 * Re-runs core's selection loop (oom_select) over the printed task table
 * with the oom_badness() of the report's era and the totalpages the report
 * implies. */
#include "explain.h"

#include "core/select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t explain_mul(int64_t a, int64_t b)
{
	int64_t r;

	if (!__builtin_mul_overflow(a, b, &r))
		return r;
	return (a < 0) != (b < 0) ? INT64_MIN + 1 : INT64_MAX;
}

int64_t explain_pages_kb(int64_t pages, unsigned long page_kb)
{
	return pages == KR_UNSET ? KR_UNSET : explain_mul(pages, (int64_t)page_kb);
}

static bool has_col(const struct kr_event *ev, const char *name)
{
	return strstr(ev->task_columns, name) != NULL;
}

static enum oom_era era_of_release(const char *rel, bool *ok)
{
	char *e;
	long major = strtol(rel, &e, 10), minor = 0, patch = 0;

	*ok = e != rel && *e == '.';
	if (!*ok)
		return OOM_ERA_5_9;
	minor = strtol(e + 1, &e, 10);
	if (*e == '.')
		patch = strtol(e + 1, &e, 10);
	if (major == 2 && minor == 6)
		return patch < 36 && !strstr(rel, ".el6") ? OOM_ERA_2_6_32 : OOM_ERA_2_6_36;
	if (major == 3 && minor == 10 && strstr(rel, ".el7"))
		return OOM_ERA_3_14;
	if (major == 3)
		return minor < 7 ? OOM_ERA_2_6_36 : minor < 14 ? OOM_ERA_3_7 : OOM_ERA_3_14;
	if (major == 4)
		return minor < 17 ? OOM_ERA_3_14 : OOM_ERA_4_17;
	if (major == 5 && minor < 9)
		return OOM_ERA_4_17;
	return OOM_ERA_5_9;
}

/* Parse by shape when the stack header (and so the release) is missing. */
static enum oom_era era_of_shape(const struct kr_event *ev)
{
	if (ev->invoker_oom_adj != KR_UNSET)
		return ev->invoker_oom_score_adj != KR_UNSET ? OOM_ERA_2_6_36 : OOM_ERA_2_6_32;
	if (has_col(ev, "oom_adj"))
		return has_col(ev, "oom_score_adj") ? OOM_ERA_2_6_36 : OOM_ERA_2_6_32;
	if (has_col(ev, "rss_anon"))
		return OOM_ERA_5_9;
	if (has_col(ev, "nr_ptes") || ev->select_score != KR_UNSET)
		return OOM_ERA_3_14;
	if (has_col(ev, "pgtables_bytes"))
		return ev->victim.oom_score_adj != KR_UNSET ? OOM_ERA_5_9 : OOM_ERA_4_17;
	if (ev->gfp_mask[0] && !ev->gfp_names[0])
		return OOM_ERA_3_14; /* no %pGg names: <= 4.4 */
	switch (gfp_era_guess(strtoul(ev->gfp_mask, NULL, 16))) {
	case GFP_ERA_2_6_32:
	case GFP_ERA_3_X:
	case GFP_ERA_4_4:
	case GFP_ERA_4_10:
		return OOM_ERA_3_14;
	case GFP_ERA_4_18:
		return OOM_ERA_4_17;
	case GFP_ERA_5_1:
		break;
	}
	return OOM_ERA_5_9;
}

static unsigned long totalpages_of(const struct kr_event *ev, unsigned long page_kb)
{
	int64_t swap_kb = ev->total_swap_kb != KR_UNSET ? ev->total_swap_kb : 0;

	if (ev->mc_memory.limit_kb != KR_UNSET && ev->oc.constraint == CONSTRAINT_MEMCG) {
		int64_t memsw = ev->mc_memsw.limit_kb;

		return oom_totalpages_memcg((unsigned long long)ev->mc_memory.limit_kb * 1024,
					    memsw != KR_UNSET ? (unsigned long long)memsw * 1024 : 0, true,
					    memsw != KR_UNSET ? 60 : 0, (unsigned long)swap_kb, page_kb * 1024);
	}
	int64_t managed = 0;

	for (int i = 0; i < ev->nr_zones; i++)
		if (ev->zones[i].managed_kb != KR_UNSET)
			managed += ev->zones[i].managed_kb;
	if (!managed && ev->ram_pages != KR_UNSET)
		managed = explain_mul(ev->ram_pages - (ev->reserved_pages != KR_UNSET ? ev->reserved_pages : 0),
				      (int64_t)page_kb);
	if (!managed)
		return 0;
	return oom_totalpages_global((unsigned long)managed, (unsigned long)swap_kb, page_kb * 1024);
}

static long task_points(const struct kr_task *t, unsigned long totalpages, unsigned long page_kb, enum oom_era era)
{
	struct oom_badness_task b = { 0 };
	int64_t v;

	b.rss_pages = t->rss != KR_UNSET ? (unsigned long)t->rss : 0;
	b.swap_pages = t->swapents != KR_UNSET ? (unsigned long)t->swapents : 0;
	if (t->pgtables_bytes != KR_UNSET)
		b.pgtables_pages = (unsigned long)t->pgtables_bytes / (page_kb * 1024);
	else if ((v = t->nr_ptes) != KR_UNSET)
		b.pgtables_pages = (unsigned long)v + (t->nr_pmds != KR_UNSET ? (unsigned long)t->nr_pmds : 0);
	b.total_vm_pages = t->total_vm != KR_UNSET ? (unsigned long)t->total_vm : 0;
	v = era == OOM_ERA_2_6_32 ? t->oom_adj : t->oom_score_adj;
	v = v == KR_UNSET ? 0 : v;
	/* the kernel's own ranges: oom_adj -17..15, oom_score_adj -1000..1000 */
	if (era == OOM_ERA_2_6_32)
		b.oom_score_adj = v < -17 ? -17 : v > 15 ? 15 : (int)v;
	else
		b.oom_score_adj = v < -1000 ? -1000 : v > 1000 ? 1000 : (int)v;
	b.unkillable = t->pid == 1;
	return oom_badness(&b, totalpages ? totalpages : 1, era);
}

/* The report's table in its printed order, which is the kernel's task
 * list order, scored with the era's oom_badness(). */
struct table {
	const struct kr_event *ev;
	const struct explain_rank *r;
};

static long table_points(const void *ctx, size_t i)
{
	const struct table *tb = ctx;

	return task_points(&tb->ev->tasks[i], tb->r->totalpages, tb->r->page_kb, tb->r->era);
}

static void rank_table(const struct kr_event *ev, struct explain_rank *r)
{
	struct table tb = { .ev = ev, .r = r };
	struct oom_task_list l = { .nr = ev->nr_tasks, .era = r->era, .ctx = &tb, .points = table_points };
	long top_points, top = oom_select(&l, &top_points, NULL);

	if (top >= 0) {
		r->top = top;
		r->top_points = top_points;
	}
	for (size_t i = 0; i < ev->nr_tasks; i++)
		if (ev->tasks[i].pid == ev->victim.pid) {
			r->victim_row = (ssize_t)i;
			r->victim_points = table_points(&tb, i);
		}
}

static bool adj_matters(const struct kr_event *ev)
{
	for (size_t i = 0; i < ev->nr_tasks; i++)
		if (ev->tasks[i].oom_score_adj != KR_UNSET && ev->tasks[i].oom_score_adj != 0 &&
		    ev->tasks[i].oom_score_adj != -1000)
			return true;
	return false;
}

static void verdict(const struct kr_event *ev, struct explain_rank *r)
{
	const struct kr_task *top = r->top >= 0 ? &ev->tasks[r->top] : NULL;

	r->verdict = RANK_UNKNOWN;
	if (ev->no_killable) {
		snprintf(r->why, sizeof(r->why), "no killable process: every listed task has oom_score_adj -1000 "
						  "(or is init or a kernel thread)");
	} else if (!ev->have_victim || ev->victim.pid == KR_UNSET) {
		snprintf(r->why, sizeof(r->why), "no kill line in the log");
	} else if (ev->allocating_task) {
		r->verdict = RANK_NOT_TOP;
		snprintf(r->why, sizeof(r->why),
			 "vm.oom_kill_allocating_task=1: the kernel killed the allocating task without ranking");
	} else if (!ev->nr_tasks) {
		snprintf(r->why, sizeof(r->why), "the task table was not printed (vm.oom_dump_tasks=0, or cut off)");
	} else if (!top) {
		snprintf(r->why, sizeof(r->why), "no killable task in the table");
	} else if (top->pid == ev->victim.pid) {
		r->verdict = RANK_TOP;
		snprintf(r->why, sizeof(r->why), "the victim had the highest oom_badness in the table (%ld points)",
			 r->top_points);
	} else if (ev->select_pid != KR_UNSET && ev->select_pid == top->pid) {
		r->verdict = RANK_TOP;
		snprintf(r->why, sizeof(r->why),
			 "the kernel selected the top task (pid %lld) and sacrificed a child or another thread group of it",
			 (long long)top->pid);
	} else if (r->victim_row < 0) {
		r->verdict = RANK_NOT_TOP;
		snprintf(r->why, sizeof(r->why), "the victim is not in the task table (table truncated%s)",
			 ev->tasks_dropped ? " by oomkit's row limit" : " or filtered");
	} else if (r->victim_points == r->top_points) {
		r->verdict = RANK_TOP;
		snprintf(r->why, sizeof(r->why), "tie at %ld points: the kernel's iteration order decided",
			 r->top_points);
	} else if (!r->totalpages && adj_matters(ev)) {
		snprintf(r->why, sizeof(r->why),
			 "totalpages unknown (no Mem-Info or memcg limit), so oom_score_adj cannot be weighed");
	} else {
		r->verdict = RANK_NOT_TOP;
		snprintf(r->why, sizeof(r->why),
			 "the table ranks pid %lld higher (%ld vs %ld points): the table is printed after selection, "
			 "so memory or oom_score_adj changed in between, or the era (%s) was misjudged",
			 (long long)top->pid, r->top_points, r->victim_points, oom_era_name(r->era));
	}
}

static void decode_gfp(const struct kr_event *ev, struct explain_rank *r)
{
	int gera = ev->release[0] ? gfp_era_of_release(ev->release) : -1;
	unsigned long mask = strtoul(ev->gfp_mask, NULL, 16);

	r->gfp_era = gera >= 0 ? (enum gfp_era)gera : gfp_era_guess(mask);
	if (ev->gfp_names[0])
		snprintf(r->gfp_decoded, sizeof(r->gfp_decoded), "%s", ev->gfp_names);
	else if (ev->gfp_mask[0])
		gfp_decode(mask, r->gfp_era, r->gfp_decoded, sizeof(r->gfp_decoded));
}

void explain_rank(const struct kr_event *ev, struct explain_rank *r)
{
	memset(r, 0, sizeof(*r));
	r->top = r->victim_row = -1;
	r->era = ev->release[0] ? era_of_release(ev->release, &r->era_from_release) : era_of_shape(ev);
	if (!r->era_from_release)
		r->era = era_of_shape(ev);
	r->page_kb = ev->page_size_kb != KR_UNSET && ev->page_size_kb > 0 ? (unsigned long)ev->page_size_kb : 4;
	r->page_kb_assumed = ev->page_size_kb == KR_UNSET;
	r->totalpages = totalpages_of(ev, r->page_kb);
	decode_gfp(ev, r);
	rank_table(ev, r);
	verdict(ev, r);
}
