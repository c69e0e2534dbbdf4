/* daemon_select.c - see daemon_select.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon_select.h"
#include "core/oom_control.h"
#include "core/select.h"
#include "core/util.h"

/* Tasks read in full per scan: select_bad_process() over the top ones
 * (ties at the cut included) chooses as over every process; a few more
 * give the policy tiers room and the invoker candidates. */
#define SELECT_TOP 16

static int add_rule(struct policy *p, enum policy_kind kind, const char *spec, char *why, size_t size)
{
	char err[POLICY_ERR_MAX];

	if (!spec[0] || policy_add_spec(p, kind, spec, err, sizeof(err)) == 0)
		return 0;
	snprintf(why, size, "[kill] %s = %s: %s", policy_kind_name(kind), spec, err);
	return -EINVAL;
}

int daemon_selector_start(struct daemon_selector *s, const struct oomkit_config *cfg,
			  const struct memcg_roots *roots, char *why, size_t size)
{
	int r;

	/* a reload that names another proc_root or scanner: both contexts anew */
	if (s->scanner_ready && (strcmp(s->scanner.proc_root, cfg->proc_root) ||
				 (cfg->scanner == SCANNER_PROCFS && s->scanner.bpf) ||
				 (cfg->scanner == SCANNER_BPF && !s->scanner.bpf))) {
		proc_scanner_free(&s->scanner);
		s->scanner_ready = false;
		kill_ctx_free(s->kctx);
		s->kctx = NULL;
	}
	if (!s->kctx) {
		s->kctx = kill_ctx_new(cfg->proc_root);
		if (!s->kctx) {
			snprintf(why, size, "%s: %s", cfg->proc_root, strerror(errno));
			return -errno;
		}
	}
	s->kctx->unit = config_kill_unit(cfg);
	s->kctx->reap = true;
	s->kctx->policy = &s->policy;
	snprintf(s->kctx->cgroup_root, sizeof(s->kctx->cgroup_root), "%s", roots->v1[0] ? roots->v1 : roots->v2);
	s->kctx->cgroup_v2 = !roots->v1[0];

	if (!s->growth) {
		s->growth = calloc(GROWTH_SLOTS, sizeof(*s->growth));
		if (!s->growth)
			return -ENOMEM;
	}
	if (!s->scanner_ready) {
		r = proc_scanner_init(&s->scanner, cfg->proc_root,
				      strcmp(cfg->proc_root, "/proc") || cfg->scanner == SCANNER_PROCFS
				      ? PROC_SCANNER_NO_BPF : 0);
		if (r == 0 && cfg->scanner == SCANNER_BPF && !s->scanner.bpf) {
			proc_scanner_free(&s->scanner);
			snprintf(why, size, "[daemon] scanner = bpf: the BPF task iterator is unavailable "
					    "(it needs kernel >= 6.2 with BTF, root, the initial pid namespace)");
			return -ENOTSUP;
		}
		if (r == 0)
			r = proc_snapshot_reserve(&s->snap, SELECT_TOP + PROC_SCAN_TIES_MAX);
		if (r) {
			snprintf(why, size, "%s: cannot scan: %s", cfg->proc_root, strerror(-r));
			return r;
		}
		s->scanner_ready = true;
		/* now, while memory is there: the first scan of a fast fall
		 * then reads instead of opening (a failure here only costs
		 * that scan its time) */
		proc_scanner_prime(&s->scanner);
	}
	policy_init(&s->policy, getpid());
	s->policy_ready = true;
	if (add_rule(&s->policy, POLICY_PREFER, cfg->prefer, why, size) ||
	    add_rule(&s->policy, POLICY_AVOID, cfg->avoid, why, size) ||
	    add_rule(&s->policy, POLICY_IGNORE, cfg->ignore, why, size) ||
	    add_rule(&s->policy, POLICY_PROTECT, cfg->protect, why, size) ||
	    (s->extra_avoid && add_rule(&s->policy, POLICY_AVOID, s->extra_avoid, why, size)) ||
	    (s->extra_protect && add_rule(&s->policy, POLICY_PROTECT, s->extra_protect, why, size)) ||
	    (cfg->ignore_root_user && add_rule(&s->policy, POLICY_IGNORE, "uid:0", why, size)))
		return -EINVAL;
	/* rules make every task read in full: room for all now, not on a kill */
	if (s->policy.nr && proc_snapshot_reserve(&s->snap, s->scanner.cap)) {
		snprintf(why, size, "no memory for a snapshot of %zu tasks", s->scanner.cap);
		return -ENOMEM;
	}
	return 0;
}

void daemon_selector_stop_policy(struct daemon_selector *s)
{
	if (s->policy_ready)
		policy_free(&s->policy);
	s->policy_ready = false;
}

