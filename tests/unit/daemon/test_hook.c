/* test_hook.c - a hook's failure is told: its non-zero exit status (or
 * the signal that ended it, or its timeout) and what it wrote to stderr
 * reach the daemon's log, attributed to the hook; a hook that succeeds
 * quietly logs nothing. Real processes: /bin/sh scripts in a temp dir. */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/hook.h"
#include "core/util.h"

static char dir[] = "/tmp/oomkit-hook-XXXXXX";
static char log_path[4200];

static void script(const char *name, const char *body, char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

/* Runs the hook to its end with the daemon's stderr (dlog) captured in
 * log_path, and returns its wait status. */
static int run(const char *path, uint64_t timeout_ms)
{
	struct task_info v = { .pid = 4242, .comm = "hog", .uid = 1000 };
	struct hook_facts f = { .event = "post_kill", .victim = &v, .trigger = "memcg x", .signal = SIGKILL };
	struct hook_run h = { .pidfd = -1 };
	int saved = dup(STDERR_FILENO), fd, status = 0;

	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && saved >= 0);
	assert_int_equal(hook_start(&h, path, &f, timeout_ms), 0);
	dup2(fd, STDERR_FILENO);
	while (!hook_poll(&h, now_ns(), &status))
		usleep(5000);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	return status;
}

static const char *logged(void)
{
	static char buf[4096];
	int fd = open(log_path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void failing_hook_is_logged_with_stderr(void **state)
{
	char path[4200], want[4400];

	(void)state;
	script("curl-hook", "echo 'curl: (7) Failed to connect to example.com port 443' >&2\n"
			    "echo 'second line' >&2\nexit 7", path, sizeof(path));
	assert_int_equal(WEXITSTATUS(run(path, 5000)), 7);
	snprintf(want, sizeof(want), "post_kill hook %s exited with status 7: "
		 "curl: (7) Failed to connect to example.com port 443 / second line\n", path);
	assert_string_equal(logged(), want);
}

static void quiet_success_logs_nothing(void **state)
{
	char path[4200];

	(void)state;
	script("ok-hook", "exit 0", path, sizeof(path));
	assert_int_equal(run(path, 5000), 0);
	assert_string_equal(logged(), "");
}

static void killed_and_timed_out_hooks_are_logged(void **state)
{
	char path[4200], want[4400];

	(void)state;
	script("slow-hook", "echo 'waiting for the network' >&2\nexec sleep 30", path, sizeof(path));
	assert_int_equal(run(path, 200), -1);
	snprintf(want, sizeof(want), "post_kill hook %s killed after its timeout of 200 ms: "
		 "waiting for the network\n", path);
	assert_string_equal(logged(), want);

	script("self-kill", "echo \"\\033[31mred\" >&2; kill -SEGV $$", path, sizeof(path));
	assert_int_equal(WTERMSIG(run(path, 5000)), SIGSEGV);
	snprintf(want, sizeof(want), "post_kill hook %s killed by signal SEGV: \\x1b[31mred\n", path);
	assert_string_equal(logged(), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(failing_hook_is_logged_with_stderr),
		cmocka_unit_test(quiet_success_logs_nothing),
		cmocka_unit_test(killed_and_timed_out_hooks_are_logged),
	};
	static const char *const files[] = { "curl-hook", "ok-hook", "slow-hook", "self-kill", "log" };
	char path[4200];
	int r;

	if (!mkdtemp(dir))
		return 1;
	snprintf(log_path, sizeof(log_path), "%s/log", dir);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return r;
}
