/* kill_record.c - see kill_record.h. */
#include "kill_record.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static double ns_between(uint64_t from, uint64_t to)
{
	return from && to >= from ? (double)(to - from) / 1e9 : -1;
}

void kill_record_from_oc(struct kill_record *r, const struct oom_control *oc, const char *unit,
			 double now_unix)
{
	const struct task_info *t = oc->chosen;
	uint64_t back_ns = oc->t_reaped_ns ? oc->t_reaped_ns : oc->t_exit_ns;

	memset(r, 0, sizeof(*r));
	r->time_seconds = now_unix;
	snprintf(r->trigger, sizeof(r->trigger), "%s", oc->trigger);
	snprintf(r->unit, sizeof(r->unit), "%s", unit ? unit : "process");
	r->signal = oc->kill_signal ? oc->kill_signal : SIGKILL;
	r->dry_run = oc->dry_run;
	r->killed = oc->killed;
	r->reaped = oc->reaped;
	r->selection_seconds = ns_between(oc->t_select_ns, oc->t_signal_ns);
	r->reclaim_seconds = ns_between(oc->t_signal_ns, back_ns);
	if (!t)
		return;
	r->pid = t->pid;
	r->uid = t->uid;
	memcpy(r->comm, t->comm, sizeof(r->comm));
	r->comm[sizeof(r->comm) - 1] = '\0';
	memcpy(r->cgroup, t->memcg, sizeof(r->cgroup));
	r->cgroup[sizeof(r->cgroup) - 1] = '\0';
	r->oom_score_adj = t->oom_score_adj;
	r->rss_kb = task_rss_kb(t);
	r->swap_kb = t->swap_kb;
	k8s_decode(r->cgroup, &r->k8s);
}

uint64_t kill_record_victim_bytes(const struct kill_record *r)
{
	return ((uint64_t)r->rss_kb + r->swap_kb) * 1024;
}
