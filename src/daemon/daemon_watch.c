/* daemon_watch.c - see daemon_watch.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon_watch.h"
#include "core/mem.h"
#include "core/util.h"

#define V1_ROOT "/sys/fs/cgroup/memory"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int psi_trigger_open(const char *path, const struct psi_trigger_spec *t)
{
	char arm[64];
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	int n;

	if (fd < 0)
		return -errno;
	n = snprintf(arm, sizeof(arm), "%s %lu %lu", t->kind == PSI_FULL ? "full" : "some",
		     t->stall_us, t->window_us);
	/* the terminating NUL is part of the kernel's expected write */
	if (write(fd, arm, (size_t)n + 1) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int psi_read_avg10(int fd, enum psi_kind kind, double *avg10)
{
	char buf[256];
	struct psi p;

	if (pread_file(fd, buf, sizeof(buf)) < 0 || psi_parse(buf, &p))
		return -EIO;
	if (kind == PSI_FULL && !p.has_full)
		return -ENOENT;
	*avg10 = kind == PSI_FULL ? p.full.avg10 : p.some.avg10;
	return 0;
}

/* A falling amount (MemAvailable, headroom): remember how fast it fell,
 * decaying slowly so that one quiet sample does not hide a hog. */
/* Growing, for the second-sample rule and the fast sampling near a floor:
 * more than MemAvailable's own jitter (per-cpu counter batches) and faster
 * than a leak that no sampling interval could miss. */
#define GROW_MIN_KB 256
static bool growing(uint64_t before, uint64_t after, uint64_t dt_ns)
{
	return after > before + GROW_MIN_KB && dt_ns &&
	       (double)(after - before) * 1e9 / (double)dt_ns >= WATCH_FAST_KB_S;
}

static double fill_rate(double old_rate, uint64_t before, uint64_t after, uint64_t dt_ns)
{
	double rate = 0;

	if (dt_ns && after > before)
		rate = (double)(after - before) * 1e9 / (double)dt_ns;
	return rate > old_rate / 2 ? rate : old_rate / 2;
}

int sys_watch_open(struct sys_watch *w, const struct oomkit_config *c, char *why, size_t size)
{
	char path[CONFIG_PATH_MAX + 32];

	*w = (struct sys_watch){ .page_size = oom_page_size(), .meminfo_fd = -1, .psi_fd = -1, .psi_avg_fd = -1,
				 .threads_window_ns = c->swarm_window_ms * 1000000ull };
	snprintf(path, sizeof(path), "%s/loadavg", c->proc_root);
	w->loadavg_fd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/meminfo", c->proc_root);
	w->meminfo_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w->meminfo_fd < 0) {
		snprintf(why, size, "%s: %s", path, strerror(errno));
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/pressure/memory", c->proc_root);
	w->psi_avg_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->psi.enabled && w->psi_avg_fd >= 0) {
		w->psi_fd = psi_trigger_open(path, &c->psi);
		if (w->psi_fd < 0)
			snprintf(why, size, "%s: cannot arm PSI trigger: %s", path, strerror(-w->psi_fd));
	}
	return 0;
}

/* "0.00 0.01 0.05 2/345 6789": the 345. The minimum rolls over per
 * window, so the growth covers the last one to two windows. */
static void sample_threads(struct sys_watch *w, uint64_t now)
{
	char buf[128];
	const char *slash;

	if (w->loadavg_fd < 0 || pread_file(w->loadavg_fd, buf, sizeof(buf)) < 0 || !(slash = strchr(buf, '/')))
		return;
	w->nr_threads = strtoul(slash + 1, NULL, 10);
	if (!w->threads_window_start_ns || now - w->threads_window_start_ns >= w->threads_window_ns) {
		w->threads_min_before = w->threads_window_start_ns ? w->threads_min_now : w->nr_threads;
		w->threads_min_now = w->nr_threads;
		w->threads_window_start_ns = now;
	}
	if (w->nr_threads < w->threads_min_now)
		w->threads_min_now = w->nr_threads;
}

