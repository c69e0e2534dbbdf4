/* oom_reaper.c - after the signal: process_mrelease() of a SIGKILLed
 * victim (the kernel's oom_reaper, from user space), the bounded wait for
 * every signalled pidfd, and the measure of what came back. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "kill_proc.h"
#include "core/mem.h"
#include "core/pidfd.h"
#include "core/util.h"

/* Headroom in kB: limit - usage of the measured memcg, else MemAvailable. */
unsigned long kill_measure_avail_kb(struct kill_ctx *k)
{
	struct meminfo mi;
	uint64_t usage;

	if (k->usage_fd >= 0) {
		if (pread_file(k->usage_fd, k->text, sizeof(k->text)) < 0 || parse_u64(k->text, &usage) < 0)
			return 0;
		return usage >= k->limit_bytes ? 0 : (unsigned long)((k->limit_bytes - usage) / 1024);
	}
	if (pread_file(k->meminfo_fd, k->text, sizeof(k->text)) < 0 || meminfo_parse(k->text, &mi) < 0)
		return 0;
	return mi.mem_available_kb;
}

/* Status counters of the victim right after process_mrelease(): the
 * kernel's oom_reaper prints them ("now anon-rss:0kB ..."). */
static void read_now_rss(struct kill_ctx *k)
{
	struct task_info t;
	char path[32];

	memset(&t, 0, sizeof(t));
	snprintf(path, sizeof(path), "%d/status", (int)k->res.members[0].t.pid);
	if (read_file_at(k->proc_fd, path, k->text, sizeof(k->text)) >= 0)
		proc_parse_status(k->text, &t);
	k->res.now_anon_kb = t.rss_anon_kb;
	k->res.now_file_kb = t.rss_file_kb;
	k->res.now_shmem_kb = t.rss_shmem_kb;
}

void oom_reap(struct kill_ctx *k, struct oom_control *oc)
{
	k->res.reap_err = sys_process_mrelease(k->res.members[0].pidfd);
	oc->t_reaped_ns = now_ns();
	oc->reaped = k->res.reap_err == 0;
	if (oc->reaped)
		read_now_rss(k);
	/* not a fork bomb's copies: each holds little, and with a thousand
	 * exiting at once these calls stalled the daemon's step past the
	 * unit's 10 s watchdog in the Debian guest */
	if (k->res.stopped_pgid)
		return;
	for (size_t i = 1; i < k->res.nr_members; i++)
		if (k->res.members[i].signalled && k->res.members[i].why != KILL_WHY_SHARES_MM)
			sys_process_mrelease(k->res.members[i].pidfd);
}

/* Polls every signalled pidfd until all exited or the timeout passed. */
bool kill_wait_exit(struct kill_ctx *k, uint64_t deadline_ns)
{
	struct pollfd pfd[KILL_MAX_MEMBERS];
	size_t idx[KILL_MAX_MEMBERS];

	for (;;) {
		nfds_t n = 0;
		uint64_t now = now_ns();
		int r;

		for (size_t i = 0; i < k->res.nr_members; i++) {
			struct kill_member *m = &k->res.members[i];

			if (m->pidfd < 0 || !m->signalled || m->exited)
				continue;
			pfd[n] = (struct pollfd){ .fd = m->pidfd, .events = POLLIN };
			idx[n++] = i;
		}
		if (n == 0)
			return true;
		if (now >= deadline_ns)
			return false;
		r = poll(pfd, n, (int)((deadline_ns - now + 999999) / 1000000));
		if (r < 0 && errno != EINTR)
			return false;
		now = now_ns();
		for (nfds_t j = 0; r > 0 && j < n; j++) {
			if (pfd[j].revents) {
				k->res.members[idx[j]].exited = true;
				k->res.members[idx[j]].t_exit_ns = now;
			}
		}
	}
}
