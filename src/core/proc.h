/* proc.h - the task snapshot: one struct task_info per thread-group leader
 * in /proc, read without trusting any of it (comm is hostile input).
 * A process that vanishes mid-read is skipped silently; zombies and kernel
 * threads have no mm. The proc root is a parameter so that unit tests can
 * point it at a fixture tree.
 * CONTRACT: field names are shared by rank, kill, daemon, report, explain. */
#ifndef OOMKIT_PROC_H
#define OOMKIT_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TASK_COMM_MAX 64      /* /proc/PID/comm is <= 15 bytes, kthread names up to 63 */
#define TASK_CGROUP_MAX 512   /* memory cgroup path; longer paths are truncated */
#define TASK_CMDLINE_MAX 256  /* bounded: NULs turned into spaces */
#define TASK_EXE_MAX 256

struct task_info {
	pid_t pid;
	pid_t ppid;
	pid_t pgid;
	unsigned long long start_time; /* clock ticks after boot: stat field 22 */
	char comm[TASK_COMM_MAX];      /* raw bytes up to the LAST ')', may hold anything but NUL */
	char state;                    /* stat field 3: R S D Z T t X I ... */
	uid_t uid;                     /* real uid, as the kernel's dump_tasks prints it */
	unsigned int flags;            /* stat field 9 (PF_*) */
	bool kthread;                  /* PF_KTHREAD */
	bool has_mm;                   /* false for kernel threads and zombies */
	bool in_vfork;                 /* seen waiting in vfork (when visible) */
	unsigned long total_vm_kb;
	/* stat field 24: get_mm_rss(), the approximate (per-CPU batched) counter
	 * that oom_badness() and dump_tasks() read. Since 6.16 the Rss* lines of
	 * status are exact sums and may exceed it by up to nr_cpus * 32 pages
	 * per counter, so the badness uses this one. */
	unsigned long rss_pages;
	unsigned long rss_anon_kb;
	unsigned long rss_file_kb;
	unsigned long rss_shmem_kb;
	unsigned long swap_kb;
	unsigned long pgtables_kb;     /* VmPTE: page-table bytes / 1024 */
	int oom_score_adj;
	long kernel_oom_score;         /* /proc/PID/oom_score, -1 when unread */
	char memcg[TASK_CGROUP_MAX];   /* memory cgroup path (v1 memory, else v2), "" unknown */
	char cmdline[TASK_CMDLINE_MAX];
	char exe[TASK_EXE_MAX];
};

static inline unsigned long task_rss_kb(const struct task_info *t)
{
	return t->rss_anon_kb + t->rss_file_kb + t->rss_shmem_kb;
}

/* What to read beyond stat + status: cmdline/exe/cgroup cost extra opens. */
enum proc_detail {
	PROC_DETAIL_MEMCG = 1u << 0,
	PROC_DETAIL_CMDLINE = 1u << 1,
	PROC_DETAIL_EXE = 1u << 2,
	PROC_DETAIL_OOM_SCORE = 1u << 3,
	PROC_DETAIL_ALL = 0xffu,
};

struct proc_snapshot {
	struct task_info *tasks;
	size_t nr;
	size_t cap;
	size_t nr_scanned;  /* processes seen by the scan (>= nr when a scanner read only the top) */
};

/* Fills snap with every thread-group leader under proc_root ("/proc").
 * Reuses snap->tasks when large enough. Returns 0 or -errno when proc_root
 * itself is unreadable. */
int proc_snapshot_take(struct proc_snapshot *snap, const char *proc_root, unsigned int details);
void proc_snapshot_free(struct proc_snapshot *snap);

/* Reads one process. -ENOENT/-ESRCH when it is gone. */
int task_info_read(const char *proc_root, pid_t pid, unsigned int details, struct task_info *out);

/* Parses the text of /proc/PID/stat (comm from the first '(' to the LAST ')').
 * Exposed for tests and for kill's start-time check. */
int proc_parse_stat(const char *text, struct task_info *out);

/* Parses /proc/PID/status: real uid, VmSize, RssAnon/RssFile/RssShmem,
 * VmSwap, VmPTE. has_mm is set when the Vm* lines exist (not for kernel
 * threads and zombies). */
int proc_parse_status(const char *text, struct task_info *out);

/* Copies the memory cgroup path out of /proc/PID/cgroup text: the v1 line
 * whose controller list holds "memory", else the v2 "0::" line. "" if none. */
void proc_parse_cgroup(const char *text, char *memcg, size_t size);

/* task_info_read() through an open /proc/PID directory descriptor. */
int task_info_read_at(int pid_dirfd, pid_t pid, unsigned int details, struct task_info *out);

/* The pid named by a /proc entry ("1234"), 0 for anything else. */
pid_t proc_name_pid(const char *name);

/* Grows snap->tasks to hold `want` tasks (never shrinks). 0 or -ENOMEM. */
int proc_snapshot_reserve(struct proc_snapshot *snap, size_t want);

/* Start time (stat field 22) of pid, read through an open /proc/PID dirfd
 * or by path. -ESRCH when gone. */
int proc_read_start_time(const char *proc_root, pid_t pid, unsigned long long *start_time);

/* ------------------------------------------------------------------------
 * The persistent scanner: repeated ranking (the daemon's steady state, kill,
 * rank) without one open per file per process per scan.
 *
 * A scan has two passes. The first sees every process cheaply and gives it
 * a key that orders like oom_badness():
 *  - method "bpf": bpf/oom_iter.bpf.c reads every process's rss/swap/
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
 *    to the hard one at init; beyond it less a reserve of 256, open+read+close). The key is the
 *    kernel's oom_score, monotonic in points for a global OOM, so the
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
 * ------------------------------------------------------------------------ */
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

/* "bpf" or "procfs". */
const char *proc_scanner_method(const struct proc_scanner *sc);

void proc_scanner_free(struct proc_scanner *sc);

/* Reads only the PROC_DETAIL_* files of an already-filled task. */
void task_info_read_details(int pid_dirfd, unsigned int details, struct task_info *t);

#endif
