/* oom_iter.bpf.c - a BPF task iterator (iter/task) that writes one
 * struct oom_iter_rec per thread-group leader: everything oom_badness()
 * needs, read from the same counters, in one read() for all processes.
 * Kernel structs are declared minimally with preserve_access_index: libbpf
 * relocates the offsets against the running kernel's BTF (CO-RE), so no
 * vmlinux.h is needed. Needs kernel >= 6.2 (percpu rss counters, __state). */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "oom_iter.h"

#define CORE __attribute__((preserve_access_index))

struct percpu_counter { __s64 count; } CORE;
typedef struct { long counter; } atomic_long_t;
struct mm_struct {
	unsigned long total_vm;
	atomic_long_t pgtables_bytes;
	struct percpu_counter rss_stat[4];
} CORE;
struct signal_struct { short oom_score_adj; } CORE;
typedef struct { unsigned int val; } kuid_t;
struct cred { kuid_t uid; } CORE;
struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int exit_state;
	int pid, tgid;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	struct signal_struct *signal;
	const struct cred *real_cred;
	char comm[16];
	__u64 start_boottime;
	void *vfork_done;
} CORE;
struct seq_file;
struct bpf_iter_meta { struct seq_file *seq; } CORE;
struct bpf_iter__task { struct bpf_iter_meta *meta; struct task_struct *task; } CORE;

char LICENSE[] SEC("license") = "GPL";

struct oom_iter_bss g;
#define ctl g.ctl

/* The open-coded task iterator (kfuncs, 6.7+) for oom_top. */
struct bpf_iter_task { __u64 __opaque[3]; } __attribute__((aligned(8)));
extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_rcu_read_lock(void) __weak __ksym;
extern void bpf_rcu_read_unlock(void) __weak __ksym;
#define BPF_TASK_ITER_ALL_PROCS 0

/* oom_badness() of a leader with an mm, LLONG_MIN when it refuses it. */
static __always_inline long long points_of(const struct oom_iter_rec *r)
{
	if ((r->flags & 0x00200000) || !r->has_mm || r->in_vfork || r->oom_score_adj == -1000)
		return -0x7fffffffffffffffLL - 1;
	return (long long)(r->rss_file + r->rss_anon + r->rss_shmem + r->rss_swap +
			   (r->pgtables_bytes >> (ctl.page_shift & 63))) +
	       r->oom_score_adj * ctl.adj_unit;
}

/* Keeps best[] (descending, at most ctl.top) and says whether p belongs
 * among the top so far (ties included). A global function: the verifier
 * checks it once, not once per state of the callers' task loops. */
__attribute__((noinline)) int among_best(long long p)
{
	unsigned int top = ctl.top, n = ctl.nr_best;
	long long cur = p;

	if (top > OOM_ITER_TOP_MAX)
		top = OOM_ITER_TOP_MAX;
	if (n >= top && p < ctl.best[(top - 1) & (OOM_ITER_TOP_MAX - 1)])
		return 0;
	for (int i = 0; i < OOM_ITER_TOP_MAX; i++) {
		if (i >= top)
			break;
		if (i >= n) {
			ctl.best[i] = cur;
			ctl.nr_best = i + 1;
			break;
		}
		if (cur > ctl.best[i]) {
			long long t = ctl.best[i];

			ctl.best[i] = cur;
			cur = t;
		}
	}
	return 1;
}

/* percpu_counter_read_positive(&mm->rss_stat[i]): the global count, never
 * negative. The stride is the kernel's sizeof(struct percpu_counter), not
 * the 8 bytes of the minimal declaration above: computed by CO-RE. */
static __always_inline __u64 counter(struct mm_struct *mm, int i)
{
	__u64 off = bpf_core_field_offset(struct mm_struct, rss_stat) +
		    i * bpf_core_type_size(struct percpu_counter) +
		    bpf_core_field_offset(struct percpu_counter, count);
	__s64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (char *)mm + off);
	return v > 0 ? (__u64)v : 0;
}

/* What the badness needs first: with 10,000 processes a scan is bound by
 * cache misses, so the other fields are read for candidates only. */
static __always_inline void read_badness_inputs(struct task_struct *t, struct oom_iter_rec *r)
{
	struct mm_struct *mm = t->mm;

	r->flags = t->flags;
	r->oom_score_adj = t->signal->oom_score_adj;
	if (!mm)
		return;
	r->has_mm = 1;
	r->rss_file = counter(mm, 0);
	r->rss_anon = counter(mm, 1);
	r->rss_swap = counter(mm, 2);
	r->rss_shmem = counter(mm, 3);
	r->pgtables_bytes = mm->pgtables_bytes.counter;
	/* in_vfork(): a vfork child still on its parent's mm */
	r->in_vfork = t->vfork_done && t->real_parent->mm == mm;
}

static __always_inline void read_rest(struct task_struct *t, struct oom_iter_rec *r)
{
	struct mm_struct *mm = t->mm;

	r->pid = t->pid;
	r->ppid = t->real_parent->tgid;
	r->uid = t->real_cred->uid.val;
	r->start_ns = t->start_boottime;
	r->state = t->__state;
	r->exit_state = t->exit_state;
	if (mm)
		r->total_vm = mm->total_vm;
	bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), t->comm);
}

/* A candidate under ctl.top (always, when ctl.top is 0)? */
static __always_inline int wanted(const struct oom_iter_rec *r)
{
	long long p;

	if (!ctl.top)
		return 1;
	p = points_of(r);
	return p != -0x7fffffffffffffffLL - 1 && among_best(p);
}

SEC("iter/task")
int oom_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct oom_iter_rec *r = &g.scratch;

	if (!t || t->pid != t->tgid)
		return 0;
	ctl.nr_seen++;
	__builtin_memset(r, 0, sizeof(*r));
	read_badness_inputs(t, r);
	if (!wanted(r))
		return 0;
	read_rest(t, r);
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}

/* The steady-state scan: every process (not thread) through the task list,
 * no seq_file, no reference taken per task; candidates left in g.cand. */
SEC("syscall")
int oom_top(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, (void *)0, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it))) {
		struct oom_iter_rec *r = &g.scratch;
		unsigned int n = g.nr_cand;

		if (t->pid == 0) /* the idle task heads the list */
			continue;
		ctl.nr_seen++;
		__builtin_memset(r, 0, sizeof(*r));
		read_badness_inputs(t, r);
		if (!wanted(r))
			continue;
		if (n >= OOM_ITER_CAND_MAX) {
			g.overflow = 1;
			continue;
		}
		read_rest(t, r);
		g.cand[n & (OOM_ITER_CAND_MAX - 1)] = *r;
		g.nr_cand = n + 1;
	}
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return 0;
}
