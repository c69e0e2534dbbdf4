/* textbuf.h - appending formatted text to a caller's fixed buffer, with
 * truncation recorded rather than silent: for rendering metrics, HTTP
 * responses and notification texts without allocating. */
#ifndef OOMKIT_TEXTBUF_H
#define OOMKIT_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>

struct textbuf {
	char *buf;
	size_t size;      /* capacity including the NUL */
	size_t len;       /* bytes written, excluding the NUL */
	bool truncated;   /* some append did not fit */
};

void textbuf_init(struct textbuf *t, char *buf, size_t size);
/* printf-style append; on overflow keeps what fits and sets truncated. */
__attribute__((format(printf, 2, 3)))
void textbuf_printf(struct textbuf *t, const char *fmt, ...);
void textbuf_append(struct textbuf *t, const char *s, size_t n);

#endif
