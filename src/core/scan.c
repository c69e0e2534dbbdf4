/* scan.c - the persistent scanner (see the second half of proc.h): a cheap
 * first pass over every process (BPF task iterator, or kept-open
 * /proc/PID/oom_score descriptors), then a full read of the top candidates. */
#include "proc.h"

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
#include "util.h"

#define PF_KTHREAD 0x00200000u
#define SCAN_MIN_CAP 4096
#define SCAN_BUF_SIZE (128 * 1024)
#define NO_REC UINT32_MAX

struct proc_scan_entry {
	pid_t pid;
	int fd;        /* procfs: kept /proc/PID/oom_score, -1 none */
	uint32_t rec;  /* bpf: index into recs, NO_REC when read from /proc */
	long key;      /* orders like oom_badness(); LONG_MIN: unkillable or gone */
	bool out;      /* outside the memcg subtree of this scan */
};

/* ---- sizing ------------------------------------------------------------ */

static int scanner_grow(struct proc_scanner *sc, size_t cap)
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
		if (scanner_grow(sc, f.wanted * 2) < 0)
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

/* ---- memcg subtree ----------------------------------------------------- */

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int subtree_add(struct proc_scanner *sc, pid_t pid)
{
	if (sc->nr_subtree == sc->cap_subtree) {
		size_t cap = sc->cap_subtree ? sc->cap_subtree * 2 : SCAN_MIN_CAP;
		pid_t *p = realloc(sc->subtree, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		sc->subtree = p;
		sc->cap_subtree = cap;
	}
	sc->subtree[sc->nr_subtree++] = pid;
	return 0;
}

/* cgroup.procs of dirfd and of every descendant, depth first. */
static int subtree_walk(struct proc_scanner *sc, int dirfd, int depth)
{
	char buf[8192];
	ssize_t n;
	int r = 0, fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0 && r == 0) {
		buf[n] = '\0';
		for (char *p = buf, *e; *p && r == 0; p = e) {
			long v = strtol(p, &e, 10);
			if (e == p)
				break;
			r = subtree_add(sc, (pid_t)v);
		}
	}
	close(fd);
	if (depth > 64 || lseek(dirfd, 0, SEEK_SET) < 0)
		return r;
	while (r == 0 && (n = syscall(SYS_getdents64, dirfd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n && r == 0;) {
			const struct dirent64_hdr *d = (const void *)(buf + off);
			int sub;

			off += d->d_reclen;
			if (d->d_type != DT_DIR || d->d_name[0] == '.')
				continue;
			sub = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (sub < 0)
				continue; /* removed meanwhile */
			r = subtree_walk(sc, sub, depth + 1);
			close(sub);
		}
	}
	return r;
}

static int subtree_load(struct proc_scanner *sc, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	sc->nr_subtree = 0;
	r = subtree_walk(sc, fd, 0);
	close(fd);
	qsort(sc->subtree, sc->nr_subtree, sizeof(pid_t), pid_cmp);
	return r;
}

static bool in_subtree(const struct proc_scanner *sc, const struct proc_scan_opts *o, pid_t pid)
{
	return !o->memcg_dir || bsearch(&pid, sc->subtree, sc->nr_subtree, sizeof(pid_t), pid_cmp);
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
		if (!in_subtree(sc, o, (pid_t)recs[i].pid))
			continue;
		sc->ents[sc->nr++] = (struct proc_scan_entry){ .pid = (pid_t)recs[i].pid, .fd = -1,
							       .rec = (uint32_t)i, .key = rec_points(&recs[i], o) };
	}
	/* The task iterator starts after init on some kernels: read it from /proc
	 * when every task is listed (init is never a candidate). */
	if (!filter && !have_init && in_subtree(sc, o, 1) && sc->nr < sc->cap) {
		sc->ents[sc->nr++] = (struct proc_scan_entry){ .pid = 1, .fd = -1, .rec = NO_REC, .key = LONG_MIN };
		sc->nr_seen++;
	}
	if (!filter)
		sc->nr_seen = sc->nr;
	return 0;
}

static void ent_close(struct proc_scanner *sc, struct proc_scan_entry *e)
{
	if (e->fd >= 0) {
		close(e->fd);
		sc->nr_fds--;
	}
	e->fd = -1;
}

/* The merge of a new pid listing with the previous one (both ascending):
 * descriptors of pids still listed are kept, those of the gone closed. */
struct merge {
	struct proc_scanner *sc;
	size_t old, nr;
	bool full;
};

