/* cgroup.c - memory cgroup mounts, path resolution and state, v1 and v2
 * (see cgroup.h). Missing files leave their fields at "unlimited"/0: which
 * files exist depends on kernel config (memsw, pressure) and on the level
 * (the root cgroup has no limit files). */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_ns.h"
#include "util.h"

static bool is_octal(char c, char max)
{
	return c >= '0' && c <= max;
}

/* Copies a mountinfo field, decoding the kernel's \ooo octal escapes. */
static void unescape_field(const char *s, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (s[i] == '\\' && i + 3 < len && is_octal(s[i + 1], '3') && is_octal(s[i + 2], '7') &&
		    is_octal(s[i + 3], '7')) {
			out[o++] = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

/* Is `item` one of the comma-separated words of [s, s+len)? */
static bool has_word(const char *s, size_t len, const char *item)
{
	size_t k = strlen(item);

	for (const char *c = s, *end = s + len; c < end;) {
		const char *comma = memchr(c, ',', (size_t)(end - c));
		const char *e = comma ? comma : end;

		if ((size_t)(e - c) == k && !strncmp(c, item, k))
			return true;
		c = e + 1;
	}
	return false;
}

/* The first mount of a kind, or one mounted over it (a container's
 * hostPath /sys/fs/cgroup over its own): f[3] its root, f[4] its place. */
static void take_mount(const char *const f[5], size_t mp_len, char dir[PATH_MAX], char root[PATH_MAX])
{
	char mp[PATH_MAX];

	unescape_field(f[4], mp_len, mp, sizeof(mp));
	if (dir[0] && strcmp(dir, mp))
		return;
	snprintf(dir, PATH_MAX, "%s", mp);
	unescape_field(f[3], (size_t)(f[4] - 1 - f[3]), root, PATH_MAX);
}

/* One mountinfo line: "id parent maj:min root mountpoint opts... - fstype source superopts". */
static void mountinfo_line(const char *line, size_t len, struct memcg_roots *roots)
{
	const char *f[5], *sep = NULL, *p = line, *end = line + len;
	int n = 0;

	for (; p < end && n < 5; n++) {
		f[n] = p;
		p = memchr(p, ' ', (size_t)(end - p));
		p = p ? p + 1 : end;
	}
	for (const char *q = p; q + 3 <= end; q++)
		if (q[-1] == ' ' && !strncmp(q, "- ", 2)) {
			sep = q + 2;
			break;
		}
	if (n < 5 || !sep)
		return;
	const char *fstype = sep, *source = memchr(fstype, ' ', (size_t)(end - fstype));
	const char *super = source ? memchr(source + 1, ' ', (size_t)(end - source - 1)) : NULL;
	size_t mp_len = (size_t)(strchr(f[4], ' ') - f[4]);

	if (!source)
		return;
	if ((size_t)(source - fstype) == 7 && !strncmp(fstype, "cgroup2", 7))
		take_mount(f, mp_len, roots->v2, roots->v2_mount_root);
	else if ((size_t)(source - fstype) == 6 && !strncmp(fstype, "cgroup", 6) && super &&
		 has_word(super + 1, (size_t)(end - super - 1), "memory"))
		take_mount(f, mp_len, roots->v1, roots->v1_mount_root);
}

int memcg_roots_parse(const char *mountinfo, struct memcg_roots *roots)
{
	roots->v1[0] = roots->v2[0] = roots->v1_mount_root[0] = roots->v2_mount_root[0] = '\0';
	roots->ns_root[0] = '\0';
	roots->v2_has_memory = false;
	for (const char *line = mountinfo; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		mountinfo_line(line, len, roots);
		line = nl ? nl + 1 : NULL;
	}
	return roots->v1[0] || roots->v2[0] ? 0 : -ENOENT;
}

int memcg_roots_find(const char *proc_root, struct memcg_roots *roots)
{
	char path[PATH_MAX + 32], buf[65536];
	ssize_t n;
	int r;

	snprintf(roots->proc_root, sizeof(roots->proc_root), "%s", proc_root);
	snprintf(path, sizeof(path), "%s/self/mountinfo", proc_root);
	n = read_file_at(AT_FDCWD, path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	r = memcg_roots_parse(buf, roots);
	if (roots->v2[0]) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", roots->v2);
		if (read_file_at(AT_FDCWD, path, buf, sizeof(buf)) >= 0) {
			for (char *w = strtok(buf, " \n"); w; w = strtok(NULL, " \n"))
				roots->v2_has_memory |= !strcmp(w, "memory");
		}
	}
	if (r == 0 && cgroup_ns_root_find(proc_root, roots->v1[0] ? roots->v1 : roots->v2,
					  roots->v1[0] ? roots->v1_mount_root : roots->v2_mount_root,
					  roots->ns_root, sizeof(roots->ns_root)) < 0)
		roots->ns_root[0] = '\0';
	return r;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool has_file(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* Is dir the mount root or below it? */
static bool under(const char *dir, const char *root)
{
	size_t k = strlen(root);

	return k && !strncmp(dir, root, k) && (dir[k] == '\0' || dir[k] == '/');
}

int memcg_resolve(const struct memcg_roots *roots, const char *arg, char *dir, size_t dir_size,
		  enum cgroup_version *version)
{
	const char *base = roots->v1[0] ? roots->v1 : roots->v2_has_memory ? roots->v2 : "";
	char path[PATH_MAX];
	int n;

	if (under(arg, roots->v1) || under(arg, roots->v2))
		n = snprintf(path, sizeof(path), "%s", arg);
	else if (arg[0] == '/' && arg[1] && is_dir(arg))
		return -ENOTDIR; /* a real directory outside every cgroup mount */
	else if (base[0])
		n = snprintf(path, sizeof(path), "%s/%s", base, arg[0] == '/' ? arg + 1 : arg);
	else
		return -ENOTDIR;
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	if (!is_dir(path))
		return access(path, F_OK) == 0 ? -ENOTDIR : -ENOENT;
	if (under(path, roots->v1) && has_file(path, "memory.usage_in_bytes"))
		*version = CGROUP_V1;
	else if (under(path, roots->v2) && roots->v2_has_memory && has_file(path, "memory.stat"))
		*version = CGROUP_V2;
	else
		return -ENOTDIR;
	if ((size_t)snprintf(dir, dir_size, "%s", path) >= dir_size)
		return -ENAMETOOLONG;
	return 0;
}

/* A size file: a number, "max", or v1's PAGE_COUNTER_MAX; absent = unlimited. */
static uint64_t read_limit(int dirfd, const char *name)
{
	char buf[64];
	uint64_t v;

	if (read_file_at(dirfd, name, buf, sizeof(buf)) < 0 || !strncmp(buf, "max", 3))
		return CGROUP_UNLIMITED;
	if (parse_u64(buf, &v) < 0 || v >= CGROUP_V1_UNLIMITED_MIN)
		return CGROUP_UNLIMITED;
	return v;
}

static uint64_t read_u64_or0(int dirfd, const char *name)
{
	char buf[64];
	uint64_t v;

	if (read_file_at(dirfd, name, buf, sizeof(buf)) < 0 || parse_u64(buf, &v) < 0)
		return 0;
	return v;
}

/* "key value" lines: the value of `key`, if present. */
static bool keyed(const char *text, const char *key, uint64_t *out)
{
	size_t k = strlen(key);

	for (const char *l = text; l && *l;) {
		if (!strncmp(l, key, k) && l[k] == ' ') {
			*out = strtoull(l + k + 1, NULL, 10);
			return true;
		}
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	return false;
}

static const struct {
	const char *v1, *v2;
	size_t off;
} stat_keys[] = {
#define S(a, b, f) { a, b, offsetof(struct memcg_state, f) }
	S("rss", "anon", stat_anon),
	S("cache", "file", stat_file),
	S("shmem", "shmem", stat_shmem),
	S(NULL, "kernel", stat_kernel),
	S(NULL, "slab", stat_slab),
	S(NULL, "sock", stat_sock),
	S("mapped_file", "file_mapped", stat_file_mapped),
	S("dirty", "file_dirty", stat_file_dirty),
	S("writeback", "file_writeback", stat_file_writeback),
	S(NULL, "swapcached", stat_swapcached),
	S("active_anon", "active_anon", stat_active_anon),
	S("inactive_anon", "inactive_anon", stat_inactive_anon),
	S("active_file", "active_file", stat_active_file),
	S("inactive_file", "inactive_file", stat_inactive_file),
	S("unevictable", "unevictable", stat_unevictable),
	S("hierarchical_memory_limit", NULL, stat_hierarchical_limit),
#undef S
};

static void read_stat(int dirfd, struct memcg_state *st)
{
	char buf[16384];

	if (read_file_at(dirfd, "memory.stat", buf, sizeof(buf)) < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(stat_keys); i++) {
		const char *k = st->version == CGROUP_V1 ? stat_keys[i].v1 : stat_keys[i].v2;

		if (k)
			keyed(buf, k, (uint64_t *)((char *)st + stat_keys[i].off));
	}
	if (st->stat_hierarchical_limit >= CGROUP_V1_UNLIMITED_MIN)
		st->stat_hierarchical_limit = CGROUP_UNLIMITED;
}

static void read_v1(int dirfd, struct memcg_state *st)
{
	char buf[256];
	uint64_t v;

	st->usage_bytes = read_u64_or0(dirfd, "memory.usage_in_bytes");
	st->limit_bytes = read_limit(dirfd, "memory.limit_in_bytes");
	st->high_bytes = CGROUP_UNLIMITED;
	st->has_memsw = faccessat(dirfd, "memory.memsw.limit_in_bytes", F_OK, 0) == 0;
	if (st->has_memsw) {
		st->swap_limit_bytes = read_limit(dirfd, "memory.memsw.limit_in_bytes");
		st->memsw_usage_bytes = read_u64_or0(dirfd, "memory.memsw.usage_in_bytes");
		st->swap_usage_bytes = st->memsw_usage_bytes > st->usage_bytes ?
					       st->memsw_usage_bytes - st->usage_bytes : 0;
	}
	st->failcnt = read_u64_or0(dirfd, "memory.failcnt");
	st->swappiness = (unsigned int)read_u64_or0(dirfd, "memory.swappiness");
	if (read_file_at(dirfd, "memory.oom_control", buf, sizeof(buf)) >= 0) {
		if (keyed(buf, "oom_kill_disable", &v))
			st->oom_kill_disable = v != 0;
		if (keyed(buf, "under_oom", &v))
			st->under_oom = v != 0;
		keyed(buf, "oom_kill", &st->oom_kill);
	}
}

static void read_v2(const struct memcg_roots *roots, int dirfd, struct memcg_state *st)
{
	char buf[1024], path[PATH_MAX + 32];

	st->usage_bytes = read_u64_or0(dirfd, "memory.current");
	st->limit_bytes = read_limit(dirfd, "memory.max");
	st->high_bytes = read_limit(dirfd, "memory.high");
	st->swap_usage_bytes = read_u64_or0(dirfd, "memory.swap.current");
	st->swap_limit_bytes = read_limit(dirfd, "memory.swap.max");
	snprintf(path, sizeof(path), "%s/sys/vm/swappiness", roots->proc_root[0] ? roots->proc_root : "/proc");
	st->swappiness = (unsigned int)read_u64_or0(AT_FDCWD, path);
	if (read_file_at(dirfd, "memory.events", buf, sizeof(buf)) >= 0) {
		keyed(buf, "low", &st->ev_low);
		keyed(buf, "high", &st->ev_high);
		keyed(buf, "max", &st->ev_max);
		keyed(buf, "oom", &st->ev_oom);
		keyed(buf, "oom_kill", &st->ev_oom_kill);
		keyed(buf, "oom_group_kill", &st->ev_oom_group_kill);
		st->oom_kill = st->ev_oom_kill;
	}
}

/* The kernel-style path ("/a/b", "/" for the root) of dir under its mount. */
static void memcg_path(const struct memcg_roots *roots, const char *dir, enum cgroup_version v,
		       char *out, size_t size)
{
	const char *root = v == CGROUP_V1 ? roots->v1 : roots->v2;
	const char *rel = under(dir, root) ? dir + strlen(root) : dir;

	snprintf(out, size, "%s", rel[0] ? rel : "/");
}

int memcg_read(const struct memcg_roots *roots, const char *dir, enum cgroup_version version,
	       struct memcg_state *st)
{
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[1024];

	if (dirfd < 0)
		return -errno;
	memset(st, 0, sizeof(*st));
	st->version = version;
	st->swap_limit_bytes = CGROUP_UNLIMITED;
	st->stat_hierarchical_limit = CGROUP_UNLIMITED;
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
	memcg_path(roots, dir, version, st->path, sizeof(st->path));
	if (version == CGROUP_V1)
		read_v1(dirfd, st);
	else
		read_v2(roots, dirfd, st);
	read_stat(dirfd, st);
	if (read_file_at(dirfd, "memory.pressure", buf, sizeof(buf)) >= 0)
		st->has_pressure = psi_parse(buf, &st->pressure) == 0;
	close(dirfd);
	return 0;
}

/* v2 has no hierarchical limit in memory.stat: walk up while memory.max exists
 * (the root cgroup has none). */
uint64_t memcg_v2_ancestor_limit(const char *dir)
{
	char path[PATH_MAX];
	uint64_t min = CGROUP_UNLIMITED;

	snprintf(path, sizeof(path), "%s", dir);
	for (;;) {
		char file[PATH_MAX + 16];
		char *slash;
		uint64_t v;

		snprintf(file, sizeof(file), "%s/memory.max", path);
		if (access(file, F_OK))
			break;
		v = read_limit(AT_FDCWD, file);
		min = v < min ? v : min;
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			break;
		*slash = '\0';
	}
	return min;
}

int memcg_effective_limit(const struct memcg_state *st, uint64_t *limit_bytes)
{
	uint64_t lim = st->limit_bytes;

	if (st->version == CGROUP_V1) {
		if (st->stat_hierarchical_limit < lim)
			lim = st->stat_hierarchical_limit;
	} else {
		uint64_t a = memcg_v2_ancestor_limit(st->dir);

		if (a < lim)
			lim = a;
	}
	*limit_bytes = lim;
	return 0;
}

double cgroup_v2_cpu_quota(const char *mount, const char *path, char *where, size_t size)
{
	char p[PATH_MAX], file[PATH_MAX + 32], buf[64];
	unsigned long quota, period;
	double best = 0;

	snprintf(p, sizeof(p), "%s", path);
	where[0] = '\0';
	/* the root cgroup has no cpu.max: stop below it */
	while (p[0] == '/' && p[1]) {
		snprintf(file, sizeof(file), "%s%s/cpu.max", mount, p);
		if (read_file_at(AT_FDCWD, file, buf, sizeof(buf)) > 0 && sscanf(buf, "%lu %lu", &quota, &period) == 2 &&
		    period && (!best || (double)quota / (double)period < best)) {
			best = (double)quota / (double)period;
			snprintf(where, size, "%s", p);
		}
		*strrchr(p, '/') = '\0';
	}
	return best;
}
