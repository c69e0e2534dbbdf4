/* daemon_managed.c - see daemon_managed.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "daemon.h"
#include "daemon_evaluate.h"
#include "daemon_log.h"
#include "daemon_managed.h"
#include "daemon_publish.h"
#include "core/mem.h"
#include "core/units.h"
#include "core/util.h"

#define MS 1000000ULL
#define SCAN_EVERY_NS (10000 * MS) /* the xattrs: users may set them at any time */
#define SCAN_MAX_DIRS 2048

static const char *cgroup2_root(const struct daemon *d)
{
	return d->roots.v2[0] ? d->roots.v2 : "/sys/fs/cgroup";
}

/* systemd's order: the file, then the drop-ins of each directory. */
static void read_defaults(struct daemon_managed *m, const char *conf)
{
	static const char *const dirs[] = { "/usr/lib/systemd/oomd.conf.d", "/run/systemd/oomd.conf.d" };
	static char text[8192];
	char dir[CONFIG_PATH_MAX + 8], path[CONFIG_PATH_MAX + 300];
	struct dirent **names;

	moom_defaults_init(&m->defaults);
	if (read_file_at(AT_FDCWD, conf, text, sizeof(text)) >= 0)
		moom_defaults_parse(&m->defaults, text);
	for (size_t i = 0; i < 3; i++) {
		bool own = i == 2;
		int n;

		if (!own && strcmp(conf, "/etc/systemd/oomd.conf"))
			continue; /* a test's file: its own drop-ins only */
		snprintf(dir, sizeof(dir), "%s", own ? conf : dirs[i]);
		if (own)
			strcat(dir, ".d");
		n = scandir(dir, &names, NULL, alphasort);
		for (int k = 0; k < n; k++) {
			size_t len = strlen(names[k]->d_name);
			snprintf(path, sizeof(path), "%s/%s", dir, names[k]->d_name);
			if (len > 5 && !strcmp(names[k]->d_name + len - 5, ".conf") &&
			    read_file_at(AT_FDCWD, path, text, sizeof(text)) >= 0)
				moom_defaults_parse(&m->defaults, text);
			free(names[k]);
		}
		if (n >= 0)
			free(names);
	}
}

static void close_watches(struct daemon *d)
{
	struct daemon_managed *m = &d->moom;

	for (size_t i = d->cfg.nr_cgroups; i < d->nr_cg; i++)
		memcg_watch_close(&d->cg[i]);
	d->nr_cg = d->cfg.nr_cgroups;
	for (size_t i = 0; i < m->nr_w; i++)
		if (m->w[i].pressure_fd >= 0)
			close(m->w[i].pressure_fd);
	m->nr_w = 0;
}

/* One managed cgroup as a watch: no floors of its own (its rules are
 * here), the selection's scope. */
static void open_one(struct daemon *d, const struct moom_cgroup *c)
{
	struct daemon_managed *m = &d->moom;
	struct managed_watch *w = &m->w[m->nr_w];
	struct cgroup_watch_spec spec = { 0 };
	char why[256], p[PATH_MAX + 32];

	*w = (struct managed_watch){ .swap = c->swap, .pressure = c->pressure, .cg = -1, .pressure_fd = -1,
				     .limit_percent = moom_limit_percent(c, &m->defaults),
				     .duration_ms = moom_duration_ms(c, &m->defaults) };
	snprintf(w->path, sizeof(w->path), "%s", c->path);
	m->nr_w++;
	if (!strcmp(c->path, "/"))
		return;
	if (snprintf(spec.path, sizeof(spec.path), "%s%s", cgroup2_root(d), c->path) >= (int)sizeof(spec.path) ||
	    memcg_watch_open(&d->cg[d->nr_cg], &spec, why, sizeof(why))) {
		dlog(DLOG_DEBUG, "managed cgroup %s: %s", c->path, why);
		return;
	}
	w->cg = (int)d->nr_cg++;
	snprintf(p, sizeof(p), "%s/memory.pressure", d->cg[w->cg].dir);
	w->pressure_fd = open(p, O_RDONLY | O_CLOEXEC);
}

static void open_watches(struct daemon *d)
{
	struct daemon_managed *m = &d->moom;

	close_watches(d);
	for (size_t i = 0; i < m->table.nr; i++)
		open_one(d, &m->table.cg[i]);
	m->applied = m->table.changes;
	m->dirty = false;
	d->psi_fired = false; /* (its scope may name another cgroup now) */
}

