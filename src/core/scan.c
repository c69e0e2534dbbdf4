/* scan.c - the persistent scanner (see scan.h): sizing, the BPF first pass,
 * the cut with its tie bound, the full read of the top candidates, and
 * the life cycle; the procfs first pass and the memcg subtree live in
 * scan_procfs.c. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_walk.h"
#include "scan_bpf.h"
#include "scan_pass.h"
#include "util.h"

#define PF_KTHREAD 0x00200000u
#define SCAN_BUF_SIZE (128 * 1024)

/* ---- sizing ------------------------------------------------------------ */

int scan_grow(struct proc_scanner *sc, size_t cap)
{
	struct proc_scan_entry *e = realloc(sc->ents, cap * sizeof(*e));
	struct proc_scan_entry *n = e ? realloc(sc->ents_next, cap * sizeof(*n)) : NULL;

	if (e)
		sc->ents = e;
	if (n)
		sc->ents_next = n;
	if (!e || !n)
		return -ENOMEM;
	if (sc->bpf) {
		void *r = realloc(sc->recs, cap * sizeof(struct oom_iter_rec));
		if (!r)
			return -ENOMEM;
		sc->recs = r;
	}
	sc->cap = cap;
	return 0;
}

/* Raises the soft RLIMIT_NOFILE to the hard one; returns how many
 * descriptors the scanner may keep: all but a reserve, so that the rest of
 * the process (and the scan's own reads) can always open one. */
#define FD_RESERVE 256
static size_t raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		return SIZE_MAX;
	return rl.rlim_cur > 2 * FD_RESERVE ? (size_t)rl.rlim_cur - FD_RESERVE : (size_t)rl.rlim_cur / 2;
}

/* ---- method bpf -------------------------------------------------------- */

struct bpf_fill {
	struct proc_scanner *sc;
	size_t nr, wanted;
};

static void bpf_store(const struct oom_iter_rec *r, void *arg)
{
	struct bpf_fill *f = arg;

	if (f->nr < f->sc->cap)
		((struct oom_iter_rec *)f->sc->recs)[f->nr++] = *r;
	f->wanted++;
}

/* Runs the iterator into sc->recs, growing once if the machine grew.
 * ctl->top > 0 asks only for the candidates (see oom_iter.h); nr_seen
 * receives the number of processes visited. */
static ssize_t bpf_collect(struct proc_scanner *sc, const struct oom_iter_ctl *ctl, size_t *nr_seen)
{
	for (int tries = 0; tries < 3; tries++) {
		struct bpf_fill f = { .sc = sc };
		struct oom_iter_ctl back;
		ssize_t r = oom_iter_set(sc->bpf, ctl);

		if (r == 0)
			r = oom_iter_run(sc->bpf, sc->buf, sc->buf_size, bpf_store, &f);
		if (r >= 0)
			r = oom_iter_get(sc->bpf, &back);
		if (r < 0)
			return r;
		*nr_seen = back.nr_seen;
		if (f.wanted <= sc->cap)
			return (ssize_t)f.nr;
		if (scan_grow(sc, f.wanted * 2) < 0)
			return -ENOMEM;
	}
	return -EAGAIN;
}

/* The iterator reports pids of the initial pid namespace: usable only when
 * ours is that one, i.e. it reports us under our own pid and parent. */
static bool bpf_sees_us(struct proc_scanner *sc)
{
	struct oom_iter_ctl all = { 0 };
	size_t seen;
	ssize_t n = bpf_collect(sc, &all, &seen);
	const struct oom_iter_rec *r = sc->recs;

	for (ssize_t i = 0; i < n; i++)
		if (r[i].pid == (unsigned)getpid())
			return r[i].ppid == (unsigned)getppid();
	return false;
}

static long rec_points(const struct oom_iter_rec *r, const struct proc_scan_opts *o)
{
	long points;

	if (r->pid == 1 || (r->flags & PF_KTHREAD) || !r->has_mm || r->in_vfork ||
	    r->oom_score_adj == -1000)
		return LONG_MIN;
	points = (long)(r->rss_file + r->rss_anon + r->rss_shmem + r->rss_swap +
			r->pgtables_bytes / o->page_size);
	return points + r->oom_score_adj * (long)(o->totalpages / 1000);
}

