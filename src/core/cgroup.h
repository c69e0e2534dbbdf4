/* cgroup.h - memory cgroup state, v1 and v2, and the resolution of a user's
 * cgroup argument to a directory. Sizes in bytes; CGROUP_UNLIMITED marks
 * "max" (v2) or the v1 PAGE_COUNTER_MAX value. */
#ifndef OOMKIT_CGROUP_H
#define OOMKIT_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

#define CGROUP_UNLIMITED UINT64_MAX

enum cgroup_version { CGROUP_V1 = 1, CGROUP_V2 = 2 };

struct memcg_roots {
	char v1[PATH_MAX];   /* v1 memory controller mount, "" if none */
	char v2[PATH_MAX];   /* cgroup2 mount, "" if none */
	bool v2_has_memory;  /* memory listed in the v2 root's cgroup.controllers */
	char proc_root[PATH_MAX]; /* for /proc/sys/vm/swappiness (v2), "/proc" */
	/* each mount's root as mountinfo prints it: "/", or "/../.." for the
	 * host's tree mounted in a private cgroup namespace (cgroup_ns.h) */
	char v1_mount_root[PATH_MAX], v2_mount_root[PATH_MAX];
	char ns_root[PATH_MAX];   /* that namespace's root below the memory mount, "" outside one */
};

struct memcg_state {
	enum cgroup_version version;
	char dir[PATH_MAX];       /* absolute directory */
	char path[PATH_MAX];      /* path relative to its hierarchy root, as the kernel prints it ("/a/b") */
	uint64_t usage_bytes;     /* v1 memory.usage_in_bytes, v2 memory.current */
	uint64_t limit_bytes;     /* v1 memory.limit_in_bytes, v2 memory.max */
	uint64_t high_bytes;      /* v2 memory.high, CGROUP_UNLIMITED on v1 */
	uint64_t swap_usage_bytes;/* v2 memory.swap.current; v1 memsw usage - usage */
	uint64_t swap_limit_bytes;/* v2 memory.swap.max; v1 memory.memsw.limit_in_bytes (memory+swap) */
	uint64_t memsw_usage_bytes; /* v1 only */
	bool has_memsw;           /* v1 memsw.* files exist */
	uint64_t failcnt;         /* v1 memory.failcnt */
	unsigned int swappiness;  /* v1 memory.swappiness, v2 /proc/sys/vm/swappiness */
	/* v2 memory.events (hierarchical) */
	uint64_t ev_low, ev_high, ev_max, ev_oom, ev_oom_kill, ev_oom_group_kill;
	/* v1 memory.oom_control */
	bool oom_kill_disable, under_oom;
	uint64_t oom_kill;        /* v1 oom_control oom_kill / v2 events oom_kill */
	/* memory.stat, bytes (v1 names mapped: rss->anon, cache->file) */
	uint64_t stat_anon, stat_file, stat_shmem, stat_kernel, stat_slab, stat_sock;
	uint64_t stat_file_mapped, stat_file_dirty, stat_file_writeback, stat_swapcached;
	uint64_t stat_active_anon, stat_inactive_anon, stat_active_file, stat_inactive_file;
	uint64_t stat_unevictable;
	uint64_t stat_hierarchical_limit; /* v1 hierarchical_memory_limit */
	bool has_pressure;
	struct psi pressure;      /* memory.pressure (v2, or v1 with cgroup.pressure) */
};

/* Finds the mounts from <proc_root>/self/mountinfo ("/proc"), and the
 * root of our cgroup namespace below the memory mount (cgroup_ns.h). */
int memcg_roots_find(const char *proc_root, struct memcg_roots *roots);

/* The mount lookup of memcg_roots_find on mountinfo text (octal escapes
 * like \040 decoded): the first mount of each kind, or what was mounted over
 * it later at the same place; does not look at v2's cgroup.controllers. */
int memcg_roots_parse(const char *mountinfo, struct memcg_roots *roots);

/* Resolves a user's PATH: an absolute directory, or a path relative to the
 * memory controller's root (v1 memory first when it exists, else v2).
 * -ENOENT when it does not exist, -ENOTDIR when it is no memory cgroup. */
int memcg_resolve(const struct memcg_roots *roots, const char *arg, char *dir, size_t dir_size,
		  enum cgroup_version *version);

/* Reads the state of one memory cgroup directory. */
int memcg_read(const struct memcg_roots *roots, const char *dir, enum cgroup_version version,
	       struct memcg_state *st);

/* The limit that bounds this cgroup: its own, else the nearest limited
 * ancestor's (what the kernel's memcg OOM would use), CGROUP_UNLIMITED if none. */
int memcg_effective_limit(const struct memcg_state *st, uint64_t *limit_bytes);

/* The lowest memory.max of the v2 directory dir and its ancestors,
 * CGROUP_UNLIMITED if none. */
uint64_t memcg_v2_ancestor_limit(const char *dir);

/* The tightest CPU quota (v2 cpu.max "QUOTA PERIOD") on the cgroup path
 * ("/a/b", below the v2 mount dir) and its ancestors, in CPUs; 0 when
 * none. where gets the path of the cgroup that sets it. */
double cgroup_v2_cpu_quota(const char *mount, const char *path, char *where, size_t size);

/* v1 reports "no limit" as PAGE_COUNTER_MAX pages in bytes (0x7ffffffffffff000
 * on 4 KiB pages); values from here up read as CGROUP_UNLIMITED. */
#define CGROUP_V1_UNLIMITED_MIN 0x7ffffffffffff000ull

#endif
