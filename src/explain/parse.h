/* parse.h - the kernel OOM report parser (`oomkit explain`): feed it log
 * lines of any wrapping (dmesg, syslog, journalctl, #012, caller ids) and
 * it calls back once per OOM event with everything the report showed.
 * Streaming: memory is bounded by the open events, never by the input.
 * Numbers are int64_t with KR_UNSET where the log did not show them; the
 * event embeds struct oom_control, the same scene kill fills when it acts. */
#ifndef OOMKIT_PARSE_H
#define OOMKIT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/oom_control.h"

#define KR_UNSET INT64_MIN
#define KR_NUM_MAX (INT64_C(1) << 53) /* parsed numbers are clamped to +-KR_NUM_MAX */
#define KR_COMM_MAX 64
#define KR_PATH_MAX 512
#define KR_MAX_ZONES 16
#define KR_MAX_ORDERS 16
#define KR_MAX_STATS 128
#define KR_MAX_OTHERS 32
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
	int64_t suppressed;     /* "N callbacks suppressed" before this event */
	int64_t badness;        /* user-space killers' printed score */
	char reason[256];       /* user-space killers' stated reason */
};

/* One input line, after the wrapping was taken off (parse_prefix.h). */
struct kr_line {
	const char *msg;
	size_t len;
	const char *host;       /* "" when none */
	const char *time;       /* "" when none */
	const char *tag;        /* syslog program tag ("kernel", "earlyoom") or "" */
	int64_t kernel_us;      /* KR_UNSET when none */
	int64_t caller;         /* KR_UNSET when none */
	int64_t lineno;
	bool same_record;       /* a later sub-line of the record before (split on
				 * '\n'/#012, or indented); the parser also infers
				 * it from an equal kernel timestamp */
};

typedef void (*kr_emit_fn)(const struct kr_event *ev, void *arg);

struct kr_parser;

struct kr_parser *kr_parser_new(kr_emit_fn emit, void *arg);
/* Feeds one line (msg without newline). */
void kr_parser_feed(struct kr_parser *p, const struct kr_line *line);
/* True when no event is open or pending: the caller may skip lines that
 * kr_scan_candidate() would not stop at (line numbers must then keep
 * counting the skipped lines: they time out waiting events). */
bool kr_parser_idle(const struct kr_parser *p);
/* Emits every event still open (end of input, or --follow went quiet). */
void kr_parser_flush(struct kr_parser *p);
void kr_parser_free(struct kr_parser *p);
size_t kr_parser_events(const struct kr_parser *p);

/* Copies s[0..n) into dst (size bytes), truncated, NUL-terminated. */
void kr_copy(char *dst, size_t size, const char *s, size_t n);

/* Field helpers shared by the outputs. */
void kr_event_init(struct kr_event *ev);
void kr_event_clear(struct kr_event *ev); /* frees tasks, reinitialises */
int64_t kr_stat_get(const struct kr_stat *s, int n, const char *name);

#endif
