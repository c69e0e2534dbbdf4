/* daemon_select.h - the daemon's choice of a victim with the shared core:
 * core's persistent scanner (proc_scanner: BPF task iterator or procfs
 * oom_score, only the top candidates read in full), core's policy tiers
 * (prefer / avoid / ignore / protect, policy.h) and the kernel's
 * select_bad_process(); the result is the selector's oom_control, whose
 * chosen task (and invoker: the snapshot task that grew fastest since the
 * previous scan) points into the selector's snapshot, valid until the
 * next selection. Everything is sized at start-up. */
#ifndef OOMKIT_DAEMON_SELECT_H
#define OOMKIT_DAEMON_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cgroup.h"
#include "config.h"
#include "kill/kill.h"
#include "core/oom_control.h"
#include "core/policy.h"
#include "core/proc.h"
#include "core/scan.h"

/* RSS of every pid at the previous scan, to name the fastest grower.
 * Fixed size, allocated once: a pid collision only loses one growth figure. */
#define GROWTH_SLOTS (1u << 17)
struct growth_slot {
	pid_t pid;
	uint32_t rss_kb;
};

struct daemon_selector {
	struct proc_scanner scanner;
	bool scanner_ready;
	struct proc_snapshot snap;
	struct policy policy;
	bool policy_ready;
	struct growth_slot *growth;    /* GROWTH_SLOTS */
	struct oom_control oc;         /* the last selection; oc.chosen points into snap */
	const char *tier;              /* the policy tier it was chosen in */
	struct kill_ctx *kctx;         /* kill's context: every signal of an episode */
	/* rules beside the configuration's: systemd's avoid and omit
	 * preferences (daemon_managed.c), "" or NULL for none */
	const char *extra_avoid, *extra_protect;
};

/* The scanner (once) and the policy (again on each reload) from cfg.
 * why tells what failed. */
int daemon_selector_start(struct daemon_selector *s, const struct oomkit_config *cfg,
			  const struct memcg_roots *roots, char *why, size_t size);
void daemon_selector_stop_policy(struct daemon_selector *s);
void daemon_selector_free(struct daemon_selector *s);

/* Chooses in the whole machine (memcg NULL) or in one memory cgroup
 * subtree (kernel path + directory) into s->oc. 0, -ESRCH (nothing
 * killable), -errno. */
int daemon_select_victim(struct daemon_selector *s, const char *memcg, const char *memcg_dir,
			 unsigned long totalpages);
/* A scan that only records what the top tasks hold now: the baseline for
 * the next selection's invoker (the fastest grower), and the scanner's
 * descriptors opened while memory is still there. */
void daemon_selector_warm(struct daemon_selector *s, unsigned long totalpages);
/* The same for one known task (a fork bomb's biggest copy): the policy
 * and the kernel's unkillable rules still apply; no scan. */
int daemon_select_task(struct daemon_selector *s, pid_t pid, const char *memcg, const char *memcg_dir,
		       unsigned long totalpages);

#endif
