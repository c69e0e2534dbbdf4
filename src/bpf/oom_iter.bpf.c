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

SEC("iter/task")
int oom_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct oom_iter_rec r = {};
	struct mm_struct *mm;

	if (!t || t->pid != t->tgid)
		return 0;
	r.pid = t->pid;
	r.ppid = t->real_parent->tgid;
	r.uid = t->real_cred->uid.val;
	r.flags = t->flags;
	r.start_ns = t->start_boottime;
	r.state = t->__state;
	r.exit_state = t->exit_state;
	r.oom_score_adj = t->signal->oom_score_adj;
	bpf_probe_read_kernel_str(r.comm, sizeof(r.comm), t->comm);
	mm = t->mm;
	if (mm) {
		r.has_mm = 1;
		r.rss_file = counter(mm, 0);
		r.rss_anon = counter(mm, 1);
		r.rss_swap = counter(mm, 2);
		r.rss_shmem = counter(mm, 3);
		r.pgtables_bytes = mm->pgtables_bytes.counter;
		r.total_vm = mm->total_vm;
		/* in_vfork(): a vfork child still on its parent's mm */
		r.in_vfork = t->vfork_done && t->real_parent->mm == mm;
	}
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
