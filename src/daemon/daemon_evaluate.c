/* daemon_evaluate.c - which trigger holds and how strongly: every watch
 * sampled, the memory floors now and a little ahead at the current fill
 * rate (for the machine, each watched cgroup, and a fork bomb's surge of
 * threads), PSI events and the sustained PSI rule; the stronger stage
 * wins, at equal stage the narrower scope. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "daemon_evaluate.h"
#include "daemon_log.h"
#include "trigger_commit.h"
#include "core/util.h"

#define MS 1000000ULL

bool daemon_hit_raise(struct hit *h, enum stage st, int scope, bool psi, const char *text)
{
	/* stronger wins; at equal stage a cgroup (the narrower scope) wins */
	if (st < h->stage || (st == h->stage && (h->scope >= 0 || scope < 0)))
		return false;
	h->stage = st;
	h->scope = scope;
	h->psi = psi;
	h->managed = false;
	snprintf(h->text, sizeof(h->text), "%s", text);
	return true;
}

void daemon_sample(struct daemon *d, uint64_t now)
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

bool daemon_memory_short(const struct daemon *d)
{
	const struct mem_sample *s = &d->sys.s;

	return !s->mem_total_kb ||
	       100.0 * (double)s->mem_available_kb < d->cfg.psi_mem_below_percent * (double)s->mem_total_kb;
}

/* The kernel moves the PSI averages every 2 s (PSI_FREQ), so reading them
 * on every pass (40 times a second near the floors) returned the same
 * figures: once a second, a change is seen at most 1 s late against a
 * rule that wants 10 s. */
#define PSI_AVG_PERIOD_NS (1000 * MS)
static bool sustained_avg10(struct daemon *d, uint64_t now, double *avg10)
{
	if (!d->psi_avg_ns || now - d->psi_avg_ns >= PSI_AVG_PERIOD_NS) {
		d->psi_avg_ok = psi_read_avg10(d->sys.psi_avg_fd, d->cfg.psi_sustained.kind, &d->psi_avg10) == 0;
		d->psi_avg_ns = now;
	}
	*avg10 = d->psi_avg10;
	return d->psi_avg_ok;
}

static void evaluate_psi(struct daemon *d, uint64_t now, struct hit *h)
{
	enum stage st = d->cfg.psi_signal == SIGKILL ? STAGE_KILL : STAGE_TERM;
	bool short_mem = daemon_memory_short(d);
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
		daemon_hit_raise(h, st, d->psi_fired_scope, true, text);
	}
	d->psi_fired = false;
	if (d->cfg.psi_sustained.enabled && d->sys.psi_avg_fd >= 0 &&
	    sustained_avg10(d, now, &avg10) &&
	    psi_sustained_check(&d->cfg.psi_sustained, &d->sustained, avg10, now) && short_mem) {
		snprintf(text, sizeof(text), "psi %s avg10 %.0f%% > %g%% for %gs",
			 d->cfg.psi_sustained.kind == PSI_FULL ? "full" : "some", avg10,
			 d->cfg.psi_sustained.avg10_percent, (double)d->cfg.psi_sustained.duration_ms / 1e3);
		daemon_hit_raise(h, st, -1, true, text);
	}
}

/* What the machine loses in lead_ns at the current rate, where the part a
 * watched cgroup fills cannot exceed what its limit leaves it (a hog in a
 * 64 MiB cgroup does not empty the machine: a look-ahead once took a 40 MiB
 * bystander outside it for the hog's cgroup-bounded growth). */
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

/* The SIGTERM floors hold on the level only: a projection of the fill
 * rate took benign bursts for hogs (a burst stopping at 20% available was
 * SIGTERMed at 32%, one stopping at 83% of a cgroup's limit at 83%).
 * Waiting for the level is safe as long as the next look comes before the
 * kernel's own limit (MemAvailable and SwapFree gone, the cgroup's
 * memory.max) with time left to act: the loop samples faster near a floor
 * (daemon_timeout_ms) and v1 cgroups wake us at each floor. Only when, at
 * the rate of the last samples, the kernel's limit comes before the next
 * look plus the time a kill takes to land (d->act_ns), is waiting too late:
 * then the SIGKILL stage holds now, saying the level, the rate and when the
 * next look would have been. A rate that stopped (the last sample grew
 * nothing) is no threat. */