void daemon_managed_start(struct daemon *d)
{
	struct daemon_managed *m = &d->moom;

	d->sel.extra_avoid = m->avoid_spec;
	d->sel.extra_protect = m->protect_spec;
	if (m->whole_ready)
		regfree(&m->whole);
	m->whole_ready = d->cfg.whole_cgroup[0] &&
			 regcomp(&m->whole, d->cfg.whole_cgroup, REG_EXTENDED | REG_NOSUB) == 0;
	if (!d->cfg.managed_oom) {
		daemon_managed_stop(d);
		return;
	}
	read_defaults(m, d->cfg.oomd_conf);
	if (!m->open) {
		moom_link_open(&m->link, d->cfg.run_root, now_ns());
		m->open = true;
		dlog(DLOG_NOTICE, "systemd's managed cgroups: user managers heard through %s; defaults: pressure %g%% "
		     "for %lus, swap used %g%%", m->link.listen_fd >= 0 ? m->link.listen_from : "nothing",
		     m->defaults.pressure_limit_percent, m->defaults.pressure_duration_ms / 1000,
		     m->defaults.swap_used_limit_percent);
	}
	open_watches(d);
}

void daemon_managed_stop(struct daemon *d)
{
	struct daemon_managed *m = &d->moom;

	close_watches(d);
	if (m->open)
		moom_link_close(&m->link);
	m->open = false;
	if (m->table.nr || m->table.changes) /* 16 KiB: not written when never used */
		memset(&m->table, 0, sizeof(m->table));
	m->avoid_spec[0] = m->protect_spec[0] = '\0';
}

size_t daemon_managed_pollfds(const struct daemon *d, struct pollfd *fds, size_t max)
{
	return d->moom.open ? moom_link_pollfds(&d->moom.link, fds, max) : 0;
}

void daemon_managed_event(struct daemon *d, int fd, short revents)
{
	struct daemon_managed *m = &d->moom;

	if (m->open && moom_link_event(&m->link, fd, revents, &m->table, now_ns()) > 0 &&
	    m->table.changes != m->applied)
		m->dirty = true;
}

/* Adds path, regex-escaped, to the alternatives "a|b" in out (once: the
 * subtrees of nested managed cgroups are read more than once); false
 * when it does not fit. */
static bool spec_add(char *out, size_t size, const char *path)
{
	char esc[2 * PATH_MAX + 1];
	size_t n = strlen(out), k = 0, len;

	for (const char *p = path; *p && k + 2 < sizeof(esc); p++) {
		if (strchr(".[]()*+?{}|^$\\", *p))
			esc[k++] = '\\';
		esc[k++] = *p;
	}
	esc[k] = '\0';
	len = k;
	for (const char *at = out; (at = strstr(at, esc)); at += len)
		if ((at == out || at[-1] == '|') && (at[len] == '|' || !at[len]))
			return true;
	if (n + len + 16 >= size)
		return false;
	if (n)
		out[n++] = '|';
	memcpy(out + n, esc, len + 1);
	return true;
}

static bool xattr_set(const char *dir, const char *name)
{
	char v[8];
	ssize_t n = getxattr(dir, name, v, sizeof(v) - 1);

	return n > 0 && (v[0] == '1' || !strncmp(v, "true", 4 < n ? 4 : (size_t)n));
}

struct scan {
	size_t dirs, root_len;
	uid_t owner;
	char avoid[MANAGED_SPEC_MAX], protect[MANAGED_SPEC_MAX];
};

/* The xattrs count on cgroups owned by root or by the managed cgroup's
 * owner, as systemd-oomd reads them. */
static void scan_dir(struct scan *s, char *dir, size_t len, int depth)
{
	struct stat st;
	struct dirent *de;
	DIR *dp;

	if (++s->dirs > SCAN_MAX_DIRS || stat(dir, &st) < 0)
		return;
	if (st.st_uid == 0 || st.st_uid == s->owner) {
		const char *kpath = dir[s->root_len] ? dir + s->root_len : "/";
		if (xattr_set(dir, "user.oomd_omit"))
			spec_add(s->protect, sizeof(s->protect), kpath);
		else if (xattr_set(dir, "user.oomd_avoid"))
			spec_add(s->avoid, sizeof(s->avoid), kpath);
	}
	if (depth == 8 || !(dp = opendir(dir)))
		return;
	while ((de = readdir(dp))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.' || len + strlen(de->d_name) + 2 >= PATH_MAX)
			continue;
		snprintf(dir + len, PATH_MAX - len, "/%s", de->d_name);
		scan_dir(s, dir, len + 1 + strlen(de->d_name), depth + 1);
		dir[len] = '\0';
	}
	closedir(dp);
}

static void spec_wrap(char *spec, size_t size, const char *alternatives)
{
	spec[0] = '\0';
	if (alternatives[0] && snprintf(spec, size, "cgroup:^(%s)(/|$)", alternatives) >= (int)size)
		spec[0] = '\0'; /* (spec_add() kept room for the frame) */
}

/* The xattrs below every managed cgroup as two policy rules; the policy
 * is compiled again when they changed. */
