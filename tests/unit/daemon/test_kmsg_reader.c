/* test_kmsg_reader.c - the daemon's /dev/kmsg reader: a record's framing
 * (its sequence number), records lost counted from sequence gaps, one
 * record per read() handed over whole (dictionary lines too), at most a
 * batch per call, and /dev/kmsg read from its end: nothing printed before
 * the open comes back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/kmsg_reader.h"

static void test_seq(void **state)
{
	static const struct { const char *rec; int64_t seq; } cases[] = {
		{ "6,1234,5678,-;msg", 1234 },
		{ "6,1234,5678,-,caller=T1;msg", 1234 },
		{ "12,0,1,c;x\n SUBSYSTEM=mem\n", 0 },
		{ "4,7,1,-;", 7 },
		{ "no semicolon", -1 },
		{ ";x", -1 },
		{ "6;x", -1 },
		{ "6,;x", -1 },
		{ "6,5;x", -1 },          /* no usec field */
		{ "a,1,2,-;x", -1 },
		{ "6,12x,1,-;x", -1 },
		{ ",1,2,-;x", -1 },
		{ "6,99999999999999999999,1,-;x", -1 },
		{ "6,1,2,-", -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = kmsg_record_seq(cases[i].rec, strlen(cases[i].rec));

		if (got != cases[i].seq)
			fail_msg("'%s': seq %lld, want %lld", cases[i].rec, (long long)got, (long long)cases[i].seq);
	}
	/* only len bytes count: the ';' beyond them is not seen */
	assert_int_equal(kmsg_record_seq("6,1,2,-;x", 7), -1);
}

static void test_account(void **state)
{
	static struct kmsg_reader r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.last_seq = -1;
	assert_int_equal(kmsg_reader_account(&r, 10), 0); /* the first: nothing known before */
	assert_int_equal(kmsg_reader_account(&r, 11), 0);
	r.overrun = true;
	assert_int_equal(kmsg_reader_account(&r, 15), 3);
	assert_false(r.overrun);
	assert_int_equal(kmsg_reader_account(&r, -1), 0); /* not a record: not counted */
	assert_int_equal(kmsg_reader_account(&r, 16), 0);
	assert_int_equal(r.lost, 3);
	assert_int_equal(r.records, 4);
	assert_int_equal(r.last_seq, 16);
}

struct seen {
	int n;
	char last[256];
	size_t last_len;
};

static void on_record(const char *rec, size_t len, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->last_len = len < sizeof(s->last) ? len : sizeof(s->last) - 1;
	memcpy(s->last, rec, s->last_len);
	s->last[s->last_len] = '\0';
}

static void put(int fd, const char *rec)
{
	assert_int_equal(write(fd, rec, strlen(rec)), (ssize_t)strlen(rec));
}

/* A SOCK_SEQPACKET pair frames like /dev/kmsg: one record per read(). */
static void test_drain(void **state)
{
	static struct kmsg_reader r;
	struct seen s = { 0 };
	uint64_t lost;
	int sv[2];
	char rec[64];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	/* room for the flood below (root may pass wmem_max) */
	int big = 4 << 20;
	if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	memset(&r, 0, sizeof(r));
	r.fd = sv[0];
	r.last_seq = -1;
	put(sv[1], "6,5,100,-;one");
	put(sv[1], "6,6,101,-;two\n SUBSYSTEM=mem\n DEVICE=+x\n");
	put(sv[1], "6,9,102,-;three");
	assert_int_equal(kmsg_reader_drain(&r, on_record, &s, &lost), 3);
	assert_int_equal(lost, 2);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.last, "6,9,102,-;three");
	assert_int_equal(kmsg_reader_drain(&r, on_record, &s, &lost), 0); /* EAGAIN: nothing more */
	assert_int_equal(lost, 0);
	/* a record is handed over whole, its dictionary included */
	put(sv[1], "6,10,103,-;two\n SUBSYSTEM=mem\n");
	assert_int_equal(kmsg_reader_drain(&r, on_record, &s, &lost), 1);
	assert_string_equal(s.last, "6,10,103,-;two\n SUBSYSTEM=mem\n");
	/* a flood: one batch per call */
	for (int i = 0; i < KMSG_READER_BATCH + 44; i++) {
		snprintf(rec, sizeof(rec), "6,%d,200,-;flood %d", 11 + i, i);
		put(sv[1], rec);
	}
	assert_int_equal(kmsg_reader_drain(&r, on_record, &s, &lost), KMSG_READER_BATCH);
	assert_int_equal(kmsg_reader_drain(&r, on_record, &s, &lost), 44);
	assert_int_equal(r.lost, 2);
	close(sv[1]);
	assert_int_equal(kmsg_reader_drain(&r, on_record, &s, &lost), 0); /* EOF */
	kmsg_reader_close(&r);
	assert_int_equal(r.fd, -1);
}

static void test_open(void **state)
{
	static struct kmsg_reader r;
	struct seen s = { 0 };
	uint64_t lost;
	char mark[96];
	long n;
	int w;

	(void)state;
	assert_int_equal(kmsg_reader_open(&r, "/nonexistent/kmsg"), -ENOENT);
	assert_int_equal(r.fd, -1);
	w = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (w < 0 || kmsg_reader_open(&r, "/dev/kmsg")) {
		if (w >= 0)
			close(w);
		skip(); /* not root, or no /dev/kmsg */
	}
	/* what the log held before the open is not read */
	n = kmsg_reader_drain(&r, on_record, &s, &lost);
	assert_true(n >= 0 && s.n == n);
	assert_int_equal(s.n, 0);
	snprintf(mark, sizeof(mark), "oomkit test_kmsg_reader %d", (int)getpid());
	strcat(mark, "\n"); /* without it the kernel holds the record open for a continuation */
	assert_int_equal(write(w, mark, strlen(mark)), (ssize_t)strlen(mark));
	mark[strlen(mark) - 1] = '\0';
	close(w);
	for (int i = 0; i < 100 && !strstr(s.last, mark); i++)
		if (kmsg_reader_drain(&r, on_record, &s, &lost) == 0)
			usleep(10000);
	assert_non_null(strstr(s.last, mark));
	assert_true(r.last_seq >= 0);
	kmsg_reader_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_account),
		cmocka_unit_test(test_drain),
		cmocka_unit_test(test_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
