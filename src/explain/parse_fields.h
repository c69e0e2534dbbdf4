/* parse_fields.h - recognisers for each kind of line in a kernel OOM
 * report (internal to the parser: parse.c decides which event a line
 * belongs to, these say what the line is and fill the event). Each takes
 * the message text (NUL-terminated, wrapping removed) and returns true when
 * the line was of its kind. The formats are the kernel's own printk
 * strings (dump_header, dump_tasks, show_mem, the memcg's stat dump) of
 * every era from 2.6.32 on; the kill lines are parse_kill.h's. */
#ifndef OOMKIT_PARSE_FIELDS_H
#define OOMKIT_PARSE_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "read_paste.h"

/* "<comm> invoked oom-killer: gfp_mask=..., order=N, ..." (also oomkit's
 * "trigger=..."); incomplete is set when a KERN_CONT piece is missing. */
bool kr_header(struct kr_event *ev, const char *m, bool *incomplete);
/* Does m look like a real header (values after "invoked oom-killer:", not
 * quoted source or prose)? */
bool kr_header_shape(const char *m);
/* A prefix learned after the header was read: a header name that starts
 * with it sheds it. */
void kr_comm_prefix(struct kr_event *ev, const struct paste_shape *sh);
/* The stack line names the invoker's comm (n bytes): a header name that
 * ends in it after a prefix's last character is cut to it. */
bool kr_stack_comm(struct kr_event *ev, const char *comm, size_t n);
bool kr_stack_header(struct kr_event *ev, const char *m);
bool kr_cpuset_line(struct kr_event *ev, const char *m);
bool kr_oom_kill_summary(struct kr_event *ev, const char *m);
bool kr_task_in(struct kr_event *ev, const char *m);
bool kr_memcg_counter(struct kr_event *ev, const char *m);
bool kr_memcg_stats_header(struct kr_event *ev, const char *m);
bool kr_memcg_stat(struct kr_event *ev, const char *m);
bool kr_meminfo_counters(struct kr_event *ev, const char *m);
bool kr_zone_line(struct kr_event *ev, const char *m);
bool kr_buddy_line(struct kr_event *ev, const char *m);
bool kr_meminfo_tail(struct kr_event *ev, const char *m);
bool kr_slab_row(struct kr_event *ev, const char *m);

/* A line that opens an event (marked cut at the start) when none is open:
 * a report whose header was cut off or ratelimited away. */
bool kr_opens_report(const char *m);

/* Is [p, p + n) a zone name ("DMA32", "Normal", ...)? */
bool kr_zone_name(const char *p, size_t n);

#endif
