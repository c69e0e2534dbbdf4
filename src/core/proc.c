/* proc.c - the task snapshot (see proc.h): parsers of /proc/PID/{stat,
 * status,cgroup} and the reading of one process or of all of them.
 * Nothing read from /proc is trusted: comm may hold anything but NUL. */
#include "proc.h"
#include "cgroup_ns.h"
#include "pidfd.h"
#include "proc_walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define PF_KTHREAD 0x00200000u

/* Skips n space-separated fields; returns the start of the next or NULL. */
static const char *skip_fields(const char *p, int n)
{
	while (n-- > 0) {
		p = strchr(p, ' ');
		if (!p)
			return NULL;
		p++;
	}
	return p;
}

int proc_parse_stat(const char *text, struct task_info *out)
{
	const char *open = strchr(text, '(');
	const char *close = strrchr(text, ')');
	const char *p;
	size_t len;
	unsigned long long flags;
	long long pid;

	if (!open || !close || close < open || close[1] != ' ')
		return -EINVAL;
	if (sscanf(text, "%lld", &pid) != 1 || pid <= 0)
		return -EINVAL;
	len = (size_t)(close - open - 1);
	if (len >= sizeof(out->comm))
		len = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, len);
	out->comm[len] = '\0';
	out->pid = (pid_t)pid;
	/* After ") ": state(3) ppid(4) pgrp(5) session tty tpgid flags(9) */
	p = close + 2;
	if (sscanf(p, "%c %d %d %*d %*d %*d %llu", &out->state, &out->ppid, &out->pgid, &flags) != 4)
		return -EINVAL;
	out->flags = (unsigned int)flags;
	out->kthread = (flags & PF_KTHREAD) != 0;
	p = skip_fields(p, 19); /* field 3 + 19 = field 22: starttime, 23 vsize, 24 rss */
	if (!p || sscanf(p, "%llu %*u %lu", &out->start_time, &out->rss_pages) != 2)
		return -EINVAL;
	return 0;
}

/* The line after `line`, or NULL at the end of the text. */
static const char *next_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl && nl[1] ? nl + 1 : NULL;
}

/* Value of "Key:\t<n> kB" lines; the key includes its colon. */
static bool status_kb(const char *line, const char *key, unsigned long *out)
{
	size_t k = strlen(key);

	if (strncmp(line, key, k))
		return false;
	*out = strtoul(line + k, NULL, 10);
	return true;
}

int proc_parse_status(const char *text, struct task_info *out)
{
	bool have_uid = false, have_vm = false;

	for (const char *line = text; line; line = next_line(line)) {
		if (!strncmp(line, "Uid:", 4)) {
			out->uid = (uid_t)strtoul(line + 4, NULL, 10);
			have_uid = true;
		} else if (status_kb(line, "VmSize:", &out->total_vm_kb)) {
			have_vm = true;
		} else if (!status_kb(line, "RssAnon:", &out->rss_anon_kb) &&
			   !status_kb(line, "RssFile:", &out->rss_file_kb) &&
			   !status_kb(line, "RssShmem:", &out->rss_shmem_kb) &&
			   !status_kb(line, "VmSwap:", &out->swap_kb)) {
			(void)status_kb(line, "VmPTE:", &out->pgtables_kb);
		}
	}
	out->has_mm = have_vm && !out->kthread;
	return have_uid ? 0 : -EINVAL;
}

void proc_parse_cgroup(const char *text, char *memcg, size_t size)
{
	const char *v2 = NULL;

	memcg[0] = '\0';
	for (const char *line = text; line; line = next_line(line)) {
		const char *ctl = strchr(line, ':');
		const char *path = ctl ? strchr(ctl + 1, ':') : NULL;
		const char *end;
		size_t len;

		if (!path)
			continue;
		ctl++;
		if (!strncmp(line, "0::", 3)) {
			v2 = path + 1;
			continue;
		}
		/* controller list "cpu,memory": find "memory" as a whole item */
		for (const char *c = ctl; c < path;) {
			const char *comma = memchr(c, ',', (size_t)(path - c));
			const char *item_end = comma ? comma : path;

			if (item_end - c == 6 && !strncmp(c, "memory", 6)) {
				end = strchr(path + 1, '\n');
				len = end ? (size_t)(end - path - 1) : strlen(path + 1);
				snprintf(memcg, size, "%.*s", (int)len, path + 1);
				return;
			}
			c = item_end + 1;
		}
	}
	if (v2) {
		const char *e = strchr(v2, '\n');
		size_t len = e ? (size_t)(e - v2) : strlen(v2);

		snprintf(memcg, size, "%.*s", (int)len, v2);
	}
}

