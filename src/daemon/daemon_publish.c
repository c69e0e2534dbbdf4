/* daemon_publish.c - see daemon_publish.h. Everything here runs in the
 * daemon's thread and only copies: the publisher thread does the I/O. */
#include "daemon_publish.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/k8s.h"
#include "core/mem.h"
#include "core/units.h"
#include "core/util.h"
#include "daemon/publish/dbus_event.h"
#include "daemon_log.h"
#include "trigger_commit.h"

/* The state is published every PUBLISH_REST_NS at rest and every second
 * while an episode runs (a kill at once, whatever the period), at the
 * loop's passes: at rest the status files and metrics change little, and
 * rewriting them every second was most of the daemon's idle CPU
 * (bench/RESULTS.md). A pass is not woken for it unless the sampling
 * interval leaves it PUBLISH_LATE_NS late, so the files are refreshed at
 * least every 8 s: `oomkit status` calls a state older than 10 s stale. */
#define PUBLISH_REST_NS (4000 * 1000000ULL)
#define PUBLISH_EPISODE_NS (1000 * 1000000ULL)
#define PUBLISH_LATE_NS (4000 * 1000000ULL)
static uint64_t next_publish_ns;
static bool publish_now;            /* a kill: at the end of this pass */
static double started_seconds; /* when daemon_publish_start() ran */

static double realtime_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *stage_name(enum stage s)
{
	return s == STAGE_KILL ? "kill" : s == STAGE_TERM ? "term" : "none";
}

static double pct(unsigned long part, unsigned long total)
{
	return total ? 100.0 * (double)part / (double)total : 0;
}

static void floors_text(const struct floor *term, const struct floor *kill, char *out, size_t size)
{
	char ts[32] = "", ks[32] = "";

	if (term->size_kb)
		format_kb(term->size_kb, ts, sizeof(ts));
	if (kill->size_kb)
		format_kb(kill->size_kb, ks, sizeof(ks));
	snprintf(out, size, "term %g%%%s%s / kill %g%%%s%s", term->percent, ts[0] ? " or " : "", ts,
		 kill->percent, ks[0] ? " or " : "", ks);
}

struct status_trigger *daemon_status_trigger(struct status_view *v, const char *name, const char *where)
{
	struct status_trigger *t;

	if (v->nr_triggers == STATUS_MAX_TRIGGERS)
		return NULL;
	t = &v->triggers[v->nr_triggers++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->where, sizeof(t->where), "%s", where);
	snprintf(t->stage, sizeof(t->stage), "none");
	t->headroom_percent = NAN;
	return t;
}

/* A level trigger: available amount vs its SIGKILL floor. */
static void level_trigger(struct status_view *v, const char *name, const struct floor *term,
			  const struct floor *kill, unsigned long avail_kb, unsigned long total_kb,
			  enum stage stage)
{
	struct status_trigger *t = daemon_status_trigger(v, name, "system");
	char size[32];

	if (!t)
		return;
	floors_text(term, kill, t->setting, sizeof(t->setting));
	format_kb(avail_kb, size, sizeof(size));
	snprintf(t->current, sizeof(t->current), "%.1f%% free (%s)", pct(avail_kb, total_kb), size);
	t->headroom_percent = pct(avail_kb, total_kb) - pct(floor_kb(kill, total_kb), total_kb);
	snprintf(t->stage, sizeof(t->stage), "%s", stage_name(stage));
}