/* __task_state_index(): "RSDTtXZPI" by the highest reported state bit. */
static char state_letter(unsigned int state, unsigned int exit_state)
{
	unsigned int s = (state | exit_state) & 0x7f;
	int idx = 0;

	if (state == 0x402) /* TASK_IDLE */
		return 'I';
	while (s) {
		idx++;
		s >>= 1;
	}
	return "RSDTtXZPI"[idx];
}

static void task_from_rec(const struct oom_iter_rec *r, const struct proc_scanner *sc,
			  unsigned long page_size, struct task_info *t)
{
	unsigned long kpp = page_size / 1024;

	memset(t, 0, sizeof(*t));
	t->pid = (pid_t)r->pid;
	t->ppid = (pid_t)r->ppid;
	t->start_time = r->start_ns / (1000000000ull / sc->clk_tck);
	memcpy(t->comm, r->comm, OOM_ITER_COMM_LEN);
	t->comm[OOM_ITER_COMM_LEN - 1] = '\0';
	t->state = state_letter(r->state, r->exit_state);
	t->uid = r->uid;
	t->flags = r->flags;
	t->kthread = (r->flags & PF_KTHREAD) != 0;
	t->has_mm = r->has_mm && !t->kthread;
	t->in_vfork = r->in_vfork;
	t->total_vm_kb = r->total_vm * kpp;
	t->rss_anon_kb = r->rss_anon * kpp;
	t->rss_file_kb = r->rss_file * kpp;
	t->rss_shmem_kb = r->rss_shmem * kpp;
	t->rss_pages = r->rss_anon + r->rss_file + r->rss_shmem;
	t->swap_kb = r->rss_swap * kpp;
	t->pgtables_kb = r->pgtables_bytes / 1024;
	t->oom_score_adj = r->oom_score_adj;
	t->kernel_oom_score = -1;
}

/* ---- first pass -------------------------------------------------------- */

static unsigned int page_shift(unsigned long page_size)
{
	unsigned int s = 0;

	while ((1ul << s) < page_size)
		s++;
	return s;
}

static int pass1_bpf(struct proc_scanner *sc, const struct proc_scan_opts *o)
{
	/* in-kernel filtering only where the kernel's keys are ours: no subtree */
	bool filter = o->top && o->top <= OOM_ITER_TOP_MAX && !o->memcg_dir;
	struct oom_iter_ctl ctl = {
		.adj_unit = (long long)(o->totalpages / 1000),
		.page_shift = page_shift(o->page_size),
		.top = filter ? (unsigned int)o->top : 0,
	};
	const struct oom_iter_rec *recs;
	bool have_init = false;
	struct bpf_fill f = { .sc = sc };
	ssize_t n = filter ? oom_iter_run_top(sc->bpf, &ctl, bpf_store, &f, &sc->nr_seen) : -EOPNOTSUPP;

	if (n >= 0 && f.wanted > sc->cap)
		n = -EOVERFLOW;
	if (n < 0)
		n = bpf_collect(sc, &ctl, &sc->nr_seen);

	if (n < 0)
		return (int)n;
	recs = sc->recs; /* after bpf_collect: it may have grown */
	sc->nr = 0;
	for (ssize_t i = 0; i < n; i++) {
		have_init |= recs[i].pid == 1;
		if (!scan_in_subtree(sc, o, (pid_t)recs[i].pid))
			continue;
		sc->ents[sc->nr++] = (struct proc_scan_entry){ .pid = (pid_t)recs[i].pid, .fd = -1,
							       .rec = (uint32_t)i, .key = rec_points(&recs[i], o) };
	}
	/* The task iterator starts after init on some kernels: read it from /proc
	 * when every task is listed (init is never a candidate). */
	if (!filter && !have_init && scan_in_subtree(sc, o, 1) && sc->nr < sc->cap) {
		sc->ents[sc->nr++] = (struct proc_scan_entry){ .pid = 1, .fd = -1, .rec = NO_REC, .key = LONG_MIN };
		sc->nr_seen++;
	}
	if (!filter)
		sc->nr_seen = sc->nr;
	return 0;
}

/* ---- the cut and the second pass ---------------------------------------- */

static void swap_ents(struct proc_scan_entry *a, struct proc_scan_entry *b)
{
	struct proc_scan_entry t = *a;

	*a = *b;
	*b = t;
}

/* Quickselect with a three-way partition (thousands of equal keys are the
 * common case): the k-th largest key (0-based) of a[0..n). */
