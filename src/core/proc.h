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

/* Reads only the PROC_DETAIL_* files of an already-filled task. */
void task_info_read_details(int pid_dirfd, unsigned int details, struct task_info *t);

#endif
