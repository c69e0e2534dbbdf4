/* event.h - one OOM event as the kernel report parser (parse.h) saw it,
 * and the low-level pieces every parser file shares: the limits, the event's
 * initial state, bounded copies and strict number reading. Numbers are
 * int64_t with KR_UNSET where the log did not show them; the event embeds
 * struct oom_control, the same scene kill fills when it acts. The renderers
 * (explain.h) read events; this file calls nothing else in explain/. */
#ifndef OOMKIT_EVENT_H
#define OOMKIT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/oom_control.h"

#define KR_UNSET INT64_MIN
#define KR_NUM_MAX (INT64_C(1) << 53) /* parsed numbers are clamped to +-KR_NUM_MAX */
#define KR_COMM_MAX 64
#define KR_PATH_MAX 512
#define KR_MAX_ZONES 16
#define KR_MAX_ORDERS 16
#define KR_MAX_STATS 128
#define KR_MAX_OTHERS 32
#define KR_MAX_NOTES 6
#define KR_MAX_TASKS 100000 /* rows kept per event; more are counted */

struct kr_task {
	int64_t pid, uid, tgid, total_vm, rss, rss_anon, rss_file, rss_shmem;
	int64_t pgtables_bytes, nr_ptes, nr_pmds, swapents, oom_score_adj, oom_adj, cpu;
	char comm[KR_COMM_MAX];
};

struct kr_zone {
	int64_t node;
	char name[16];
	int64_t free_kb, min_kb, low_kb, high_kb, present_kb, managed_kb;
	int64_t buddy_kb;               /* "= N kB" of the buddy line */
	int64_t nr_free[KR_MAX_ORDERS]; /* blocks per order */
	int nr_orders;
};

struct kr_stat {
	char name[40];
	int64_t value;
};

struct kr_counter { /* "memory: usage %llukB, limit %llukB, failcnt %lu" */
	int64_t usage_kb, limit_kb, failcnt;
};

struct kr_killed { /* shared-mm and memory.oom.group kills */
	int64_t pid;
	char comm[KR_COMM_MAX];
	char reason[16]; /* "oom_group", "shared_mm", "mm_pinned" */
};

struct kr_victim {
	int64_t pid, uid, total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb, rss_kb;
	int64_t pgtables_kb, oom_score_adj;
	char comm[KR_COMM_MAX];
	char message[64];     /* "Out of memory", "Memory cgroup out of memory", ... */
	char cgroup[KR_PATH_MAX]; /* systemd-oomd / oomd kill a cgroup */
	char signal[16];      /* user-space killers: SIGTERM / SIGKILL */
};

struct kr_event {
	struct oom_control oc;  /* constraint, memcg, order, invoker, page_size, totalpages, trigger */
	bool constraint_known;

	char source[16];        /* "kernel", "oomkit", "earlyoom", "systemd-oomd", "oomd", "lmkd" */
	char host[64];
	char time[64];          /* the wrapping's time text of the first line */
	int64_t kernel_us;      /* kernel timestamp of the first line, microseconds */
	int64_t caller;         /* printk caller id of the header (T<pid>: pid; C<cpu>: -1-cpu) */
	int64_t first_line, last_line;
	bool truncated_start, truncated_end;

	/* invoker (dump_header's first line and the dump_stack header) */
	bool have_header;
	char gfp_mask[24];      /* hex as printed */
	char gfp_names[256];    /* the (%pGg) text as printed */
	char nodemask[64];
	int64_t invoker_pid, order, invoker_oom_score_adj, invoker_oom_adj;
	char invoker_kind[16];  /* "task", "sysrq", "kswapd", "kworker", "kthread" */
	bool sysrq;
	char release[64];       /* kernel release from the stack dump header */
	char cpuset[128], mems_allowed[64];
	char oom_memcg[KR_PATH_MAX], task_memcg[KR_PATH_MAX];
	bool global_oom, compaction_disabled;

