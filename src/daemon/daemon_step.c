/* daemon_step.c - one pass of the daemon: sample every watch, decide which
 * trigger holds and how strongly (SIGTERM or SIGKILL stage), and advance
 * the kill episode:
 *   IDLE -> [PRE_HOOK] -> TERM_SENT -> KILL_SENT -> RECOVER -> IDLE
 * A SIGTERM is followed by SIGKILL when the grace ends or the kill floor is
 * crossed; only one victim is in flight; after it is gone we wait until the
 * memory shows it (or a short settle time passes) before another kill, and
 * PSI rules stay muted for the cool-down, since their averages lag. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "daemon_log.h"
#include "daemon_report.h"
#include "core/util.h"

#define MS 1000000ULL
#define SETTLE_NS (250 * MS)       /* memory accounting catching up with an exit */
#define PRE_HOOK_URGENT_NS (200 * MS) /* earlyoom's head start when already at the kill floor */

struct hit {
	enum stage stage;
	int scope;                     /* -1 system, else cgroup index */
	bool psi;                      /* raised by a PSI rule (not a memory level) */
	bool bomb_only;                /* only the fork-bomb look-ahead holds: no bomb, no kill */
	char text[192];
};

static void hit_raise(struct hit *h, enum stage st, int scope, bool psi, const char *text)
{
	/* stronger wins; at equal stage a cgroup (the narrower scope) wins */
	if (st < h->stage || (st == h->stage && (h->scope >= 0 || scope < 0)))
		return;
	h->stage = st;
	h->scope = scope;
	h->psi = psi;
	snprintf(h->text, sizeof(h->text), "%s", text);
}

static void sample_all(struct daemon *d, uint64_t now)
{
	if (sys_watch_sample(&d->sys, now))
		dlog(DLOG_WARNING, "cannot read %s/meminfo", d->cfg.proc_root);
	for (size_t i = 0; i < d->nr_cg; i++) {
		uint64_t seen = d->cg[i].oom_kill;
		memcg_watch_sample(&d->cg[i], now);
		memcg_watch_read_events(&d->cg[i]);
		if (d->cg[i].oom_kill > seen) {
			d->stats.kernel_oom_kills += d->cg[i].oom_kill - seen;
			dlog(DLOG_WARNING, "the kernel OOM-killed in %s (oom_kill %llu): too late",
			     d->cg[i].dir, (unsigned long long)d->cg[i].oom_kill);
		}
	}
	d->stats.samples++;
	d->stats.mem = d->sys.s;
}

/* A machine-wide PSI hit needs MemAvailable to be short too. */
static bool psi_memory_short(const struct daemon *d)
{
	const struct mem_sample *s = &d->sys.s;

	return !s->mem_total_kb ||
	       100.0 * (double)s->mem_available_kb < d->cfg.psi_mem_below_percent * (double)s->mem_total_kb;
}

static void evaluate_psi(struct daemon *d, uint64_t now, struct hit *h)
{
	enum stage st = d->cfg.psi_signal == SIGKILL ? STAGE_KILL : STAGE_TERM;
	bool short_mem = psi_memory_short(d);
	char text[192];
	double avg10;

	if (now < d->psi_muted_until_ns) {
		d->psi_fired = false;
		return;
	}
	/* (stalls while memory is back, e.g. after a fork bomb died, are not
	 * a reason to kill a bystander) */
	if (d->psi_fired && (d->psi_fired_scope >= 0 || short_mem)) {
		if (d->psi_fired_scope < 0)
			psi_trigger_text(&d->cfg.psi, "", text, sizeof(text));
		else
			psi_trigger_text(&d->cg[d->psi_fired_scope].spec.psi,
					 d->cg[d->psi_fired_scope].dir, text, sizeof(text));
		hit_raise(h, st, d->psi_fired_scope, true, text);
	}
	d->psi_fired = false;
	if (d->cfg.psi_sustained.enabled && d->sys.psi_avg_fd >= 0 &&
	    psi_read_avg10(d->sys.psi_avg_fd, d->cfg.psi_sustained.kind, &avg10) == 0 &&
	    psi_sustained_check(&d->cfg.psi_sustained, &d->sustained, avg10, now) && short_mem) {
		snprintf(text, sizeof(text), "psi %s avg10 %.0f%% > %g%% for %gs",
			 d->cfg.psi_sustained.kind == PSI_FULL ? "full" : "some", avg10,
			 d->cfg.psi_sustained.avg10_percent, (double)d->cfg.psi_sustained.duration_ms / 1e3);
		hit_raise(h, st, -1, true, text);
	}
}