static void scan_preferences(struct daemon *d)
{
	static struct scan s;
	static char dir[PATH_MAX];
	struct daemon_managed *m = &d->moom;
	char avoid[MANAGED_SPEC_MAX], protect[MANAGED_SPEC_MAX], why[256];

	memset(&s, 0, sizeof(s));
	s.root_len = strlen(cgroup2_root(d));
	for (size_t i = 0; i < m->table.nr; i++) {
		s.owner = m->table.cg[i].owner;
		snprintf(dir, sizeof(dir), "%s%s", cgroup2_root(d), strcmp(m->table.cg[i].path, "/") ? m->table.cg[i].path : "");
		scan_dir(&s, dir, strlen(dir), 0);
	}
	spec_wrap(avoid, sizeof(avoid), s.avoid);
	spec_wrap(protect, sizeof(protect), s.protect);
	if (!strcmp(avoid, m->avoid_spec) && !strcmp(protect, m->protect_spec))
		return;
	snprintf(m->avoid_spec, sizeof(m->avoid_spec), "%s", avoid);
	snprintf(m->protect_spec, sizeof(m->protect_spec), "%s", protect);
	daemon_selector_stop_policy(&d->sel);
	if (daemon_selector_start(&d->sel, &d->cfg, &d->roots, why, sizeof(why)))
		dlog(DLOG_ERR, "managed cgroups' preferences: %s", why);
	else
		dlog(DLOG_INFO, "managed cgroups' preferences: avoid %s, omit %s", avoid[0] ? avoid : "none",
		     protect[0] ? protect : "none");
}

/* Only while no kill is in flight: the episode's scope indexes the
 * watches, and its selection points into the policy. */
void daemon_managed_tick(struct daemon *d, uint64_t now)
{
	struct daemon_managed *m = &d->moom;

	if (!m->open)
		return;
	moom_link_tick(&m->link, now);
	if (d->ep.state == EP_PRE_HOOK || d->ep.state == EP_TERM_SENT || d->ep.state == EP_KILL_SENT)
		return;
	if (m->dirty) {
		open_watches(d);
		m->next_scan_ns = 0;
		dlog(DLOG_INFO, "systemd's managed cgroups: %zu, %zu of them watched", m->table.nr,
		     d->nr_cg - d->cfg.nr_cgroups);
	}
	if (now >= m->next_scan_ns) {
		scan_preferences(d);
		m->next_scan_ns = now + SCAN_EVERY_NS;
	}
}

static double used_percent(unsigned long free_kb, unsigned long total_kb)
{
	return total_kb ? 100.0 * (double)(total_kb - (free_kb < total_kb ? free_kb : total_kb)) / (double)total_kb : 0;
}

/* A managed rule holds for scope: it takes h when stronger, and at the
 * same stage and scope (oomkit's own floors cross where SwapUsedLimit=
 * does) it makes the kill the managed cgroup's, with its kill unit. */
static void raise_managed(struct hit *h, enum stage st, int scope, bool psi, const char *text)
{
	if (daemon_hit_raise(h, st, scope, psi, text) || (h->stage == st && h->scope == scope))
		h->managed = true;
}

/* ManagedOOMSwap=kill: systemd-oomd acts when both memory and swap are
 * used beyond SwapUsedLimit=, and not at all without swap. */
static bool swap_rule(const struct daemon *d, char *text, size_t size)
{
	const struct mem_sample *s = &d->sys.s;
	double lim = d->moom.defaults.swap_used_limit_percent;
	double mem = used_percent(s->mem_available_kb, s->mem_total_kb), swap = used_percent(s->swap_free_kb, s->swap_total_kb);

	if (!s->swap_total_kb || mem < lim || swap < lim)
		return false;
	snprintf(text, size, "swap used %.1f%% and memory used %.1f%% >= %g%%", swap, mem, lim);
	return true;
}

static void pressure_rule(struct daemon *d, struct managed_watch *w, uint64_t now, struct hit *h,
			  enum stage st)
{
	struct psi_sustained_spec r = { .enabled = true, .kind = PSI_FULL, .avg10_percent = w->limit_percent,
					.duration_ms = w->duration_ms };
	int fd = w->cg >= 0 ? w->pressure_fd : d->sys.psi_avg_fd;
	char text[192];

	if (fd < 0 || psi_read_avg10(fd, PSI_FULL, &w->avg10))
		return;
	if (!psi_sustained_check(&r, &w->st, w->avg10, now) || now < d->psi_muted_until_ns)
		return;
	snprintf(text, sizeof(text), "ManagedOOMMemoryPressure %s full avg10 %.0f%% > %g%% for %lus", w->path,
		 w->avg10, w->limit_percent, w->duration_ms / 1000);
	raise_managed(h, st, w->cg, true, text);
}

