/* test_parse_fixed.c - the parser of fixed size the daemon uses
 * (kr_parser_new_fixed, kr_feed_kmsg_record): /dev/kmsg records of a real
 * guest's three OOM kills, fed three times, give nine events with their
 * task rows cut to the fixed table (the rest counted), and nothing is
 * allocated while they are read; lines of another host are dropped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "explain/parse.h"
#include "explain/read.h"
#include "kmsg_records.h"

#define FIXTURE "tests/fixtures/vm/repeat.log" /* [  sec.usec] text, 3 kills */
#define MAX_RECORDS 1024

static char records[MAX_RECORDS][600];
static size_t nr_records;
static int events, victims_hog, rows_dropped, rows_kept;
static size_t in_use_at_emit; /* the most malloc had handed out at an emit */

/* At an emit, an allocating parser holds the event (and its rows) in
 * malloc's memory: the fixed one holds nothing more than at its start.
 * (ASan's mallinfo2 says 0 throughout: the plain build checks this.) */
static void capture(const struct kr_event *ev, void *arg)
{
	size_t used = mallinfo2().uordblks;

	(void)arg;
	if (used > in_use_at_emit)
		in_use_at_emit = used;
	events++;
	victims_hog += ev->have_victim && !strcmp(ev->victim.comm, "hog");
	rows_kept += (int)ev->nr_tasks;
	rows_dropped += (int)ev->tasks_dropped;
}

/* The console's lines as /dev/kmsg records (kmsg_records.h). */
static void load(void)
{
	FILE *f = fopen(FIXTURE, "r");
	char line[512];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && nr_records < MAX_RECORDS) {
		line[strcspn(line, "\n")] = '\0';
		kmsg_record_of_line(line, (int)nr_records, records[nr_records], sizeof(records[0]));
		nr_records++;
	}
	fclose(f);
	assert_true(nr_records > 100);
}

static void test_fixed(void **state)
{
	struct kr_parser *p;
	struct mallinfo2 before, after;
	int64_t lineno = 0;

	(void)state;
	load();
	p = kr_parser_new_fixed(capture, NULL, 1);
	assert_non_null(p);
	/* the first records warm what stdio or the parser may set up once */
	assert_true(kr_feed_kmsg_record(p, records[0], strlen(records[0]), ++lineno));
	before = mallinfo2();
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < nr_records; i++)
			assert_true(kr_feed_kmsg_record(p, records[i], strlen(records[i]), ++lineno));
	kr_parser_flush(p);
	after = mallinfo2();
	assert_int_equal(in_use_at_emit, before.uordblks);
	assert_int_equal(after.uordblks, before.uordblks);
	assert_int_equal(after.hblkhd, before.hblkhd);
	assert_int_equal(events, 9);
	assert_int_equal(victims_hog, 9);
	assert_int_equal(rows_kept, 9);     /* one row kept per event */
	assert_int_equal(rows_dropped, 9);  /* the other counted */
	assert_false(kr_feed_kmsg_record(p, "not a record", 12, ++lineno));
	kr_parser_free(p);
}

static void test_one_host(void **state)
{
	struct kr_parser *p = kr_parser_new_fixed(capture, NULL, 8);
	struct kr_line l = { .msg = "hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
			     .host = "elsewhere", .kernel_us = 1, .lineno = 1 };

	(void)state;
	assert_non_null(p);
	l.len = strlen(l.msg);
	kr_parser_feed(p, &l);
	assert_true(kr_parser_idle(p)); /* dropped: no second host in a fixed parser */
	l.host = "";
	kr_parser_feed(p, &l);
	assert_false(kr_parser_idle(p));
	kr_parser_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_one_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