static void system_triggers(const struct daemon *d, struct status_view *v)
{
	const struct oomkit_config *c = &d->cfg;
	const struct mem_sample *s = &d->stats.mem;
	char text[192];
	enum stage st = memory_stage(c, s, text, sizeof(text));

	if (c->memory_enabled) {
		level_trigger(v, "memory", &c->mem_term, &c->mem_kill, s->mem_available_kb, s->mem_total_kb, st);
		if (s->swap_total_kb)
			level_trigger(v, "swap", &c->swap_term, &c->swap_kill, s->swap_free_kb, s->swap_total_kb, st);
	}
	if (commit_floor_set(c) && s->commit_limit_kb)
		level_trigger(v, "commit", &c->commit_term, &c->commit_kill, commit_headroom_kb(s), s->commit_limit_kb,
			      commit_stage(c, s, daemon_commit_enforced(d), text, sizeof(text)));
	if (c->psi.enabled) {
		struct status_trigger *t = daemon_status_trigger(v, "psi", "system");

		if (t) {
			psi_trigger_text(&c->psi, "", t->setting, sizeof(t->setting));
			snprintf(t->current, sizeof(t->current), "%s",
				 d->sys.psi_fd >= 0 ? "armed in the kernel" : "unavailable");
		}
	}
	if (c->psi_sustained.enabled && v->have_psi) {
		struct status_trigger *t = daemon_status_trigger(v, "psi-sustained", "system");
		const struct psi_line *l = c->psi_sustained.kind == PSI_FULL ? &v->psi.full : &v->psi.some;

		if (t) {
			snprintf(t->setting, sizeof(t->setting), "%s avg10 > %g%% for %lus",
				 c->psi_sustained.kind == PSI_FULL ? "full" : "some",
				 c->psi_sustained.avg10_percent, c->psi_sustained.duration_ms / 1000);
			snprintf(t->current, sizeof(t->current), "avg10 %.2f%%", l->avg10);
			t->headroom_percent = c->psi_sustained.avg10_percent - l->avg10;
		}
	}
}

static void cgroup_triggers(const struct daemon *d, struct status_view *v)
{
	/* (systemd's managed cgroups follow, with their own rules) */
	for (size_t i = 0; i < d->cfg.nr_cgroups && i < d->nr_cg; i++) {
		const struct memcg_watch *w = &d->cg[i];
		struct status_trigger *t = daemon_status_trigger(v, "memcg", w->dir);
		char text[256], used[32], lim[32];
		enum stage st;

		if (!t)
			return;
		floors_text(&w->spec.term, &w->spec.kill, t->setting, sizeof(t->setting));
		t->usage_bytes = w->usage_bytes;
		t->limit_bytes = w->limit_bytes;
		format_kb((unsigned long)(w->usage_bytes / 1024), used, sizeof(used));
		if (w->limit_bytes == UINT64_MAX || !w->limit_bytes) {
			snprintf(t->current, sizeof(t->current), "%s used, no limit", used);
			continue;
		}
		format_kb((unsigned long)(w->limit_bytes / 1024), lim, sizeof(lim));
		snprintf(t->current, sizeof(t->current), "%s of %s", used, lim);
		t->headroom_percent = 100.0 * (double)(w->limit_bytes - (w->usage_bytes < w->limit_bytes ? w->usage_bytes : w->limit_bytes)) /
				      (double)w->limit_bytes -
				      pct(floor_kb(&w->spec.kill, (unsigned long)(w->limit_bytes / 1024)),
					  (unsigned long)(w->limit_bytes / 1024));
		st = memcg_stage(&w->spec, w->dir, w->usage_bytes, w->limit_bytes, text, sizeof(text));
		snprintf(t->stage, sizeof(t->stage), "%s", stage_name(st));
	}
}

void daemon_status_view(const struct daemon *d, struct status_view *v)
{
	const struct daemon_stats *s = &d->stats;
	char buf[512];
	uint64_t n = s->nr_kill_records;

	status_view_clear(v);
	v->pid = getpid();
	v->started_seconds = started_seconds;
	v->updated_seconds = realtime_seconds();
	v->dry_run = d->cfg.dry_run;
	snprintf(v->stage, sizeof(v->stage), "%s", stage_name(s->stage));
	if (s->stage != STAGE_NONE)
		snprintf(v->trigger, sizeof(v->trigger), "%s", s->trigger);
	v->mem_total_kb = s->mem.mem_total_kb;
	v->mem_available_kb = s->mem.mem_available_kb;
	v->swap_total_kb = s->mem.swap_total_kb;
	v->swap_free_kb = s->mem.swap_free_kb;
	v->knobs = d->knobs;
	v->knobs.commit_limit_kb = s->mem.commit_limit_kb;
	v->knobs.committed_as_kb = s->mem.committed_as_kb;
	v->have_knobs = d->knobs.panic_on_oom != KNOB_UNKNOWN;
	if (d->sys.psi_avg_fd >= 0 && pread_file(d->sys.psi_avg_fd, buf, sizeof(buf)) > 0 &&
	    psi_parse(buf, &v->psi) == 0)
		v->have_psi = true;
	system_triggers(d, v);
	cgroup_triggers(d, v);
	daemon_managed_status(d, v);
	v->samples = s->samples;
	v->kills = s->kills;
	v->sigterms = s->sigterms;
	v->escalations = s->escalations;
	v->kill_failures = s->kill_failures;
	v->dry_run_kills = s->dry_run_kills;
	v->kernel_oom_kills = s->kernel_oom_kills;
	for (uint64_t i = 0; i < n && i < DAEMON_LAST_KILLS && i < STATUS_LAST_KILLS; i++)
		v->last_kills[v->nr_last_kills++] = s->last_kills[(n - 1 - i) % DAEMON_LAST_KILLS];
}

