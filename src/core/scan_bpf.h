/* scan_bpf.h - the BPF task iterator behind the scanner: one read() of all
 * processes' OOM inputs from the kernel's own counters (bpf/oom_iter.bpf.c). Needs
 * root (CAP_BPF + CAP_PERFMON), kernel BTF and kernel >= 6.2; without them
 * oom_iter_open() fails and the scanner reads /proc. */
#ifndef OOMKIT_SCAN_BPF_H
#define OOMKIT_SCAN_BPF_H

#include <stddef.h>
#include <sys/types.h>

#include "bpf/oom_iter.h"

struct oom_iter;

/* Loads and attaches the iterator once. 0 or -errno (-EOPNOTSUPP when
 * built without libbpf). Quiet: libbpf's messages are silenced. */
int oom_iter_open(struct oom_iter **out);

/* Runs the iterator: fn is called for every thread-group leader. buf
 * (>= 64 KiB) is the caller's, so that a scan allocates nothing.
 * Returns the number of records or -errno. */
typedef void (*oom_iter_fn)(const struct oom_iter_rec *r, void *arg);
ssize_t oom_iter_run(struct oom_iter *it, char *buf, size_t size, oom_iter_fn fn, void *arg);

/* Writes the control block (struct oom_iter_ctl) the next run reads;
 * reads it back after a run (nr_seen). 0 or -errno. */
int oom_iter_set(struct oom_iter *it, const struct oom_iter_ctl *ctl);
int oom_iter_get(struct oom_iter *it, struct oom_iter_ctl *ctl);

/* The steady-state scan (ctl->top in 1..OOM_ITER_TOP_MAX): oom_top walks
 * the process list in one BPF_PROG_RUN and fn receives the candidates
 * only. -EOPNOTSUPP without the open-coded task iterator (kernel < 6.7),
 * -EOVERFLOW past OOM_ITER_CAND_MAX candidates: use oom_iter_run then. */
ssize_t oom_iter_run_top(struct oom_iter *it, const struct oom_iter_ctl *ctl, oom_iter_fn fn, void *arg,
			 size_t *nr_seen);

void oom_iter_close(struct oom_iter *it);

#endif
