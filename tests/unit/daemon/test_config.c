/* test_config.c - the daemon's configuration: value parsers, every bad key
 * or value named with file:line and what was expected, drop-in order,
 * [cgroup] sections, and that the printed effective configuration reads
 * back to the same configuration. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/config.h"
#include "fixture_tree.h"

static char tmpdir[64];

static const char *write_conf(const char *name, const char *text)
{
	return fixture_put(tmpdir, name, text);
}

static int setup(void **state)
{
	(void)state;
	fixture_tree_new(tmpdir, "config");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fixture_tree_remove(tmpdir);
}

static void test_values(void **state)
{
	unsigned long kb, ms;
	double pct;
	bool b;
	struct psi_trigger_spec t;
	struct psi_sustained_spec r;

	(void)state;
	assert_int_equal(config_parse_size_kb("512M", &kb), 0);
	assert_int_equal(kb, 524288);
	assert_int_equal(config_parse_size_kb("2 GiB", &kb), 0);
	assert_int_equal(kb, 2097152);
	assert_int_equal(config_parse_size_kb("1000", &kb), 0);
	assert_int_equal(kb, 1000);
	assert_int_not_equal(config_parse_size_kb("12X", &kb), 0);
	assert_int_not_equal(config_parse_size_kb("-1M", &kb), 0);
	assert_int_not_equal(config_parse_size_kb("", &kb), 0);
	assert_int_equal(config_parse_ms("500ms", &ms), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(config_parse_ms("2", &ms), 0);
	assert_int_equal(ms, 2000);
	assert_int_equal(config_parse_ms("1.5s", &ms), 0);
	assert_int_equal(ms, 1500);
	assert_int_not_equal(config_parse_ms("soon", &ms), 0);
	assert_int_equal(config_parse_percent("4.5%", &pct), 0);
	assert_true(pct == 4.5);
	assert_int_not_equal(config_parse_percent("101", &pct), 0);
	assert_int_not_equal(config_parse_percent("5 %%", &pct), 0);
	assert_int_equal(config_parse_bool("Yes", &b), 0);
	assert_true(b);
	assert_int_not_equal(config_parse_bool("maybe", &b), 0);

	assert_int_equal(config_parse_psi_trigger("full 40% 2s", &t), 0);
	assert_true(t.enabled && t.kind == PSI_FULL && t.stall_us == 800000 && t.window_us == 2000000);
	assert_int_equal(config_parse_psi_trigger("some 150000 1000000", &t), 0);
	assert_true(t.kind == PSI_SOME && t.stall_us == 150000 && t.window_us == 1000000);
	assert_int_equal(config_parse_psi_trigger("some 150ms 1s", &t), 0);
	assert_true(t.stall_us == 150000 && t.window_us == 1000000);
	assert_int_not_equal(config_parse_psi_trigger("full 2s 1s", &t), 0);      /* stall > window */
	assert_int_not_equal(config_parse_psi_trigger("full 10ms 100ms", &t), 0); /* window < 500ms */
	assert_int_not_equal(config_parse_psi_trigger("half 10% 1s", &t), 0);
	assert_int_not_equal(config_parse_psi_trigger("full 10%", &t), 0);
	assert_int_equal(config_parse_psi_trigger("off", &t), 0);
	assert_false(t.enabled);

	assert_int_equal(config_parse_psi_sustained("full avg10 50% 20s", &r), 0);
	assert_true(r.enabled && r.kind == PSI_FULL && r.avg10_percent == 50 && r.duration_ms == 20000);
	assert_int_equal(config_parse_psi_sustained("some 30 5s", &r), 0);
	assert_int_not_equal(config_parse_psi_sustained("full avg60 50% 20s", &r), 0);
}

/* Loads text as a config file; returns the error. */
static int load_text(const char *text, struct oomkit_config *c, struct config_error *err)
{
	const char *path = write_conf("t.conf", text);

	config_defaults(c);
	memset(err, 0, sizeof(*err));
	int r = config_load_file(c, path, err);
	if (r == 0)
		r = config_validate(c, err);
	return r;
}

