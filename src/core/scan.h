/* scan.h - the persistent scanner: repeated ranking (the daemon's steady
 * state, kill, rank) without one open per file per process per scan.
 *
 * A scan has two passes. The first sees every process cheaply and gives it
 * a key that orders like oom_badness():
 *  - method "bpf": src/core/bpf/oom_iter.bpf.c reads every process's rss/swap/
 *    pgtables/adj/flags from the kernel's own counters (the values
 *    oom_badness() reads); the key is the exact points for the scan's
 *    totalpages. For a global scene with top <= 32, a BPF_PROG_TYPE_SYSCALL
 *    program walks the process list with the open-coded task iterator
 *    (kernel >= 6.7) and hands back only the processes that can be in the
 *    top (2-4 ms of CPU at 10,000 processes, bench/rank.md); otherwise an
 *    iter/task seq_file iterator lists every process (kernel >= 6.2).
 *    Needs root and kernel BTF, and oomkit in the initial pid namespace (the
 *    iterator reports global pids); checked at init, else "procfs".
 *  - method "procfs" (fallback): /proc/PID/oom_score, read again with pread()
 *    on a descriptor kept open per process (RLIMIT_NOFILE soft limit raised
 *    to the hard one at init; beyond it less a reserve of 256,
 *    open+read+close). The key is the kernel's oom_score, monotonic in points for a global OOM, so the
 *    candidates at the top are exact once every task tied at the cut is read
 *    too. For a memcg scene (other totalpages) every task of the subtree is
 *    read in full.
 * The second pass reads in full (struct task_info, plus the requested
 * PROC_DETAIL_* files) only the `top` best candidates and the ties at the
 * cut, at most PROC_SCAN_TIES_MAX of those (the newest: the kernel's tie
 * rule); select_bad_process() over the resulting snapshot chooses the same
 * victim as over every process (on procfs, within one oom_score point when
 * more than PROC_SCAN_TIES_MAX tie).
 *
 * Use (daemon, kill):
 *     proc_scanner_init(&sc, "/proc", 0);                    once
 *     o = (struct proc_scan_opts){ .top = 8, .totalpages = oc.totalpages,
 *                                  .page_size = oc.page_size };
 *     proc_scanner_scan(&sc, &o, &snap);                     each round
 *     select_bad_process(&oc, &snap, policy_filter, arg);
 * A policy filter that may veto the best needs top > 1 (each scan returns
 * only the top); a vetoed-all snapshot means: scan again with top = 0.
 * Tasks of a "bpf" scan carry the kernel's counters and no details unless
 * asked (PROC_DETAIL_*: cgroup, cmdline, exe, kernel oom_score).
 *
 * Memory: the scanner's arrays are sized at init for twice the processes
 * then running (at least 4096) and grow only when a scan meets more; a
 * steady-state scan allocates nothing when snap->cap already suffices.
 * Not thread-safe; one scanner per process (the BPF exchange buffer is static).
 */
#ifndef OOMKIT_SCAN_H
#define OOMKIT_SCAN_H

#include <stddef.h>
#include <sys/types.h>

#include "proc.h"

struct oom_iter;
struct proc_scan_entry;

struct proc_scanner {
	char proc_root[4096];
	int proc_fd;                    /* the proc root, O_DIRECTORY */
	struct oom_iter *bpf;           /* NULL: method "procfs" */
	struct proc_scan_entry *ents, *ents_next; /* first pass, sorted by pid */
	size_t nr, cap;
	void *recs;                     /* bpf: struct oom_iter_rec[cap] */
	pid_t *subtree;                 /* pids of the memcg subtree, sorted */
	size_t nr_subtree, cap_subtree;
	size_t nr_seen;                 /* bpf: processes the iterator visited */
	size_t nr_fds, fd_budget;       /* procfs: descriptors kept, and at most */
	char *buf;                      /* getdents / iterator / cgroup.procs reads */
	size_t buf_size;
	unsigned long clk_tck;
};

/* Tasks tied at the cut read in full at most (the newest of them). */
#define PROC_SCAN_TIES_MAX 256

struct proc_scan_opts {
	size_t top;                /* tasks read in full: the best `top` (ties at the cut too); 0 = all */
	unsigned int details;      /* PROC_DETAIL_* for them */
	unsigned long totalpages;  /* the scene's scale (bpf keys are points for it) */
	unsigned long page_size;
	const char *memcg_dir;     /* non-NULL: only tasks of this cgroup directory's subtree */
	/* Only tasks keyed above 0 read in full. The key (oom_score, or the
	 * iterator's points) grows with the kernel's points, so the best of
	 * them is the best of all whenever one is eligible; the rest are the
	 * unkillable (kernel threads, -1000) and, on procfs, the smallest.
	 * Kernel threads alone were most of a small machine's scan. */
	bool above_zero;
};

enum {
	PROC_SCANNER_NO_BPF = 1u << 0,
	/* One scan only (a CLI run): loading the BPF object (~70 ms of CPU:
	 * kernel BTF parsing and verification) pays off only past ~2,000
	 * processes (bench/rank.md). */
	PROC_SCANNER_ONE_SHOT = 1u << 1,
};
#define PROC_SCANNER_ONE_SHOT_BPF_MIN 2000

/* Opens proc_root and, unless PROC_SCANNER_NO_BPF, the BPF iterator (any
 * failure there silently selects "procfs"). 0 or -errno. */
int proc_scanner_init(struct proc_scanner *sc, const char *proc_root, unsigned int flags);

/* One scan into snap (tasks read in full; snap->nr_scanned = processes
 * seen by the first pass). Vanished processes are skipped. 0 or -errno. */
int proc_scanner_scan(struct proc_scanner *sc, const struct proc_scan_opts *o, struct proc_snapshot *snap);

/* The first pass alone, for the descriptors it keeps: the next scan then
 * reads oom_score where it would open it, and an open allocates (under
 * memory pressure it waits for reclaim: opening a small guest's 60 took
 * 26 ms in a fast fall, reading them 1.5 ms). 0 or -errno. */
int proc_scanner_prime(struct proc_scanner *sc);

/* "bpf" or "procfs". */
const char *proc_scanner_method(const struct proc_scanner *sc);

void proc_scanner_free(struct proc_scanner *sc);

#endif
