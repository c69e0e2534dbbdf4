/* daemon_step.c - one pass of the daemon: sample every watch, take the
 * trigger that holds and how strongly (SIGTERM or SIGKILL stage:
 * daemon_evaluate.c), and advance the kill episode, every signal of which
 * goes through kill/ (kill_victim_hold/term, oom_kill_process):
 *   IDLE -> [PRE_HOOK] -> TERM_SENT -> KILL_SENT -> RECOVER -> IDLE
 * A SIGTERM is followed by SIGKILL when the grace ends or the kill floor is
 * crossed; only one victim is in flight; after it is gone we wait until the
 * memory shows it (or a short settle time passes) before another kill, and
 * PSI rules stay muted for the cool-down, since their averages lag.
 * A dry run is the same episode without the signals, its victim taken as
 * dead at the would-be first signal: IDLE -> [PRE_HOOK] -> DRY_HELD, which
 * lasts while the trigger holds (no memory comes back), with a reminder
 * line every DRY_REMIND_NS, then IDLE. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "daemon_evaluate.h"
#include "daemon_log.h"
#include "daemon_report.h"
#include "core/util.h"

#define MS 1000000ULL
#define SETTLE_NS (250 * MS)       /* memory accounting catching up with an exit */
#define PRE_HOOK_URGENT_NS (200 * MS) /* earlyoom's head start when already at the kill floor */
#define BOMB_RETRY_NS (1000 * MS)     /* after a fork-bomb search that found none */
#define DRY_REMIND_NS (5000 * MS)     /* a held dry-run episode says so this often */

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

static int choose(struct daemon *d, const struct hit *h)
{
	return daemon_select_victim(&d->sel, h->scope >= 0 ? d->cg[h->scope].kpath : NULL,
				    h->scope >= 0 ? d->cg[h->scope].dir : NULL,
				    scope_totalpages(d, h->scope));
}

static unsigned long machine_avail_kb(const struct daemon *d)
{
	return d->sys.s.mem_available_kb + d->sys.s.swap_free_kb;
}

/* While memory falls fast, a scan may take longer than the fall: in a
 * loaded qemu guest a cold selection took 30-200 ms, and a hog at 400-700
 * MiB/s goes from the 10% floor to the kernel's OOM in 30-50 ms. So at the
 * machine's floors the warm-up's choice is read again alone and taken
 * while it is still the task filling memory (daemon_select_pick); kill/
 * then checks it afresh through its pidfd, as every victim. Else a scan.
 * (Said once the signal is out, log_pick(): no blocking write before it;
 * a hog-fast run was lost to the kernel right after such a line.) */
static int choose_in_fall(struct daemon *d, const struct hit *h)
{
	if (h->scope >= 0 || h->psi || d->sys.fill_kb_s < WATCH_FAST_KB_S ||
	    daemon_select_pick(&d->sel, machine_avail_kb(d), scope_totalpages(d, -1)))
		return choose(d, h);
	return 0;
}

static void log_pick(const struct daemon *d)
{
	const struct task_info *v = d->sel.oc.chosen;

	if (d->sel.picked)
		dlog(DLOG_INFO, "%s: %d (%s), the warm-up's choice, read again alone: grew %lu kB since",
		     d->sel.oc.trigger, v->pid, v->comm, d->sel.oc.invoker.growth_kb);
}

static int choose_task(struct daemon *d, const struct hit *h, pid_t pid)
{
	return daemon_select_task(&d->sel, pid, h->scope >= 0 ? d->cg[h->scope].kpath : NULL,
				  h->scope >= 0 ? d->cg[h->scope].dir : NULL, scope_totalpages(d, h->scope));
}

static void start_post_hook(struct daemon *d)
{
	struct hook_facts f = { .event = "post_kill", .victim = d->sel.oc.chosen,
				.trigger = d->sel.oc.trigger, .signal = d->ep.signal,
				.dry_run = d->ep.dry_run };
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
	d->ep.reaped = oc->reaped;
	if (!d->ep.t_signal_ns)
		report_selection(d, SIGKILL);
	report_kill_process(d);
	return r == -ETIMEDOUT ? 0 : r;
}

/* The SIGTERM stage: kill's checks made afresh through the pidfd held
 * since selection (the pre_kill hook may have run meanwhile), then the
 * signal to the victim alone. */
static int term_stage(struct daemon *d)
{
	return kill_victim_term(d->sel.kctx, &d->sel.oc);
}

