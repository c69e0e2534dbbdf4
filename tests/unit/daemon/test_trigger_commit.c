/* test_trigger_commit.c - the commit-headroom floor (trigger_commit.h):
 * off by default, idle unless CommitLimit is enforced (overcommit mode 2),
 * its two stages in percent of CommitLimit and in size, the trigger text
 * as the report prints it, the adaptive interval, and its configuration
 * keys (parsed, validated: the SIGKILL floor not above the SIGTERM one). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/trigger_commit.h"

/* CommitLimit 100 MiB, Committed_AS as given */
static struct mem_sample committed(unsigned long kb)
{
	return (struct mem_sample){ .mem_total_kb = 200 * 1024, .mem_available_kb = 150 * 1024,
				    .commit_limit_kb = 100 * 1024, .committed_as_kb = kb };
}

static void off_by_default(void **state)
{
	struct oomkit_config c;
	struct mem_sample s = committed(100 * 1024);
	char text[192];

	(void)state;
	config_defaults(&c);
	assert_false(commit_floor_set(&c));
	assert_int_equal(commit_stage(&c, &s, true, text, sizeof(text)), STAGE_NONE);
	assert_string_equal(text, "");
	assert_int_equal(commit_interval_ms(&c, &s, true, 6000.0 * 1024), c.interval_max_ms);
}

static void stages_in_percent(void **state)
{
	struct oomkit_config c;
	struct config_error err;
	struct mem_sample s = committed(80 * 1024);
	char text[192];

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "memory", "commit_term_percent", "10", &err), 0);
	assert_int_equal(config_set(&c, "memory", "commit_kill_percent", "5%", &err), 0);
	assert_int_equal(config_validate(&c, &err), 0);
	assert_true(commit_floor_set(&c));
	assert_int_equal(commit_headroom_kb(&s), 20 * 1024);
	assert_int_equal(commit_stage(&c, &s, true, text, sizeof(text)), STAGE_NONE);
	s = committed(92 * 1024);
	assert_int_equal(commit_stage(&c, &s, true, text, sizeof(text)), STAGE_TERM);
	assert_string_equal(text, "commit headroom 8.0% < 10% (Committed_AS 92MiB of CommitLimit 100MiB)");
	/* not enforced (overcommit mode 0 or 1): Committed_AS may pass the limit */
	assert_int_equal(commit_stage(&c, &s, false, text, sizeof(text)), STAGE_NONE);
	s = committed(97 * 1024);
	assert_int_equal(commit_stage(&c, &s, true, text, sizeof(text)), STAGE_KILL);
	assert_string_equal(text, "commit headroom 3.0% < 5% (Committed_AS 97MiB of CommitLimit 100MiB)");
	s = committed(130 * 1024); /* past the limit (root's reserve, or mode switched) */
	assert_int_equal(commit_headroom_kb(&s), 0);
	assert_int_equal(commit_stage(&c, &s, true, text, sizeof(text)), STAGE_KILL);
	/* 1 ms at 6000 MiB/s eats 6 MiB: 3 MiB above the kill floor is the minimum interval */
	assert_int_equal(commit_interval_ms(&c, &s, true, 6000.0 * 1024), c.interval_min_ms);
	s = committed(0);
	assert_int_equal(commit_interval_ms(&c, &s, true, 100.0 * 1024), 950);
	assert_int_equal(commit_interval_ms(&c, &s, false, 100.0 * 1024), c.interval_max_ms);
}

static void stages_in_size_and_validation(void **state)
{
	struct oomkit_config c;
	struct config_error err;
	struct mem_sample s = committed(90 * 1024);
	char text[192];

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "memory", "commit_term_size", "12M", &err), 0);
	assert_int_equal(commit_stage(&c, &s, true, text, sizeof(text)), STAGE_TERM);
	assert_string_equal(text, "commit headroom 10MiB < 12MiB (Committed_AS 90MiB of CommitLimit 100MiB)");
	assert_int_equal(config_set(&c, "memory", "commit_kill_size", "16M", &err), 0);
	assert_int_equal(config_validate(&c, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "[memory] commit_*: the SIGKILL floor must not be above the SIGTERM floor"));
	assert_int_equal(config_set(&c, "memory", "commit_kill_percent", "lots", &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(off_by_default),
		cmocka_unit_test(stages_in_percent),
		cmocka_unit_test(stages_in_size_and_validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