void daemon_managed_evaluate(struct daemon *d, uint64_t now, struct hit *h)
{
	struct daemon_managed *m = &d->moom;
	enum stage st = d->cfg.psi_signal == SIGKILL ? STAGE_KILL : STAGE_TERM;
	char text[192], full[224];

	bool root = false;

	if (!m->open)
		return;
	for (size_t i = 0; i < m->nr_w; i++) {
		struct managed_watch *w = &m->w[i];

		root |= !strcmp(w->path, "/");
		if (w->cg < 0 && strcmp(w->path, "/"))
			continue; /* not found when opened */
		if (w->pressure)
			pressure_rule(d, w, now, h, st);
		if (w->swap && swap_rule(d, text, sizeof(text))) {
			snprintf(full, sizeof(full), "ManagedOOMSwap %s %s", w->path, text);
			raise_managed(h, st, w->cg, false, full);
		}
	}
	/* -.slice managed: every machine-wide kill is in a managed cgroup */
	if (root && h->stage != STAGE_NONE && h->scope < 0)
		h->managed = true;
}

/* memory.oom.group=1: the cgroup is one application, killed whole. */
static bool oom_group(const struct daemon *d, const char *kpath)
{
	char p[PATH_MAX + TASK_CGROUP_MAX + 32], v[8];

	snprintf(p, sizeof(p), "%s%s/memory.oom.group", cgroup2_root(d), kpath);
	return read_file_at(AT_FDCWD, p, v, sizeof(v)) > 0 && v[0] == '1';
}

enum kill_unit daemon_managed_kill_unit(const struct daemon *d, const struct hit *h)
{
	const struct task_info *v = d->sel.oc.chosen;
	bool whole;

	if (!h->managed || !v)
		return config_kill_unit(&d->cfg);
	whole = (d->moom.whole_ready && regexec(&d->moom.whole, v->memcg, 0, NULL, 0) == 0) ||
		oom_group(d, v->memcg);
	return moom_kill_unit(d->cfg.managed_kill_unit, v->memcg, whole);
}

/* One managed cgroup's row: its rules, and now their figures. */
static void status_row(const struct daemon *d, const struct managed_watch *w, struct status_trigger *t)
{
	const struct memcg_watch *cg = w->cg >= 0 ? &d->cg[w->cg] : NULL;
	const struct mem_sample *s = &d->sys.s;
	double lim = d->moom.defaults.swap_used_limit_percent;
	double mem = used_percent(s->mem_available_kb, s->mem_total_kb), swap = used_percent(s->swap_free_kb, s->swap_total_kb);
	char used[32];
	int n = 0, k = 0;

	t->setting[0] = t->current[0] = '\0';
	if (w->pressure)
		n = snprintf(t->setting, sizeof(t->setting), "pressure > %g%% for %lus%s", w->limit_percent,
			     w->duration_ms / 1000, w->swap ? ", " : "");
	if (w->swap)
		snprintf(t->setting + n, sizeof(t->setting) - (size_t)n, "swap used > %g%%", lim);
	if (!cg && strcmp(w->path, "/")) {
		snprintf(t->current, sizeof(t->current), "no such cgroup");
		return;
	}
	format_kb(cg ? (unsigned long)(cg->usage_bytes / 1024) : s->mem_total_kb - s->mem_available_kb, used, sizeof(used));
	if (w->pressure)
		k = snprintf(t->current, sizeof(t->current), "full avg10 %.2f%%, %s used%s", w->avg10, used,
			     w->swap ? ", " : "");
	if (w->swap)
		snprintf(t->current + k, sizeof(t->current) - (size_t)k, "swap %.0f%% memory %.0f%% used", swap, mem);
	t->headroom_percent = w->pressure ? w->limit_percent - w->avg10 : lim - (mem < swap ? mem : swap);
	if (cg) {
		t->usage_bytes = cg->usage_bytes;
		t->limit_bytes = cg->limit_bytes;
	}
}

void daemon_managed_status(const struct daemon *d, struct status_view *v)
{
	const struct daemon_managed *m = &d->moom;
	const struct moom_link *l = &m->link;

	if (!m->open)
		return;
	snprintf(v->systemd, sizeof(v->systemd), "%zu from PID 1 (%s) and user managers (%s)", m->table.nr,
		 l->pid1_fd >= 0 ? "subscribed" : "not subscribed, see the log",
		 l->listen_fd >= 0 ? l->listen_from : "not heard");
	for (size_t i = 0; i < m->nr_w; i++) {
		const struct managed_watch *w = &m->w[i];
		struct status_trigger *t = daemon_status_trigger(v, w->swap && w->pressure ? "managed-both"
								  : w->swap ? "managed-swap" : "managed-pressure", w->path);
		if (!t)
			return;
		status_row(d, w, t);
	}
}