#define ACT_MIN_NS (5 * MS)
static uint64_t act_ns(const struct daemon *d)
{
	return d->act_ns > ACT_MIN_NS ? d->act_ns : ACT_MIN_NS;
}

/* A SIGTERM gives memory back only when its victim has exited: in a
 * loaded qemu guest 85-235 ms after the signal, while a hog at 250-600
 * MiB/s went from the 10% floor to the kernel's OOM in 30-70 ms (the
 * kernel then killed a protected bystander). So at a SIGTERM level the
 * projection also counts the victim's exit: the daemon's own SIGTERMed
 * victims' exits lately (d->term_exit_ns, each averaged with the estimate
 * before; TERM_EXIT_NS before any), and during the grace what is left of
 * it. When the kernel's limit comes first, a SIGKILL it is, whose memory
 * process_mrelease frees in our own context. */
#define TERM_EXIT_NS (100 * MS)
uint64_t daemon_term_exit_ns(const struct daemon *d)
{
	return d->term_exit_ns ? d->term_exit_ns : TERM_EXIT_NS;
}

static uint64_t term_exit_left_ns(const struct daemon *d, uint64_t now)
{
	uint64_t end = d->ep.t_signal_ns + daemon_term_exit_ns(d);

	if (d->ep.state != EP_TERM_SENT)
		return daemon_term_exit_ns(d);
	return end > now ? end - now : 0;
}

/* Too late to wait for the next look (or, at a SIGTERM level, for a
 * SIGTERMed victim's exit: exit_ns) plus act? */
static bool too_late(double room_kb, double rate_kb_s, uint64_t next_ns, uint64_t exit_ns, uint64_t act,
		     char *text, size_t size)
{
	uint64_t wait = exit_ns > next_ns ? exit_ns : next_ns;
	size_t n = strlen(text);
	double reach_ms;

	if (rate_kb_s <= 0)
		return false;
	reach_ms = 1e3 * room_kb / rate_kb_s;
	if (reach_ms * (double)MS >= (double)(wait + act))
		return false;
	if (n < size)
		snprintf(text + n, size - n, "; %.0fMiB/s: the limit in %.0fms, %s in %llums + %llums to act",
			 rate_kb_s / 1024, reach_ms, exit_ns > next_ns ? "a SIGTERM's exit" : "next sample",
			 (unsigned long long)(wait / MS), (unsigned long long)(act / MS));
	return true;
}

/* Appends why the level could not wait while memory fills: how fast it
 * went and when the next sample would have been. */
static void say_rate(char *text, size_t size, double rate_kb_s, uint64_t next_ns)
{
	size_t n = strlen(text);

	if (rate_kb_s > 0 && n < size)
		snprintf(text + n, size - n, " (%.0fMiB/s; next sample in %llums)", rate_kb_s / 1024,
			 (unsigned long long)(next_ns / MS));
}

/* A level's stage st (text: its trigger, or the bare level when st is
 * none), raised to SIGKILL when waiting is too late (at the SIGTERM
 * level: waiting for a SIGTERMed victim's exit too); else the level with
 * its rate, or nothing. */
static enum stage settle(const struct daemon *d, enum stage st, double room_kb, double rate_kb_s,
			 uint64_t next_ns, char *text, size_t size)
{
	uint64_t exit_ns = st == STAGE_TERM ? term_exit_left_ns(d, d->sys.sample_ns) : 0;

	if (too_late(room_kb, rate_kb_s, next_ns, exit_ns, act_ns(d), text, size))
		return STAGE_KILL;
	if (st == STAGE_NONE)
		text[0] = '\0';
	else
		say_rate(text, size, rate_kb_s, next_ns);
	return st;
}

static enum stage machine_stage(struct daemon *d, uint64_t next_ns, char *text, size_t size)
{
	const struct mem_sample *s = &d->sys.s;
	double rate = d->sys.growing ? machine_fall_kb(d, 1000 * MS) : 0;
	enum stage st = memory_stage(&d->cfg, s, text, size);

