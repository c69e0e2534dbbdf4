/* kill_proc.h - kill.c's walk of /proc, shared with kill_swarm.c: every pid
 * through the kill context's preallocated buffers (no allocation on the
 * kill path). Internal to the kill files. */
#ifndef OOMKIT_KILL_PROC_H
#define OOMKIT_KILL_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "kill.h"

#define OOM_SCORE_ADJ_MIN (-1000)

typedef void (*kill_pid_fn)(struct kill_ctx *k, pid_t pid, void *arg);

/* Every numeric entry of /proc, read with getdents64 into k->dents. */
void kill_for_each_pid(struct kill_ctx *k, kill_pid_fn fn, void *arg);
/* stat of pid into t (k->text as buffer); false when gone. */
bool kill_read_stat(struct kill_ctx *k, pid_t pid, struct task_info *t);

#endif
