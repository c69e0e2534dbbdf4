/* daemon_knobs.c - the kernel's OOM knobs as they change the daemon's job,
 * read at start and at every reload (core's knobs.h) and logged once:
 * with vm.panic_on_oom a kernel OOM panics instead of killing, so the
 * floors are the only defence; with vm.overcommit_memory=2 allocations
 * fail at CommitLimit, usually before MemAvailable reaches any floor, and
 * only the commit floor (trigger_commit.h) can act in time. And a CPU
 * quota on the daemon's own cgroup, which makes it late. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/cgroup_ns.h"
#include "core/proc.h"
#include "core/units.h"
#include "core/util.h"
#include "daemon.h"
#include "daemon_log.h"
#include "trigger_commit.h"

static void log_panic(const struct oom_knobs *k)
{
	if (k->panic_on_oom == 2)
		dlog(DLOG_WARNING, "vm.panic_on_oom=2: a kernel OOM takes the machine down; "
				   "oomkit's floors are the only defence");
	else if (k->panic_on_oom > 0)
		dlog(DLOG_WARNING, "vm.panic_on_oom=%ld: a global kernel OOM takes the machine down (a memcg "
				   "OOM kills); oomkit's machine floors are the only defence against it", k->panic_on_oom);
}

static void commit_floor_words(const struct oomkit_config *c, char *out, size_t size)
{
	char t[32] = "", kl[32] = "";

	if (!commit_floor_set(c)) {
		snprintf(out, size, "the commit floor is off ([memory] commit_term_percent, commit_kill_percent): "
				    "oomkit cannot act before allocations fail");
		return;
	}
	if (c->commit_term.size_kb)
		format_kb(c->commit_term.size_kb, t, sizeof(t));
	if (c->commit_kill.size_kb)
		format_kb(c->commit_kill.size_kb, kl, sizeof(kl));
	snprintf(out, size, "the commit floor acts at term %g%%%s%s / kill %g%%%s%s of CommitLimit",
		 c->commit_term.percent, t[0] ? " or " : "", t, c->commit_kill.percent, kl[0] ? " or " : "", kl);
}

static void log_overcommit(const struct oomkit_config *c, const struct oom_knobs *k)
{
	char lim[32], head[32], floor[192];

	if (!oom_knobs_commit_enforced(k)) {
		if (commit_floor_set(c))
			dlog(DLOG_NOTICE, "[memory] commit_*: vm.overcommit_memory=%ld does not enforce CommitLimit: "
					  "the commit floor is idle", k->overcommit_memory);
		return;
	}
	format_kb(k->commit_limit_kb, lim, sizeof(lim));
	format_kb(oom_knobs_commit_headroom_kb(k), head, sizeof(head));
	commit_floor_words(c, floor, sizeof(floor));
	dlog(DLOG_WARNING, "vm.overcommit_memory=2: allocations fail at CommitLimit before memory runs out: "
			   "MemAvailable floors may never be reached; commit headroom %s of CommitLimit %s (%.1f%%); %s",
	     head, lim, k->commit_limit_kb ? 100.0 * (double)oom_knobs_commit_headroom_kb(k) / (double)k->commit_limit_kb : 0.0,
	     floor);
}

/* A CPU quota (cgroup v2 cpu.max, a container's CPU limit) stops the
 * daemon for the rest of each period once it is spent, and it is spent
 * when memory runs out: scans, and reclaim inside its own reads. Measured
 * in a pod with a 50m limit: the first kill came past the SIGKILL floor. */
static void log_cpu_quota(const struct daemon *d)
{
	char buf[4096], self[PATH_MAX], where[PATH_MAX], path[PATH_MAX + 16];
	double cpus;

	if (!d->roots.v2[0] || d->roots.v1[0])
		return;
	snprintf(path, sizeof(path), "%s/self/cgroup", d->cfg.proc_root);
	if (read_file_at(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return;
	proc_parse_cgroup(buf, self, sizeof(self));
	(void)cgroup_ns_resolve(d->roots.ns_root, self, sizeof(self));
	cpus = cgroup_v2_cpu_quota(d->roots.v2, self, where, sizeof(where));
	if (cpus > 0)
		dlog(DLOG_WARNING, "CPU quota of %g CPU on %s (cpu.max): once it is spent the kernel stops oomkit "
				   "until the next period, and it is spent when memory runs out; run oomkit without a CPU limit",
		     cpus, where);
}

void daemon_knobs_load(struct daemon *d)
{
	struct oom_knobs *k = &d->knobs;

	oom_knobs_read(d->cfg.proc_root, k);
	log_panic(k);
	log_overcommit(&d->cfg, k);
	if (k->oom_kill_allocating_task > 0)
		dlog(DLOG_NOTICE, "vm.oom_kill_allocating_task=%ld: a kernel OOM kills whichever task is allocating, "
				  "not the biggest; oomkit's floors choose by badness before that", k->oom_kill_allocating_task);
	if (k->oom_dump_tasks == 0)
		dlog(DLOG_NOTICE, "vm.oom_dump_tasks=0: kernel OOM reports carry no task table; oomkit's own reports do");
	log_cpu_quota(d);
}

bool daemon_commit_enforced(const struct daemon *d)
{
	return oom_knobs_commit_enforced(&d->knobs);
}
