/* report.h - the kernel-shaped OOM report of one oomkit kill, so that
 * people and `oomkit explain` read it as they read the kernel's
 * (doc/kill.md "Report"): dump_header() (invoker line, Mem-Info or the
 * memcg block), dump_tasks() (the 6.8+ columns), dump_oom_summary() (the
 * oom-kill: line), then the kill, sharer and oom_reaper lines.
 *
 * Every line goes to a FILE and, optionally, to /dev/kmsg as one write with
 * a <level> prefix. Names are escaped (text_escape), so that each record
 * stays one line whatever a process calls itself. */
#ifndef OOMKIT_REPORT_H
#define OOMKIT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cgroup.h"
#include "mem.h"
#include "oom_control.h"
#include "proc.h"

/* syslog facility LOG_DAEMON, as the PRI value of a /dev/log datagram */
#define SYSLOG_DAEMON (3 << 3)

/* kernel log levels used by mm/oom_kill.c */
enum { KLOG_ERR = 3, KLOG_WARNING = 4, KLOG_INFO = 6 };

struct report {
	FILE *f;        /* NULL: no text output */
	int kmsg_fd;    /* -1: no /dev/kmsg copy */
	bool syslog;    /* kmsg_fd is a /dev/log socket: "<daemon|level>oomkit[pid]: line" */
	char line[1024];
};

void report_init(struct report *r, FILE *f, int kmsg_fd);
/* Lines go to the syslog socket fd (daemon_log.h's dlog_syslog_fd()). */
void report_init_syslog(struct report *r, int fd);

/* printf-like: one line (no '\n' in fmt) to f and kmsg. */
void report_line(struct report *r, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "<invoker> invoked oom-killer: ..." then Mem-Info (global) or the memcg
 * block (mcg != NULL for CONSTRAINT_MEMCG). */
void dump_header(struct report *r, const struct oom_control *oc, const struct meminfo *mi,
		 const struct memcg_state *mcg);

/* dump_tasks()'s two header lines (6.8+ layout), for every table printer. */
#define DUMP_TASKS_TITLE "Tasks state (memory values in pages):"
#define DUMP_TASKS_HEADER \
	"[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name"

/* One dump_tasks() row (6.8+ layout) of t into buf; returns buf. */
char *dump_task_row(const struct task_info *t, unsigned long page_size, char *buf, size_t size);

/* The task table: every task of the scope the kernel would list. */
void dump_tasks(struct report *r, const struct oom_control *oc, const struct proc_snapshot *snap);
/* The same with at most max_rows rows (the victim's always among them) and
 * an "oomkit: N more tasks not listed" line: a fork bomb's thousands of
 * rows on a slow console would stall the daemon for tens of seconds. */
void dump_tasks_max(struct report *r, const struct oom_control *oc, const struct proc_snapshot *snap,
		    size_t max_rows);

/* "oom-kill:constraint=...,task=...,pid=...,uid=..." for victim v. */
void dump_oom_summary(struct report *r, const struct oom_control *oc, const struct task_info *v);

/* The lines after the kill: Killed process (or why not), the sharers and
 * group members, oom_reaper, and oomkit's timing/memory line. */
void report_kill(struct report *r, const struct oom_control *oc);
/* report_kill() of a SIGKILL that follows a reported SIGTERM of the same
 * victim: no second "Killed process" (one OOM episode, one kill event), an
 * "oomkit: escalated to SIGKILL" line, then sharers, reaper and outcome. */
void report_kill_escalated(struct report *r, const struct oom_control *oc);

/* The JSON event of one kill (doc/json-kill.md); tier is the policy tier
 * the victim was chosen in. */
void report_kill_json(FILE *f, const struct oom_control *oc, const char *tier);

/* "Out of memory and no killable processes..." */
void report_no_victim(struct report *r);

#endif
