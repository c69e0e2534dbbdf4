/* kreport_fields.h - recognisers for each kind of line in a kernel OOM
 * report (internal to the parser: kreport.c decides which event a line
 * belongs to, these say what the line is and fill the event). Each takes
 * the message text (NUL-terminated, wrapping removed) and returns true when
 * the line was of its kind. The formats are the printk strings of
 * mm/oom_kill.c, mm/show_mem.c and mm/memcontrol.c from 2.6.32 to 6.x. */
#ifndef OOMKIT_KREPORT_FIELDS_H
#define OOMKIT_KREPORT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kreport.h"

/* "<comm> invoked oom-killer: gfp_mask=..., order=N, ..." (also oomkit's
 * "trigger=..."); incomplete is set when a KERN_CONT piece is missing. */
bool kr_header(struct kr_event *ev, const char *m, bool *incomplete);
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
bool kr_task_header(struct kr_event *ev, const char *m);
bool kr_task_row(struct kr_event *ev, const char *m);

/* Kill lines. */
bool kr_select_line(struct kr_event *ev, const char *m);   /* "Kill process N (x) score S or sacrifice child" */
bool kr_killed_line(struct kr_victim *v, const char *m);   /* "[msg: ]Killed process N ..." into v */
bool kr_shared_mm_line(struct kr_event *ev, const char *m);
bool kr_oom_group_line(struct kr_event *ev, const char *m);
bool kr_reaper_line(struct kr_event *ev, const char *m, int64_t *pid); /* fills when pid matches */
bool kr_end_line(struct kr_event *ev, const char *m);      /* already exiting, no killable, panic */

/* User-space killers: one line is one event. */
bool kr_userspace_kill(struct kr_event *ev, const char *m, const char *tag);

/* Scanning helpers shared by kreport_fields.c and kreport_kill.c. */
bool kr_starts(const char *s, const char *prefix);
bool kr_num(const char *s, int64_t *v, const char **end); /* clamped to +-KR_NUM_MAX */
int64_t kr_after(const char *m, const char *key);           /* number after key, or KR_UNSET */
const char *kr_skip_sp(const char *p);
bool kr_set_constraint(struct kr_event *ev, const char *name, size_t n);
bool kr_zone_name(const char *p, size_t n);

/* Is m the start of a KERN_CONT piece that belongs after `prev`? */
bool kr_is_fragment_of(const char *prev, const char *m);

#endif
