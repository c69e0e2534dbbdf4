/* exitcode.h - the documented exit codes of every oomkit command (oomkit(8)).
 * Scripts rely on these numbers: never renumber, only append. */
#ifndef OOMKIT_EXITCODE_H
#define OOMKIT_EXITCODE_H

enum oomkit_exit {
	EXIT_OK = 0,
	EXIT_FAILURE_GENERIC = 1, /* unexpected system error (message says which) */
	EXIT_USAGE = 2,           /* bad option or argument */
	EXIT_BAD_CGROUP = 3,      /* cgroup path missing or not a memory cgroup */
	EXIT_NO_PROC = 4,         /* /proc (or the given proc root) unreadable */
	EXIT_BAD_INPUT = 5,       /* explain: unreadable or non-text input */
	EXIT_NO_VICTIM = 6,       /* kill: no killable process in scope */
	EXIT_KILL_FAILED = 7,     /* kill: signal refused, or victim did not exit in time */
	EXIT_CONFIG = 8,          /* daemon: invalid configuration */
	EXIT_NO_EVENTS = 9,       /* explain: input read, but no OOM event found */
	EXIT_DAEMON_UNREACHABLE = 10, /* status: no running daemon answered */
};

#endif
