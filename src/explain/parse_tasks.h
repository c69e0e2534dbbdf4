/* parse_tasks.h - the report's task table (dump_tasks), internal to the
 * parser like parse_fields.h: the header line fixes the columns, each row
 * becomes a struct kr_task. Each takes the message text (NUL-terminated,
 * wrapping removed) and returns true when the line was of its kind. */
#ifndef OOMKIT_PARSE_TASKS_H
#define OOMKIT_PARSE_TASKS_H

#include <stdbool.h>

#include "event.h"

bool kr_task_header(struct kr_event *ev, const char *m);
/* A row of the table whose header was read; a row cut after its rss
 * counts, its name unread. */
bool kr_task_row(struct kr_event *ev, const char *m);
/* A row with no header before it (an excerpt). */
bool kr_task_row_bare(struct kr_event *ev, const char *m);

#endif
