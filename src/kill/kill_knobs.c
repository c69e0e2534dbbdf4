/* kill_knobs.c - see kill_knobs.h. oomkit ranks and kills as
 * select_bad_process() would with the knobs at their defaults; the
 * kernel's own OOM killer first checks panic_on_oom (check_panic_on_oom),
 * then kills the allocating task with oom_kill_allocating_task (a global
 * OOM only), and after its choice kills the victim's whole cgroup when
 * memory.oom.group says so. A dry run says which of these holds now. */
#include "kill_knobs.h"

#include "core/json.h"
#include "core/knobs.h"

#define DIFFER "oomkit: the kernel would differ: "

void kill_knobs_report(FILE *f, const struct oom_control *oc, const char *proc_root,
		       const struct memcg_roots *roots, enum kill_unit unit)
{
	const struct task_info *v = oc->chosen;
	char comm[TASK_COMM_MAX * 4], group[TASK_CGROUP_MAX];
	struct oom_knobs k;

	if (!v)
		return;
	text_escape(v->comm, comm, sizeof(comm));
	oom_knobs_read(proc_root, &k);
	if (oom_knobs_panics(&k, oc->constraint, 0)) {
		fprintf(f, DIFFER "vm.panic_on_oom=%ld: a kernel OOM here panics the machine instead of killing "
			   "pid %d (%s)\n", k.panic_on_oom, (int)v->pid, comm);
		return; /* nothing else matters: nobody is killed */
	}
	if (oom_knobs_kills_allocating(&k, oc->constraint))
		fprintf(f, DIFFER "vm.oom_kill_allocating_task=%ld: a kernel OOM here kills whichever task is "
			   "allocating, not pid %d (%s)\n", k.oom_kill_allocating_task, (int)v->pid, comm);
	if (unit == KILL_UNIT_CGROUP)
		return; /* oomkit takes the whole cgroup too */
	memcg_oom_group(!roots->v1[0] && roots->v2_has_memory ? roots->v2 : "", v->memcg,
			oc->constraint == CONSTRAINT_MEMCG ? oc->memcg : NULL, group, sizeof(group));
	if (group[0]) {
		char g[TASK_CGROUP_MAX * 4];

		text_escape(group, g, sizeof(g));
		fprintf(f, DIFFER "memory.oom.group=1 on %s: a kernel OOM kills every task of %s with pid %d (%s)\n",
			g, g, (int)v->pid, comm);
	}
}
