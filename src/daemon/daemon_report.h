/* daemon_report.h - what the daemon says about a kill: one human line per
 * event on stderr (sd-daemon priority prefix), the kernel-shaped report
 * ("<invoker> invoked oom-killer: trigger=...", "oom-kill:constraint=...",
 * "Out of memory: Killed process ...", "oom_reaper: reaped process ...")
 * copied to /dev/kmsg when asked, one JSON line per kill appended to the
 * configured file, the periodic memory line, and the record kept in
 * daemon_stats for observers (metrics, D-Bus, status). No allocation. */
#ifndef OOMKIT_DAEMON_REPORT_H
#define OOMKIT_DAEMON_REPORT_H

#include "daemon.h"

/* dump_header(), dump_tasks() and dump_oom_summary() of the episode's
 * selection (core's report.c), on stderr and /dev/kmsg; written after the
 * first signal went out, since writing it (a slow console) must not delay
 * the kill. */
void report_selection(struct daemon *d, int sig);
/* The "Killed process (TERM)" line of a first SIGTERM, and the invoker's growth. */
void report_kill_started(struct daemon *d);
/* core's report_kill() of the SIGKILL step: Killed process, sharers and
 * unit members, oom_reaper, timing and memory. After a SIGTERM (an
 * escalation) the episode already has its "Killed process" line: one
 * episode is one report, so the escalation is an "oomkit: ... SIGKILL"
 * line instead (report_kill_escalated). */
void report_kill_process(struct daemon *d);
void report_kill_finished(const struct daemon *d);
void report_dry_run(struct daemon *d);
/* While a dry-run episode's trigger holds: one reminder line. */
void report_dry_run_held(const struct daemon *d, const char *trigger, uint64_t since_ns);
/* Keeps the episode's kill_record in the ring of last kills, writes the
 * JSON event, calls the observer. */
void report_record(struct daemon *d);
void report_memory(struct daemon *d);
/* Opens the JSON event file (append) with a static buffer. */
int report_event_file_open(struct daemon *d);
void report_event_file_close(struct daemon *d);

#endif