static long kth_largest(struct proc_scan_entry *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		long pivot = a[lo + (hi - lo) / 2].key;
		size_t lt = lo, i = lo, gt = hi;

		while (i < gt) {
			if (a[i].key > pivot)
				swap_ents(&a[lt++], &a[i++]);
			else if (a[i].key < pivot)
				swap_ents(&a[i], &a[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return pivot;
	}
	return a[k].key;
}

/* The smallest key still read in full: that of the top-th best in scope
 * (every entry tied with it is read too). LONG_MIN reads everything. */
static long cut_key(struct proc_scanner *sc, const struct proc_scan_opts *o, size_t in_scope)
{
	size_t n = 0;

	if (!o->top || o->top >= in_scope || (!sc->bpf && o->memcg_dir))
		return LONG_MIN;
	for (size_t i = 0; i < sc->nr; i++)
		if (!sc->ents[i].out)
			sc->ents_next[n++] = sc->ents[i]; /* scratch: ents_next is free now */
	return kth_largest(sc->ents_next, n, o->top - 1);
}

/* Same process as the iterator saw (not a reused pid)? */
static bool same_start(int dirfd, const struct task_info *t)
{
	struct task_info now;
	char buf[1024];

	return read_file_at(dirfd, "stat", buf, sizeof(buf)) > 0 && proc_parse_stat(buf, &now) == 0 &&
	       now.start_time == t->start_time;
}

static int read_full(struct proc_scanner *sc, const struct proc_scan_entry *e,
		     const struct proc_scan_opts *o, struct task_info *t)
{
	unsigned int details = o->details | (o->memcg_dir ? PROC_DETAIL_MEMCG : 0);
	char name[16];
	int dirfd, r = 0;

	if (e->rec != NO_REC) {
		task_from_rec(&((const struct oom_iter_rec *)sc->recs)[e->rec], sc, o->page_size, t);
		if (!details)
			return 0;
	}
	snprintf(name, sizeof(name), "%d", (int)e->pid);
	dirfd = openat(sc->proc_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -ESRCH;
	if (e->rec == NO_REC)
		r = task_info_read_at(dirfd, e->pid, details, t);
	else if (same_start(dirfd, t))
		task_info_read_details(dirfd, details, t);
	else
		r = -ESRCH;
	close(dirfd);
	return r;
}

/* Creation order, the kernel's tie rule (the last in the task list wins):
 * the iterator's start time, else the pid (creation order until pids wrap). */
static long recency(const struct proc_scanner *sc, const struct proc_scan_entry *e)
{
	if (e->rec != NO_REC)
		return (long)((const struct oom_iter_rec *)sc->recs)[e->rec].start_ns;
	return e->pid;
}

struct cut {
	long key;       /* read what is above it... */
	long recency;   /* ...and of the ties at it, the newest (LONG_MIN: all) */
};

/* In scope and there: gone processes (procfs key LONG_MIN) are not read
 * again, nor, when asked, those keyed 0 or less. */
static bool readable(const struct proc_scanner *sc, const struct proc_scan_opts *o,
		     const struct proc_scan_entry *e)
{
	return !e->out && (sc->bpf || e->key != LONG_MIN) && (!o->above_zero || e->key > 0);
}

static bool selected(const struct proc_scanner *sc, const struct proc_scan_opts *o,
		     const struct proc_scan_entry *e, const struct cut *c)
{
	return readable(sc, o, e) && (e->key > c->key || (e->key == c->key && recency(sc, e) >= c->recency));
}

/* Thousands tied at the cut (a fork bomb's copies; on procfs, every small
 * process: oom_score counts in tenths of a percent of memory) would all be
 * read in full, and the snapshot would grow to hold them: only the newest
 * PROC_SCAN_TIES_MAX of them are. With the iterator's exact points that is
 * the kernel's own choice among equals; on procfs it can miss a tie that is
 * bigger by less than one oom_score point. */
static long ties_cut(struct proc_scanner *sc, const struct proc_scan_opts *o, long cut)
{
	size_t above = 0, ties = 0, room;

	for (size_t i = 0; i < sc->nr; i++) {
		const struct proc_scan_entry *e = &sc->ents[i];

		if (!readable(sc, o, e) || e->key < cut)
			continue;
		if (e->key > cut)
			above++;
		else
			sc->ents_next[ties++] = (struct proc_scan_entry){ .key = recency(sc, e) };
	}
	room = o->top + PROC_SCAN_TIES_MAX > above ? o->top + PROC_SCAN_TIES_MAX - above : 1;
	if (ties <= room)
		return LONG_MIN;
	return kth_largest(sc->ents_next, ties, room - 1);
}

static int pass2(struct proc_scanner *sc, const struct proc_scan_opts *o, struct proc_snapshot *snap)
{
	size_t in_scope = 0, want = 0;
	struct cut cut;
	int r;

	for (size_t i = 0; i < sc->nr; i++)
		in_scope += !sc->ents[i].out;
	cut.key = cut_key(sc, o, in_scope);
	cut.recency = cut.key == LONG_MIN ? LONG_MIN : ties_cut(sc, o, cut.key);
	for (size_t i = 0; i < sc->nr; i++)
		want += selected(sc, o, &sc->ents[i], &cut);
	r = proc_snapshot_reserve(snap, want ? want : 1);
	if (r < 0)
		return r;
	snap->nr = 0;
	snap->nr_scanned = sc->bpf ? sc->nr_seen : in_scope;
	for (size_t i = 0; i < sc->nr; i++)
		if (selected(sc, o, &sc->ents[i], &cut) && read_full(sc, &sc->ents[i], o, &snap->tasks[snap->nr]) == 0)
			snap->nr++;
	return 0;
}

int proc_scanner_scan(struct proc_scanner *sc, const struct proc_scan_opts *o, struct proc_snapshot *snap)
{
	int r = 0;

	if (o->memcg_dir)
		r = scan_subtree_load(sc, o->memcg_dir);
	if (r == 0)
		r = sc->bpf ? pass1_bpf(sc, o) : scan_pass1_procfs(sc, o);
	return r < 0 ? r : pass2(sc, o, snap);
}

int proc_scanner_prime(struct proc_scanner *sc)
{
	struct proc_scan_opts o = { 0 };

	return sc->bpf ? 0 : scan_pass1_procfs(sc, &o);
}

/* ---- life cycle --------------------------------------------------------- */

int proc_scanner_init(struct proc_scanner *sc, const char *proc_root, unsigned int flags)
{
	ssize_t count;
	long tck = sysconf(_SC_CLK_TCK);

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->proc_root, sizeof(sc->proc_root), "%s", proc_root);
	sc->clk_tck = tck > 0 ? (unsigned long)tck : 100;
	sc->proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sc->proc_fd < 0)
		return -errno;
	sc->fd_budget = raise_nofile();
	sc->buf_size = SCAN_BUF_SIZE;
	sc->buf = malloc(sc->buf_size);
	if (!sc->buf)
		goto nomem;
	count = proc_walk(sc->proc_fd, sc->buf, sc->buf_size, NULL, NULL);
	if (count < 0) {
		int e = (int)count;
		proc_scanner_free(sc);
		return e;
	}
	/* the iterator sees the running kernel: not for a fixture tree */
	if (!(flags & PROC_SCANNER_NO_BPF) && !strcmp(proc_root, "/proc") &&
	    (!(flags & PROC_SCANNER_ONE_SHOT) || count >= PROC_SCANNER_ONE_SHOT_BPF_MIN) &&
	    oom_iter_open(&sc->bpf) < 0)
		sc->bpf = NULL;
	if (scan_grow(sc, (size_t)count * 2 > SCAN_MIN_CAP ? (size_t)count * 2 : SCAN_MIN_CAP) < 0)
		goto nomem;
	if (sc->bpf && !bpf_sees_us(sc)) {
		oom_iter_close(sc->bpf);
		sc->bpf = NULL;
	}
	return 0;
nomem:
	proc_scanner_free(sc);
	return -ENOMEM;
}

const char *proc_scanner_method(const struct proc_scanner *sc)
{
	return sc->bpf ? "bpf" : "procfs";
}

void proc_scanner_free(struct proc_scanner *sc)
{
	scan_close_all(sc);
	oom_iter_close(sc->bpf);
	free(sc->ents);
	free(sc->ents_next);
	free(sc->recs);
	free(sc->subtree);
	free(sc->buf);
	if (sc->proc_fd >= 0)
		close(sc->proc_fd);
	memset(sc, 0, sizeof(*sc));
	sc->proc_fd = -1;
}
