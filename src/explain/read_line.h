/* read_line.h - one line of input as the reader takes it (internal to
 * read.c): a line a mail client or terminal wrapped joined back, what a
 * paste did undone, the wrapping taken off, the kernel's lines fed to the
 * parser (kr_feed_raw_line() in read.h). What it learns (a prefix,
 * quoted-printable, /dev/kmsg records, line widths) holds for one input. */
#ifndef OOMKIT_READ_LINE_H
#define OOMKIT_READ_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "parse_prefix.h"
#include "read.h"

/* A new input: nothing learned; counts go to st until kr_line_end(). */
void kr_line_begin(struct kr_read_stats *st);
void kr_line_end(void);

/* The line at s (complete lines up to stop) with the lines that continue
 * it joined on (into a copy): *line, *len, and *used physical lines.
 * Returns the start of the line after them. */
const char *kr_take_line(struct kr_parser *p, const char *s, const char *stop, const char **line, size_t *len,
			 int *used);

/* Feeds msg (its wrapping px already read) to p, split into the kernel's
 * lines at sep (journal '\n', imjournal "#012"). */
void kr_feed_split(struct kr_parser *p, const struct kr_prefix *px, const char *msg, size_t len, int64_t lineno,
		   const char *sep, size_t seplen);

#endif
