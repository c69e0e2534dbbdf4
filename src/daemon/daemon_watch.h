/* daemon_watch.h - what the daemon keeps open to watch memory, so that a
 * sample is a pread and an event is a poll wakeup:
 *  - the system: /proc/meminfo (SwapTotal re-read every sample, so swap or
 *    zram added later counts), /proc/pressure/memory armed as a PSI
 *    trigger (POLLPRI) plus a second descriptor for the averages;
 *  - each memory cgroup: usage and limit descriptors; on v1 eventfd
 *    notifications through cgroup.event_control for the two headroom
 *    thresholds and for memory.oom_control (optionally oom_kill_disable=1,
 *    undone on close); on v2 memory.events (POLLPRI on change) and a PSI
 *    trigger on its memory.pressure;
 *  - what the kernel's mem_cgroup_get_max() reads (the limit without
 *    memory.high, the swap limit: memsw on v1, memory.swap.max on v2, the
 *    swappiness), so that the scene of a kill (totalpages) is built from
 *    samples, without new I/O on the kill path.
 * Opening fills an error text; sampling never allocates. */
#ifndef OOMKIT_DAEMON_WATCH_H
#define OOMKIT_DAEMON_WATCH_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "core/oom_control.h"
#include "core/proc.h"
#include "core/scene.h"
#include "trigger.h"

/* A fill rate worth sampling fast for: a leak slower than this cannot
 * cross a floor's margin between two samples of interval_max. */
#define WATCH_FAST_KB_S (32.0 * 1024)

struct sys_watch {
	unsigned long page_size;   /* the system's, the unit of totalpages */
	int meminfo_fd;
	int psi_fd;            /* armed trigger, -1 when off or unsupported */
	int psi_avg_fd;        /* plain /proc/pressure/memory for averages, -1 if none */
	struct mem_sample s;
	uint64_t sample_ns;
	double fill_kb_s;      /* how fast MemAvailable + SwapFree fell lately */
	bool growing;          /* they fell since the sample before */
	/* threads on the machine (/proc/loadavg), and their fewest over the
	 * last one to two windows: a fork bomb's growth, for one read a pass */
	int loadavg_fd;
	unsigned long nr_threads;
	unsigned long threads_min_now, threads_min_before;
	uint64_t threads_window_ns, threads_window_start_ns;
};

struct memcg_watch {
	struct cgroup_watch_spec spec;
	int version;                   /* 1 or 2 */
	char dir[PATH_MAX];
	char kpath[TASK_CGROUP_MAX];   /* as /proc/PID/cgroup shows it */
	int usage_fd, limit_fd;
	int high_fd;                   /* v2 memory.high (the throttle point), -1 on v1 */
	int events_fd;                 /* v2 memory.events, v1 memory.oom_control */
	int oom_efd, thr_efd;          /* v1 eventfds, -1 on v2 */
	int psi_fd;                    /* memory.pressure trigger, -1 if none */
	bool set_oom_kill_disable;     /* we wrote 1, restore 0 on close */
	uint64_t brake_bytes;          /* v2: the memory.high we wrote (0: none), "max" on close */
	uint64_t usage_bytes, limit_bytes; /* limit: memory.max or, lower, memory.high */
	/* the OOM's bound: memory.max / limit_in_bytes as read, and the limit
	 * an OOM of this cgroup scales by (that one, else the nearest limited
	 * ancestor's) */
	uint64_t max_bytes, bound_bytes;
	int swap_fd;                   /* v1 memory.memsw.limit_in_bytes, v2 memory.swap.max; -1 if none */
	uint64_t swap_limit_bytes;     /* CGROUP_UNLIMITED without a swap limit */
	unsigned int swappiness;       /* read at open: v1 memory.swappiness, v2 vm.swappiness */
	uint64_t oom_kill;             /* the kernel's kills so far */
	bool under_oom;                /* v1: tasks wait for us (oom_kill_disable) */
	uint64_t sample_ns;
	double fill_kb_s;
	bool growing;                  /* usage grew since the sample before */
};

/* Arms "some|full stall window" on a PSI file; returns the fd or -errno. */
int psi_trigger_open(const char *path, const struct psi_trigger_spec *t);
/* avg10 of some/full from a PSI descriptor. */
int psi_read_avg10(int fd, enum psi_kind kind, double *avg10);

int sys_watch_open(struct sys_watch *w, const struct oomkit_config *c, char *why, size_t size);
int sys_watch_sample(struct sys_watch *w, uint64_t now);
/* Threads started lately: now minus the fewest seen in the window. */
unsigned long sys_watch_thread_growth(const struct sys_watch *w);
void sys_watch_close(struct sys_watch *w);

/* Resolves spec->path (absolute, or below the v1 memory / cgroup2 root),
 * opens everything, arms the notifications. */
int memcg_watch_open(struct memcg_watch *w, const struct cgroup_watch_spec *spec, char *why,
		     size_t size);
int memcg_watch_sample(struct memcg_watch *w, uint64_t now);
/* What the limit leaves (0 at or above it); the limit must be set. */
unsigned long memcg_watch_headroom_kb(const struct memcg_watch *w);
/* The scene of an OOM of w (NULL: the whole machine) from the last
 * samples of s and w: core's constrained_alloc(), no I/O. */
void watch_scene(const struct sys_watch *s, const struct memcg_watch *w, struct oom_control *oc);
/* Reads the OOM state (v1 oom_control, v2 memory.events). */
int memcg_watch_read_events(struct memcg_watch *w);
/* Consumes pending eventfd counts so that poll sleeps again. */
void memcg_watch_drain(struct memcg_watch *w);
void memcg_watch_close(struct memcg_watch *w);

#endif