/* The SIGTERM floor as it will be when a kill can land: scanning /proc,
 * signalling and the victim's exit take tens of ms (more on a slow or busy
 * machine), and a fast hog eats the floor's margin in that time; once it
 * crosses the floor the kernel kills first, not always the hog. So the
 * floors are checked against MemAvailable and SwapFree each minus what the
 * recent fill rate takes in LEAD_NS (with swap, the hog's growth comes out
 * of SwapFree while MemAvailable stays low). */
#define LEAD_NS (150 * MS)
/* What the machine loses in lead_ns at the current rate, where the part a
 * watched cgroup fills cannot exceed what its limit leaves it (a hog in a
 * 64 MiB cgroup does not empty the machine: the 150 ms look-ahead once took
 * a 40 MiB bystander outside it for the hog's cgroup-bounded growth). */
static double machine_fall_kb(const struct daemon *d, uint64_t lead_ns)
{
	double secs = (double)lead_ns / 1e9, fall = d->sys.fill_kb_s * secs;

	for (size_t i = 0; i < d->nr_cg; i++) {
		const struct memcg_watch *w = &d->cg[i];
		double grow = w->fill_kb_s * secs, room;

		if (w->limit_bytes == UINT64_MAX || grow <= 0)
			continue;
		room = (double)memcg_watch_headroom_kb(w);
		if (grow > room)
			fall -= grow - room;
	}
	return fall > 0 ? fall : 0;
}

static enum stage memory_stage_ahead(struct daemon *d, uint64_t lead_ns, char *text, size_t size)
{
	struct mem_sample ahead = d->sys.s;
	double fall_kb = machine_fall_kb(d, lead_ns);
	size_t n;

	if (fall_kb < 1024)
		return STAGE_NONE;
	ahead.mem_available_kb = ahead.mem_available_kb > (unsigned long)fall_kb
		? ahead.mem_available_kb - (unsigned long)fall_kb : 0;
	ahead.swap_free_kb = ahead.swap_free_kb > (unsigned long)fall_kb
		? ahead.swap_free_kb - (unsigned long)fall_kb : 0;
	if (memory_stage(&d->cfg, &ahead, text, size) == STAGE_NONE)
		return STAGE_NONE;
	n = strlen(text);
	if (n < size)
		snprintf(text + n, size - n, " in %llums (now %.1f%%, falling %.0fMiB/s)",
			 (unsigned long long)(lead_ns / MS),
			 d->sys.s.mem_total_kb ? 100.0 * (double)d->sys.s.mem_available_kb / (double)d->sys.s.mem_total_kb : 0,
			 d->sys.fill_kb_s / 1024);
	return STAGE_TERM;
}

/* A cgroup's SIGTERM floor LEAD_NS ahead at its fill rate, as for the
 * machine: a hog at full speed crosses a 64 MiB cgroup's floors in tens
 * of ms, and the kernel's memcg OOM killer is then first. Only within
 * twice the floor: a container's start-up burst (40 MiB at full speed in
 * 64 MiB) projects past the limit long before it ends, well below it. */