static bool merge_one(void *arg, pid_t pid)
{
	struct merge *m = arg;
	struct proc_scanner *sc = m->sc;
	struct proc_scan_entry e = { .pid = pid, .fd = -1, .rec = NO_REC, .key = LONG_MIN };

	for (; m->old < sc->nr && sc->ents[m->old].pid < pid; m->old++)
		ent_close(sc, &sc->ents[m->old]);
	if (m->old < sc->nr && sc->ents[m->old].pid == pid)
		e.fd = sc->ents[m->old++].fd;
	if (m->nr == sc->cap) {
		m->full = true;
		ent_close(sc, &e);
		return false;
	}
	sc->ents_next[m->nr++] = e;
	return false;
}

static void close_all(struct proc_scanner *sc)
{
	for (size_t i = 0; i < sc->nr; i++)
		ent_close(sc, &sc->ents[i]);
	sc->nr = 0;
}

static int list_pids(struct proc_scanner *sc)
{
	for (;;) {
		struct merge m = { .sc = sc };
		ssize_t n = proc_walk(sc->proc_fd, sc->buf, sc->buf_size, merge_one, &m);
		struct proc_scan_entry *tmp;

		for (; m.old < sc->nr; m.old++)
			ent_close(sc, &sc->ents[m.old]);
		tmp = sc->ents;
		sc->ents = sc->ents_next;
		sc->ents_next = tmp;
		sc->nr = m.nr;
		if (n < 0)
			return (int)n;
		if (!m.full)
			return 0;
		close_all(sc); /* the machine outgrew the arrays: grow and list again */
		if (scanner_grow(sc, sc->cap * 2) < 0)
			return -ENOMEM;
	}
}

/* The kernel's oom_score of e, through its kept descriptor. */
static long read_oom_score(struct proc_scanner *sc, struct proc_scan_entry *e)
{
	char buf[32], path[32];
	ssize_t n = -EBADF;

	if (e->fd >= 0)
		n = pread_file(e->fd, buf, sizeof(buf));
	if (n < 0 && e->fd >= 0) /* gone, or the pid was reused: reopen once */
		ent_close(sc, e);
	if (e->fd < 0) {
		snprintf(path, sizeof(path), "%d/oom_score", (int)e->pid);
		/* past the budget (or out of descriptors): read without keeping one */
		e->fd = sc->nr_fds < sc->fd_budget ? openat(sc->proc_fd, path, O_RDONLY | O_CLOEXEC) : -1;
		if (e->fd >= 0)
			sc->nr_fds++;
		if (e->fd < 0)
			n = read_file_at(sc->proc_fd, path, buf, sizeof(buf));
		else
			n = pread_file(e->fd, buf, sizeof(buf));
	}
	return n > 0 ? strtol(buf, NULL, 10) : LONG_MIN;
}

static int pass1_procfs(struct proc_scanner *sc, const struct proc_scan_opts *o)
{
	int r = list_pids(sc);

	if (r < 0)
		return r;
	for (size_t i = 0; i < sc->nr; i++) {
		struct proc_scan_entry *e = &sc->ents[i];

		e->out = !in_subtree(sc, o, e->pid);
		e->key = e->out ? LONG_MIN : read_oom_score(sc, e);
	}
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

/* In scope and there: gone processes (procfs key LONG_MIN) are not read again. */
static bool readable(const struct proc_scanner *sc, const struct proc_scan_entry *e)
{
	return !e->out && (sc->bpf || e->key != LONG_MIN);
}

static bool selected(const struct proc_scanner *sc, const struct proc_scan_entry *e, const struct cut *c)
{
	return readable(sc, e) && (e->key > c->key || (e->key == c->key && recency(sc, e) >= c->recency));
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

		if (!readable(sc, e) || e->key < cut)
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
		want += selected(sc, &sc->ents[i], &cut);
	r = proc_snapshot_reserve(snap, want ? want : 1);
	if (r < 0)
		return r;
	snap->nr = 0;
	snap->nr_scanned = sc->bpf ? sc->nr_seen : in_scope;
	for (size_t i = 0; i < sc->nr; i++)
		if (selected(sc, &sc->ents[i], &cut) && read_full(sc, &sc->ents[i], o, &snap->tasks[snap->nr]) == 0)
			snap->nr++;
	return 0;
}

int proc_scanner_scan(struct proc_scanner *sc, const struct proc_scan_opts *o, struct proc_snapshot *snap)
{
	int r = 0;

	if (o->memcg_dir)
		r = subtree_load(sc, o->memcg_dir);
	if (r == 0)
		r = sc->bpf ? pass1_bpf(sc, o) : pass1_procfs(sc, o);
	return r < 0 ? r : pass2(sc, o, snap);
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
	if (scanner_grow(sc, (size_t)count * 2 > SCAN_MIN_CAP ? (size_t)count * 2 : SCAN_MIN_CAP) < 0)
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
	close_all(sc);
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
