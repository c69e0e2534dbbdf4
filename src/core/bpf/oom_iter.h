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

/* Set by user space before each run (the program's .bss). top == 0: every
 * leader is written. top in 1..OOM_ITER_TOP_MAX: only a leader whose points
 * reach the top-th best met so far in this run, a superset of the final
 * top `top` (ties included), so that a steady-state scan copies a few
 * records instead of one per process. */
#define OOM_ITER_TOP_MAX 32

struct oom_iter_ctl {
	long long adj_unit;          /* totalpages / 1000 */
	unsigned int page_shift;
	unsigned int top;
	unsigned int nr_best;        /* run state: entries of best[] in use */
	unsigned int nr_seen;        /* run state: leaders visited */
	long long best[OOM_ITER_TOP_MAX]; /* run state: best points so far, descending */
};

/* The program's whole .bss. oom_top (a BPF_PROG_TYPE_SYSCALL program that
 * walks the process list with the open-coded task iterator, kernel >= 6.7)
 * leaves its candidates in cand[]; overflow says it met more than
 * OOM_ITER_CAND_MAX (then user space runs the seq_file iterator instead). */
#define OOM_ITER_CAND_MAX 256

struct oom_iter_bss {
	struct oom_iter_ctl ctl;
	unsigned int nr_cand;
	unsigned int overflow;
	struct oom_iter_rec scratch;  /* the record under construction (not on the
				       * BPF stack: map memory keeps verifier states few) */
	struct oom_iter_rec cand[OOM_ITER_CAND_MAX];
};

#endif