/* Before any signal of ours: gone (ESRCH), or, at the SIGTERM stage's
 * fresh check, no longer the chosen process or no longer killable. */
static bool not_signalled(int sig, int r)
{
	return r == -ESRCH || (sig == SIGTERM && (r == -ESTALE || r == -EPERM));
}

static void log_not_signalled(const struct daemon *d, int sig, int r)
{
	const struct task_info *v = d->sel.oc.chosen;
	const struct oom_kill_result *k = d->sel.oc.kill;

	if (r == -ESRCH)
		dlog(DLOG_NOTICE, "process %d (%s) was gone before the SIG%s", v->pid, v->comm, sigabbrev_np(sig));
	else
		dlog(DLOG_NOTICE, "process %d (%s) not sent SIG%s: %s", v->pid, v->comm, sigabbrev_np(sig),
		     k->outcome == KILL_REFUSED ? k->refused
		     : k->outcome == KILL_TOO_YOUNG ? "started in the tick of the scan"
		     : "its pid names another process");
}

/* What follows a victim's end, real or a dry run's: the post_kill hook,
 * the record, the PSI cool-down; then the episode waits in state until
 * deadline. */
static void episode_over(struct daemon *d, uint64_t now, enum episode_state state, uint64_t deadline_ns)
{
	start_post_hook(d);
	report_record(d);
	d->psi_muted_until_ns = now + d->cfg.cooldown_ms * MS;
	d->sustained.above_since_ns = 0;
	d->ep.state = state;
	d->ep.deadline_ns = deadline_ns;
}

/* The dry run's first signal: told, and the episode ends as if the victim
 * died of it (hooks once, the PSI cool-down); what a dry run cannot know
 * (the exit, the memory after) stays unknown. */
static void dry_run_signal(struct daemon *d, int sig, uint64_t now)
{
	d->ep.signal = sig;
	d->ep.t_signal_ns = now;
	d->stats.dry_run_kills++;
	report_dry_run(d);
	episode_over(d, now, EP_DRY_HELD, now + DRY_REMIND_NS);
}

