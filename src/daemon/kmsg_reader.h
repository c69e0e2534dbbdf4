/* kmsg_reader.h - reads the kernel's log (/dev/kmsg) from its end without
 * blocking: one record per read(), its sequence number checked, and the
 * records the ring buffer overwrote before we read them (EPIPE, or a gap in
 * the sequence) counted. Bounded: a fixed record buffer, at most
 * KMSG_READER_BATCH records per call so a flood cannot hold the daemon's
 * loop. No allocation. */
#ifndef OOMKIT_KMSG_READER_H
#define OOMKIT_KMSG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "explain/read.h"

#define KMSG_READER_BATCH 256

struct kmsg_reader {
	int fd;
	int64_t last_seq;         /* -1 before the first record */
	bool overrun;             /* EPIPE seen: the next record says how many were lost */
	uint64_t records, lost, overruns;
	char rec[KR_KMSG_RECORD_MAX];
};

/* Called per record: rec[0..len) as read (header ";" text, dictionary). */
typedef void (*kmsg_record_fn)(const char *rec, size_t len, void *arg);

/* The sequence number of a record ("PRI,SEQ,USEC,FLAGS[,...];TEXT"), or -1
 * when rec is not framed like one. */
int64_t kmsg_record_seq(const char *rec, size_t len);

/* Opens path (/dev/kmsg) non-blocking, positioned at its end: records
 * printed before the daemon started are not read again after a restart.
 * 0 or -errno; r->fd is -1 on failure. */
int kmsg_reader_open(struct kmsg_reader *r, const char *path);
/* Reads the records waiting (at most KMSG_READER_BATCH), fn for each.
 * Returns how many were read, or -errno of a failing read (not EAGAIN,
 * EINTR or EPIPE). *lost gets the records overwritten unread since the
 * call before. */
long kmsg_reader_drain(struct kmsg_reader *r, kmsg_record_fn fn, void *arg, uint64_t *lost);
/* Accounts one record's sequence number: returns the records lost before
 * it (after an overrun, or any gap in the sequence). */
uint64_t kmsg_reader_account(struct kmsg_reader *r, int64_t seq);
void kmsg_reader_close(struct kmsg_reader *r);

#endif
