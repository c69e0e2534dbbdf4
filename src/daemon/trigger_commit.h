/* trigger_commit.h - the commit-headroom floor, for machines in
 * vm.overcommit_memory=2: there the kernel refuses an allocation (ENOMEM)
 * once Committed_AS would pass CommitLimit, usually long before
 * MemAvailable reaches any floor, so a growing process fails (or brings
 * down whoever allocates next) without an OOM. The floor is the headroom
 * CommitLimit - Committed_AS, in percent of CommitLimit and/or a size,
 * with a SIGTERM and a SIGKILL stage like the memory floors; it is off by
 * default and idle in the other overcommit modes (nothing is enforced
 * there). Pure, like trigger.h. */
#ifndef OOMKIT_TRIGGER_COMMIT_H
#define OOMKIT_TRIGGER_COMMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "trigger.h"

/* Is either stage of [memory] commit_* set? */
bool commit_floor_set(const struct oomkit_config *c);

/* CommitLimit - Committed_AS in kB, 0 at or past the limit. */
unsigned long commit_headroom_kb(const struct mem_sample *s);

/* The stage the commit headroom reaches when the limit is enforced
 * (overcommit mode 2); text is "commit headroom 4.0% < 5% (Committed_AS
 * 96MiB of CommitLimit 100MiB)". */
enum stage commit_stage(const struct oomkit_config *c, const struct mem_sample *s, bool enforced, char *text,
			size_t size);

/* The sleep before the next sample for the commit floor (as
 * next_interval_ms() over the headroom above its SIGKILL floor, at the
 * assumed rate: a malloc commits at once); max_ms when idle. */
unsigned long commit_interval_ms(const struct oomkit_config *c, const struct mem_sample *s, bool enforced,
				 double assumed_kb_per_s);

#endif