static enum stage memcg_stage_ahead(const struct memcg_watch *w, char *text, size_t size)
{
	double grow_kb = w->fill_kb_s * (double)LEAD_NS / 1e9;
	uint64_t ahead = w->usage_bytes + (uint64_t)grow_kb * 1024;
	unsigned long limit_kb = (unsigned long)(w->limit_bytes / 1024);
	size_t n;

	if (ahead > w->limit_bytes) /* (the kernel keeps it there: "100.0% of 64MiB in 150ms") */
		ahead = w->limit_bytes;
	if (grow_kb < 256 || w->limit_bytes == UINT64_MAX ||
	    memcg_watch_headroom_kb(w) >= 2 * floor_kb(&w->spec.term, limit_kb) ||
	    memcg_stage(&w->spec, w->dir, ahead, w->limit_bytes, text, size) == STAGE_NONE)
		return STAGE_NONE;
	n = strlen(text);
	if (n < size)
		snprintf(text + n, size - n, " in %llums (now %.1f%%, filling %.0fMiB/s)",
			 (unsigned long long)(LEAD_NS / MS),
			 100.0 * (double)w->usage_bytes / (double)w->limit_bytes, w->fill_kb_s / 1024);
	return STAGE_TERM;
}

/* A fork bomb fills memory in well under a second, and once memory is
 * gone every read of /proc takes the kernel's reclaim path (a scan of a
 * few hundred copies took 19 s in the guest). So while threads grow by
 * swarm_min or more, the floor is checked BOMB_LEAD_NS ahead: the bomb is
 * then found and killed while memory is still there. The hit only holds
 * if a bomb is found (bomb_only), so a busy start-up is not a kill; after
 * a search that found none, the next waits BOMB_RETRY_NS. */
#define BOMB_LEAD_NS (1000 * MS)
#define BOMB_RETRY_NS (1000 * MS)
static bool threads_surge(const struct daemon *d)
{
	return d->cfg.swarm_min > 0 && sys_watch_thread_growth(&d->sys) >= (unsigned long)d->cfg.swarm_min;
}

static void evaluate_bomb_ahead(struct daemon *d, struct hit *h)
{
	char text[192];
	size_t n;

	if (!threads_surge(d) || d->sys.sample_ns < d->no_bomb_until_ns ||
	    memory_stage_ahead(d, BOMB_LEAD_NS, text, sizeof(text)) == STAGE_NONE)
		return;
	n = strlen(text);
	snprintf(text + n, sizeof(text) - n, " with %lu new threads", sys_watch_thread_growth(&d->sys));
	hit_raise(h, STAGE_TERM, -1, false, text);
	h->bomb_only = true;
}

/* The memory levels: system floors (now and LEAD_NS ahead), cgroups. */
static void evaluate_memory(struct daemon *d, struct hit *h)
{
	char text[192];
	enum stage st;

	st = memory_stage(&d->cfg, &d->sys.s, text, sizeof(text));
	if (st == STAGE_NONE)
		st = memory_stage_ahead(d, LEAD_NS, text, sizeof(text));
	hit_raise(h, st, -1, false, text);
	if (h->stage == STAGE_NONE)
		evaluate_bomb_ahead(d, h);
	for (size_t i = 0; i < d->nr_cg; i++) {
		struct memcg_watch *w = &d->cg[i];
		st = memcg_stage(&w->spec, w->dir, w->usage_bytes, w->limit_bytes, text, sizeof(text));
		if (st == STAGE_NONE)
			st = memcg_stage_ahead(w, text, sizeof(text));
		if (w->under_oom) { /* tasks wait in the kernel for us to free memory */
			st = STAGE_KILL;
			snprintf(text, sizeof(text), "memcg %s under_oom", w->dir);
		}
		hit_raise(h, st, (int)i, false, text);
	}
}

static struct hit evaluate(struct daemon *d, uint64_t now)
{
	struct hit h = { .stage = STAGE_NONE, .scope = -1 };

	evaluate_memory(d, &h);
	evaluate_psi(d, now, &h);
	d->stats.stage = h.stage;
	snprintf(d->stats.trigger, sizeof(d->stats.trigger), "%s", h.text);
	return h;
}

