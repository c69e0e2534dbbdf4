/* knobs.h - the kernel's OOM knobs and what they make the kernel do: the
 * vm sysctls that decide whether an OOM kills or panics
 * (vm.panic_on_oom), who dies (vm.oom_kill_allocating_task), what the
 * report shows (vm.oom_dump_tasks), whether allocations fail long before
 * any OOM (vm.overcommit_memory, _ratio, _kbytes against meminfo's
 * CommitLimit and Committed_AS), and a cgroup v2 memory.oom.group (the
 * victim's whole cgroup dies with it).
 *
 * oom_knobs_read() is the one reader (under a proc root, so tests use a
 * fake /proc/sys/vm); everything else is pure: values in, effects out,
 * for rank, kill, explain, the daemon and status alike. */
#ifndef OOMKIT_KNOBS_H
#define OOMKIT_KNOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "cgroup.h"
#include "json.h"
#include "oom_control.h"

#define KNOB_UNKNOWN (-1L)  /* the file was missing or unreadable */

struct oom_knobs {
	long panic_on_oom;             /* 0 kill, 1 panic on a global OOM, 2 always panic */
	long oom_kill_allocating_task; /* 1: the allocating task dies, no ranking */
	long oom_dump_tasks;           /* 0: reports carry no task table */
	long overcommit_memory;        /* 0 heuristic, 1 always, 2 never (CommitLimit) */
	long overcommit_ratio;         /* percent of RAM in CommitLimit (mode 2) */
	long overcommit_kbytes;        /* if set, replaces the ratio */
	unsigned long commit_limit_kb, committed_as_kb; /* meminfo; 0 unknown */
	/* memory.oom.group (cgroup v2 only): the cgroup whose tasks all die
	 * with a victim of oom_group_of; "" when none would */
	char oom_group_of[TASK_CGROUP_MAX]; /* the cgroup asked about, "" none */
	long oom_group;                     /* its own memory.oom.group, KNOB_UNKNOWN on v1 */
	char oom_group_kills[TASK_CGROUP_MAX];
};

/* The defaults of every kernel since 2.6.36 (and the kernel's own
 * defaults for the ratio and kbytes). */
#define KNOB_DEFAULT_PANIC_ON_OOM 0
#define KNOB_DEFAULT_KILL_ALLOCATING 0
#define KNOB_DEFAULT_DUMP_TASKS 1
#define KNOB_DEFAULT_OVERCOMMIT 0

/* Reads <proc_root>/sys/vm/{panic_on_oom, oom_kill_allocating_task,
 * oom_dump_tasks, overcommit_memory, overcommit_ratio, overcommit_kbytes}
 * and <proc_root>/meminfo's CommitLimit and Committed_AS. A missing file
 * leaves KNOB_UNKNOWN (never an error). */
void oom_knobs_read(const char *proc_root, struct oom_knobs *k);

/* mem_cgroup_get_oom_group(): the highest cgroup from task_memcg (kernel
 * path, "/a/b") up to the OOM's domain (domain, "" or "/" for a global
 * OOM) whose memory.oom.group is 1, under the cgroup2 mount v2_root; its
 * path into out ("" when none, and always on v1: the knob is v2's). */
void memcg_oom_group(const char *v2_root, const char *task_memcg, const char *domain, char *out,
		     size_t size);

/* Fills k's oom.group fields for the cgroup path memcg (kernel style) of
 * a scene whose victim lives in victim_memcg: memcg's own value and the
 * group that dies with the victim. Reads memory.oom.group files. */
void oom_knobs_read_group(struct oom_knobs *k, const struct memcg_roots *roots, const char *memcg,
			  const char *victim_memcg);

/* One knob's state in plain words. */
struct knob_line {
	const char *knob;              /* "panic_on_oom", "memory.oom.group" */
	long value;
	bool is_default;
	char text[320];                /* "panic_on_oom=1: a global OOM panics the machine; a memcg OOM kills" */
};

#define KNOB_LINES_MAX 6

/* The knobs' effects on an OOM of constraint c, one line per knob in a
 * fixed order (unknown knobs left out). Returns how many. */
size_t oom_knobs_lines(const struct oom_knobs *k, enum oom_constraint c, struct knob_line *out,
		       size_t max);

/* What the kernel would do on an OOM of constraint c (order -1: a sysrq
 * or manual OOM, which never panics). */
bool oom_knobs_panics(const struct oom_knobs *k, enum oom_constraint c, int order);
/* vm.oom_kill_allocating_task applies: a global OOM kills the allocating
 * task without ranking (memcg OOMs rank as usual). */
bool oom_knobs_kills_allocating(const struct oom_knobs *k, enum oom_constraint c);
/* vm.overcommit_memory=2: allocations fail at CommitLimit. */
bool oom_knobs_commit_enforced(const struct oom_knobs *k);
/* CommitLimit - Committed_AS, 0 when at or past it. */
unsigned long oom_knobs_commit_headroom_kb(const struct oom_knobs *k);

/* The "knobs" object of rank's and status's --json: the raw values
 * (null when unknown), the derived effect on an OOM of constraint c, and
 * the lines (those off their defaults; every one with all). */
void oom_knobs_json(struct json *j, const struct oom_knobs *k, enum oom_constraint c, bool all);

#endif
