/* util.h - small, allocation-free helpers shared by every file: reading
 * small files (proc, cgroup) into caller buffers, and strict number parsing.
 * All return 0 or a negative errno; they never print. */
#ifndef OOMKIT_UTIL_H
#define OOMKIT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Reads at most size-1 bytes of dirfd/path (AT_FDCWD for plain paths) into
 * buf, NUL-terminates, returns the length or -errno. */
ssize_t read_file_at(int dirfd, const char *path, char *buf, size_t size);

/* pread from offset 0 of an already open descriptor, NUL-terminated; the
 * way to re-read a /proc or cgroup file without a new open. A read shorter
 * than asked ends it (such files give all they hold at once). */
ssize_t pread_file(int fd, char *buf, size_t size);

/* Writes the whole string to dirfd/path (a cgroup or /proc knob). */
int write_file_at(int dirfd, const char *path, const char *text);

/* Strict parsers: the whole string (trailing whitespace allowed) must be a
 * number in range, else -EINVAL / -ERANGE. */
int parse_u64(const char *s, uint64_t *out);
int parse_i64(const char *s, int64_t *out);
int parse_int(const char *s, int *out);

/* Monotonic clock in nanoseconds. */
uint64_t now_ns(void);

/* The one error style of every subcommand's command line, the exception to
 * "never print": on stderr
 *     oomkit CMD: WHAT
 *     Try 'oomkit CMD --help' for the options.
 * and the caller exits with EXIT_USAGE (2). cmd NULL is oomkit itself. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* getopt_long()'s '?' (unknown option) or ':' (missing value) told in that
 * style; the option string must start with ':' (after a '+') so that
 * getopt says nothing itself. */
void cli_getopt_error(const char *cmd, int c, char **argv);

#endif
