/* parse_kill.h - recognisers for the kill side of a report (internal to
 * the parser, like parse_fields.h): the selection and "Killed process"
 * lines of every era, shared-mm and memory.oom.group kills, oom_reaper,
 * the lines that end a report without a kill, and the user-space killers'
 * kill lines. Each takes the message text (NUL-terminated, wrapping
 * removed) and returns true when the line was of its kind. */
#ifndef OOMKIT_PARSE_KILL_H
#define OOMKIT_PARSE_KILL_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

bool kr_select_line(struct kr_event *ev, const char *m);   /* "Kill process N (x) score S or sacrifice child" */
bool kr_killed_line(struct kr_victim *v, const char *m);   /* "[msg: ]Killed process N ..." into v */
bool kr_shared_mm_line(struct kr_event *ev, const char *m);
bool kr_oom_group_line(struct kr_event *ev, const char *m);
bool kr_reaper_line(struct kr_event *ev, const char *m, int64_t *pid); /* fills when pid matches */
bool kr_end_line(struct kr_event *ev, const char *m);      /* already exiting, no killable, panic */
/* "Kernel panic - not syncing: Attempted to kill init!" after an OOM's
 * kills: the machine went down without panic_on_oom. */
void kr_init_died(struct kr_event *ev, const char *m);

/* User-space killers (earlyoom, systemd-oomd, oomd, lmkd): one line is
 * one event. */
bool kr_userspace_kill(struct kr_event *ev, const char *m, const char *tag);

#endif