/* The headroom of the previous sample, comparable with this one's:
 * swapoff takes its device's slots out of SwapFree and SwapTotal at once,
 * which nobody consumed (read as a fall, it once looked like 10 GiB/s and
 * a kill at 85% MemAvailable); what swapoff reads back into RAM then
 * lowers MemAvailable, a fall like any other. */
static uint64_t headroom_before(const struct mem_sample *old, const struct mem_sample *now)
{
	unsigned long gone = old->swap_total_kb > now->swap_total_kb ? old->swap_total_kb - now->swap_total_kb : 0;
	unsigned long fell = old->swap_free_kb > now->swap_free_kb ? old->swap_free_kb - now->swap_free_kb : 0;

	return (uint64_t)old->mem_available_kb + old->swap_free_kb - (gone < fell ? gone : fell);
}

int sys_watch_sample(struct sys_watch *w, uint64_t now)
{
	char buf[4096];
	struct mem_sample s = { 0 };

	if (pread_file(w->meminfo_fd, buf, sizeof(buf)) < 0 || mem_sample_parse(buf, &s))
		return -EIO;
	/* with swap, MemAvailable stays low while SwapFree drains: the headroom
	 * that falls is their sum (without swap, MemAvailable alone) */
	if (w->sample_ns) {
		uint64_t before = headroom_before(&w->s, &s);

		w->fill_kb_s = fill_rate(w->fill_kb_s, s.mem_available_kb + s.swap_free_kb, before, now - w->sample_ns);
		w->growing = growing(s.mem_available_kb + s.swap_free_kb, before, now - w->sample_ns);
	}
	w->s = s;
	w->sample_ns = now;
	sample_threads(w, now);
	return 0;
}

unsigned long sys_watch_thread_growth(const struct sys_watch *w)
{
	unsigned long fewest = w->threads_min_now < w->threads_min_before ? w->threads_min_now
									 : w->threads_min_before;

	return w->nr_threads > fewest ? w->nr_threads - fewest : 0;
}

void sys_watch_close(struct sys_watch *w)
{
	close_fd(&w->meminfo_fd);
	close_fd(&w->loadavg_fd);
	close_fd(&w->psi_fd);
	close_fd(&w->psi_avg_fd);
}

static bool file_exists(const char *dir, const char *name)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

/* The absolute directory and version of a user's cgroup argument. */
static int resolve(const char *arg, char *dir, size_t size, int *version)
{
	const char *const roots[] = { "", V1_ROOT "/", "/sys/fs/cgroup/", "/sys/fs/cgroup/unified/" };

	int r = -ENOENT;

	/* an absolute path is taken as is; a relative one below each root */
	for (size_t i = arg[0] == '/' ? 0 : 1; i < sizeof(roots) / sizeof(roots[0]); i++) {
		char real[PATH_MAX];
		snprintf(dir, size, "%s%s", roots[i], arg);
		if (realpath(dir, real)) {
			snprintf(dir, size, "%s", real);
			*version = file_exists(dir, "memory.usage_in_bytes") ? 1
				 : file_exists(dir, "memory.current")        ? 2 : 0;
			if (*version)
				return 0;
			r = -ENOTDIR;
		}
		if (arg[0] == '/')
			break;
	}
	return r;
}

/* The path as /proc/PID/cgroup prints it: dir below its hierarchy root,
 * found by walking up to the root (v1: holds cgroup.sane_behavior; v2:
 * lacks cgroup.type). */
static void kernel_path(const char *dir, int version, char *out, size_t size)
{
	char root[PATH_MAX];
	char *slash;

	snprintf(root, sizeof(root), "%s", dir);
	for (;;) {
		bool is_root = version == 1 ? file_exists(root, "cgroup.sane_behavior")
					    : !file_exists(root, "cgroup.type");
		if (is_root || !(slash = strrchr(root, '/')) || slash == root)
			break;
		*slash = '\0';
	}
	snprintf(out, size, "%s", dir[strlen(root)] ? dir + strlen(root) : "/");
}

static int open_in(const char *dir, const char *name, int flags)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return open(p, flags | O_CLOEXEC);
}

static int read_u64_fd(int fd, uint64_t *v)
{
	char buf[64];

	if (pread_file(fd, buf, sizeof(buf)) < 0)
		return -EIO;
	if (!strncmp(buf, "max", 3)) {
		*v = UINT64_MAX;
		return 0;
	}
	return parse_u64(buf, v);
}