	/* memcg block */
	struct kr_counter mc_memory, mc_memsw, mc_kmem, mc_swap;
	char memcg_stats_for[KR_PATH_MAX];
	struct kr_stat memcg_stats[KR_MAX_STATS];
	int nr_memcg_stats;
	bool memcg_stats_kb;   /* old "name:NKB" format, else bytes */

	/* Mem-Info */
	bool have_meminfo;
	struct kr_stat meminfo[48]; /* global counters, pages */
	int nr_meminfo;
	struct kr_zone zones[KR_MAX_ZONES];
	int nr_zones;
	int64_t page_size_kb;   /* from the buddy lines' first size */
	int64_t hugepages_total, hugepages_free, hugepages_size_kb;
	int64_t pagecache_pages, swapcache_pages, free_swap_kb, total_swap_kb;
	int64_t ram_pages, highmem_pages, reserved_pages;
	int64_t slab_unreclaimable_top_kb;
	char slab_unreclaimable_top[40];

	/* dump_tasks */
	char task_columns[256];
	int ncols;
	unsigned char cols[16];
	struct kr_task *tasks;
	size_t nr_tasks, cap_tasks, tasks_dropped;
	bool tasks_fixed;       /* a parser of fixed size owns the rows: never grown */

	/* kill */
	int64_t select_pid, select_score;
	char select_comm[KR_COMM_MAX];
	bool have_victim;
	struct kr_victim victim;
	struct kr_killed others[KR_MAX_OTHERS];
	int nr_others;
	char oom_group[KR_PATH_MAX];
	int reaped;             /* -1 unknown, 0 not reaped, 1 reaped */
	bool reap_unable;       /* "oom_reaper: unable to reap pid:N" */
	int64_t reaped_anon_rss_kb, reaped_file_rss_kb, reaped_shmem_rss_kb;
	bool already_exiting, no_killable, allocating_task, panic;
	char panic_msg[160];
	char panic_cause[16];   /* "panic_on_oom", "no_killable", "init_died", "other" */
	bool dry_run;           /* nothing was killed: oomkit's or earlyoom's dry run */
	int64_t suppressed;     /* "N callbacks suppressed" before this event */
	int64_t badness;        /* user-space killers' printed score */
	char reason[256];       /* user-space killers' stated reason */

	/* what could not be read, and why (kr_note) */
	char notes[KR_MAX_NOTES][128];
	int nr_notes;
	bool comm_unsure;       /* the header's name may hold a prefix: the stack line settles it */
};

/* An event with every figure KR_UNSET, source "kernel", nothing seen yet. */
void kr_event_init(struct kr_event *ev);
/* The value of counter `name` in s[0..n), or KR_UNSET. */
int64_t kr_stat_get(const struct kr_stat *s, int n, const char *name);
/* The event is complete: what its lines leave unsaid is decided (cut at
 * either end, reaped or not, a name longer than a comm, the victim of a
 * cut kill line, the memcg the stats name). */
void kr_event_finish(struct kr_event *ev);
/* Adds a note on what could not be read (printf format), once each. */
void kr_note(struct kr_event *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets the constraint from its kernel name ("CONSTRAINT_MEMCG", n bytes);
 * false when the name is not one of the four. */
bool kr_set_constraint(struct kr_event *ev, const char *name, size_t n);

/* Inline: the recognisers call these many times on every line, and
 * kr_starts() on a literal prefix then compiles to one compare. */

/* Copies s[0..n) into dst (size bytes), truncated, NUL-terminated. */
static inline void kr_copy(char *dst, size_t size, const char *s, size_t n)
{
	if (!size)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The value of hex digit c, -1 if it is none. */
static inline int kr_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline bool kr_starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static inline const char *kr_skip_sp(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/* Strict signed number at s (digits, optional '-'), clamped to
 * +-KR_NUM_MAX; *end after it when end is not NULL. */
bool kr_num(const char *s, int64_t *v, const char **end);
/* The number right after key in m (key includes its '=' or ':'), or KR_UNSET. */
int64_t kr_after(const char *m, const char *key);

#endif
