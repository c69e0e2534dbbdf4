/* trigger.h - the pure decisions of the daemon's triggers: is a memory
 * floor crossed (SIGTERM stage, SIGKILL stage), what does the trigger say
 * in the report ("memavailable 4.8% < 5%"), and how long may we sleep
 * before the next sample so that a hog at full speed cannot cross both
 * stages unseen. No I/O: the daemon feeds samples in. Sizes in kB. */
#ifndef OOMKIT_TRIGGER_H
#define OOMKIT_TRIGGER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

enum stage { STAGE_NONE = 0, STAGE_TERM = 1, STAGE_KILL = 2 };

/* The /proc/meminfo fields the system floors use. */
struct mem_sample {
	unsigned long mem_total_kb;
	unsigned long mem_available_kb;
	unsigned long swap_total_kb;  /* re-read every sample: swap/zram may appear later */
	unsigned long swap_free_kb;
	unsigned long commit_limit_kb;  /* what vm.overcommit_memory=2 enforces (trigger_commit.h) */
	unsigned long committed_as_kb;
};

/* The amount below which a floor fires, in kB, for a total of total_kb:
 * the lower of the percent and size parts that are set (earlyoom's rule),
 * 0 when neither is set. */
unsigned long floor_kb(const struct floor *f, unsigned long total_kb);

/* The fields from /proc/meminfo text (core's meminfo_parse). */
int mem_sample_parse(const char *text, struct mem_sample *s);

/* System floors: both MemAvailable and SwapFree below their floor (no swap
 * counts as SwapFree below any floor). Writes the trigger text of the
 * reached stage into text ("memavailable 4.8% < 5%, swapfree 0%"). */
enum stage memory_stage(const struct oomkit_config *c, const struct mem_sample *s, char *text,
			size_t size);

/* A memory cgroup's headroom (limit - usage) against its floors; text is
 * "memcg /sys/fs/cgroup/memory/x 99.7% of 512MiB". */
enum stage memcg_stage(const struct cgroup_watch_spec *w, const char *dir, uint64_t usage_bytes,
		       uint64_t limit_bytes, char *text, size_t size);

/* The sleep before the next sample: the time the faster of the observed
 * fill rate and an assumed worst case needs to eat the headroom left above
 * the SIGKILL floor, clamped to [min_ms, max_ms]. */
unsigned long next_interval_ms(unsigned long headroom_kb, double fill_kb_per_s,
			       double assumed_kb_per_s, unsigned long min_ms, unsigned long max_ms);

/* "full avg10 > 50% for 20s": feed avg10 every sample; returns true once
 * the value stayed above the limit for the duration. */
struct psi_sustained_state {
	uint64_t above_since_ns;      /* 0: not above */
};
bool psi_sustained_check(const struct psi_sustained_spec *r, struct psi_sustained_state *st,
			 double avg10, uint64_t now_ns);

/* "psi full 40% 2s" for a trigger spec. */
void psi_trigger_text(const struct psi_trigger_spec *t, const char *where, char *text, size_t size);

#endif
