/* oom_iter.h - the record the BPF task iterator (oom_iter.bpf.c) writes
 * for each thread-group leader; shared by the BPF program and scan_bpf.c.
 * Memory values are the kernel's own counters, read as oom_badness() and
 * dump_tasks() read them (percpu_counter_read_positive()). */
#ifndef OOMKIT_OOM_ITER_H
#define OOMKIT_OOM_ITER_H

#define OOM_ITER_COMM_LEN 16

struct oom_iter_rec {
	unsigned int pid, ppid, uid, flags;    /* uid: real, init_user_ns */
	unsigned long long start_ns;           /* task->start_boottime */
	unsigned long long rss_file, rss_anon, rss_swap, rss_shmem; /* pages: MM_FILEPAGES.. order */
	unsigned long long pgtables_bytes, total_vm;
	unsigned int state, exit_state;        /* task->__state, task->exit_state */
	short oom_score_adj;
	unsigned char has_mm, in_vfork;
	char comm[OOM_ITER_COMM_LEN];
};

#endif