static unsigned long scope_avail_kb(const struct daemon *d, int scope)
{
	const struct memcg_watch *w;

	if (scope < 0)
		return d->sys.s.mem_available_kb;
	w = &d->cg[scope];
	return w->limit_bytes == UINT64_MAX ? 0 : memcg_watch_headroom_kb(w);
}

/* totalpages of an OOM of the scope, as rank's and kill's, from samples. */
static unsigned long scope_totalpages(const struct daemon *d, int scope)
{
	struct oom_control oc;

	watch_scene(&d->sys, scope >= 0 ? &d->cg[scope] : NULL, &oc);
	return oc.totalpages;
}

static int choose(struct daemon *d, const struct hit *h, struct victim_scan_result *r)
{
	return daemon_select_victim(&d->sel, h->scope >= 0 ? d->cg[h->scope].kpath : NULL,
				    h->scope >= 0 ? d->cg[h->scope].dir : NULL,
				    scope_totalpages(d, h->scope), r);
}

/* A fresh sample that keeps the fill rates unless memory came back: a
 * rate over the few ms of a selection is noise (MemAvailable moves in
 * per-cpu batches), and halving it made the look-ahead drop hits that the
 * next sample raised again (4 times in one hog-fast run). */
static void resample_keeping_rates(struct daemon *d)
{
	unsigned long before = d->sys.s.mem_available_kb + d->sys.s.swap_free_kb;
	double rate = d->sys.fill_kb_s, cg_rate[CONFIG_MAX_CGROUPS];
	uint64_t cg_usage[CONFIG_MAX_CGROUPS];

	for (size_t i = 0; i < d->nr_cg; i++) {
		cg_rate[i] = d->cg[i].fill_kb_s;
		cg_usage[i] = d->cg[i].usage_bytes;
	}
	sample_all(d, now_ns());
	d->sys.fill_kb_s = d->sys.s.mem_available_kb + d->sys.s.swap_free_kb > before ? 0 : rate;
	for (size_t i = 0; i < d->nr_cg; i++)
		d->cg[i].fill_kb_s = d->cg[i].usage_bytes < cg_usage[i] ? 0 : cg_rate[i];
}

/* The kernel's last-second check (__alloc_pages_may_oom() tries the free
 * lists once more before it kills), after a scan that may have taken long:
 * under a fork bomb it can take hundreds of ms, in which the bomb may
 * have died (the kernel killed it first, or its parent did); a kill then
 * would only hit whoever is left, a bystander. A PSI hit still holds while
 * memory is short (its own gate); a memory level is evaluated afresh. */
static bool pressure_still_holds(struct daemon *d, const struct hit *h)
{
	struct hit again = { .stage = STAGE_NONE, .scope = -1 };

	resample_keeping_rates(d);
	if (h->psi)
		return h->scope >= 0 || psi_memory_short(d);
	evaluate_memory(d, &again);
	return again.stage != STAGE_NONE;
}

static int choose_task(struct daemon *d, const struct hit *h, pid_t pid, struct victim_scan_result *r)
{
	return daemon_select_task(&d->sel, pid, h->scope >= 0 ? d->cg[h->scope].kpath : NULL,
				  h->scope >= 0 ? d->cg[h->scope].dir : NULL, scope_totalpages(d, h->scope), r);
}

static void start_post_hook(struct daemon *d)
{
	struct hook_facts f = { .event = "post_kill", .victim = &d->ep.rec.victim,
				.trigger = d->ep.rec.trigger, .signal = d->ep.rec.signal,
				.dry_run = d->ep.rec.dry_run };
	int r;

	if (!d->cfg.post_kill[0])
		return;
	r = hook_start(&d->post_hook, d->cfg.post_kill, &f, d->cfg.hook_timeout_ms);
	if (r == -EBUSY)
		return; /* the previous one still runs: dry-run loops must not pile hooks up */
	d->stats.hooks_run++;
	if (r) {
		d->stats.hooks_failed++;
		dlog(DLOG_WARNING, "post_kill hook %s: %s", d->cfg.post_kill, strerror(-r));
	}
}