static void send_signal(struct daemon *d, int sig, uint64_t now)
{
	struct episode *ep = &d->ep;
	int r;

	if (ep->dry_run) {
		dry_run_signal(d, sig, now);
		return;
	}
	r = sig == SIGKILL ? kill_with_reaper(d) : term_stage(d);

	ep->signal = sig;
	if (!ep->t_signal_ns && not_signalled(sig, r)) {
		/* no kill to report, sample again */
		log_not_signalled(d, sig, r);
		kill_victim_release(d->sel.kctx);
		ep->state = EP_IDLE;
		return;
	}
	if (r) {
		/* gone already (ESRCH) is what we wanted; anything else is a failure */
		if (r != -ESRCH) {
			d->stats.kill_failures++;
			dlog(DLOG_ERR, "cannot send SIG%s to %d: %s", sigabbrev_np(sig), d->sel.oc.chosen->pid,
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
 * swarm at once: its process group is stopped first (kill(-pgid, SIGSTOP),
 * atomic against racing forks) and checked, then killed with one
 * kill(-pgid) when it holds only copies, else copy by copy (kill unit
 * "swarm": name, uid and memory cgroup) and continued. Its victim is the
 * biggest copy. */
static bool find_fork_bomb(struct daemon *d, struct swarm *sw)
{
	unsigned long long hz = (unsigned long long)sysconf(_SC_CLK_TCK);
	unsigned long long now = kill_boot_tick(), window = d->cfg.swarm_window_ms * hz / 1000;

	sw->nr_young = 0;
	sw->comm[0] = 0;
	if (!daemon_threads_surge(d))
		return false;
	return kill_find_swarm(d->sel.kctx, now > window ? now - window : 0, (size_t)d->cfg.swarm_min, sw) == 0;
}

/* What a surge's search found when it was no bomb to kill: "N young
 * copies of 'name', none of which may be killed", or "no fork bomb (N
 * young copies of 'name', M needed)"; then the rest of the line. */
static void say_no_fork_bomb(const struct daemon *d, int prio, const struct hit *h, const struct swarm *sw,
			     const char *then)
{
	char comm[4 * TASK_COMM_MAX];

	text_escape(sw->comm, comm, sizeof(comm));
	if (sw->nr_young >= (size_t)d->cfg.swarm_min)
		dlog(prio, "%s: %zu young copies of '%s', none of which may be killed; %s", h->text, sw->nr_young,
		     comm, then);
	else
		dlog(prio, "%s: no fork bomb (%zu young copies of '%s', %d needed); %s", h->text, sw->nr_young, comm,
		     d->cfg.swarm_min, then);
}

/* A surge that was no bomb (yet): said once per search, with when the
 * next one comes (see evaluate_bomb_ahead()). */
static void no_fork_bomb(struct daemon *d, const struct hit *h, const struct swarm *sw, uint64_t now)
{
	char then[96];

	d->no_bomb_until_ns = now + BOMB_RETRY_NS;
	d->no_bomb_below_threads = 2 * sys_watch_thread_growth(&d->sys);
	snprintf(then, sizeof(then), "next search in %llu ms or at %lu new threads",
		 (unsigned long long)(BOMB_RETRY_NS / MS), d->no_bomb_below_threads);
	say_no_fork_bomb(d, DLOG_INFO, h, sw, then);
}

static void mark_fork_bomb(struct daemon *d, struct hit *h, const struct swarm *sw)
{
	size_t n = strlen(h->text);

	d->sel.kctx->unit = sw->pgroup_clean ? KILL_UNIT_PGROUP : KILL_UNIT_SWARM;
	d->sel.kctx->bomb_pgid = sw->pgid;
	h->stage = STAGE_KILL;
	snprintf(h->text + n, sizeof(h->text) - n, ", fork bomb: %zu %s started in %lus", sw->nr_young, sw->comm,
		 d->cfg.swarm_window_ms / 1000);
}

/* A kill's latency as the evaluation counts it (daemon_evaluate.c): the
 * recent episodes' selections, half the last one. (Not the warm-up scans
 * nor the slowest: they took 100-150 ms in the qemu guest against 15-26 ms
 * for a selection, and such a latency made every fast burst look too
 * fast.) */
static void note_act(struct daemon *d, uint64_t ns)
{
	d->act_ns = d->act_ns ? (d->act_ns + ns) / 2 : ns;
}

/* The selection of an episode into d->sel.oc: a fork bomb's biggest copy,
 * else the kernel's way. 0 with *h marked for a bomb; else nothing to do. */
static int select_episode_victim(struct daemon *d, struct hit *h, uint64_t now, uint64_t *select_ns)
{
	uint64_t t0 = now_ns();
	struct swarm sw;
	bool bomb = find_fork_bomb(d, &sw);
	int rc = bomb ? choose_task(d, h, sw.biggest) : -ESRCH;

	if (rc && h->bomb_only) {
		no_fork_bomb(d, h, &sw, now);
		return rc;
	}
	if (rc) { /* no bomb, or its biggest copy may not be killed: the kernel's way */
		if (daemon_threads_surge(d)) /* (debug only: a write before the signal) */
			say_no_fork_bomb(d, DLOG_DEBUG, h, &sw, "the victim chosen the kernel's way");
		bomb = false;
		rc = choose_in_fall(d, h);
	}
	*select_ns = now_ns() - t0;
	note_act(d, *select_ns);
	if (rc) {
		if (!d->ep.no_victim_logged)
			dlog(DLOG_ERR, "%s: no killable process%s", h->text,
			     rc == -ESRCH ? "" : " (cannot read /proc)");
		d->ep.no_victim_logged = true;
		return rc;
	}
	d->ep.no_victim_logged = false;
	if (!daemon_pressure_still_holds(d, h)) {
		dlog(DLOG_NOTICE, "%s: over after %.0f ms of selection, nothing killed (would have been %d %s)",
		     h->text, (double)*select_ns / 1e6, d->sel.oc.chosen->pid, d->sel.oc.chosen->comm);
		return -EAGAIN;
	}
	d->sel.kctx->unit = daemon_managed_kill_unit(d, h);
	/* a managed cgroup killed whole goes at once, as systemd-oomd kills
	 * it: a SIGTERM reaches the victim alone, and its exit ends the kill */
	if (h->managed && d->sel.kctx->unit == KILL_UNIT_CGROUP)
		h->stage = STAGE_KILL;
	d->sel.kctx->bomb_pgid = 0;
	if (bomb)
		mark_fork_bomb(d, h, &sw);
	/* the report is written once the signal is out; its facts are these */
	snprintf(d->sel.oc.trigger, sizeof(d->sel.oc.trigger), "%.*s", (int)sizeof(d->sel.oc.trigger) - 1, h->text);
	return 0;
}

/* The pre_kill hook, when configured: true when it runs (the first signal
 * then waits for it, or for its head start at the kill floor). */
static bool start_pre_hook(struct daemon *d, const struct hit *h, uint64_t now)
{
	struct hook_facts f = { .event = "pre_kill", .victim = d->sel.oc.chosen, .trigger = d->sel.oc.trigger,
				.signal = h->stage == STAGE_KILL ? SIGKILL : SIGTERM, .dry_run = d->cfg.dry_run };
	uint64_t wait = h->stage == STAGE_KILL ? PRE_HOOK_URGENT_NS : d->cfg.hook_timeout_ms * MS;

	if (!d->cfg.pre_kill[0])
		return false;
	d->stats.hooks_run++;
	if (hook_start(&d->pre_hook, d->cfg.pre_kill, &f, d->cfg.hook_timeout_ms) == 0) {
		d->ep.deadline_ns = now + wait;
		return true;
	}
	d->stats.hooks_failed++;
	dlog(DLOG_WARNING, "pre_kill hook %s could not start", d->cfg.pre_kill);
	return false;
}

static void start_episode(struct daemon *d, const struct hit *hit, uint64_t now)
{
	struct episode *ep = &d->ep;
	struct hit marked = *hit, *h = &marked;
	uint64_t select_ns;

	daemon_watchdog_ping(d, now);
	if (select_episode_victim(d, h, now, &select_ns))
		return;
	/* pinned and checked by kill; gone or changed since the scan: sample
	 * again (a dry run touches no process: it goes by the selection) */
	if (!d->cfg.dry_run && kill_victim_hold(d->sel.kctx, &d->sel.oc))
		return;
	*ep = (struct episode){ .scope = h->scope, .state = EP_PRE_HOOK, .select_ns = select_ns,
				.avail_before_kb = scope_avail_kb(d, h->scope), .dry_run = d->cfg.dry_run };
	if (meminfo_read(d->cfg.proc_root, &ep->mi))
		memset(&ep->mi, 0, sizeof(ep->mi));
	if (h->stage == STAGE_KILL)
		d->stats.triggers_kill++;
	else
		d->stats.triggers_term++;
	if (!start_pre_hook(d, h, now))
		send_signal(d, h->stage == STAGE_KILL ? SIGKILL : SIGTERM, now);
	log_pick(d);
}

/* A victim that exited of our SIGTERM alone tells how long such an exit
 * takes (the projection at a SIGTERM level counts it): averaged with the
 * estimate before. */
static void note_term_exit(struct daemon *d)
{
	const struct episode *ep = &d->ep;

	if (ep->exited && !ep->dry_run && !ep->escalated && ep->signal == SIGTERM)
		d->term_exit_ns = (daemon_term_exit_ns(d) + ep->ms_to_exit * MS) / 2;
}

static void finish_episode(struct daemon *d, uint64_t now)
{
	struct episode *ep = &d->ep;

	ep->exited = kill_victim_exited(d->sel.kctx);
	ep->ms_to_exit = ep->t_signal_ns ? (now - ep->t_signal_ns) / MS : 0;
	kill_victim_release(d->sel.kctx);
	daemon_sample(d, now);
	ep->avail_after_kb = scope_avail_kb(d, ep->scope);
	if (!ep->exited)
		d->stats.kill_failures++;
	note_term_exit(d);
	report_kill_finished(d);
	episode_over(d, now, EP_RECOVER, now + SETTLE_NS);
}

static void escalate(struct daemon *d, const struct hit *h, uint64_t now)
{
	dlog(DLOG_WARNING, "escalating to SIGKILL for %d (%s): %s", d->sel.oc.chosen->pid,
	     d->sel.oc.chosen->comm, now >= d->ep.deadline_ns ? "grace over" : h->text);
	d->ep.escalated = true;
	d->stats.escalations++;
	send_signal(d, SIGKILL, now);
}

/* Within twice the SIGTERM floor, a selection over the top tasks a second
 * that kills nothing: the first selection of an episode then knows who
 * grew since (the invoker), the scanner's descriptors are open while
 * memory is still there, and its choice is kept (choose_in_fall). While
 * memory falls fast, one as soon as the fall is within a second of twice
 * the floor, or at once when it starts nearer, unless the choice kept is
 * the task filling memory already (a leak's fill rate dips and comes
 * back: one scan each time is not needed), looked at once a second at
 * most. A fall lasts a second past its last fast sample: a dip of the
 * decaying rate must not let the once-a-second scan start near the floor
 * while hogs fill memory (in a loaded guest two hogs went from above the
 * 10% floor to the kernel's OOM, invoked by the daemon's own allocation,
 * before the daemon's next look). A warm-up in a fall may still run when
 * the floor is crossed: it reads the killable top alone, through the
 * descriptors kept since start-up (7-20 ms in a qemu guest's fast fall;
 * 50-60 ms when it opened them and read every task), and the warm-up's
 * choice is then read again alone, in 1-2 ms. None while the
 * threads surge: a fork bomb's copies make any scan long (seconds in the
 * guest), and the bomb's own search decides its kill. */
#define WARM_EVERY_NS (1000 * MS)
/* A warm-up runs again only when the machine's headroom (MemAvailable +
 * SwapFree) moved by a quarter of the SIGTERM floor since the last one:
 * memory held still near the floor (a thrash for 30 s, a burst held)
 * changes neither who grew nor the choice, and the scans there (once a
 * second, and once more at each dip of a page-cache thrash, which looks
 * like a fall) were most of the daemon's CPU in the qemu guest. A fall
 * from above twice the floor always warms up (none is kept from there). */
static bool moved_since_warm(const struct daemon *d, unsigned long floor)
{
	unsigned long now = machine_avail_kb(d), then = d->warm_avail_kb;

	return !then || (now > then ? now - then : then - now) >= floor / 4;
}

static void warm(struct daemon *d, uint64_t now)
{
	d->next_warm_ns = now + WARM_EVERY_NS;
	d->warm_avail_kb = machine_avail_kb(d);
	daemon_selector_warm(&d->sel, scope_totalpages(d, -1), d->warm_avail_kb);
}

static void warm_up(struct daemon *d, uint64_t now)
{
	unsigned long floor = floor_kb(&d->cfg.mem_term, d->sys.s.mem_total_kb), near_kb = 2 * floor;
	unsigned long avail = d->sys.s.mem_available_kb;

	if (d->sys.fill_kb_s >= WATCH_FAST_KB_S)
		d->fell_fast_ns = now;
	if (!d->cfg.memory_enabled || daemon_threads_surge(d))
		return;
	if (d->fell_fast_ns && now - d->fell_fast_ns < WARM_EVERY_NS) {
		if (now < d->next_fall_warm_ns || (avail >= near_kb && (double)(avail - near_kb) > d->sys.fill_kb_s) ||
		    !moved_since_warm(d, floor))
			return;
		d->next_fall_warm_ns = now + WARM_EVERY_NS;
		if (daemon_pick_fills(&d->sel, machine_avail_kb(d)))
			return;
	} else if (avail >= near_kb) {
		d->warm_avail_kb = 0; /* (the next approach warms up afresh) */
		return;
	} else if (now < d->next_warm_ns || !moved_since_warm(d, floor)) {
		return;
	}
	warm(d, now);
}

void daemon_step(struct daemon *d, uint64_t now)
{
	struct episode *ep = &d->ep;
	struct hit h;
	int status;

	daemon_sample(d, now);
	h = daemon_evaluate(d, now);
	if (hook_poll(&d->post_hook, now, &status) && status != 0)
		d->stats.hooks_failed++;
	if (hook_poll(&d->pre_hook, now, &status) && status != 0)
		d->stats.hooks_failed++;
	switch (ep->state) {
	case EP_IDLE:
		if (h.stage != STAGE_NONE && !d->cfg.observe) { /* --observe: never a signal */
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
		if (kill_victim_exited(d->sel.kctx))
			finish_episode(d, now);
		else if (now >= ep->deadline_ns || h.stage == STAGE_KILL)
			escalate(d, &h, now);
		break;
	case EP_KILL_SENT:
		if (kill_victim_exited(d->sel.kctx) || now >= ep->deadline_ns)
			finish_episode(d, now);
		break;
	case EP_RECOVER:
		/* memory back above the floor, or accounting had time to catch up */
		if (h.stage == STAGE_NONE || now >= ep->deadline_ns)
			ep->state = EP_IDLE;
		break;
	case EP_DRY_HELD:
		if (h.stage == STAGE_NONE) {
			ep->state = EP_IDLE;
		} else if (now >= ep->deadline_ns) {
			report_dry_run_held(d, h.text, now - ep->t_signal_ns);
			ep->deadline_ns = now + DRY_REMIND_NS;
		}
		break;
	}
}
