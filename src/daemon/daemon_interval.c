/* daemon_interval.c - how long the daemon's loop may sleep after a pass
 * (daemon_timeout_ms): the adaptive interval of every polled watch, sized
 * so that a hog at the machine's worst-case fill rate cannot cross both
 * stages between two samples, shorter in a fast fall near a floor, longer
 * only at rest; and the episode's own deadlines. */
#include <stdbool.h>
#include <stdint.h>

#include "daemon.h"
#include "daemon_evaluate.h"
#include "trigger_commit.h"

#define MS 1000000ULL

/* Samples more than BUSY_MAX_MS apart only while nothing but the machine's
 * floors can act, which the adaptive interval is sized for: memory watched
 * and not short (the PSI rules need it short), no cgroup watched (v1
 * thresholds and v2 events are polled as a safety net too), no threads
 * surge (a fork bomb's growth is seen from pass to pass), no pressure
 * above the sustained rule's level. */
#define BUSY_MAX_MS 1000
static bool at_rest(const struct daemon *d)
{
	return d->cfg.memory_enabled && !d->nr_cg && !daemon_memory_short(d) && !daemon_threads_surge(d) &&
	       !d->sustained.above_since_ns;
}

/* The next wake-up: the adaptive interval of every polled watch, and the
 * episode's own deadline. The shortest interval is 3 ms while memory falls
 * fast enough to go from the SIGTERM floor to the kernel's limit (what the
 * floor leaves: term_floor_kb) in 100 ms or less, so that the kill is not
 * late by a sample; slower falls keep interval_min. (3 ms at every fall of
 * 32 MiB/s and more kept a swapping leak in the qemu guest at 3-10 ms for
 * seconds: twice main's CPU there.) */
#define NEAR_MIN_MS 3UL
#define NEAR_CROSS_PER_S 10.0
static unsigned long min_ms(const struct daemon *d, double fill_kb_s, unsigned long term_floor_kb)
{
	bool fast = fill_kb_s >= WATCH_FAST_KB_S && fill_kb_s >= NEAR_CROSS_PER_S * (double)term_floor_kb;

	return fast && NEAR_MIN_MS < d->cfg.interval_min_ms ? NEAR_MIN_MS : d->cfg.interval_min_ms;
}

/* The machine's headroom above its SIGKILL stage, which needs MemAvailable
 * and, with swap, SwapFree below their floors: the larger of the two. (By
 * MemAvailable alone a swapping leak kept the loop at its shortest
 * interval for seconds: 3 ms while it fell fast.) */
static unsigned long kill_headroom_kb(const struct daemon *d)
{
	const struct mem_sample *s = &d->sys.s;
	unsigned long mf = floor_kb(&d->cfg.mem_kill, s->mem_total_kb);
	unsigned long sf = floor_kb(&d->cfg.swap_kill, s->swap_total_kb);
	unsigned long mem = s->mem_available_kb > mf ? s->mem_available_kb - mf : 0;
	unsigned long swap = s->swap_total_kb && s->swap_free_kb > sf ? s->swap_free_kb - sf : 0;

	return mem > swap ? mem : swap;
}

unsigned long daemon_timeout_ms(const struct daemon *d, uint64_t now)
{
	const double assumed_kb_s = 6000.0 * 1024; /* earlyoom's worst-case fill rate */
	unsigned long t = d->cfg.memory_enabled
		? next_interval_ms(kill_headroom_kb(d), d->sys.fill_kb_s, assumed_kb_s,
				   min_ms(d, d->sys.fill_kb_s, floor_kb(&d->cfg.mem_term, d->sys.s.mem_total_kb)),
				   d->cfg.interval_max_ms)
		: d->cfg.interval_max_ms;
	unsigned long tc = commit_interval_ms(&d->cfg, &d->sys.s, daemon_commit_enforced(d), assumed_kb_s);

	if (tc < t)
		t = tc;
	if (t > BUSY_MAX_MS && !at_rest(d))
		t = BUSY_MAX_MS;
	for (size_t i = 0; i < d->nr_cg; i++) {
		const struct memcg_watch *w = &d->cg[i];
		unsigned long lim = (unsigned long)(w->limit_bytes / 1024), fl = floor_kb(&w->spec.kill, lim);
		unsigned long head, ti;
		/* v1 thresholds wake us, and past our brake (v2 memory.high at the
		 * SIGTERM floor) the kernel throttles and memory.events wakes us:
		 * poll only as a safety net */
		if (w->version == 1 || w->brake_bytes || w->limit_bytes == UINT64_MAX)
			continue;
		head = memcg_watch_headroom_kb(w);
		/* nothing wakes us before memory.max is hit: the machine's worst case */
		ti = next_interval_ms(head > fl ? head - fl : 0, w->fill_kb_s, assumed_kb_s,
				      min_ms(d, w->fill_kb_s, floor_kb(&w->spec.term, lim)), d->cfg.interval_max_ms);
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
