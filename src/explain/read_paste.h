/* read_paste.h - undoes what copying a log around does to its lines, before
 * the known wrappings come off (parse_prefix.h): terminal colours,
 * quoted-printable mail bodies, lines cut by a pager, and any prefix the
 * wrappings do not know (a "# " or "> " quote, "kernel: ", a dmesg -T time
 * in another language). Such a prefix is learned from the file's own lines:
 * on a line holding a kernel message that always starts a line ("CPU: ",
 * "Mem-Info:", "oom-kill:", ...), what stands before it is the prefix, kept
 * as a shape (digits and blanks of any width, the rest literal) that the
 * next lines are matched against. Pure functions, no allocation. */
#ifndef OOMKIT_READ_PASTE_H
#define OOMKIT_READ_PASTE_H

#include <stdbool.h>
#include <stddef.h>

#define PASTE_SHAPE_MAX 96

struct paste_shape {
	char tok[PASTE_SHAPE_MAX]; /* literal bytes; PASTE_DIGITS / PASTE_BLANKS stand for runs */
	size_t n;                  /* 0: nothing learned */
};

/* Removes ANSI SGR sequences (ESC [ params m) from s[0..n) in place;
 * returns the new length. */
size_t paste_strip_sgr(char *s, size_t n);

/* Decodes quoted-printable "=XX" in s[0..n) in place; *soft is set when
 * the line ends in a soft break ("=") and continues on the next. Returns
 * the new length. */
size_t paste_qp_decode(char *s, size_t n, bool *soft);

/* A line cut by a pager ends in U+2026 or "...": returns the length of its
 * last complete item (the cut value is dropped, never read as a shorter
 * number), or n when the line is not cut. */
size_t paste_pager_cut(const char *s, size_t n);

/* Offset of a kernel message that always starts a line in s[0..n) (within
 * the first PASTE_SHAPE_MAX bytes), or -1. */
long paste_anchor(const char *s, size_t n);

/* Learns the shape of the prefix s[0..n). */
void paste_learn(struct paste_shape *sh, const char *s, size_t n);

/* Bytes of s[0..n) the learned prefix covers at its start, 0 if it does
 * not match (or nothing was learned). */
size_t paste_match(const struct paste_shape *sh, const char *s, size_t n);

#endif