struct bad_case {
	const char *text;
	int line;
	const char *words; /* must appear in the message */
};

static void test_bad_keys_and_values(void **state)
{
	static const struct bad_case cases[] = {
		{ "[memory]\navailable_term_percent = 10\navailable_kill_percent = 500\n", 3,
		  "available_kill_percent: '500' is not a percentage 0..100" },
		{ "[memory]\n\n# c\navailable_term_size = lots\n", 4, "is not a size" },
		{ "[memory]\nfoo = 1\n", 2, "unknown key 'foo' in [memory]: expected one of enabled," },
		{ "[nonsense]\nx = 1\n", 2, "unknown section [nonsense]" },
		{ "[psi]\ntrigger = full 10ms 100ms\n", 2, "window 500ms..10s" },
		{ "[psi]\nsustained = full avg10 fifty 20s\n", 2, "'some|full avg10 PERCENT DURATION'" },
		{ "[psi]\nsignal = SIGHUP\n", 2, "is not SIGTERM or SIGKILL" },
		{ "[kill]\ngrace = forever\n", 2, "grace: 'forever' is not a duration" },
		{ "[kill]\nprefer = (unclosed\n", 2, "is not an extended regular expression" },
		{ "[kill]\ndry_run = perhaps\n", 2, "is not a boolean" },
		{ "[daemon]\noom_score_adj = -1001\n", 2, "is not an integer" },
		{ "[daemon]\nnice = 1x\n", 2, "is not an integer" },
		{ "[kill]\nswarm_min = -1\n", 2, "swarm_min: '-1' is not an integer" },
		{ "[daemon]\nscanner = ebpf\n", 2, "scanner: 'ebpf' is not auto, bpf or procfs" },
		{ "[kill]\nswarm_window = soon\n", 2, "swarm_window: 'soon' is not a duration" },
		{ "[memory]\nthis line has no equals sign\n", 2, "expected '[section]', 'key = value'" },
		{ "available_term_percent = 5\n", 1, "outside a section" },
		{ "[cgroup]\nheadroom_kill_percent = 5\n", 0, "expected a path = key" },
		{ "[memory]\navailable_term_percent = 4\n", 0, "SIGKILL floor must not be above" },
		{ "[daemon]\ninterval_min = 2s\ninterval_max = 1s\n", 0, "interval_min" },
	};
	struct oomkit_config c;
	struct config_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = load_text(cases[i].text, &c, &err);
		if (r == 0 || err.line != cases[i].line || !strstr(err.msg, cases[i].words))
			fail_msg("case %zu: r=%d line=%d (want %d) msg='%s' (want '%s')", i, r, err.line,
				 cases[i].line, err.msg, cases[i].words);
		if (cases[i].line)
			assert_non_null(strstr(err.file, "t.conf"));
	}
}

static void test_good_file(void **state)
{
	struct oomkit_config c;
	struct config_error err;
	const char *text = "; comment\n[memory]\navailable_term_percent = 8\navailable_kill_percent = 4%\n"
			   "available_kill_size = 512M\n"
			   "[psi]\ntrigger = some 150ms 1s\nsignal = SIGKILL\n"
			   "[cgroup]\npath = /sys/fs/cgroup/memory/a\noom_kill_disable = yes\n"
			   "[cgroup]\npath = /sys/fs/cgroup/memory/b\nheadroom_term_percent = 20\n"
			   "[kill]\ngrace = 500ms\nprefer = ^(chrome|firefox)$\n"
			   "[hooks]\npost_kill = /usr/local/bin/notify\n";

	(void)state;
	assert_int_equal(load_text(text, &c, &err), 0);
	assert_true(c.mem_term.percent == 8 && c.mem_kill.percent == 4);
	assert_int_equal(c.mem_kill.size_kb, 524288);
	assert_true(c.psi.enabled && c.psi.kind == PSI_SOME && c.psi.stall_us == 150000);
	assert_int_equal(c.psi_signal, SIGKILL);
	assert_int_equal(c.nr_cgroups, 2);
	assert_string_equal(c.cgroups[0].path, "/sys/fs/cgroup/memory/a");
	assert_true(c.cgroups[0].oom_kill_disable);
	assert_true(c.cgroups[0].term.percent == 10);
	assert_string_equal(c.cgroups[1].path, "/sys/fs/cgroup/memory/b");
	assert_true(c.cgroups[1].term.percent == 20);
	assert_false(c.cgroups[1].oom_kill_disable);
	assert_int_equal(c.grace_ms, 500);
	assert_string_equal(c.prefer, "^(chrome|firefox)$");
	assert_string_equal(c.post_kill, "/usr/local/bin/notify");
}

