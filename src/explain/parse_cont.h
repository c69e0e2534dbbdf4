/* parse_cont.h - records that reach the parser in pieces. The kernel
 * prints some report lines with several printk calls (KERN_CONT): a log
 * can show the pieces as separate lines, or interleave them with other
 * CPUs' lines. A task name holding '\n' splits one record over two lines.
 * These predicates say when a piece is incomplete and which next line
 * completes it; parse.c keeps the pending piece and joins. */
#ifndef OOMKIT_PARSE_CONT_H
#define OOMKIT_PARSE_CONT_H

#include <stdbool.h>
#include <stddef.h>

/* m is the first piece of a line the kernel printed in several calls
 * (header without oom_score_adj, "Task in" without the limit, "oom-kill:"
 * without uid, a lone "Node 0 ", a victim name cut by '\n'). */
bool kr_needs_rest(const char *m);

/* Is m the KERN_CONT piece that continues `prev`? */
bool kr_is_fragment_of(const char *prev, const char *m);

/* The pending piece stopped at a '\n' inside the victim's name: the next
 * line of the same record continues it. */
bool kr_record_continues(const char *pending);

/* A task table row's name (`first`) cut by '\n' continues with `piece`. */
bool kr_comm_continues(const char *first, const char *piece);

/* The pieces lost the blank between them (trailing blanks are trimmed):
 * does one go back between prev (n bytes) and m? */
bool kr_join_space(const char *prev, size_t n, const char *m);

#endif
