/* daemon_knobs.c - the kernel's OOM knobs as they change the daemon's job,
 * read at start and at every reload (core's knobs.h) and logged once:
 * with vm.panic_on_oom a kernel OOM panics instead of killing, so the
 * floors are the only defence; with vm.overcommit_memory=2 allocations
 * fail at CommitLimit, usually before MemAvailable reaches any floor, and
 * only the commit floor (trigger_commit.h) can act in time. */
#include <stdio.h>
#include <string.h>

#include "core/units.h"
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
}

bool daemon_commit_enforced(const struct daemon *d)
{
	return oom_knobs_commit_enforced(&d->knobs);
}