/* The printed configuration is itself a valid file giving the same config. */
static void test_print_roundtrip(void **state)
{
	struct oomkit_config c, c2;
	struct config_error err;
	char buf[8192];
	FILE *f;

	(void)state;
	assert_int_equal(load_text("[cgroup]\npath = /x\n[kill]\navoid = ^sshd$\n", &c, &err), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	config_print(&c, f);
	fclose(f);
	assert_int_equal(load_text(buf, &c2, &err), 0);
	assert_memory_equal(&c, &c2, sizeof(c));
}

static void test_dropins_in_lexical_order(void **state)
{
	struct oomkit_config c;
	struct config_error err;
	char main_path[512];

	(void)state;
	snprintf(main_path, sizeof(main_path), "%s", write_conf("main.conf", "[kill]\ngrace = 1s\n"));
	fixture_mkdir(tmpdir, "main.conf.d");
	write_conf("main.conf.d/20-b.conf", "[kill]\ngrace = 3s\n");
	write_conf("main.conf.d/10-a.conf", "[kill]\ngrace = 2s\ncooldown = 7s\n");
	write_conf("main.conf.d/30-c.conf.disabled", "[kill]\ngrace = 9s\n");
	config_defaults(&c);
	assert_int_equal(config_load(&c, main_path, true, &err), 0);
	assert_int_equal(c.grace_ms, 3000);
	assert_int_equal(c.cooldown_ms, 7000);

	write_conf("main.conf.d/40-bad.conf", "[kill]\n\ngrace = x\n");
	config_defaults(&c);
	assert_int_not_equal(config_load(&c, main_path, true, &err), 0);
	assert_non_null(strstr(err.file, "40-bad.conf"));
	assert_int_equal(err.line, 3);

	config_defaults(&c);
	assert_int_equal(config_load(&c, "/nonexistent/oomkit.conf", false, &err), 0);
	assert_int_not_equal(config_load(&c, "/nonexistent/oomkit.conf", true, &err), 0);
	assert_non_null(strstr(err.msg, "cannot open"));
}

static void test_command_line_setter(void **state)
{
	struct oomkit_config c;
	struct config_error err = { 0 };

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "cgroup", "path", "/sys/fs/cgroup/memory/x", &err), 0);
	assert_int_equal(c.nr_cgroups, 1);
	assert_int_equal(c.swarm_min, 64); /* the fork-bomb rule is on by default */
	assert_int_equal(c.swarm_window_ms, 10000);
	assert_int_equal(c.nice, -20);
	assert_int_equal(c.scanner, SCANNER_AUTO);
	assert_int_equal(config_set(&c, "daemon", "scanner", "procfs", &err), 0);
	assert_int_equal(c.scanner, SCANNER_PROCFS);
	assert_int_equal(config_set(&c, "kill", "swarm_min", "0", &err), 0);
	assert_int_equal(c.swarm_min, 0);
	assert_int_equal(config_set(&c, "memory", "available_term_percent", "15", &err), 0);
	assert_int_not_equal(config_set(&c, "memory", "available_term_percent", "x", &err), 0);
	assert_non_null(strstr(err.msg, "available_term_percent: 'x' is not a percentage"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_bad_keys_and_values),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_print_roundtrip),
		cmocka_unit_test(test_dropins_in_lexical_order),
		cmocka_unit_test(test_command_line_setter),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