/* SIGKILL through kill's oom_kill_process(): re-verified pid, the processes
 * sharing the victim's mm (and its unit with kill_group), process_mrelease,
 * then a bounded wait for the exit, so the loop stalls at most KILL_WAIT_MS;
 * a victim still there afterwards is waited for through our own pidfd. */
#define KILL_WAIT_MS 1000UL
static int kill_with_reaper(struct daemon *d)
{
	struct oom_control *oc = &d->sel.oc;
	struct kill_ctx *k = d->sel.kctx;
	int r;

	oc->kill_signal = SIGKILL;
	oc->dry_run = false;
	/* what came back: the cgroup's headroom, or MemAvailable */
	if (d->ep.scope >= 0 && d->cg[d->ep.scope].limit_bytes != UINT64_MAX) {
		const struct memcg_watch *w = &d->cg[d->ep.scope];
		kill_ctx_measure_memcg(k, w->dir, w->version == 2, w->limit_bytes);
	} else if (k->usage_fd >= 0) {
		close(k->usage_fd);
		k->usage_fd = -1;
	}
	k->timeout_ms = (int)(d->cfg.exit_timeout_ms < KILL_WAIT_MS ? d->cfg.exit_timeout_ms : KILL_WAIT_MS);
	r = oom_kill_process(oc, k);
	d->ep.rec.reaped = oc->reaped;
	if (!d->ep.t_signal_ns)
		report_selection(d, SIGKILL);
	report_kill_process(d);
	return r == -ETIMEDOUT ? 0 : r;
}

static void send_signal(struct daemon *d, int sig, uint64_t now)
{
	struct episode *ep = &d->ep;
	int r = sig == SIGKILL ? kill_with_reaper(d) : victim_signal(&ep->rec.victim, sig);

	ep->rec.signal = sig;
	if (r == -ESRCH && !ep->t_signal_ns) {
		/* gone before any signal of ours: no kill to report, sample again */
		dlog(DLOG_NOTICE, "process %d (%s) was gone before the SIG%s", ep->rec.victim.pid,
		     ep->rec.victim.comm, sigabbrev_np(sig));
		victim_close(&ep->rec.victim);
		ep->state = EP_IDLE;
		return;
	}
	if (r) {
		/* gone already (ESRCH) is what we wanted; anything else is a failure */
		if (r != -ESRCH) {
			d->stats.kill_failures++;
			dlog(DLOG_ERR, "cannot send SIG%s to %d: %s", sigabbrev_np(sig), ep->rec.victim.pid,
			     strerror(-r));
		}
		ep->state = EP_KILL_SENT;
		ep->deadline_ns = now;
		return;
	}
	if (!ep->t_signal_ns) {
		ep->t_signal_ns = now;
		d->stats.kills++;
		if (sig != SIGKILL) /* (kill_with_reaper() wrote it) */
			report_selection(d, sig);
		report_kill_started(d);
	}
	if (sig == SIGTERM) {
		d->stats.sigterms++;
		ep->state = EP_TERM_SENT;
		ep->deadline_ns = now + d->cfg.grace_ms * MS;
		return;
	}
	ep->state = EP_KILL_SENT;
	ep->deadline_ns = now + d->cfg.exit_timeout_ms * MS;
}

/* A fork bomb: swarm_min threads or more started within the window (one
 * read of /proc/loadavg a pass tells), most of them copies of one name.
 * Killing one copy frees nothing (another forks in its place), a SIGTERM
 * grace lets them fork on, and reading their thousands for oom_badness
 * takes longer than they need to fill memory. So the episode SIGKILLs the
 * swarm at once: by process group when the group holds only copies
 * (kill(-pgid), atomic against racing forks), else copy by copy (kill unit
 * "swarm": name, uid and memory cgroup). Its victim is the biggest copy. */