/* NULs between arguments become spaces; a trailing NUL is dropped. */
static void read_cmdline(int dirfd, struct task_info *out)
{
	ssize_t n = read_file_at(dirfd, "cmdline", out->cmdline, sizeof(out->cmdline));

	if (n <= 0) {
		out->cmdline[0] = '\0';
		return;
	}
	while (n > 0 && out->cmdline[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (out->cmdline[i] == '\0')
			out->cmdline[i] = ' ';
	out->cmdline[n] = '\0';
}

static void read_exe(int dirfd, struct task_info *out)
{
	ssize_t n = readlinkat(dirfd, "exe", out->exe, sizeof(out->exe) - 1);

	out->exe[n > 0 ? n : 0] = '\0';
}

/* oom_badness() refuses a vfork child while it shares its parent's mm; the
 * kernel's oom_score of 0 for a task with an mm is the visible hint, kcmp()
 * the proof. */
static bool shares_parent_mm(const struct task_info *t)
{
	return t->ppid > 0 && sys_kcmp_vm(t->pid, t->ppid) == 0;
}

/* The memory cgroup's path as the kernel's OOM report prints it, from
 * the hierarchy's root, also when we run in a private cgroup namespace. */
static void cgroup_path_read(const char *text, char *memcg, size_t size)
{
	proc_parse_cgroup(text, memcg, size);
	(void)cgroup_ns_resolve(cgroup_ns_root(), memcg, size);
}

/* Optional files: a failure leaves the field empty, never fails the task. */
void task_info_read_details(int dirfd, unsigned int details, struct task_info *out)
{
	char buf[8192];

	out->kernel_oom_score = -1;
	if ((details & PROC_DETAIL_OOM_SCORE) && read_file_at(dirfd, "oom_score", buf, 32) > 0)
		out->kernel_oom_score = strtol(buf, NULL, 10);
	if (out->kernel_oom_score == 0 && out->has_mm && out->pid != 1 && out->oom_score_adj != -1000)
		out->in_vfork = shares_parent_mm(out);
	if ((details & PROC_DETAIL_MEMCG) && read_file_at(dirfd, "cgroup", buf, sizeof(buf)) > 0)
		cgroup_path_read(buf, out->memcg, sizeof(out->memcg));
	if (details & PROC_DETAIL_CMDLINE)
		read_cmdline(dirfd, out);
	if (details & PROC_DETAIL_EXE)
		read_exe(dirfd, out);
}

/* A process that is gone answers ENOENT or ESRCH; both mean "vanished". */
static int gone(ssize_t r)
{
	return r == -ENOENT || r == -ESRCH ? -ESRCH : (int)r;
}

int task_info_read_at(int pid_dirfd, pid_t pid, unsigned int details, struct task_info *out)
{
	char buf[16384];
	ssize_t n;
	int r;

	memset(out, 0, sizeof(*out));
	n = read_file_at(pid_dirfd, "stat", buf, sizeof(buf));
	if (n < 0)
		return gone(n);
	r = proc_parse_stat(buf, out);
	if (r < 0 || out->pid != pid)
		return r < 0 ? r : -ESRCH;
	n = read_file_at(pid_dirfd, "status", buf, sizeof(buf));
	if (n < 0)
		return gone(n);
	r = proc_parse_status(buf, out);
	if (r < 0)
		return r;
	n = read_file_at(pid_dirfd, "oom_score_adj", buf, 32);
	if (n < 0)
		return gone(n);
	if (parse_int(buf, &out->oom_score_adj) < 0)
		return -EINVAL;
	task_info_read_details(pid_dirfd, details, out);
	return 0;
}

static int open_pid_dir(const char *proc_root, pid_t pid)
{
	char path[4096 + 16];

	snprintf(path, sizeof(path), "%s/%d", proc_root, (int)pid);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int task_info_read(const char *proc_root, pid_t pid, unsigned int details, struct task_info *out)
{
	int fd = open_pid_dir(proc_root, pid);
	int r;

	if (fd < 0)
		return gone(-errno);
	r = task_info_read_at(fd, pid, details, out);
	close(fd);
	return r;
}

/* A /proc entry name that is a pid: all digits. */
pid_t proc_name_pid(const char *name)
{
	long v = 0;

	if (!*name)
		return 0;
	for (const char *c = name; *c; c++) {
		if (*c < '0' || *c > '9' || v > 0x3fffffff)
			return 0;
		v = v * 10 + (*c - '0');
	}
	return (pid_t)v;
}

int proc_snapshot_reserve(struct proc_snapshot *snap, size_t want)
{
	struct task_info *t;

	if (want <= snap->cap)
		return 0;
	t = realloc(snap->tasks, want * sizeof(*t));
	if (!t)
		return -ENOMEM;
	snap->tasks = t;
	snap->cap = want;
	return 0;
}

struct snapshot_walk {
	struct proc_snapshot *snap;
	int dir_fd;
	unsigned int details;
	int r;
};

static bool snapshot_add(void *arg, pid_t pid)
{
	struct snapshot_walk *w = arg;
	struct proc_snapshot *snap = w->snap;
	char name[16];
	int fd;

	snap->nr_scanned++;
	if (snap->nr == snap->cap) {
		w->r = proc_snapshot_reserve(snap, snap->cap ? snap->cap * 2 : 256);
		if (w->r < 0)
			return true;
	}
	snprintf(name, sizeof(name), "%d", (int)pid);
	fd = openat(w->dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (task_info_read_at(fd, pid, w->details, &snap->tasks[snap->nr]) == 0)
		snap->nr++;
	close(fd);
	return false;
}

int proc_snapshot_take(struct proc_snapshot *snap, const char *proc_root, unsigned int details)
{
	struct snapshot_walk w = { snap, -1, details, 0 };
	char buf[32768];
	ssize_t n;

	w.dir_fd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.dir_fd < 0)
		return -errno;
	snap->nr = 0;
	snap->nr_scanned = 0;
	n = proc_walk(w.dir_fd, buf, sizeof(buf), snapshot_add, &w);
	close(w.dir_fd);
	return w.r < 0 ? w.r : n < 0 ? (int)n : 0;
}

void proc_snapshot_free(struct proc_snapshot *snap)
{
	free(snap->tasks);
	memset(snap, 0, sizeof(*snap));
}
