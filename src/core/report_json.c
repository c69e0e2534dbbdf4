/* report_json.c - the JSON event of one kill (schema in doc/json-kill.md). */
#include "report.h"

#include <signal.h>
#include <string.h>

#include "json.h"
#include "k8s.h"

static void task_fields(struct json *j, const struct task_info *t)
{
	json_kv_int(j, "pid", t->pid);
	json_kv_string(j, "comm", t->comm);
	json_kv_uint(j, "uid", t->uid);
	json_kv_uint(j, "start_time", t->start_time);
	json_kv_int(j, "oom_score_adj", t->oom_score_adj);
	json_kv_uint(j, "total_vm_kb", t->total_vm_kb);
	json_kv_uint(j, "rss_anon_kb", t->rss_anon_kb);
	json_kv_uint(j, "rss_file_kb", t->rss_file_kb);
	json_kv_uint(j, "rss_shmem_kb", t->rss_shmem_kb);
	json_kv_uint(j, "swap_kb", t->swap_kb);
	json_kv_uint(j, "pgtables_kb", t->pgtables_kb);
	k8s_json_memcg(j, t->memcg);
	json_kv_string(j, "cmdline", t->cmdline);
	json_kv_string(j, "exe", t->exe);
}

static void members(struct json *j, const struct oom_kill_result *k)
{
	json_key(j, "members");
	json_begin_array(j);
	for (size_t i = 1; i < k->nr_members; i++) {
		const struct kill_member *m = &k->members[i];

		json_begin_object(j);
		json_kv_string(j, "why", kill_why_name(m->why));
		task_fields(j, &m->t);
		json_kv_bool(j, "signalled", m->signalled);
		if (m->spared)
			json_kv_string(j, "spared", m->spared);
		else
			json_kv_null(j, "spared");
		if (m->err)
			json_kv_string(j, "error", strerror(-m->err));
		else
			json_kv_null(j, "error");
		json_kv_bool(j, "exited", m->exited);
		json_end_object(j);
	}
	json_end_array(j);
	json_kv_uint(j, "more_members_killed", k->nr_more);
}

/* A duration in whole microseconds, null when it was not measured. */
static void json_kv_us(struct json *j, const char *key, bool measured, uint64_t from, uint64_t to)
{
	if (measured)
		json_kv_uint(j, key, to > from ? (to - from + 500) / 1000 : 0);
	else
		json_kv_null(j, key);
}

static void outcome(struct json *j, const struct oom_control *oc, const struct oom_kill_result *k)
{
	json_kv_bool(j, "killed", oc->killed);
	json_kv_bool(j, "reaped", oc->reaped);
	if (k->reap_err < 0)
		json_kv_string(j, "reap_error", strerror(-k->reap_err));
	else
		json_kv_null(j, "reap_error");
	json_kv_bool(j, "exited", k->nr_members > 0 && k->members[0].exited);
	json_key(j, "timing_us");
	json_begin_object(j);
	json_kv_us(j, "signal_to_exit", k->members[0].exited, oc->t_signal_ns, oc->t_exit_ns);
	json_kv_us(j, "signal_to_reaped", oc->reaped, oc->t_signal_ns, oc->t_reaped_ns);
	json_end_object(j);
	json_key(j, "memory");
	json_begin_object(j);
	json_kv_string(j, "measure", k->measured_memcg ? "memcg_headroom" : "MemAvailable");
	json_kv_uint(j, "before_kb", oc->avail_before_kb);
	json_kv_uint(j, "after_kb", oc->avail_after_kb);
	json_kv_int(j, "freed_kb", (int64_t)oc->avail_after_kb - (int64_t)oc->avail_before_kb);
	json_end_object(j);
}

void report_kill_json(FILE *f, const struct oom_control *oc, const char *tier)
{
	const struct oom_kill_result *k = oc->kill;
	struct json j;
	const char *sig = sigabbrev_np(oc->kill_signal);

	json_init(&j, f);
	json_begin_object(&j);
	json_kv_string(&j, "event", "oom_kill");
	json_kv_int(&j, "version", 2);
	json_kv_string(&j, "outcome", kill_outcome_name(k->outcome));
	json_kv_bool(&j, "dry_run", oc->dry_run);
	json_kv_string(&j, "trigger", oc->trigger);
	json_key(&j, "invoker");
	json_begin_object(&j);
	json_kv_int(&j, "pid", oc->invoker.pid);
	json_kv_string(&j, "comm", oc->invoker.comm);
	json_kv_int(&j, "oom_score_adj", oc->invoker.oom_score_adj);
	json_end_object(&j);
	json_kv_int(&j, "order", oc->order);
	json_kv_string(&j, "constraint", oom_constraint_name(oc->constraint));
	if (oc->constraint == CONSTRAINT_MEMCG)
		json_kv_string(&j, "oom_memcg", oc->memcg);
	else
		json_kv_null(&j, "oom_memcg");
	json_kv_uint(&j, "totalpages", oc->totalpages);
	json_kv_uint(&j, "page_size", oc->page_size);
	json_kv_uint(&j, "candidates", oc->nr_candidates);
	json_kv_string(&j, "policy_tier", tier);
	json_kv_string(&j, "signal", sig ? sig : "?");
	json_kv_string(&j, "unit", kill_unit_name(k->unit));
	json_key(&j, "victim");
	json_begin_object(&j);
	task_fields(&j, k->nr_members ? &k->members[0].t : oc->chosen);
	json_kv_int(&j, "points", oc->chosen_points);
	json_end_object(&j);
	if (k->refused)
		json_kv_string(&j, "refused", k->refused);
	else
		json_kv_null(&j, "refused");
	members(&j, k);
	json_kv_uint(&j, "sharers_killed", oc->nr_sharers_killed);
	json_kv_bool(&j, "used_cgroup_kill", k->used_cgroup_kill);
	outcome(&j, oc, k);
	json_end_object(&j);
	fputc('\n', f);
}