static bool find_fork_bomb(struct daemon *d, struct swarm *sw)
{
	unsigned long long hz = (unsigned long long)sysconf(_SC_CLK_TCK);
	unsigned long long now = kill_boot_tick(), window = d->cfg.swarm_window_ms * hz / 1000;

	if (!threads_surge(d))
		return false;
	return kill_find_swarm(d->sel.kctx, now > window ? now - window : 0, (size_t)d->cfg.swarm_min, sw) == 0;
}

static void mark_fork_bomb(struct daemon *d, struct hit *h, const struct swarm *sw)
{
	size_t n = strlen(h->text);

	d->sel.kctx->unit = sw->pgroup_clean ? KILL_UNIT_PGROUP : KILL_UNIT_SWARM;
	d->sel.kctx->pgroup_kill = sw->pgroup_clean ? sw->pgid : 0;
	h->stage = STAGE_KILL;
	snprintf(h->text + n, sizeof(h->text) - n, ", fork bomb: %zu %s started in %lus", sw->nr_young, sw->comm,
		 d->cfg.swarm_window_ms / 1000);
}

static void dry_run_kill(struct daemon *d, const struct hit *h, struct victim_scan_result *r,
			 uint64_t select_ns)
{
	struct daemon_kill_record *rec = &d->ep.rec;

	*rec = (struct daemon_kill_record){ .victim = r->chosen, .invoker = r->invoker,
					    .signal = h->stage == STAGE_KILL ? SIGKILL : SIGTERM,
					    .dry_run = true, .nr_candidates = r->nr_candidates,
					    .select_ns = select_ns,
					    .avail_before_kb = scope_avail_kb(d, h->scope) };
	snprintf(rec->trigger, sizeof(rec->trigger), "%.*s", (int)sizeof(rec->trigger) - 1, h->text);
	d->stats.dry_run_kills++;
	report_dry_run(d, rec);
	start_post_hook(d);
	report_record(d, rec);
}

