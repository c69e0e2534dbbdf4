/* kmsg_records.h - for unit tests: a kernel console line of the fixtures
 * ("[    3.140246] text", or bare text) as the /dev/kmsg record the kernel
 * would have given a reader ("6,SEQ,USEC,-;text"). */
#ifndef OOMKIT_TEST_KMSG_RECORDS_H
#define OOMKIT_TEST_KMSG_RECORDS_H

#include <stdio.h>
#include <string.h>

/* Writes the record of line (no '\n') into out (cut to size); a bare line
 * gets SEQ as its microseconds. Returns the record's length. */
static inline size_t kmsg_record_of_line(const char *line, int seq, char *out, size_t size)
{
	unsigned long s = 0, us = (unsigned long)seq;
	int off = 0;
	const char *text = line;

	if (sscanf(line, "[%lu.%lu]%n", &s, &us, &off) == 2 && off)
		text = line + off + (line[off] == ' ');
	int n = snprintf(out, size, "6,%d,%lu,-;%s", seq, s * 1000000 + us, text);

	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1; /* cut: the record too */
}

#endif
