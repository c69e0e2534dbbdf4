/* kmsg_reader.c - see kmsg_reader.h. */
#include "kmsg_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int64_t kmsg_record_seq(const char *rec, size_t len)
{
	const char *p = rec, *semi = memchr(rec, ';', len);
	int64_t seq = 0;

	if (!semi)
		return -1;
	while (p < semi && *p >= '0' && *p <= '9') /* PRI */
		p++;
	if (p == rec || p >= semi || *p != ',')
		return -1;
	if (++p >= semi || *p < '0' || *p > '9')
		return -1;
	for (; p < semi && *p >= '0' && *p <= '9'; p++) {
		if (seq > (INT64_MAX - 9) / 10)
			return -1;
		seq = seq * 10 + (*p - '0');
	}
	return p < semi && *p == ',' ? seq : -1;
}

int kmsg_reader_open(struct kmsg_reader *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->last_seq = -1;
	r->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	/* SEEK_END on /dev/kmsg: the next read is the next record printed */
	if (lseek(r->fd, 0, SEEK_END) < 0) {
		int e = -errno;

		close(r->fd);
		r->fd = -1;
		return e;
	}
	return 0;
}

uint64_t kmsg_reader_account(struct kmsg_reader *r, int64_t seq)
{
	uint64_t lost = 0;

	if (seq < 0)
		return 0;
	if (r->last_seq >= 0 && seq > r->last_seq + 1)
		lost = (uint64_t)(seq - r->last_seq - 1);
	if (seq > r->last_seq)
		r->last_seq = seq;
	r->overrun = false;
	r->records++;
	r->lost += lost;
	return lost;
}

long kmsg_reader_drain(struct kmsg_reader *r, kmsg_record_fn fn, void *arg, uint64_t *lost)
{
	long n = 0;

	*lost = 0;
	while (r->fd >= 0 && n < KMSG_READER_BATCH) {
		ssize_t got = read(r->fd, r->rec, sizeof(r->rec) - 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EPIPE) { /* overwritten: the next read is the oldest left */
			r->overrun = true;
			r->overruns++;
			continue;
		}
		if (got < 0)
			return errno == EAGAIN ? n : -errno;
		if (got == 0)
			break;
		r->rec[got] = '\0';
		*lost += kmsg_reader_account(r, kmsg_record_seq(r->rec, (size_t)got));
		fn(r->rec, (size_t)got, arg);
		n++;
	}
	return n;
}

void kmsg_reader_close(struct kmsg_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}