static void start_episode(struct daemon *d, const struct hit *hit, uint64_t now)
{
	struct episode *ep = &d->ep;
	struct victim_scan_result r;
	uint64_t t0 = now_ns();
	struct swarm sw;
	bool bomb = find_fork_bomb(d, &sw);
	int rc = bomb ? choose_task(d, hit, sw.biggest, &r) : -ESRCH;
	uint64_t select_ns;
	struct hit marked = *hit, *h = &marked;

	if (rc && hit->bomb_only) {
		d->no_bomb_until_ns = now + BOMB_RETRY_NS;
		return;
	}
	if (rc) { /* no bomb, or its biggest copy may not be killed: the kernel's way */
		bomb = false;
		rc = choose(d, hit, &r);
	}
	select_ns = now_ns() - t0;

	if (rc) {
		if (!ep->no_victim_logged)
			dlog(DLOG_ERR, "%s: no killable process%s", h->text,
			     rc == -ESRCH ? "" : " (cannot read /proc)");
		ep->no_victim_logged = true;
		return;
	}
	ep->no_victim_logged = false;
	if (!pressure_still_holds(d, h)) {
		dlog(DLOG_NOTICE, "%s: over after %.0f ms of selection, nothing killed (would have been %d %s)",
		     h->text, (double)select_ns / 1e6, r.chosen.pid, r.chosen.comm);
		return;
	}
	d->sel.kctx->unit = d->cfg.kill_group ? KILL_UNIT_CGROUP : KILL_UNIT_PROCESS;
	d->sel.kctx->pgroup_kill = 0;
	if (bomb)
		mark_fork_bomb(d, h, &sw);
	if (d->cfg.dry_run) {
		dry_run_kill(d, h, &r, select_ns);
		return;
	}
	if (victim_open(d->cfg.proc_root, &r.chosen))
		return; /* gone between scan and kill: sample again */
	*ep = (struct episode){ .scope = h->scope, .state = EP_PRE_HOOK };
	/* the report is written once the signal is out; its facts are these */
	snprintf(d->sel.oc.trigger, sizeof(d->sel.oc.trigger), "%.*s", (int)sizeof(d->sel.oc.trigger) - 1, h->text);
	if (meminfo_read(d->cfg.proc_root, &ep->mi))
		memset(&ep->mi, 0, sizeof(ep->mi));
	ep->rec = (struct daemon_kill_record){ .victim = r.chosen, .invoker = r.invoker,
					       .nr_candidates = r.nr_candidates, .select_ns = select_ns,
					       .avail_before_kb = scope_avail_kb(d, h->scope) };
	snprintf(ep->rec.trigger, sizeof(ep->rec.trigger), "%.*s", (int)sizeof(ep->rec.trigger) - 1, h->text);
	snprintf(ep->rec.scope, sizeof(ep->rec.scope), "%s", h->scope >= 0 ? d->cg[h->scope].kpath : "");
	if (h->stage == STAGE_KILL)
		d->stats.triggers_kill++;
	else
		d->stats.triggers_term++;
	if (d->cfg.pre_kill[0]) {
		struct hook_facts f = { .event = "pre_kill", .victim = &ep->rec.victim,
					.trigger = ep->rec.trigger,
					.signal = h->stage == STAGE_KILL ? SIGKILL : SIGTERM };
		uint64_t wait = h->stage == STAGE_KILL ? PRE_HOOK_URGENT_NS : d->cfg.hook_timeout_ms * MS;
		d->stats.hooks_run++;
		if (hook_start(&d->pre_hook, d->cfg.pre_kill, &f, d->cfg.hook_timeout_ms) == 0) {
			ep->deadline_ns = now + wait;
			return;
		}
		d->stats.hooks_failed++;
		dlog(DLOG_WARNING, "pre_kill hook %s could not start", d->cfg.pre_kill);
	}
	send_signal(d, h->stage == STAGE_KILL ? SIGKILL : SIGTERM, now);
}

static void finish_episode(struct daemon *d, uint64_t now)
{
	struct episode *ep = &d->ep;

	ep->rec.exited = victim_exited(&ep->rec.victim);
	ep->rec.ms_to_exit = ep->t_signal_ns ? (now - ep->t_signal_ns) / MS : 0;
	victim_close(&ep->rec.victim);
	sample_all(d, now);
	ep->rec.avail_after_kb = scope_avail_kb(d, ep->scope);
	if (!ep->rec.exited)
		d->stats.kill_failures++;
	report_kill_finished(&ep->rec);
	start_post_hook(d);
	report_record(d, &ep->rec);
	d->psi_muted_until_ns = now + d->cfg.cooldown_ms * MS;
	d->sustained.above_since_ns = 0;
	ep->state = EP_RECOVER;
	ep->deadline_ns = now + SETTLE_NS;
}

static void escalate(struct daemon *d, const struct hit *h, uint64_t now)
{
	dlog(DLOG_WARNING, "escalating to SIGKILL for %d (%s): %s", d->ep.rec.victim.pid,
	     d->ep.rec.victim.comm, now >= d->ep.deadline_ns ? "grace over" : h->text);
	d->ep.rec.escalated = true;
	d->stats.escalations++;
	send_signal(d, SIGKILL, now);
}

/* Within twice the SIGTERM floor, a scan a second (top tasks only): the
 * first selection of an episode then knows who grew since (the invoker),
 * and the scanner's descriptors are open while memory is still there. */