/* The state, with the kill among the last kills, goes out at the end of
 * the pass that killed rather than at the next period. */
static void on_kill(struct daemon *d, const struct kill_record *rec, void *arg)
{
	(void)d;
	publisher_kill(arg, rec);
	publish_now = true;
}

static uint64_t on_pass(struct daemon *d, uint64_t now, void *arg)
{
	static struct status_view v;

	if (publish_now || now >= next_publish_ns) {
		daemon_status_view(d, &v);
		publisher_sample(arg, &v);
		publish_now = false;
		next_publish_ns = now + (d->stats.stage == STAGE_NONE ? PUBLISH_REST_NS : PUBLISH_EPISODE_NS);
	}
	return next_publish_ns + PUBLISH_LATE_NS;
}

/* [publish], notify_dbus and [systemd] bus_name of the configuration, as
 * the publisher takes them; libsystemd is loaded here when D-Bus is asked
 * for (at start-up or a reload, never on the kill path). */
static void publish_config_of(const struct oomkit_config *c, struct publish_config *pc)
{
	char why[256];

	memset(pc, 0, sizeof(*pc));
	pc->dbus = c->notify_dbus;
	pc->notify_desktop = c->notify_dbus && c->notify_desktop;
	pc->oom1 = c->managed_oom && c->bus_name;
	snprintf(pc->metrics_file, sizeof(pc->metrics_file), "%s", c->metrics_file);
	snprintf(pc->metrics_listen, sizeof(pc->metrics_listen), "%s", c->metrics_listen);
	snprintf(pc->status_dir, sizeof(pc->status_dir), "%s", c->status_dir);
	if ((pc->dbus || pc->oom1) && dbus_load(why, sizeof(why)) < 0) {
		dlog(DLOG_WARNING, "%s: %s; kills are logged only", pc->dbus ? "notify_dbus" : "[systemd] bus_name", why);
		pc->dbus = pc->notify_desktop = pc->oom1 = false;
	}
	/* without systemd's RuntimeDirectory=, make the state directory ourselves */
	if (pc->status_dir[0] && mkdir(pc->status_dir, 0750) < 0 && errno != EEXIST)
		pc->status_dir[0] = '\0';
}

/* A reload's [publish]: the publisher thread takes it over; a listen
 * address start would refuse keeps the previous settings. */
static void on_reload(struct daemon *d, void *arg)
{
	static struct publish_config pc;
	char why[256];
	int r;

	publish_config_of(&d->cfg, &pc);
	r = publisher_reconfigure(arg, &pc, why, sizeof(why));
	if (r < 0) {
		d->stats.reload_failures++;
		dlog(DLOG_ERR, "reload: %s; publishing as before", why);
	} else if (r > 0) {
		dlog(DLOG_NOTICE, "reload: publishing anew: metrics_file %s, metrics_listen %s, status_dir %s, D-Bus %s",
		     pc.metrics_file[0] ? pc.metrics_file : "off", pc.metrics_listen[0] ? pc.metrics_listen : "off",
		     pc.status_dir[0] ? pc.status_dir : "off", pc.dbus ? "on" : "off");
	}
}

int daemon_publish_start(struct daemon *d, struct publisher *p, char *why, size_t size)
{
	static struct publish_config pc;
	int r;

	started_seconds = realtime_seconds();
	publish_config_of(&d->cfg, &pc);
	r = publisher_start(p, &pc, why, size);
	if (r < 0)
		return r;
	next_publish_ns = 0; /* the first pass publishes */
	daemon_set_pass_hook(d, on_pass, p);
	daemon_set_observer(d, on_kill, p);
	daemon_set_reload_hook(d, on_reload, p);
	return 0;
}

void daemon_publish_stop(struct daemon *d, struct publisher *p)
{
	static struct status_view v;

	if (!p->running)
		return;
	daemon_status_view(d, &v);
	publisher_sample(p, &v);
	publisher_stop(p);
}
