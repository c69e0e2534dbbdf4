/* kill_knobs.h - where the kernel's own OOM killer would choose otherwise
 * than oomkit under the current knobs (core/knobs.h), for `oomkit kill
 * --dry-run`. Private to src/kill/. */
#ifndef OOMKIT_KILL_KNOBS_H
#define OOMKIT_KILL_KNOBS_H

#include <stdio.h>

#include "core/cgroup.h"
#include "core/oom_control.h"

/* One "oomkit: the kernel would differ: ..." line per knob that makes a
 * kernel OOM of oc's scene act otherwise than oomkit's choice oc->chosen
 * (killed as unit): vm.panic_on_oom, vm.oom_kill_allocating_task,
 * memory.oom.group. Nothing when they agree. Reads proc_root/sys/vm and
 * the victim's memory.oom.group files. */
void kill_knobs_report(FILE *f, const struct oom_control *oc, const char *proc_root,
		       const struct memcg_roots *roots, enum kill_unit unit);

#endif
