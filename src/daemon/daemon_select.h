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

/* The warm-up's choice for the whole machine, kept for a fast fall: the
 * task, its start time (a reused pid is another task) and what it and the
 * machine held then. */
struct warm_pick {
	pid_t pid;                     /* 0: none */
	unsigned long long start_time;
	unsigned long held_kb;         /* its RSS + swap */
	unsigned long avail_kb;        /* MemAvailable + SwapFree */
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
	struct warm_pick pick;         /* the last warm-up's choice */
	bool picked;                   /* the last selection took it (daemon_select_pick) */
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
/* A whole-machine selection over the top tasks that kills nothing: the
 * baseline for the next selection's invoker (the fastest grower), the
 * scanner's descriptors opened while memory is still there, and its choice
 * kept in s->pick with avail_kb (MemAvailable + SwapFree now), unless the
 * policy has prefer or avoid rules (or sets self-raised adj aside): they
 * may choose outside the top. */
void daemon_selector_warm(struct daemon_selector *s, unsigned long totalpages, unsigned long avail_kb);
/* The whole-machine selection of a fast fall: the warm-up's choice read
 * again alone (no scan) and taken when it is still the same task, still
 * passes the policy and the kernel's unkillable rules, and grew by a third
 * or more of what the machine lost since (avail_kb now): it is then the
 * one filling memory, and the top task was the kernel's choice already.
 * 0 with s->oc filled; else -ESTALE (not that task, or not the grower) or
 * the selection's error: the caller scans. */
int daemon_select_pick(struct daemon_selector *s, unsigned long avail_kb, unsigned long totalpages);
/* Whether the warm-up's choice is still the task filling memory, as
 * daemon_select_pick() judges it, without a selection: a fast fall needs
 * no other warm-up then. */
bool daemon_pick_fills(struct daemon_selector *s, unsigned long avail_kb);
/* The same for one known task (a fork bomb's biggest copy): the policy
 * and the kernel's unkillable rules still apply; no scan. */
int daemon_select_task(struct daemon_selector *s, pid_t pid, const char *memcg, const char *memcg_dir,
		       unsigned long totalpages);

#endif