/* v1: one eventfd per notification, registered as "<efd> <fd> [args]". */
static int v1_register(struct memcg_watch *w, int efd, int target_fd, uint64_t threshold)
{
	char line[96];
	int ctl = open_in(w->dir, "cgroup.event_control", O_WRONLY);
	ssize_t n;

	if (ctl < 0)
		return -errno;
	if (threshold)
		snprintf(line, sizeof(line), "%d %d %llu", efd, target_fd, (unsigned long long)threshold);
	else
		snprintf(line, sizeof(line), "%d %d", efd, target_fd);
	n = write(ctl, line, strlen(line));
	close(ctl);
	return n < 0 ? -errno : 0;
}

static int v1_arm(struct memcg_watch *w, char *why, size_t size)
{
	unsigned long limit_kb = (unsigned long)(w->limit_bytes / 1024);
	const struct floor *floors[] = { &w->spec.term, &w->spec.kill };
	int r;

	w->oom_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->thr_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->oom_efd < 0 || w->thr_efd < 0)
		return -errno;
	if (w->spec.oom_kill_disable) {
		char p[PATH_MAX + 32];
		snprintf(p, sizeof(p), "%s/memory.oom_control", w->dir);
		r = write_file_at(AT_FDCWD, p, "1");
		if (r) {
			snprintf(why, size, "%s: cannot set oom_kill_disable: %s", p, strerror(-r));
			return r;
		}
		w->set_oom_kill_disable = true;
	}
	r = v1_register(w, w->oom_efd, w->events_fd, 0);
	for (size_t i = 0; r == 0 && i < 2 && w->limit_bytes != UINT64_MAX; i++) {
		unsigned long fl = floor_kb(floors[i], limit_kb);
		if (fl && fl < limit_kb)
			r = v1_register(w, w->thr_efd, w->usage_fd, w->limit_bytes - (uint64_t)fl * 1024);
	}
	if (r)
		snprintf(why, size, "%s/cgroup.event_control: %s", w->dir, strerror(-r));
	return r;
}

/* The brake: memory.high at the SIGTERM floor, on a cgroup that has no
 * memory.high of its own. A task that passes the floor is then throttled
 * by the kernel (reclaim, then sleeps) instead of racing to memory.max
 * while we select, and memory.events ("high") wakes us; in the qemu guest a
 * hog fills the last 10% of a 64 MiB cgroup in 13 ms, faster than a
 * selection there. A burst that stops short of the floor never meets it. */
static void v2_brake(struct memcg_watch *w)
{
	uint64_t high, max = w->max_bytes, fl;
	char p[PATH_MAX + 32], text[32];

	if (!w->spec.brake || w->high_fd < 0 || max == UINT64_MAX || read_u64_fd(w->high_fd, &high) ||
	    high != UINT64_MAX)
		return;
	fl = (uint64_t)floor_kb(&w->spec.term, (unsigned long)(max / 1024)) * 1024;
	if (!fl || fl >= max)
		return;
	snprintf(p, sizeof(p), "%s/memory.high", w->dir);
	snprintf(text, sizeof(text), "%llu", (unsigned long long)((max - fl) & ~4095ULL));
	if (write_file_at(AT_FDCWD, p, text) == 0)
		w->brake_bytes = (max - fl) & ~4095ULL;
}

static int v2_arm(struct memcg_watch *w, char *why, size_t size)
{
	char p[PATH_MAX + 32];

	v2_brake(w);
	if (!w->spec.psi.enabled)
		return 0;
	snprintf(p, sizeof(p), "%s/memory.pressure", w->dir);
	w->psi_fd = psi_trigger_open(p, &w->spec.psi);
	if (w->psi_fd < 0) {
		snprintf(why, size, "%s: cannot arm PSI trigger: %s", p, strerror(-w->psi_fd));
		return w->psi_fd;
	}
	return 0;
}

