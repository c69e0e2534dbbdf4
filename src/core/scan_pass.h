/* scan_pass.h - the scanner's parts shared between scan.c (BPF pass, cut,
 * full read, life cycle) and scan_procfs.c (procfs pass, memcg subtree).
 * Private to the scanner; users include scan.h. */
#ifndef OOMKIT_SCAN_PASS_H
#define OOMKIT_SCAN_PASS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "scan.h"

#define SCAN_MIN_CAP 4096
#define NO_REC UINT32_MAX

struct proc_scan_entry {
	pid_t pid;
	int fd;        /* procfs: kept /proc/PID/oom_score, -1 none */
	uint32_t rec;  /* bpf: index into recs, NO_REC when read from /proc */
	long key;      /* orders like oom_badness(); LONG_MIN: unkillable or gone */
	bool out;      /* outside the memcg subtree of this scan */
};

/* Grows the scanner's arrays to cap entries. 0 or -ENOMEM. */
int scan_grow(struct proc_scanner *sc, size_t cap);

/* Loads the pids of the cgroup directory dir and its descendants. */
int scan_subtree_load(struct proc_scanner *sc, const char *dir);
/* Is pid in this scan's scope (the loaded subtree, or everything)? */
bool scan_in_subtree(const struct proc_scanner *sc, const struct proc_scan_opts *o, pid_t pid);

/* The procfs first pass: every pid listed again (descriptors of the pids
 * still there kept), keyed by the kernel's oom_score. 0 or -errno. */
int scan_pass1_procfs(struct proc_scanner *sc, const struct proc_scan_opts *o);
/* Closes every kept descriptor and forgets the listing. */
void scan_close_all(struct proc_scanner *sc);

#endif