	if (st == STAGE_KILL || !d->cfg.memory_enabled) {
		if (st != STAGE_NONE)
			say_rate(text, size, rate, next_ns);
		return st;
	}
	if (st == STAGE_NONE)
		snprintf(text, size, "memavailable %.1f%%",
			 s->mem_total_kb ? 100.0 * (double)s->mem_available_kb / (double)s->mem_total_kb : 0);
	return settle(d, st, (double)(s->mem_available_kb + s->swap_free_kb), rate, next_ns, text, size);
}

/* A cgroup's level, and whether waiting is too late: its next look is the
 * poll (v2), or on v1 the kernel's notification at the next floor, so
 * below the SIGTERM floor a v1 cgroup waits for the level. A v2 cgroup
 * with our brake has levels only: past the SIGTERM floor the kernel
 * throttles its tasks (daemon_watch.c), and a rate measured before would
 * project a crossing of memory.max that cannot come (a braked hog was
 * SIGKILLed at 90.1%, "the limit in 55ms; next sample in 1000ms"). */
static enum stage cgroup_stage(struct daemon *d, const struct memcg_watch *w, uint64_t next_ns, char *text,
			       size_t size)
{
	unsigned long limit_kb = (unsigned long)(w->limit_bytes / 1024), head_kb = 0;
	uint64_t max = w->bound_bytes;
	double rate = w->growing ? w->fill_kb_s : 0;
	enum stage st = memcg_stage(&w->spec, w->dir, w->usage_bytes, w->limit_bytes, text, size);

	if (w->limit_bytes == UINT64_MAX || max == UINT64_MAX || st == STAGE_KILL || w->brake_bytes) {
		if (st != STAGE_NONE)
			say_rate(text, size, rate, next_ns);
		return st;
	}
	if (st == STAGE_NONE && w->thr_efd >= 0)
		return st;
	if (w->thr_efd >= 0) {
		unsigned long fl = floor_kb(&w->spec.kill, limit_kb);
		head_kb = memcg_watch_headroom_kb(w);
		next_ns = rate > 0 && head_kb > fl ? (uint64_t)(1e9 * (double)(head_kb - fl) / rate) : 0;
	}
	if (st == STAGE_NONE)
		snprintf(text, size, "memcg %s %.1f%%", w->dir, 100.0 * (double)w->usage_bytes / (double)w->limit_bytes);
	return settle(d, st, w->usage_bytes >= max ? 0 : (double)(max - w->usage_bytes) / 1024, rate, next_ns,
		      text, size);
}

/* A fork bomb fills memory in well under a second, and once memory is
 * gone every read of /proc takes the kernel's reclaim path (a scan of a
 * few hundred copies took 19 s in the guest). So while threads grow by
 * swarm_min or more, the floor is checked BOMB_LEAD_NS ahead: the bomb is
 * then found and killed while memory is still there. The hit only holds
 * if a bomb is found (bomb_only), so a busy start-up is not a kill; after
 * a search that found none, the next waits BOMB_RETRY_NS or until the
 * thread growth has doubled, whichever comes first: the first search can
 * fall a few copies short of swarm_min (the threads counted include the
 * bomb's first process, forked by a shell, and copies still forking), and
 * a bomb that doubles every few ms fills memory in less than that second. */
#define BOMB_LEAD_NS (1000 * MS)
bool daemon_threads_surge(const struct daemon *d)
{
	return d->cfg.swarm_min > 0 && sys_watch_thread_growth(&d->sys) >= (unsigned long)d->cfg.swarm_min;
}

static void evaluate_bomb_ahead(struct daemon *d, struct hit *h)
{
	char text[192];
	size_t n;

	unsigned long grown = sys_watch_thread_growth(&d->sys);

	if (!daemon_threads_surge(d) ||
	    (d->sys.sample_ns < d->no_bomb_until_ns && grown < d->no_bomb_below_threads) ||
	    memory_stage_ahead(d, BOMB_LEAD_NS, text, sizeof(text)) == STAGE_NONE)
		return;
	n = strlen(text);
	snprintf(text + n, sizeof(text) - n, " with %lu new threads", grown);
	daemon_hit_raise(h, STAGE_TERM, -1, false, text);
	h->bomb_only = true;
}