/* A v1 cgroup without a limit of its own is bounded by its ancestors'. */
static void v1_hierarchical_limit(struct memcg_watch *w)
{
	char buf[8192], p[PATH_MAX + 32];
	const char *line;

	snprintf(p, sizeof(p), "%s/memory.stat", w->dir);
	if (read_file_at(AT_FDCWD, p, buf, sizeof(buf)) < 0)
		return;
	line = strstr(buf, "hierarchical_memory_limit ");
	if (line)
		w->limit_bytes = strtoull(line + 26, NULL, 10);
}

/* The swap side of mem_cgroup_get_max(): the swap limit's descriptor
 * (sampled with the usage) and the swappiness, which changes rarely. */
static void open_swap_bound(struct memcg_watch *w)
{
	char buf[32];
	uint64_t v = 0;
	int fd;

	w->swap_fd = open_in(w->dir, w->version == 1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max",
			     O_RDONLY);
	fd = w->version == 1 ? open_in(w->dir, "memory.swappiness", O_RDONLY)
			     : open("/proc/sys/vm/swappiness", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && pread_file(fd, buf, sizeof(buf)) >= 0 && parse_u64(buf, &v) == 0)
		w->swappiness = (unsigned int)v;
	if (fd >= 0)
		close(fd);
}

int memcg_watch_open(struct memcg_watch *w, const struct cgroup_watch_spec *spec, char *why,
		     size_t size)
{
	int r;

	*w = (struct memcg_watch){ .spec = *spec, .usage_fd = -1, .limit_fd = -1, .high_fd = -1,
				   .events_fd = -1, .oom_efd = -1, .thr_efd = -1, .psi_fd = -1, .swap_fd = -1,
				   .swap_limit_bytes = UINT64_MAX };
	r = resolve(spec->path, w->dir, sizeof(w->dir), &w->version);
	if (r) {
		snprintf(why, size, "%s: %s", spec->path,
			 r == -ENOENT ? "no such cgroup" : "not a memory cgroup (no memory.usage_in_bytes "
							   "or memory.current)");
		return r;
	}
	kernel_path(w->dir, w->version, w->kpath, sizeof(w->kpath));
	w->usage_fd = open_in(w->dir, w->version == 1 ? "memory.usage_in_bytes" : "memory.current",
			      O_RDONLY);
	w->limit_fd = open_in(w->dir, w->version == 1 ? "memory.limit_in_bytes" : "memory.max",
			      O_RDONLY);
	w->events_fd = open_in(w->dir, w->version == 1 ? "memory.oom_control" : "memory.events",
			       O_RDONLY);
	/* the kernel throttles a v2 cgroup at memory.high: the headroom ends there */
	if (w->version == 2)
		w->high_fd = open_in(w->dir, "memory.high", O_RDONLY);
	open_swap_bound(w);
	if (w->usage_fd < 0 || w->limit_fd < 0 || w->events_fd < 0) {
		snprintf(why, size, "%s: cannot open its memory files: %s", w->dir, strerror(errno));
		memcg_watch_close(w);
		return -errno;
	}
	r = memcg_watch_sample(w, 0);
	if (r == 0)
		r = memcg_watch_read_events(w);
	if (r == 0)
		r = w->version == 1 ? v1_arm(w, why, size) : v2_arm(w, why, size);
	if (r)
		memcg_watch_close(w);
	return r;
}

/* v1 says "no limit" with PAGE_COUNTER_MAX pages in bytes. */
static uint64_t v1_unlimited(int version, uint64_t v)
{
	return version == 1 && v >= (1ULL << 62) ? UINT64_MAX : v;
}

/* The limit an OOM of w scales by: its own, else (own unlimited) the
 * nearest limited ancestor's: v1's hierarchical limit as sampled, v2's
 * parents walked only when memory.max changed. */
static void sample_bound(struct memcg_watch *w, uint64_t max)
{
	uint64_t swap;

	if (w->swap_fd >= 0 && read_u64_fd(w->swap_fd, &swap) == 0)
		w->swap_limit_bytes = v1_unlimited(w->version, swap);
	if (w->version == 2 && max == UINT64_MAX) {
		if (max != w->max_bytes || !w->sample_ns)
			w->bound_bytes = memcg_v2_ancestor_limit(w->dir);
	} else {
		w->bound_bytes = v1_unlimited(w->version, max != UINT64_MAX ? max : w->limit_bytes);
	}
	w->max_bytes = max;
}

