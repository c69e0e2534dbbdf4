/* cmd_status.c - `oomkit status`: what the running daemon watches, its
 * thresholds, the headroom of each trigger and its last kills, from the
 * state files its publisher thread keeps in /run/oomkit (status.h). A state
 * left by a daemon that is gone is shown as such, with exit code 10; a
 * running daemon whose publisher is late (its loop's heartbeat is recent)
 * is told apart, exit 0. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exitcode.h"
#include "daemon/publish/status.h"
#include "core/util.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: oomkit status [--json] [--state DIR] [--max-age SECONDS]\n"
		   "Shows what the running oomkit daemon watches, its thresholds, the\n"
		   "headroom of each trigger and its last kills.\n\n"
		   "  --json             the state as JSON (doc/status.md)\n"
		   "  --state DIR        the daemon's state directory (default " STATUS_DIR_DEFAULT ")\n"
		   "  --max-age SECONDS  older state means the daemon is stuck or gone (default 10)\n"
		   "Exit 0 when the daemon is running, 10 when no running daemon answered.\n");
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "state", required_argument, NULL, 's' },
		{ "max-age", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char buf[STATUS_TEXT_MAX];
	const char *dir = STATUS_DIR_DEFAULT, *ext = "txt";
	int max_age = 10, c, r;
	pid_t pid;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ext = "json";
			break;
		case 's':
			dir = optarg;
			break;
		case 'a':
			if (parse_int(optarg, &max_age) < 0 || max_age <= 0) {
				cli_error("status", "--max-age: expected a positive number of seconds, not '%s'",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			cli_getopt_error("status", c, argv);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_error("status", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	r = status_load(dir, ext, max_age, buf, sizeof(buf), &pid);
	if (r == -ENOENT) {
		fprintf(stderr, "oomkit status: no daemon running: %s/status.%s does not exist\n", dir, ext);
		return EXIT_DAEMON_UNREACHABLE;
	}
	if (r < 0) {
		fprintf(stderr, "oomkit status: %s/status.%s: %s%s\n", dir, ext, strerror(-r),
			r == -EACCES ? " (the state is readable by root only)" : "");
		return EXIT_FAILURE_GENERIC;
	}
	fputs(buf, stdout);
	if (r == STATUS_PUBLISHER_LATE) {
		fprintf(stderr, "oomkit status: the daemon (pid %d) is running, but this state is older than %ds: "
			"its publisher thread is late (a D-Bus peer or a slow disk); the state above may be out of date\n",
			(int)pid, max_age);
		return EXIT_OK;
	}
	if (r == STATUS_STALE) {
		if (pid)
			fprintf(stderr, "oomkit status: the daemon is not running: pid %d is gone or its state is older than %ds\n",
				(int)pid, max_age);
		else
			fprintf(stderr, "oomkit status: the state in %s names no daemon\n", dir);
		return EXIT_DAEMON_UNREACHABLE;
	}
	return EXIT_OK;
}
