/* metrics.h - the daemon's Prometheus metrics: what it killed (by trigger
 * and kill unit), how fast it chose and how soon memory came back, and the
 * memory state it watches (MemAvailable, SwapFree, PSI, watched cgroups).
 * State lives in one caller-owned struct of fixed size; rendering writes the
 * text exposition format (0.0.4) into a caller buffer. No allocation.
 * doc/metrics.md lists every series. */
#ifndef OOMKIT_METRICS_H
#define OOMKIT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kill_record.h"
#include "core/mem.h"

#define METRICS_MAX_KILL_SERIES 32 /* distinct (trigger, unit) pairs */
#define METRICS_MAX_CGROUPS 64     /* watched cgroups exported */
#define METRICS_LABEL_MAX 32
#define METRICS_PATH_MAX 512
#define METRICS_NR_BUCKETS 14

/* Upper bounds (seconds) of the selection-time histogram: 50 µs .. 1 s. */
extern const double metrics_selection_buckets[METRICS_NR_BUCKETS];

struct metrics_kill_series {
	char trigger[METRICS_LABEL_MAX]; /* trigger class: the first word of oc->trigger */
	char unit[METRICS_LABEL_MAX];    /* process, pgroup, cgroup */
	uint64_t count;
};

struct metrics_cgroup {
	char path[METRICS_PATH_MAX];
	uint64_t usage_bytes;
	uint64_t limit_bytes;            /* UINT64_MAX: unlimited, rendered +Inf */
};

struct metrics {
	struct metrics_kill_series kills[METRICS_MAX_KILL_SERIES];
	size_t nr_kill_series;
	uint64_t kills_dropped;          /* kills whose series did not fit */
	uint64_t dry_run_kills;          /* would-be kills of --dry-run: not in kills */
	double last_kill_time_seconds;   /* unix time, 0 before the first kill */
	uint64_t last_victim_bytes;      /* rss + swap of the last victim */
	double last_reclaim_seconds;     /* signal -> memory back (reaped or exited) */

	uint64_t selection_buckets[METRICS_NR_BUCKETS]; /* cumulative at render */
	uint64_t selection_count;
	double selection_sum_seconds;

	bool have_memory;
	uint64_t mem_available_bytes, mem_total_bytes, swap_free_bytes, swap_total_bytes;
	bool have_psi;
	struct psi psi;                  /* /proc/pressure/memory */

	struct metrics_cgroup cgroups[METRICS_MAX_CGROUPS];
	size_t nr_cgroups;
};

void metrics_init(struct metrics *m);
/* What one kill contributes: a count by trigger class and unit (a dry run
 * counted apart, the last-kill gauges untouched), its time, the victim's
 * size and the time until its memory was back (when known). */
void metrics_record_kill(struct metrics *m, const struct kill_record *r);
void metrics_observe_selection(struct metrics *m, double seconds);
void metrics_set_meminfo(struct metrics *m, const struct meminfo *mi);
void metrics_set_psi(struct metrics *m, const struct psi *p);
/* Sets (or adds) the usage and limit of a watched cgroup. -ENOSPC when
 * METRICS_MAX_CGROUPS are already tracked. */
int metrics_set_cgroup(struct metrics *m, const char *path, uint64_t usage_bytes, uint64_t limit_bytes);

/* Renders the text exposition format into buf. Returns the length, or
 * -ENOBUFS when it did not fit (buf then holds nothing usable). */
long metrics_render(const struct metrics *m, char *buf, size_t size);

/* The file for node_exporter's textfile collector is written with
 * atomic_write_file(path, text, len, 0644) (atomic_file.h). */

#endif