/* The memory levels: system floors, cgroups; each with its "too late to
 * wait" projection (above). */
static void evaluate_memory(struct daemon *d, struct hit *h)
{
	uint64_t next_ns = daemon_timeout_ms(d, d->sys.sample_ns) * MS;
	char text[192];
	enum stage st;

	st = machine_stage(d, next_ns, text, sizeof(text));
	daemon_hit_raise(h, st, -1, false, text);
	st = commit_stage(&d->cfg, &d->sys.s, daemon_commit_enforced(d), text, sizeof(text));
	daemon_hit_raise(h, st, -1, false, text);
	if (h->stage == STAGE_NONE)
		evaluate_bomb_ahead(d, h);
	for (size_t i = 0; i < d->nr_cg; i++) {
		struct memcg_watch *w = &d->cg[i];
		st = cgroup_stage(d, w, next_ns, text, sizeof(text));
		if (w->under_oom) { /* tasks wait in the kernel for us to free memory */
			st = STAGE_KILL;
			snprintf(text, sizeof(text), "memcg %s under_oom", w->dir);
		}
		daemon_hit_raise(h, st, (int)i, false, text);
	}
}

struct hit daemon_evaluate(struct daemon *d, uint64_t now)
{
	struct hit h = { .stage = STAGE_NONE, .scope = -1 };

	evaluate_memory(d, &h);
	evaluate_psi(d, now, &h);
	daemon_managed_evaluate(d, now, &h);
	d->stats.stage = h.stage;
	snprintf(d->stats.trigger, sizeof(d->stats.trigger), "%s", h.text);
	return h;
}

/* A fresh sample that keeps the fill rates unless memory came back: a
 * rate over the few ms of a selection is noise (MemAvailable moves in
 * per-cpu batches), and halving it made the look-ahead drop hits that the
 * next sample raised again (4 times in one hog-fast run). */
static void resample_keeping_rates(struct daemon *d)
{
	unsigned long before = d->sys.s.mem_available_kb + d->sys.s.swap_free_kb;
	double rate = d->sys.fill_kb_s, cg_rate[DAEMON_MAX_CG];
	uint64_t cg_usage[DAEMON_MAX_CG];
	bool growing = d->sys.growing, cg_growing[DAEMON_MAX_CG];

	for (size_t i = 0; i < d->nr_cg; i++) {
		cg_rate[i] = d->cg[i].fill_kb_s;
		cg_usage[i] = d->cg[i].usage_bytes;
		cg_growing[i] = d->cg[i].growing;
	}
	daemon_sample(d, now_ns());
	if (d->sys.s.mem_available_kb + d->sys.s.swap_free_kb > before)
		rate = 0, growing = false;
	d->sys.fill_kb_s = rate;
	d->sys.growing = growing;
	for (size_t i = 0; i < d->nr_cg; i++) {
		bool back = d->cg[i].usage_bytes < cg_usage[i];
		d->cg[i].fill_kb_s = back ? 0 : cg_rate[i];
		d->cg[i].growing = !back && cg_growing[i];
	}
}

/* The kernel's last-second check (__alloc_pages_may_oom() tries the free
 * lists once more before it kills), after a scan that may have taken long:
 * under a fork bomb it can take hundreds of ms, in which the bomb may
 * have died (the kernel killed it first, or its parent did); a kill then
 * would only hit whoever is left, a bystander. A PSI hit still holds while
 * memory is short (its own gate); a memory level is evaluated afresh. */
bool daemon_pressure_still_holds(struct daemon *d, const struct hit *h)
{
	struct hit again = { .stage = STAGE_NONE, .scope = -1 };

	resample_keeping_rates(d);
	if (h->psi)
		return h->scope >= 0 || daemon_memory_short(d);
	evaluate_memory(d, &again);
	if (h->managed) /* (a swap rule of a managed cgroup: a level too) */
		daemon_managed_evaluate(d, now_ns(), &again);
	return again.stage != STAGE_NONE;
}

