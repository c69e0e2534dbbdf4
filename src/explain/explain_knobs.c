/* explain_knobs.c - the kernel's OOM knobs a report shows, and why: a
 * panic names the vm.panic_on_oom value its message implies
 * ("compulsory" is 2, "system-wide" and 2.6.32's "panic_on_oom is
 * selected" are 1); the "(oom_kill_allocating_task)" kill message is
 * vm.oom_kill_allocating_task=1; a report printed without its task table
 * had vm.oom_dump_tasks=0, or was cut; a victim that is the allocating
 * task, with no table and no kill line to tell, was likely killed by
 * vm.oom_kill_allocating_task=1; "Tasks in ... memory.oom.group set" is
 * memory.oom.group=1. The renderers print these (explain_text.c,
 * explain_json.c) and the verdict (explain_rank.c) uses the same words. */
#include "explain.h"

#include <string.h>

static struct explain_knob *next(struct explain_knob *out, size_t *n, size_t max, const char *knob, long value,
				 bool certain)
{
	struct explain_knob *k;

	if (*n >= max)
		return NULL;
	k = &out[(*n)++];
	k->knob = knob;
	k->value = value;
	k->certain = certain;
	k->why[0] = '\0';
	return k;
}

long explain_panic_on_oom(const struct kr_event *ev)
{
	const char *m = ev->panic_msg;

	if (!ev->panic)
		return 0;
	if (strstr(m, "ompulsory"))
		return 2;
	if (strstr(m, "system-wide") || strstr(m, "panic_on_oom"))
		return 1;
	return 0; /* "System is deadlocked on memory": nothing was killable */
}

static void panic_knob(const struct kr_event *ev, struct explain_knob *out, size_t *n, size_t max)
{
	long v = explain_panic_on_oom(ev);
	struct explain_knob *k;

	if (!v || !(k = next(out, n, max, "vm.panic_on_oom", v, true)))
		return;
	snprintf(k->why, sizeof(k->why), v == 2
		 ? "the kernel panicked instead of killing (2 panics on every OOM, memcg ones too)"
		 : "the kernel panicked instead of killing (1 panics on a global OOM; a memcg OOM would kill)");
}

/* dump_header() printed (the header is there) but no task table. */
static bool table_missing(const struct kr_event *ev)
{
	return ev->have_header && !ev->nr_tasks && !ev->sysrq && !strcmp(ev->source, "kernel");
}

static void table_knob(const struct kr_event *ev, struct explain_knob *out, size_t *n, size_t max)
{
	struct explain_knob *k;

	if (!table_missing(ev) || !(k = next(out, n, max, "vm.oom_dump_tasks", 0, false)))
		return;
	snprintf(k->why, sizeof(k->why), ev->truncated_end
		 ? "no task table: the report is cut off (or vm.oom_dump_tasks=0), so the choice cannot be checked"
		 : "no task table: vm.oom_dump_tasks=0, or the table was cut from the log; the choice cannot be checked");
}

static void allocating_knob(const struct kr_event *ev, struct explain_knob *out, size_t *n, size_t max)
{
	const struct kr_victim *v = &ev->victim;
	struct explain_knob *k;

	if (ev->allocating_task) {
		if ((k = next(out, n, max, "vm.oom_kill_allocating_task", 1, true)))
			snprintf(k->why, sizeof(k->why), "the kill message says so: the allocating task was killed "
							 "without ranking");
		return;
	}
	/* a kill line without "(oom_kill_allocating_task)" rules it out */
	if (!table_missing(ev) || v->message[0] || v->pid == KR_UNSET ||
	    v->pid != ev->invoker_pid || !(k = next(out, n, max, "vm.oom_kill_allocating_task", 1, false)))
		return;
	snprintf(k->why, sizeof(k->why), "likely: the victim is the allocating task and the report has no task "
					 "table (and no kill line to tell)");
}

static void group_knob(const struct kr_event *ev, struct explain_knob *out, size_t *n, size_t max)
{
	struct explain_knob *k;

	if (!ev->oom_group[0] || !(k = next(out, n, max, "memory.oom.group", 1, true)))
		return;
	snprintf(k->why, sizeof(k->why), "on %.160s: every task of that cgroup was killed with the victim",
		 ev->oom_group);
}

size_t explain_knobs(const struct kr_event *ev, struct explain_knob *out, size_t max)
{
	size_t n = 0;

	panic_knob(ev, out, &n, max);
	allocating_knob(ev, out, &n, max);
	table_knob(ev, out, &n, max);
	group_knob(ev, out, &n, max);
	return n;
}
