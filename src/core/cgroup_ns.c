/* cgroup_ns.c - see cgroup_ns.h. */
#include "cgroup_ns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

/* Deeper than any cgroup layout we know (kubelet's is 4); bounds the search. */
#define NS_MAX_UPS 16

static char ns_root[PATH_MAX];

void cgroup_ns_set_root(const char *root)
{
	snprintf(ns_root, sizeof(ns_root), "%s", root);
}

const char *cgroup_ns_root(void)
{
	return ns_root;
}

/* How many "/.." a path starts with; -1 when anything else follows them
 * (a tree beside ours, not above it). "/" and "" count 0. */
static int count_ups(const char *p)
{
	int n = 0;

	while (!strncmp(p, "/..", 3) && (p[3] == '/' || !p[3])) {
		n++;
		p += 3;
	}
	return *p && strcmp(p, "/") ? -1 : n;
}

static bool lists_pid(const char *procs_file, pid_t pid)
{
	char buf[65536];

	if (read_file_at(AT_FDCWD, procs_file, buf, sizeof(buf)) < 0)
		return false;
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (atoi(line) == (int)pid)
			return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

/* Depth-first below dir (its path len bytes long in a PATH_MAX buffer). */
static bool search(char *dir, size_t len, unsigned int ups, const char *self_path, pid_t pid)
{
	char file[PATH_MAX + 32];
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (!ups) {
		snprintf(file, sizeof(file), "%s%s/cgroup.procs", dir, strcmp(self_path, "/") ? self_path : "");
		return lists_pid(file, pid);
	}
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (e->d_type != DT_DIR || e->d_name[0] == '.' || len + 1 + n >= PATH_MAX)
			continue;
		dir[len] = '/';
		memcpy(dir + len + 1, e->d_name, n + 1);
		found = search(dir, len + 1 + n, ups - 1, self_path, pid);
		if (!found)
			dir[len] = '\0';
	}
	closedir(d);
	return found;
}

int cgroup_ns_root_search(const char *mount_dir, unsigned int ups, const char *self_path, pid_t pid, char *out,
			  size_t size)
{
	char dir[PATH_MAX];
	size_t len = strlen(mount_dir);

	if (len >= sizeof(dir) || ups > NS_MAX_UPS)
		return -ENAMETOOLONG;
	memcpy(dir, mount_dir, len + 1);
	if (!search(dir, len, ups, self_path, pid))
		return -ENOENT;
	snprintf(out, size, "%s", dir + len);
	return 0;
}

int cgroup_ns_root_find(const char *proc_root, const char *mount_dir, const char *mount_root, char *out,
			size_t size)
{
	char path[PATH_MAX + 32], buf[8192], self[PATH_MAX];
	int ups = count_ups(mount_root);
	ssize_t n;

	out[0] = '\0';
	if (ups <= 0)
		return ups < 0 ? -ENOENT : 0;
	snprintf(path, sizeof(path), "%s/self/cgroup", proc_root);
	n = read_file_at(AT_FDCWD, path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	proc_parse_cgroup(buf, self, sizeof(self));
	if (self[0] != '/' || count_ups(self) > 0)
		return -ENOENT;
	return cgroup_ns_root_search(mount_dir, (unsigned int)ups, self, getpid(), out, size);
}

/* Appends component [c, c + n) to out (length *len), or drops the last one
 * for "..": the kernel's own path never climbs above the hierarchy root. */
static bool step(char *out, size_t size, size_t *len, const char *c, size_t n)
{
	if (!n || (n == 1 && c[0] == '.'))
		return true;
	if (n == 2 && c[0] == '.' && c[1] == '.') {
		while (*len && out[*len - 1] != '/')
			(*len)--;
		if (*len)
			(*len)--;
		out[*len] = '\0';
		return true;
	}
	if (*len + 1 + n >= size)
		return false;
	out[(*len)++] = '/';
	memcpy(out + *len, c, n);
	*len += n;
	out[*len] = '\0';
	return true;
}

static bool walk(char *out, size_t size, size_t *len, const char *p)
{
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (!step(out, size, len, p, n))
			return false;
		p += n + (slash != NULL);
	}
	return true;
}

bool cgroup_ns_resolve(const char *root, char *path, size_t size)
{
	char out[PATH_MAX] = "";
	size_t len = 0;

	if (!root[0] || path[0] != '/' || size > sizeof(out))
		return false;
	if (!walk(out, size, &len, root) || !walk(out, size, &len, path))
		return false;
	snprintf(path, size, "%s", len ? out : "/");
	return true;
}
