/* explain_json.c - one parsed event as JSON (schema: doc/json-explain.md,
 * "schema": 1). Every field is present; null where the log did not show it. */
#include "explain.h"

#include <string.h>

#include "core/k8s.h"

static void num(struct json *j, const char *key, int64_t v)
{
	if (v == KR_UNSET)
		json_kv_null(j, key);
	else
		json_kv_int(j, key, v);
}

static void str(struct json *j, const char *key, const char *s)
{
	json_kv_string(j, key, s && s[0] ? s : NULL);
}

static void counter(struct json *j, const char *key, const struct kr_counter *c)
{
	json_key(j, key);
	if (c->usage_kb == KR_UNSET && c->limit_kb == KR_UNSET) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	num(j, "usage_kb", c->usage_kb);
	num(j, "limit_kb", c->limit_kb);
	num(j, "failcnt", c->failcnt);
	json_end_object(j);
}

static void stats(struct json *j, const char *key, const struct kr_stat *s, int n)
{
	json_key(j, key);
	if (!n) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	for (int i = 0; i < n; i++)
		json_kv_int(j, s[i].name, s[i].value);
	json_end_object(j);
}

static void invoker(struct json *j, const struct kr_event *ev, const struct explain_rank *r)
{
	json_key(j, "invoker");
	json_begin_object(j);
	str(j, "comm", ev->oc.invoker.comm);
	num(j, "pid", ev->invoker_pid);
	str(j, "kind", ev->invoker_kind);
	str(j, "gfp_mask", ev->gfp_mask);
	str(j, "gfp_names", ev->gfp_names);
	str(j, "gfp_decoded", r->gfp_decoded);
	json_kv_string(j, "gfp_era", ev->gfp_mask[0] ? gfp_era_name(r->gfp_era) : NULL);
	num(j, "order", ev->order);
	str(j, "nodemask", ev->nodemask);
	num(j, "oom_score_adj", ev->invoker_oom_score_adj);
	num(j, "oom_adj", ev->invoker_oom_adj);
	str(j, "trigger", ev->oc.trigger);
	json_end_object(j);
}

static void victim(struct json *j, const struct kr_event *ev, const struct explain_rank *r)
{
	const struct kr_victim *v = &ev->victim;
	bool any = ev->have_victim || v->pid != KR_UNSET;

	json_key(j, "victim");
	if (!any) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	num(j, "pid", v->pid);
	str(j, "comm", v->comm);
	num(j, "uid", v->uid);
	num(j, "total_vm_kb", v->total_vm_kb);
	num(j, "anon_rss_kb", v->anon_rss_kb);
	num(j, "file_rss_kb", v->file_rss_kb);
	num(j, "shmem_rss_kb", v->shmem_rss_kb);
	num(j, "rss_kb", v->rss_kb != KR_UNSET ? v->rss_kb
			 : v->anon_rss_kb != KR_UNSET ? v->anon_rss_kb + (v->file_rss_kb != KR_UNSET ? v->file_rss_kb : 0) +
			 (v->shmem_rss_kb != KR_UNSET ? v->shmem_rss_kb : 0) : KR_UNSET);
	num(j, "pgtables_kb", v->pgtables_kb);
	num(j, "oom_score_adj", v->oom_score_adj);
	str(j, "message", v->message);
	str(j, "cgroup", v->cgroup);
	str(j, "signal", v->signal);
	num(j, "selected_pid", ev->select_pid);
	str(j, "selected_comm", ev->select_comm);
	num(j, "score", ev->select_score);
	json_kv_bool(j, "top_candidate", r->verdict == RANK_TOP);
	json_end_object(j);
}

static void zones(struct json *j, const struct kr_event *ev)
{
	json_key(j, "zones");
	json_begin_array(j);
	for (int i = 0; i < ev->nr_zones; i++) {
		const struct kr_zone *z = &ev->zones[i];
		int largest = -1;

		for (int o = 0; o < z->nr_orders; o++)
			if (z->nr_free[o] > 0)
				largest = o;
		json_begin_object(j);
		num(j, "node", z->node);
		str(j, "name", z->name);
		num(j, "free_kb", z->free_kb);
		num(j, "min_kb", z->min_kb);
		num(j, "low_kb", z->low_kb);
		num(j, "high_kb", z->high_kb);
		num(j, "present_kb", z->present_kb);
		num(j, "managed_kb", z->managed_kb);
		num(j, "buddy_free_kb", z->buddy_kb);
		json_key(j, "free_blocks");
		json_begin_array(j);
		for (int o = 0; o < z->nr_orders; o++)
			json_int(j, z->nr_free[o]);
		json_end_array(j);
		num(j, "largest_free_order", z->nr_orders ? largest : KR_UNSET);
		json_end_object(j);
	}
	json_end_array(j);
}

