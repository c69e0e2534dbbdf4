/* daemon_victim.c - see daemon_victim.h. The scan reads /proc with
 * getdents64 into a static buffer and small per-task reads into stack
 * buffers: no allocation on the kill path, memory bounded whatever the
 * number of processes. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon_victim.h"
#include "util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

#define PF_KTHREAD 0x00200000u

int victim_policy_init(struct victim_policy *p, const char *prefer, const char *avoid,
		       const char *ignore, bool ignore_root_user)
{
	const struct { const char *pat; regex_t *re; bool *has; } pats[] = {
		{ prefer, &p->prefer, &p->has_prefer },
		{ avoid, &p->avoid, &p->has_avoid },
		{ ignore, &p->ignore, &p->has_ignore },
	};

	memset(p, 0, sizeof(*p));
	p->ignore_root_user = ignore_root_user;
	for (size_t i = 0; i < 3; i++) {
		if (!pats[i].pat || !pats[i].pat[0])
			continue;
		if (regcomp(pats[i].re, pats[i].pat, REG_EXTENDED | REG_NOSUB)) {
			victim_policy_free(p);
			return -EINVAL;
		}
		*pats[i].has = true;
	}
	return 0;
}

void victim_policy_free(struct victim_policy *p)
{
	if (p->has_prefer)
		regfree(&p->prefer);
	if (p->has_avoid)
		regfree(&p->avoid);
	if (p->has_ignore)
		regfree(&p->ignore);
	p->has_prefer = p->has_avoid = p->has_ignore = false;
}

bool memcg_in_subtree(const char *path, const char *scope)
{
	size_t n = strlen(scope);

	if (n == 1 && scope[0] == '/')
		return true;
	return !strncmp(path, scope, n) && (path[n] == '\0' || path[n] == '/');
}

/* The v1 "memory" line wins; the v2 "0::" line is the fallback. */
int task_memcg_path(const char *proc_root, pid_t pid, char *out, size_t size)
{
	char path[64], buf[4096], *line, *save;
	bool found = false;

	snprintf(path, sizeof(path), "%s/%d/cgroup", proc_root, pid);
	if (read_file_at(AT_FDCWD, path, buf, sizeof(buf)) < 0)
		return -ESRCH;
	out[0] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		bool v1mem;
		if (!c2)
			continue;
		*c2 = '\0';
		v1mem = strstr(c1 + 1, "memory") != NULL;
		if (v1mem || (!found && c2 == c1 + 1)) {
			snprintf(out, size, "%s", c2 + 1);
			found = true;
			if (v1mem)
				break;
		}
	}
	return found ? 0 : -ENOENT;
}

/* The stat fields the scan needs, comm from the first '(' to the LAST ')'. */
struct stat_facts {
	char comm[TASK_COMM_MAX];
	char state;
	unsigned int flags;
	unsigned long long start_time;
	unsigned long rss_pages;
};

static int parse_stat(const char *text, struct stat_facts *f)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	unsigned long long v[22];
	const char *p;
	size_t n;

	if (!open || !close || close < open || !close[1])
		return -EINVAL;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(f->comm))
		n = sizeof(f->comm) - 1;
	memcpy(f->comm, open + 1, n);
	f->comm[n] = '\0';
	p = close + 2;
	f->state = *p;
	/* fields 4..24 after the state */
	p++;
	for (size_t i = 0; i < 21; i++) {
		char *end;
		while (*p == ' ')
			p++;
		v[i] = strtoull(p, &end, 10);
		if (end == p && *p != '-')
			return -EINVAL;
		if (*p == '-') /* a negative field (priority, nice): skip it */
			end = (char *)p + 1 + strspn(p + 1, "0123456789");
		p = end;
	}
	f->flags = (unsigned int)v[5];      /* field 9 */
	f->start_time = v[18];              /* field 22 */
	f->rss_pages = (unsigned long)v[20];/* field 24 */
	return 0;
}

static int read_task(const char *proc_root, pid_t pid, struct stat_facts *f, int *adj, uid_t *uid)
{
	char path[64], buf[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, pid);
	if (read_file_at(AT_FDCWD, path, buf, sizeof(buf)) < 0 || parse_stat(buf, f))
		return -ESRCH;
	snprintf(path, sizeof(path), "%s/%d/oom_score_adj", proc_root, pid);
	if (read_file_at(AT_FDCWD, path, buf, sizeof(buf)) < 0 || parse_int(buf, adj))
		return -ESRCH;
	snprintf(path, sizeof(path), "%s/%d", proc_root, pid);
	if (stat(path, &st))
		return -ESRCH;
	*uid = st.st_uid;
	return 0;
}

enum tier { TIER_AVOID = 0, TIER_NORMAL = 1, TIER_PREFER = 2, TIER_IGNORED = -1 };