int memcg_watch_sample(struct memcg_watch *w, uint64_t now)
{
	uint64_t usage, limit, max, high;

	if (read_u64_fd(w->usage_fd, &usage) || read_u64_fd(w->limit_fd, &limit))
		return -EIO;
	limit = max = v1_unlimited(w->version, limit);
	if (w->high_fd >= 0 && read_u64_fd(w->high_fd, &high) == 0 && high < limit && high != w->brake_bytes)
		limit = high;
	if (w->sample_ns && now > w->sample_ns) {
		w->fill_kb_s = fill_rate(w->fill_kb_s, w->usage_bytes / 1024, usage / 1024,
					 now - w->sample_ns);
		w->growing = growing(w->usage_bytes / 1024, usage / 1024, now - w->sample_ns);
	}
	w->usage_bytes = usage;
	if (limit != w->limit_bytes || w->limit_bytes == 0) {
		w->limit_bytes = limit;
		if (w->version == 1 && limit == UINT64_MAX)
			v1_hierarchical_limit(w);
	}
	sample_bound(w, max);
	w->sample_ns = now;
	return 0;
}

void watch_scene(const struct sys_watch *s, const struct memcg_watch *w, struct oom_control *oc)
{
	struct memcg_bound b;
	struct oom_scene scene = { .page_size = s->page_size, .mem_total_kb = s->s.mem_total_kb,
				   .swap_total_kb = s->s.swap_total_kb };

	if (w) {
		b = (struct memcg_bound){ .path = w->kpath, .dir = w->dir, .version = (enum cgroup_version)w->version,
					  .limit_bytes = w->bound_bytes, .swap_limit_bytes = w->swap_limit_bytes,
					  .has_memsw = w->version == 1 && w->swap_fd >= 0,
					  .swappiness = w->swappiness };
		scene.memcg = &b;
	}
	constrained_alloc(oc, &scene);
}

unsigned long memcg_watch_headroom_kb(const struct memcg_watch *w)
{
	return w->usage_bytes >= w->limit_bytes ? 0 : (unsigned long)((w->limit_bytes - w->usage_bytes) / 1024);
}

static uint64_t field_u64(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
	return 0;
}

int memcg_watch_read_events(struct memcg_watch *w)
{
	char buf[512];

	if (pread_file(w->events_fd, buf, sizeof(buf)) < 0)
		return -EIO;
	w->oom_kill = field_u64(buf, "oom_kill");
	w->under_oom = w->version == 1 && field_u64(buf, "under_oom");
	return 0;
}

void memcg_watch_drain(struct memcg_watch *w)
{
	uint64_t v;

	if (w->oom_efd >= 0 && read(w->oom_efd, &v, sizeof(v)) < 0)
		v = 0;
	if (w->thr_efd >= 0 && read(w->thr_efd, &v, sizeof(v)) < 0)
		v = 0;
}

void memcg_watch_close(struct memcg_watch *w)
{
	if (w->set_oom_kill_disable) {
		char p[PATH_MAX + 32];
		snprintf(p, sizeof(p), "%s/memory.oom_control", w->dir);
		/* hand the cgroup back to the kernel's OOM killer */
		if (write_file_at(AT_FDCWD, p, "0") == 0)
			w->set_oom_kill_disable = false;
	}
	if (w->brake_bytes) {
		uint64_t high;
		char p[PATH_MAX + 32];
		snprintf(p, sizeof(p), "%s/memory.high", w->dir);
		/* (unless someone set their own since) */
		if (read_u64_fd(w->high_fd, &high) == 0 && high == w->brake_bytes)
			write_file_at(AT_FDCWD, p, "max");
		w->brake_bytes = 0;
	}
	close_fd(&w->usage_fd);
	close_fd(&w->limit_fd);
	close_fd(&w->high_fd);
	close_fd(&w->swap_fd);
	close_fd(&w->events_fd);
	close_fd(&w->oom_efd);
	close_fd(&w->thr_efd);
	close_fd(&w->psi_fd);
}
