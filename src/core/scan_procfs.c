/* scan_procfs.c - the scanner's reads of /proc and of a cgroup tree: the
 * procfs first pass (pid listing merged with the last one, oom_score read
 * through kept descriptors) and the pids of a memcg subtree. */
#include "scan_pass.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_walk.h"
#include "util.h"

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

int scan_subtree_load(struct proc_scanner *sc, const char *dir)
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

bool scan_in_subtree(const struct proc_scanner *sc, const struct proc_scan_opts *o, pid_t pid)
{
	return !o->memcg_dir || bsearch(&pid, sc->subtree, sc->nr_subtree, sizeof(pid_t), pid_cmp);
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

void scan_close_all(struct proc_scanner *sc)
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
		scan_close_all(sc); /* the machine outgrew the arrays: grow and list again */
		if (scan_grow(sc, sc->cap * 2) < 0)
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

int scan_pass1_procfs(struct proc_scanner *sc, const struct proc_scan_opts *o)
{
	int r = list_pids(sc);

	if (r < 0)
		return r;
	for (size_t i = 0; i < sc->nr; i++) {
		struct proc_scan_entry *e = &sc->ents[i];

		e->out = !scan_in_subtree(sc, o, e->pid);
		e->key = e->out ? LONG_MIN : read_oom_score(sc, e);
	}
	return 0;
}