#define WARM_EVERY_NS (1000 * MS)
static void warm_up(struct daemon *d, uint64_t now)
{
	unsigned long near_kb = 2 * floor_kb(&d->cfg.mem_term, d->sys.s.mem_total_kb);

	if (!d->cfg.memory_enabled || d->sys.s.mem_available_kb >= near_kb || now < d->next_warm_ns)
		return;
	d->next_warm_ns = now + WARM_EVERY_NS;
	daemon_selector_warm(&d->sel, scope_totalpages(d, -1));
}

void daemon_step(struct daemon *d, uint64_t now)
{
	struct episode *ep = &d->ep;
	struct hit h;
	int status;

	sample_all(d, now);
	h = evaluate(d, now);
	if (hook_poll(&d->post_hook, now, &status) && status != 0)
		d->stats.hooks_failed++;
	if (hook_poll(&d->pre_hook, now, &status) && status != 0)
		d->stats.hooks_failed++;
	switch (ep->state) {
	case EP_IDLE:
		if (h.stage != STAGE_NONE) {
			start_episode(d, &h, now);
			break;
		}
		ep->no_victim_logged = false;
		warm_up(d, now);
		break;
	case EP_PRE_HOOK:
		if (d->pre_hook.pid && now < ep->deadline_ns && h.stage != STAGE_KILL)
			break;
		send_signal(d, h.stage == STAGE_KILL ? SIGKILL : SIGTERM, now);
		break;
	case EP_TERM_SENT:
		if (victim_exited(&ep->rec.victim))
			finish_episode(d, now);
		else if (now >= ep->deadline_ns || h.stage == STAGE_KILL)
			escalate(d, &h, now);
		break;
	case EP_KILL_SENT:
		if (victim_exited(&ep->rec.victim) || now >= ep->deadline_ns)
			finish_episode(d, now);
		break;
	case EP_RECOVER:
		/* memory back above the floor, or accounting had time to catch up */
		if (h.stage == STAGE_NONE || now >= ep->deadline_ns)
			ep->state = EP_IDLE;
		break;
	}
}

/* The next wake-up: the adaptive interval of every polled watch, and the
 * episode's own deadline. */
unsigned long daemon_timeout_ms(const struct daemon *d, uint64_t now)
{
	const double assumed_kb_s = 6000.0 * 1024; /* earlyoom's worst-case fill rate */
	unsigned long kill_floor = floor_kb(&d->cfg.mem_kill, d->sys.s.mem_total_kb);
	unsigned long avail = d->sys.s.mem_available_kb;
	unsigned long t = d->cfg.memory_enabled
		? next_interval_ms(avail > kill_floor ? avail - kill_floor : 0, d->sys.fill_kb_s,
				   assumed_kb_s, d->cfg.interval_min_ms, d->cfg.interval_max_ms)
		: d->cfg.interval_max_ms;

	for (size_t i = 0; i < d->nr_cg; i++) {
		const struct memcg_watch *w = &d->cg[i];
		unsigned long head = scope_avail_kb(d, (int)i), lim = (unsigned long)(w->limit_bytes / 1024);
		unsigned long fl = floor_kb(&w->spec.kill, lim);
		unsigned long ti;
		/* v1 thresholds wake us: poll only as a safety net */
		if (w->version == 1 || w->limit_bytes == UINT64_MAX)
			continue;
		/* nothing wakes us before memory.max is hit: the machine's worst case */
		ti = next_interval_ms(head > fl ? head - fl : 0, w->fill_kb_s, assumed_kb_s,
				      d->cfg.interval_min_ms, d->cfg.interval_max_ms);
		if (ti < t)
			t = ti;
	}
	if (d->ep.state != EP_IDLE && d->ep.deadline_ns > now) {
		unsigned long left = (unsigned long)((d->ep.deadline_ns - now + MS - 1) / MS);
		if (left < t)
			t = left;
	}
	if (d->ep.state == EP_TERM_SENT || d->ep.state == EP_PRE_HOOK || d->stats.stage != STAGE_NONE)
		t = t < d->cfg.interval_min_ms * 10 ? t : d->cfg.interval_min_ms * 10;
	return t;
}