static int policy_tier(const struct victim_policy *p, const char *comm, uid_t uid)
{
	if (p->has_ignore && !regexec(&p->ignore, comm, 0, NULL, 0))
		return TIER_IGNORED;
	if (p->ignore_root_user && uid == 0)
		return TIER_IGNORED;
	if (p->has_prefer && !regexec(&p->prefer, comm, 0, NULL, 0))
		return TIER_PREFER;
	if (p->has_avoid && !regexec(&p->avoid, comm, 0, NULL, 0))
		return TIER_AVOID;
	return TIER_NORMAL;
}

/* Remembers this scan's RSS and returns the growth since the last one. */
static unsigned long growth_update(struct growth_slot *g, pid_t pid, unsigned long rss_pages)
{
	struct growth_slot *slot;
	unsigned long grown = 0;

	if (!g)
		return 0;
	slot = &g[(unsigned int)pid % GROWTH_SLOTS];
	if (slot->pid == pid && rss_pages > slot->rss_pages)
		grown = rss_pages - slot->rss_pages;
	slot->pid = pid;
	slot->rss_pages = (uint32_t)rss_pages;
	return grown;
}

static void victim_fill(struct victim *v, pid_t pid, const struct stat_facts *f, int adj, uid_t uid,
			unsigned long page_kb, long points, unsigned long grown_pages, const char *memcg)
{
	v->pid = pid;
	v->start_time = f->start_time;
	memcpy(v->comm, f->comm, sizeof(v->comm));
	v->uid = uid;
	v->oom_score_adj = adj;
	v->rss_kb = f->rss_pages * page_kb;
	v->growth_kb = grown_pages * page_kb;
	v->points = points;
	snprintf(v->memcg, sizeof(v->memcg), "%s", memcg);
	v->pidfd = -1;
}

struct pick {
	int tier;
	long points;
	unsigned long rss;
	bool have;
};

struct grower {
	unsigned long grown;
	bool have;
};

static void consider(const struct victim_scan *s, pid_t pid, struct victim_scan_result *r,
		     struct pick *best, struct grower *inv, unsigned long page_kb)
{
	struct stat_facts f;
	char memcg[TASK_CGROUP_MAX] = "";
	unsigned long grown;
	long points;
	int adj, tier;
	uid_t uid;

	if (pid <= 1 || pid == s->self || read_task(s->proc_root, pid, &f, &adj, &uid))
		return;
	if ((f.flags & PF_KTHREAD) || f.state == 'Z' || f.state == 'X' || f.rss_pages == 0)
		return;
	/* a cgroup walk only meets tasks of the scope */
	if (s->memcg && !s->memcg_dir &&
	    (task_memcg_path(s->proc_root, pid, memcg, sizeof(memcg)) ||
	     !memcg_in_subtree(memcg, s->memcg)))
		return;
	r->nr_tasks++;
	grown = growth_update(s->growth, pid, f.rss_pages);
	if (!inv->have || grown > inv->grown) {
		inv->have = true;
		inv->grown = grown;
		victim_fill(&r->invoker, pid, &f, adj, uid, page_kb, 0, grown, memcg);
	}
	if (adj == -1000)
		return; /* OOM_SCORE_ADJ_MIN: never */
	tier = s->policy ? policy_tier(s->policy, f.comm, uid) : TIER_NORMAL;
	if (tier == TIER_IGNORED)
		return;
	r->nr_candidates++;
	/* oom_badness(): rss (+ swap + page tables when core's snapshot supplies
	 * them) plus the adj share of totalpages */
	points = (long)f.rss_pages + (long)adj * (long)(s->totalpages / 1000);
	if (best->have && (tier < best->tier || (tier == best->tier && points < best->points) ||
			   (tier == best->tier && points == best->points && f.rss_pages <= best->rss)))
		return;
	*best = (struct pick){ .tier = tier, .points = points, .rss = f.rss_pages, .have = true };
	victim_fill(&r->chosen, pid, &f, adj, uid, page_kb, points, grown, memcg);
}

struct scan_walk {
	const struct victim_scan *s;
	struct victim_scan_result *r;
	struct pick best;
	struct grower inv;
	unsigned long page_kb;
};

/* Every pid of one cgroup.procs, read in chunks into a fixed buffer. */
static void walk_procs(struct scan_walk *w, int dirfd)
{
	char buf[4096];
	size_t have = 0;
	ssize_t n;
	int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *p = buf, *nl;
		have += (size_t)n;
		buf[have] = '\0';
		while ((nl = strchr(p, '\n'))) {
			*nl = '\0';
			consider(w->s, (pid_t)strtol(p, NULL, 10), w->r, &w->best, &w->inv, w->page_kb);
			p = nl + 1;
		}
		have = (size_t)(buf + have - p);
		memmove(buf, p, have);
	}
	close(fd);
}