static void mem(struct json *j, const struct kr_event *ev)
{
	json_key(j, "mem");
	json_begin_object(j);
	json_kv_bool(j, "mem_info", ev->have_meminfo);
	stats(j, "counters_pages", ev->meminfo, ev->nr_meminfo);
	zones(j, ev);
	num(j, "hugepages_total", ev->hugepages_total);
	num(j, "hugepages_free", ev->hugepages_free);
	num(j, "hugepages_size_kb", ev->hugepages_size_kb);
	num(j, "pagecache_pages", ev->pagecache_pages);
	num(j, "swapcache_pages", ev->swapcache_pages);
	num(j, "free_swap_kb", ev->free_swap_kb);
	num(j, "total_swap_kb", ev->total_swap_kb);
	num(j, "ram_pages", ev->ram_pages);
	num(j, "highmem_pages", ev->highmem_pages);
	num(j, "reserved_pages", ev->reserved_pages);
	str(j, "slab_unreclaimable_top", ev->slab_unreclaimable_top);
	num(j, "slab_unreclaimable_top_kb", ev->slab_unreclaimable_top_kb);
	json_end_object(j);
}

static void memcg_block(struct json *j, const struct kr_event *ev)
{
	json_key(j, "memcg_usage");
	json_begin_object(j);
	counter(j, "memory", &ev->mc_memory);
	counter(j, "memory_swap", &ev->mc_memsw);
	counter(j, "kmem", &ev->mc_kmem);
	counter(j, "swap", &ev->mc_swap);
	str(j, "stats_for", ev->memcg_stats_for);
	json_kv_string(j, "stats_unit", !ev->nr_memcg_stats ? NULL : ev->memcg_stats_kb ? "kB" : "bytes");
	stats(j, "stats", ev->memcg_stats, ev->nr_memcg_stats);
	json_end_object(j);
}

static void tasks(struct json *j, const struct kr_event *ev, const struct explain_rank *r)
{
	unsigned long pk = r->page_kb;

	str(j, "task_columns", ev->task_columns);
	json_key(j, "tasks");
	json_begin_array(j);
	for (size_t i = 0; i < ev->nr_tasks; i++) {
		const struct kr_task *t = &ev->tasks[i];

		json_begin_object(j);
		num(j, "pid", t->pid);
		num(j, "uid", t->uid);
		str(j, "comm", t->comm);
		num(j, "total_vm_kb", explain_pages_kb(t->total_vm, pk));
		num(j, "rss_kb", explain_pages_kb(t->rss, pk));
		num(j, "rss_anon_kb", explain_pages_kb(t->rss_anon, pk));
		num(j, "rss_file_kb", explain_pages_kb(t->rss_file, pk));
		num(j, "rss_shmem_kb", explain_pages_kb(t->rss_shmem, pk));
		num(j, "pgtables_kb", t->pgtables_bytes != KR_UNSET ? t->pgtables_bytes / 1024
				      : explain_pages_kb(t->nr_ptes == KR_UNSET ? KR_UNSET
							 : t->nr_ptes + (t->nr_pmds != KR_UNSET ? t->nr_pmds : 0), pk));
		num(j, "swap_kb", explain_pages_kb(t->swapents, pk));
		num(j, "oom_score_adj", t->oom_score_adj);
		num(j, "oom_adj", t->oom_adj);
		json_end_object(j);
	}
	json_end_array(j);
	num(j, "tasks_not_kept", ev->tasks_dropped ? (int64_t)ev->tasks_dropped : KR_UNSET);
}

static void others(struct json *j, const struct kr_event *ev)
{
	json_key(j, "also_killed");
	json_begin_array(j);
	for (int i = 0; i < ev->nr_others; i++) {
		json_begin_object(j);
		json_kv_int(j, "pid", ev->others[i].pid);
		str(j, "comm", ev->others[i].comm);
		str(j, "reason", ev->others[i].reason);
		json_end_object(j);
	}
	json_end_array(j);
}

