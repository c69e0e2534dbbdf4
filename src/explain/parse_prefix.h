/* parse_prefix.h - takes the wrapping off one log line: syslog PRI
 * "<4>", dmesg -x "kern  :warn  : ", the kernel timestamp "[  130.773033]",
 * dmesg -T "[Mon Jan 25 12:18:47 2022]", ISO times, syslog/journalctl
 * "Jan 25 12:18:47 host kernel: " (with or without fractions), printk
 * caller ids "[T123]" / "[ C3]"; and journalctl -o json objects. What is
 * left is the kernel's message text. Pure functions, no allocation. */
#ifndef OOMKIT_PARSE_PREFIX_H
#define OOMKIT_PARSE_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kr_prefix {
	char host[64];
	char time[64];
	char tag[32];        /* syslog tag without "[pid]": "kernel", "earlyoom" */
	int64_t kernel_us;   /* KR_UNSET when absent */
	int64_t caller;      /* T<pid> -> pid, C<cpu> -> -1 - cpu; KR_UNSET when absent */
	size_t msg_off;      /* where the message starts in the line */
	bool indented;       /* no prefix, leading blanks: a continuation line */
};

/* Fills out for line[0..len). Never fails: an unknown shape is all message. */
void kr_strip_prefix(const char *line, size_t len, struct kr_prefix *out);

/* journalctl -o json: when line is a JSON object with a MESSAGE field,
 * copies the unescaped message (real '\n' inside) into msg (size bytes,
 * truncated, NUL-terminated), fills host/tag/kernel_us/time, returns the
 * message length; -1 when the line is not such an object. */
long kr_journal_json(const char *line, size_t len, char *msg, size_t size, struct kr_prefix *out);

/* /dev/kmsg record "pri,seq,usec,flags[,caller=T1];text": unescapes \xNN
 * into msg, fills kernel_us/caller; -1 when not a kmsg record. */
long kr_kmsg_record(const char *rec, size_t len, char *msg, size_t size, struct kr_prefix *out);

/* Copies the message msg[0..len) into dst (size bytes, NUL-terminated)
 * as the parser reads it: U+00A0 (pasted from web pages), NUL and CR as
 * spaces, the kernel's "\xNN" escapes as their byte, trailing blanks
 * removed (a lone "Node 0 " keeps its space). Returns the length. */
size_t kr_normalise(char *dst, size_t size, const char *msg, size_t len);

#endif
