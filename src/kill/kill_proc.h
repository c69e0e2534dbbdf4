/* kill_proc.h - what the kill files share, internal to them: the walk of
 * /proc through the kill context's preallocated buffers (no allocation on
 * the kill path), the members of a kill (kill_unit.c) and the reaper
 * (oom_reaper.c). */
#ifndef OOMKIT_KILL_PROC_H
#define OOMKIT_KILL_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kill.h"

#define OOM_SCORE_ADJ_MIN (-1000)

typedef void (*kill_pid_fn)(struct kill_ctx *k, pid_t pid, void *arg);

/* Every numeric entry of /proc, read with getdents64 into k->dents. */
void kill_for_each_pid(struct kill_ctx *k, kill_pid_fn fn, void *arg);
/* stat of pid into t (k->text as buffer); false when gone. */
bool kill_read_stat(struct kill_ctx *k, pid_t pid, struct task_info *t);

/* Never init's group nor ours (kill(-0) would be ours). */
bool kill_pgroup_may_be_signalled(pid_t pgid);
/* The victim's group when it is k->bomb_pgid (kill_pgroup.c): stopped,
 * then one pass pidfd_open's and judges each member while all stay
 * stopped; killed at once when every member is a copy that may die (the
 * victim's name, uid and memory cgroup; k->res.used_pgroup_kill), else
 * the victim and the copies held signalled together, the rest spared.
 * false when it was not stopped (nothing done). */
bool kill_pgroup_stopped(struct kill_ctx *k);
/* SIGCONT to the group kill_pgroup_stopped() stopped, if any, once: every
 * path after the stop comes here (oom_kill_process() right after its
 * signals, its finish() on every return). */
void kill_pgroup_continue(struct kill_ctx *k);
/* What the kill path reads of a task to judge it: the policy's fields. */
unsigned int kill_judge_details(const struct kill_ctx *k);
/* What it reads of the victim and its members: what the report shows
 * (command line, exe), but of a fork bomb's copies (k->bomb_pgid, unit
 * swarm) only kill_judge_details(). A command line is read under the
 * process's mmap lock, which a copy holds for writing while it forks: in
 * reclaim, with memory short, the read of a bomb's victim waited 19.5 s
 * (the 2-CPU guest's forkbomb) while the kernel killed 38 copies. */
unsigned int kill_read_details(const struct kill_ctx *k);
/* Why t (read with kill_judge_details()) may not die as a bomb's copy,
 * even with one kill(-pgid); NULL when it may. The refused (pid 1, kernel
 * threads, oomkit, -1000, protected), what the policy ignores (ignored
 * tasks are never chosen, and a group kill cannot spare them), and, given
 * a reference copy, another name, uid or memory cgroup ("not a copy"). */
const char *kill_copy_spared(const struct kill_ctx *k, const struct task_info *t, const struct task_info *ref);
/* kill_copy_spared() without a reference: NULL. */
bool kill_copy_may_die(const struct kill_ctx *k, const struct task_info *t);

/* The victim's sharers and, by k->unit, its group or cgroup into
 * k->res.members (a pgroup or cgroup may be killed at once on the way). */
void kill_collect_members(struct kill_ctx *k);
/* --unit swarm: namesakes signalled as found, until a pass finds none. */
void kill_swarm(struct kill_ctx *k);
/* k->sig to m through its pidfd, unless spared, signalled already or a
 * dry run; a member gone since its check counts as exited, no failure. */
void kill_signal_member(struct kill_ctx *k, struct kill_member *m);
/* Signals members[1..] not yet signalled nor spared. */
void kill_signal_members(struct kill_ctx *k);
void kill_close_members(struct kill_ctx *k);

/* Headroom in kB: limit - usage of the measured memcg, else MemAvailable. */
unsigned long kill_measure_avail_kb(struct kill_ctx *k);
/* process_mrelease() of the victim (and of signalled group members). */
void oom_reap(struct kill_ctx *k, struct oom_control *oc);
/* Polls every signalled pidfd until all exited (true) or the deadline. */
bool kill_wait_exit(struct kill_ctx *k, uint64_t deadline_ns);

#endif