/* The cgroup and its descendants, depth-first, bounded depth. */
static void walk_cgroup(struct scan_walk *w, int dirfd, int depth)
{
	char dents[4096];
	long n;

	walk_procs(w, dirfd);
	if (depth == 32)
		return;
	while ((n = syscall(SYS_getdents64, dirfd, dents, sizeof(dents))) > 0) {
		for (long off = 0; off < n;) {
			unsigned short reclen;
			unsigned char type = (unsigned char)dents[off + 18];
			const char *name = dents + off + 19;
			int sub;
			memcpy(&reclen, dents + off + 16, sizeof(reclen));
			off += reclen;
			if (type != DT_DIR || name[0] == '.')
				continue;
			sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (sub < 0)
				continue;
			walk_cgroup(w, sub, depth + 1);
			close(sub);
		}
	}
}

static void walk_proc(struct scan_walk *w, int fd)
{
	static char dents[32768];
	long n;

	while ((n = syscall(SYS_getdents64, fd, dents, sizeof(dents))) > 0) {
		for (long off = 0; off < n;) {
			/* struct linux_dirent64: ino, off, reclen, type, name */
			unsigned short reclen;
			const char *name = dents + off + 19;
			memcpy(&reclen, dents + off + 16, sizeof(reclen));
			off += reclen;
			if (isdigit((unsigned char)name[0]))
				consider(w->s, (pid_t)strtol(name, NULL, 10), w->r, &w->best, &w->inv,
					 w->page_kb);
		}
	}
}

int victim_select(const struct victim_scan *s, struct victim_scan_result *r)
{
	struct scan_walk w = { .s = s, .r = r, .page_kb = (unsigned long)sysconf(_SC_PAGESIZE) / 1024 };
	int fd = open(s->memcg_dir ? s->memcg_dir : s->proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	memset(r, 0, sizeof(*r));
	r->chosen.pidfd = r->invoker.pidfd = -1;
	if (s->memcg_dir)
		walk_cgroup(&w, fd, 0);
	else
		walk_proc(&w, fd);
	close(fd);
	if (!w.best.have)
		return -ESRCH;
	if (!w.inv.have || w.inv.grown == 0)
		r->invoker = r->chosen; /* no growth seen yet: the biggest is the best guess */
	if (s->memcg_dir) {
		task_memcg_path(s->proc_root, r->chosen.pid, r->chosen.memcg, sizeof(r->chosen.memcg));
		task_memcg_path(s->proc_root, r->invoker.pid, r->invoker.memcg, sizeof(r->invoker.memcg));
	}
	return 0;
}

int victim_read_details(const char *proc_root, struct victim *v)
{
	static const struct { const char *key; size_t off; } fields[] = {
		{ "VmSize:", offsetof(struct victim, total_vm_kb) },
		{ "RssAnon:", offsetof(struct victim, rss_anon_kb) },
		{ "RssFile:", offsetof(struct victim, rss_file_kb) },
		{ "RssShmem:", offsetof(struct victim, rss_shmem_kb) },
		{ "VmPTE:", offsetof(struct victim, pgtables_kb) },
		{ "VmSwap:", offsetof(struct victim, swap_kb) },
	};
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "%s/%d/status", proc_root, v->pid);
	if (read_file_at(AT_FDCWD, path, buf, sizeof(buf)) < 0)
		return -ESRCH;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *p = strstr(buf, fields[i].key);
		if (p)
			*(unsigned long *)((char *)v + fields[i].off) =
				strtoul(p + strlen(fields[i].key), NULL, 10);
	}
	return 0;
}

int victim_open(const char *proc_root, struct victim *v)
{
	struct stat_facts f;
	char path[64], buf[1024];
	int fd = (int)syscall(SYS_pidfd_open, v->pid, 0);

	if (fd < 0)
		return -errno;
	/* the pidfd pins this struct pid: if the start time still matches now,
	 * every signal sent through it reaches the task we chose */
	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, v->pid);
	if (read_file_at(AT_FDCWD, path, buf, sizeof(buf)) < 0 || parse_stat(buf, &f) ||
	    f.start_time != v->start_time) {
		close(fd);
		return -ESRCH;
	}
	v->pidfd = fd;
	return 0;
}

int victim_signal(struct victim *v, int sig)
{
	if (syscall(SYS_pidfd_send_signal, v->pidfd, sig, NULL, 0) < 0)
		return -errno;
	return 0;
}

int victim_reap(struct victim *v)
{
	if (syscall(SYS_process_mrelease, v->pidfd, 0) < 0)
		return -errno;
	return 0;
}

bool victim_exited(const struct victim *v)
{
	struct pollfd p = { .fd = v->pidfd, .events = POLLIN };

	return v->pidfd < 0 || poll(&p, 1, 0) > 0;
}

void victim_close(struct victim *v)
{
	if (v->pidfd >= 0)
		close(v->pidfd);
	v->pidfd = -1;
}