static void ranking(struct json *j, const struct kr_event *ev, const struct explain_rank *r)
{
	static const char *const verdicts[] = { "unknown", "top", "not_top" };

	json_key(j, "ranking");
	json_begin_object(j);
	json_kv_string(j, "era", oom_era_name(r->era));
	json_kv_bool(j, "era_from_release", r->era_from_release);
	json_kv_int(j, "page_size_kb", (int64_t)r->page_kb);
	json_kv_bool(j, "page_size_assumed", r->page_kb_assumed);
	num(j, "totalpages", r->totalpages ? (int64_t)r->totalpages : KR_UNSET);
	num(j, "top_pid", r->top >= 0 ? ev->tasks[r->top].pid : KR_UNSET);
	num(j, "top_points", r->top >= 0 ? r->top_points : KR_UNSET);
	num(j, "victim_points", r->victim_row >= 0 ? r->victim_points : KR_UNSET);
	json_kv_string(j, "verdict", verdicts[r->verdict]);
	str(j, "why", r->why);
	json_end_object(j);
}

static void knobs(struct json *j, const struct kr_event *ev)
{
	struct explain_knob k[EXPLAIN_KNOBS_MAX];
	size_t n = explain_knobs(ev, k, EXPLAIN_KNOBS_MAX);

	json_key(j, "knobs");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		json_begin_object(j);
		json_kv_string(j, "knob", k[i].knob);
		json_kv_int(j, "value", k[i].value);
		json_kv_bool(j, "certain", k[i].certain);
		json_kv_string(j, "why", k[i].why);
		json_end_object(j);
	}
	json_end_array(j);
}

void explain_json_event(struct json *j, const struct kr_event *ev, const struct explain_rank *r)
{
	struct k8s_pod pod;

	if (j->depth == 0) /* --jsonl: each line is a document */
		json_begin_document(j, EXPLAIN_JSON_SCHEMA);
	else
		json_begin_object(j);
	str(j, "source", ev->source);
	str(j, "host", ev->host);
	str(j, "time", ev->time);
	num(j, "kernel_time_us", ev->kernel_us);
	num(j, "first_line", ev->first_line);
	num(j, "last_line", ev->last_line);
	json_kv_bool(j, "truncated_start", ev->truncated_start);
	json_kv_bool(j, "truncated_end", ev->truncated_end);
	str(j, "kernel_release", ev->release);
	invoker(j, ev, r);
	json_kv_bool(j, "sysrq", ev->sysrq);
	json_kv_string(j, "constraint", ev->constraint_known ? oom_constraint_name(ev->oc.constraint) : NULL);
	str(j, "memcg", ev->oom_memcg);
	str(j, "task_memcg", ev->task_memcg);
	/* the victim's pod/container (task_memcg), else the cgroup whose
	 * limit was hit: doc/kubernetes.md */
	k8s_decode(ev->task_memcg[0] ? ev->task_memcg : ev->oom_memcg, &pod);
	json_key(j, "k8s");
	k8s_json(j, &pod);
	json_kv_bool(j, "global_oom", ev->global_oom);
	str(j, "cpuset", ev->cpuset);
	str(j, "mems_allowed", ev->mems_allowed);
	json_kv_bool(j, "compaction_disabled", ev->compaction_disabled);
	memcg_block(j, ev);
	mem(j, ev);
	tasks(j, ev, r);
	victim(j, ev, r);
	others(j, ev);
	str(j, "oom_group", ev->oom_group);
	json_key(j, "reaped");
	if (ev->reaped < 0)
		json_null(j);
	else
		json_bool(j, ev->reaped == 1);
	num(j, "reaped_anon_rss_kb", ev->reaped_anon_rss_kb);
	json_kv_bool(j, "already_exiting", ev->already_exiting);
	json_kv_bool(j, "no_killable", ev->no_killable);
	json_kv_bool(j, "oom_kill_allocating_task", ev->allocating_task);
	json_kv_bool(j, "panic", ev->panic);
	str(j, "panic_message", ev->panic_msg);
	str(j, "panic_cause", ev->panic_cause);
	json_kv_bool(j, "dry_run", ev->dry_run);
	json_key(j, "notes");
	json_begin_array(j);
	for (int i = 0; i < ev->nr_notes; i++)
		json_string(j, ev->notes[i]);
	json_end_array(j);
	knobs(j, ev);
	num(j, "suppressed_before", ev->suppressed);
	num(j, "badness", ev->badness);
	str(j, "reason", ev->reason);
	ranking(j, ev, r);
	json_end_object(j);
}