void daemon_selector_free(struct daemon_selector *s)
{
	daemon_selector_stop_policy(s);
	if (s->scanner_ready) {
		proc_scanner_free(&s->scanner);
		proc_snapshot_free(&s->snap);
	}
	s->scanner_ready = false;
	kill_ctx_free(s->kctx);
	s->kctx = NULL;
	free(s->growth);
	s->growth = NULL;
}

/* Remembers this scan's RSS and returns the growth since the last one. */
static unsigned long growth_update(struct growth_slot *g, const struct task_info *t)
{
	struct growth_slot *slot = &g[(unsigned int)t->pid % GROWTH_SLOTS];
	unsigned long rss = task_rss_kb(t), grown = 0;

	if (slot->pid == t->pid && rss > slot->rss_kb)
		grown = rss - slot->rss_kb;
	slot->pid = t->pid;
	slot->rss_kb = (uint32_t)(rss > UINT32_MAX ? UINT32_MAX : rss);
	return grown;
}

/* The fastest grower among the tasks read; NULL with no growth seen (a
 * first scan: the caller names the victim, not some idle big task). */
static const struct task_info *find_invoker(struct daemon_selector *s, unsigned long *grown_kb)
{
	const struct task_info *best = NULL;
	unsigned long best_grown = 0;

	for (size_t i = 0; i < s->snap.nr; i++) {
		const struct task_info *t = &s->snap.tasks[i];
		unsigned long g = growth_update(s->growth, t);

		if (t->has_mm && g > best_grown) {
			best_grown = g;
			best = t;
		}
	}
	*grown_kb = best_grown;
	return best;
}

/* The oom_control of a selection in the whole machine or one memcg. */
static void selection_begins(struct daemon_selector *s, const char *memcg, const char *memcg_dir,
			     unsigned long totalpages)
{
	s->tier = NULL;
	s->picked = false;
	s->oc = (struct oom_control){ .constraint = memcg ? CONSTRAINT_MEMCG : CONSTRAINT_NONE,
				      .totalpages = totalpages, .order = -1,
				      .page_size = (unsigned long)sysconf(_SC_PAGESIZE) };
	if (memcg) {
		snprintf(s->oc.memcg, sizeof(s->oc.memcg), "%s", memcg);
		snprintf(s->oc.memcg_dir, sizeof(s->oc.memcg_dir), "%s", memcg_dir);
	}
	kill_ctx_snapshot_begins(s->kctx);
}

/* select_bad_process() with the policy tiers over s->snap. */
static int selection_ends(struct daemon_selector *s, const struct task_info *inv, unsigned long grown)
{
	struct oom_control *oc = &s->oc;
	enum policy_tier tier;
	int rc;

	oc->t_select_ns = now_ns();
	rc = select_bad_process(oc, &s->snap, &s->policy, &tier);
	if (rc < 0)
		return rc;
	/* no grower seen (a first scan): the victim names itself */
	inv = inv ? inv : oc->chosen;
	oc->invoker.task = inv;
	oc->invoker.growth_kb = grown;
	oc->invoker.pid = inv->pid;
	oc->invoker.oom_score_adj = inv->oom_score_adj;
	snprintf(oc->invoker.comm, sizeof(oc->invoker.comm), "%s", inv->comm);
	s->tier = policy_tier_name(tier);
	return 0;
}

/* Whether the ranks of the top tasks are the policy's too: ignore and
 * protect rules only take tasks out (and are checked again on the kept
 * choice at the floor); prefer and avoid tiers, or self-raised adj set
 * aside, may choose outside the top a warm-up or an episode reads first. */
static bool policy_keeps_ranks(const struct policy *p)
{
	if (p->self_raised != SELF_RAISED_HONOR)
		return false;
	for (size_t i = 0; i < p->nr; i++)
		if (p->rules[i].kind == POLICY_PREFER || p->rules[i].kind == POLICY_AVOID)
			return false;
	return true;
}

/* One scan into s->snap and the selection over it into s->oc. */
static int scan_select(struct daemon_selector *s, const struct proc_scan_opts *o, const char *memcg,
		       const char *memcg_dir, unsigned long totalpages)
{
	const struct task_info *inv;
	unsigned long grown = 0;
	int rc;

	selection_begins(s, memcg, memcg_dir, totalpages);
	rc = proc_scanner_scan(&s->scanner, o, &s->snap);
	if (rc < 0)
		return rc;
	inv = find_invoker(s, &grown);
	return selection_ends(s, inv, grown);
}

