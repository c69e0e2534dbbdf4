/* scene.h - constrained_alloc(): the scene of an OOM, as mm/oom_kill.c sets
 * it up before it selects: the constraint (global, cpuset, memory cgroup)
 * and totalpages, the scale every oom_badness() is measured on. rank, kill
 * and the daemon all build their scene here.
 *
 * constrained_alloc() is pure over facts already read (meminfo totals, a
 * memory cgroup's limits, the page size), so the daemon can call it on its
 * kill path with what it sampled; memcg_bound_of() is the thin reader the
 * one-shot commands use to turn a memcg_state into those facts. */
#ifndef OOMKIT_SCENE_H
#define OOMKIT_SCENE_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"
#include "oom_control.h"

/* What mem_cgroup_get_max() reads of the memory cgroup under OOM. */
struct memcg_bound {
	const char *path;            /* kernel-style path ("/a/b"), as /proc/PID/cgroup */
	const char *dir;             /* its directory on this machine */
	enum cgroup_version version;
	uint64_t limit_bytes;        /* its own limit, else the nearest limited ancestor's; CGROUP_UNLIMITED */
	uint64_t swap_limit_bytes;   /* v1 memory.memsw.limit_in_bytes (memory+swap), v2 memory.swap.max */
	bool has_memsw;              /* v1 with swap accounting (the memsw files exist) */
	unsigned int swappiness;     /* v1 memory.swappiness, v2 vm.swappiness */
};

struct oom_scene {
	unsigned long page_size;     /* the system's: sysconf(_SC_PAGESIZE) */
	unsigned long mem_total_kb;  /* MemTotal */
	unsigned long swap_total_kb; /* SwapTotal */
	/* cpuset scope: MemTotal of the NUMA nodes the cpuset allows, when
	 * they are fewer than all (0: every node, no cpuset constraint) */
	unsigned long cpuset_mem_kb;
	const struct memcg_bound *memcg; /* non-NULL: an OOM of this memory cgroup */
};

/* Sets oc's scene (constraint, memcg, memcg_dir, totalpages, page_size)
 * and nothing else. The memcg scope wins over cpuset, as in the kernel (a
 * memcg OOM is never constrained by nodes). Returns 0, or -ENAMETOOLONG
 * when the memcg path did not fit oc->memcg (then cut). */
int constrained_alloc(struct oom_control *oc, const struct oom_scene *s);

/* The facts of st for constrained_alloc(); st must outlive b (path, dir).
 * An unlimited cgroup takes its nearest limited ancestor's limit (the OOM
 * that would really happen): on v2 that walks the parents' memory.max. */
void memcg_bound_of(const struct memcg_state *st, struct memcg_bound *b);

/* The page size of this system, the unit of totalpages and points. */
unsigned long oom_page_size(void);

#endif
