/* proc_walk.h - the one walk of a /proc-shaped directory: every numeric
 * entry (a pid of /proc, a tid of /proc/PID/task) read with getdents64 into
 * the caller's buffer, so that the kill path walks /proc without
 * allocating. Entries come in the kernel's order (ascending pids). */
#ifndef OOMKIT_PROC_WALK_H
#define OOMKIT_PROC_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The kernel's struct linux_dirent64, as getdents64 fills a buffer; glibc's
 * struct dirent64 has a fixed-size name, which a cast onto the buffer must
 * not promise. */
struct dirent64_hdr {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Called for each numeric entry; returning true stops the walk. */
typedef bool (*proc_walk_fn)(void *arg, pid_t pid);

/* Walks dir_fd from its start with buf (size bytes, at least one entry:
 * 280 bytes) and calls fn (may be NULL: only count). Returns how many
 * entries were visited, or -errno when the directory cannot be read. */
ssize_t proc_walk(int dir_fd, void *buf, size_t size, proc_walk_fn fn, void *arg);

#endif