int daemon_select_victim(struct daemon_selector *s, const char *memcg, const char *memcg_dir,
			 unsigned long totalpages)
{
	/* The whole machine's killable top by points first: each task read
	 * in full costs opens, and an open under memory pressure waits for
	 * reclaim (a qemu guest's 59 tasks read in full took 149 ms in a
	 * fast fall, past the kernel's OOM; its 2 killable ones, 2 ms). The
	 * best the policy allows there is its choice among all (see
	 * policy_keeps_ranks()); when it allows none, every task. Tiers may
	 * choose outside the top (a small preferred task, a top made only of
	 * avoided ones), and a memory cgroup's points are on another scale
	 * than the global oom_score: read all. */
	bool top_first = !memcg_dir && policy_keeps_ranks(&s->policy);
	struct proc_scan_opts o = { .top = top_first || !s->policy.nr ? SELECT_TOP : 0, .totalpages = totalpages,
				    .page_size = (unsigned long)sysconf(_SC_PAGESIZE), .memcg_dir = memcg_dir,
				    .details = policy_proc_details(&s->policy) | PROC_DETAIL_MEMCG,
				    .above_zero = top_first };
	int rc = scan_select(s, &o, memcg, memcg_dir, totalpages);

	if (rc != -ESRCH || !top_first)
		return rc;
	o.top = 0;
	o.above_zero = false;
	return scan_select(s, &o, memcg, memcg_dir, totalpages);
}

static unsigned long held_kb(const struct task_info *t)
{
	return task_rss_kb(t) + t->swap_kb;
}

void daemon_selector_warm(struct daemon_selector *s, unsigned long totalpages, unsigned long avail_kb)
{
	/* the killable top only, as the kernel's choice needs, even with
	 * policy rules: reading every task in full took long enough in the
	 * qemu guest for a hog to meet the kernel's OOM during it */
	struct proc_scan_opts o = { .top = SELECT_TOP, .totalpages = totalpages,
				    .page_size = (unsigned long)sysconf(_SC_PAGESIZE),
				    .details = policy_proc_details(&s->policy) | PROC_DETAIL_MEMCG,
				    .above_zero = true };
	const struct task_info *v;

	s->pick.pid = 0;
	/* (scanned with any policy: the growth it notes names the invoker) */
	if (scan_select(s, &o, NULL, NULL, totalpages) || !policy_keeps_ranks(&s->policy))
		return;
	v = s->oc.chosen;
	s->pick = (struct warm_pick){ .pid = v->pid, .start_time = v->start_time, .held_kb = held_kb(v),
				      .avail_kb = avail_kb };
}

/* The warm-up's choice read again into s->snap.tasks[0] (with details):
 * 0 when it is the same task and grew by a third or more of what the
 * machine lost since (avail_kb now), with *grown; else -ESTALE or the
 * read's error. */
static int pick_read(struct daemon_selector *s, unsigned long avail_kb, unsigned int details,
		     unsigned long *grown)
{
	const struct warm_pick *p = &s->pick;
	struct task_info *t = &s->snap.tasks[0];
	int rc;

	if (!p->pid || avail_kb >= p->avail_kb)
		return -ESTALE;
	rc = task_info_read(s->scanner.proc_root, p->pid, details, t);
	s->snap.nr = s->snap.nr_scanned = rc < 0 ? 0 : 1;
	if (rc < 0)
		return rc;
	*grown = held_kb(t) > p->held_kb ? held_kb(t) - p->held_kb : 0;
	return t->start_time != p->start_time || 3 * *grown < p->avail_kb - avail_kb ? -ESTALE : 0;
}

bool daemon_pick_fills(struct daemon_selector *s, unsigned long avail_kb)
{
	unsigned long grown;

	return pick_read(s, avail_kb, 0, &grown) == 0;
}

int daemon_select_pick(struct daemon_selector *s, unsigned long avail_kb, unsigned long totalpages)
{
	unsigned long grown;
	int rc;

	selection_begins(s, NULL, NULL, totalpages);
	rc = pick_read(s, avail_kb, policy_proc_details(&s->policy) | PROC_DETAIL_MEMCG, &grown);
	if (rc)
		return rc;
	s->pick.pid = 0; /* once: a victim that kill/ then refuses is left to a scan */
	s->picked = true;
	return selection_ends(s, &s->snap.tasks[0], grown);
}

int daemon_select_task(struct daemon_selector *s, pid_t pid, const char *memcg, const char *memcg_dir,
		       unsigned long totalpages)
{
	int rc;

	selection_begins(s, memcg, memcg_dir, totalpages);
	rc = task_info_read(s->scanner.proc_root, pid,
			    policy_proc_details(&s->policy) | PROC_DETAIL_MEMCG, &s->snap.tasks[0]);
	if (rc < 0)
		return rc;
	s->snap.nr = s->snap.nr_scanned = 1;
	return selection_ends(s, &s->snap.tasks[0], 0);
}
