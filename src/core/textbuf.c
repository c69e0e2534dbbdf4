/* textbuf.c - see textbuf.h. */
#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void textbuf_init(struct textbuf *t, char *buf, size_t size)
{
	t->buf = buf;
	t->size = size;
	t->len = 0;
	t->truncated = size == 0;
	if (size)
		buf[0] = '\0';
}

void textbuf_printf(struct textbuf *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->size) {
		t->truncated = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= t->size - t->len) {
		t->len = t->size - 1;
		t->truncated = true;
	} else {
		t->len += (size_t)n;
	}
}

void textbuf_append(struct textbuf *t, const char *s, size_t n)
{
	size_t room = t->size ? t->size - 1 - t->len : 0;

	if (n > room) {
		n = room;
		t->truncated = true;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	if (t->size)
		t->buf[t->len] = '\0';
}
