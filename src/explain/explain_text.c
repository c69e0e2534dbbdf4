/* explain_text.c - the human report of one event, most important first:
 * who died, who was allocating, where (global or which cgroup, how full),
 * what used the memory, and whether the kernel's choice follows from its
 * own table. Names are escaped (text_escape): they are hostile input. */
#include "explain.h"

#include <stdlib.h>
#include <string.h>

#include "core/k8s.h"
#include "core/units.h"

#define ESC(s) text_escape((s), (char[200]){ 0 }, 200)

/* Sizes in the one unit style of every human output (core/units.h). */
static void mib(char *out, size_t size, int64_t kb)
{
	if (kb == KR_UNSET || kb < 0)
		snprintf(out, size, "?");
	else
		format_kb((unsigned long)kb, out, size);
}

static const char *when(const struct kr_event *ev, char *buf, size_t size)
{
	if (ev->time[0])
		snprintf(buf, size, "%s", ev->time);
	else if (ev->kernel_us != KR_UNSET)
		snprintf(buf, size, "%.6f s after boot", (double)ev->kernel_us / 1e6);
	else
		snprintf(buf, size, "time not in the log");
	return buf;
}

static void victim_line(FILE *f, const struct kr_event *ev)
{
	const struct kr_victim *v = &ev->victim;
	char a[32], fl[32], sh[32];

	if (!ev->have_victim) {
		fprintf(f, "  Killed:    nobody%s\n", ev->already_exiting ? " (the victim was already exiting)"
						     : ev->no_killable ? " (no killable process)"
						     : ev->panic ? " (the kernel panicked)" : " (no kill line in the log)");
		return;
	}
	if (v->cgroup[0]) {
		fprintf(f, "  Killed:    cgroup %s (%s)\n", ESC(v->cgroup), ESC(ev->reason));
		return;
	}
	if (v->signal[0]) { /* earlyoom: a signal, not necessarily a death */
		mib(a, sizeof(a), v->rss_kb);
		fprintf(f, "  %s %s to %s (pid %lld, uid %lld), rss %s, badness %lld%s\n",
			ev->dry_run ? "Would send:" : "Signal:   ", ESC(v->signal), ESC(v->comm), (long long)v->pid,
			(long long)v->uid, a, (long long)ev->badness, ev->dry_run ? " (dry run: nothing was sent)" : "");
		return;
	}
	mib(a, sizeof(a), v->anon_rss_kb);
	mib(fl, sizeof(fl), v->file_rss_kb);
	mib(sh, sizeof(sh), v->shmem_rss_kb);
	fprintf(f, "  %s %s", ev->dry_run ? "Would kill:" : "Killed:   ", v->comm[0] ? ESC(v->comm) : "?");
	if (v->pid != KR_UNSET)
		fprintf(f, " (pid %lld)", (long long)v->pid);
	if (v->anon_rss_kb != KR_UNSET)
		fprintf(f, ", anon %s, file %s, shmem %s", a, fl, sh);
	else if (v->rss_kb != KR_UNSET)
		fprintf(f, ", rss %s", (mib(a, sizeof(a), v->rss_kb), a));
	if (v->oom_score_adj != KR_UNSET)
		fprintf(f, ", oom_score_adj %lld", (long long)v->oom_score_adj);
	fprintf(f, "%s\n", ev->reaped == 1 ? "; memory reaped by oom_reaper"
			   : ev->reap_unable ? "; the oom_reaper could not reap it"
			   : ev->reaped == 0 ? "; it exited without the oom_reaper's help" : "");
	for (int i = 0; i < ev->nr_others; i++)
		fprintf(f, "             also %s (pid %lld): %s\n", ESC(ev->others[i].comm),
			(long long)ev->others[i].pid, ev->others[i].reason);
}

static void invoker_line(FILE *f, const struct kr_event *ev, const struct explain_rank *r)
{
	const char *comm = ev->oc.invoker.comm;

	if (!ev->have_header) {
		/* the cpuset or stack line still names the allocating task */
		if (comm[0] && ev->invoker_pid != KR_UNSET)
			fprintf(f, "  Invoker:   %s (pid %lld), from the lines after the header; the header itself is not in the log\n",
				ESC(comm), (long long)ev->invoker_pid);
		else if (comm[0])
			fprintf(f, "  Invoker:   %s, from the lines after the header; the header itself is not in the log\n",
				ESC(comm));
		else
			fprintf(f, "  Invoker:   not in the log (report cut at the start, or header ratelimited)\n");
		return;
	}
	if (!strcmp(ev->source, "oomkit")) {
		fprintf(f, "  Invoker:   %s, a user-space kill by oomkit (trigger: %s), no allocation failed\n", ESC(comm),
			ev->oc.trigger[0] ? ESC(ev->oc.trigger) : "?");
		return;
	}
	fprintf(f, "  Invoker:   %s", ESC(comm));
	if (ev->invoker_pid != KR_UNSET)
		fprintf(f, " (pid %lld)", (long long)ev->invoker_pid);
	if (ev->sysrq)
		fprintf(f, ": a manual OOM kill (sysrq f), not a real shortage");
	else if (!strcmp(ev->invoker_kind, "kswapd"))
		fprintf(f, ": the kernel's page reclaim thread");
	else if (ev->have_victim && ev->victim.pid != KR_UNSET && ev->invoker_pid == ev->victim.pid)
		fprintf(f, ": the allocating task was also the victim");
	else if (ev->have_victim && ev->victim.comm[0] && comm[0] && strcmp(comm, ev->victim.comm))
		fprintf(f, " was allocating; it is NOT the victim");
	fprintf(f, "\n             gfp_mask=%s (%s), order=", ev->gfp_mask[0] ? ev->gfp_mask : "?",
		r->gfp_decoded[0] ? r->gfp_decoded : ev->gfp_mask[0] ? "no flags" : "not read");
	if (ev->order == KR_UNSET)
		fprintf(f, "?\n");
	else
		fprintf(f, "%lld%s\n", (long long)ev->order, ev->order > 0 ? " (a contiguous block of 2^order pages)" : "");
}

/* The Kubernetes pod or container of the victim (task_memcg), else of the
 * cgroup whose limit was hit (doc/kubernetes.md). */
static void pod_line(FILE *f, const struct kr_event *ev)
{
	struct k8s_pod pod;
	char text[256];

	if (k8s_decode(ev->task_memcg[0] ? ev->task_memcg : ev->oom_memcg, &pod) != 1 ||
	    (!pod.pod_uid[0] && !pod.container_id[0]))
		return;
	fprintf(f, "  Pod:       %s\n", k8s_format(&pod, text, sizeof(text)));
}

static void scope_line(FILE *f, const struct kr_event *ev)
{
	char u[32], l[32];

	if (ev->oc.constraint == CONSTRAINT_MEMCG && ev->constraint_known) {
		mib(u, sizeof(u), ev->mc_memory.usage_kb);
		mib(l, sizeof(l), ev->mc_memory.limit_kb);
		fprintf(f, "  Scope:     memory cgroup %s%s (usage %s of %s", ESC(ev->oom_memcg[0] ? ev->oom_memcg : "?"),
			strcmp(ev->source, "oomkit") ? " hit its limit" : "", u, l);
		if (ev->mc_memsw.limit_kb != KR_UNSET)
			fprintf(f, "; memory+swap %s", (mib(u, sizeof(u), ev->mc_memsw.usage_kb), u));
		fprintf(f, ")\n");
	} else if (ev->constraint_known) {
		fprintf(f, "  Scope:     %s (%s)\n", ev->oc.constraint == CONSTRAINT_NONE ? "the whole machine" : "a node subset",
			oom_constraint_name(ev->oc.constraint));
	} else if (ev->have_meminfo || !strcmp(ev->victim.message, "Out of memory")) {
		fprintf(f, "  Scope:     the whole machine (%s)\n",
			ev->have_meminfo ? "Mem-Info printed, no memcg block" : "kill message \"Out of memory\"");
	} else if (!strcmp(ev->victim.message, "Memory cgroup out of memory")) {
		fprintf(f, "  Scope:     a memory cgroup (kill message \"Memory cgroup out of memory\"; cgroup not in the log)\n");
	}
	pod_line(f, ev);
}

/* A memcg OOM has no Mem-Info: its stat block tells anon vs file vs shmem
 * (v2 names in bytes from 5.3, v1 names rss/cache in bytes or kB). */
static int64_t memcg_stat_kb(const struct kr_event *ev, const char *v2, const char *v1)
{
	int64_t v = kr_stat_get(ev->memcg_stats, ev->nr_memcg_stats, v2);

	if (v == KR_UNSET && v1)
		v = kr_stat_get(ev->memcg_stats, ev->nr_memcg_stats, v1);
	if (v == KR_UNSET)
		return KR_UNSET;
	return ev->memcg_stats_kb ? v : v / 1024;
}

static void memcg_memory(FILE *f, const struct kr_event *ev)
{
	int64_t anon = memcg_stat_kb(ev, "anon", "rss"), file = memcg_stat_kb(ev, "file", "cache");
	int64_t shmem = memcg_stat_kb(ev, "shmem", NULL), slab = memcg_stat_kb(ev, "slab", NULL);
	char a[32], b[32], c[32], d[32];

	if (!ev->nr_memcg_stats || (anon == KR_UNSET && file == KR_UNSET))
		return;
	mib(a, sizeof(a), anon);
	mib(b, sizeof(b), file);
	mib(c, sizeof(c), shmem);
	mib(d, sizeof(d), slab);
	fprintf(f, "  Memory:    in the cgroup: anon %s, file %s (shmem %s), slab %s\n", a, b, c, d);
	if (shmem != KR_UNSET && ev->mc_memory.usage_kb > 0 && shmem * 2 > ev->mc_memory.usage_kb)
		fprintf(f, "             shmem/tmpfs holds most of the cgroup's memory: killing tasks does not free it\n");
}

static void memory_lines(FILE *f, const struct kr_event *ev, const struct explain_rank *r)
{
	int64_t anon = kr_stat_get(ev->meminfo, ev->nr_meminfo, "active_anon");
	int64_t ianon = kr_stat_get(ev->meminfo, ev->nr_meminfo, "inactive_anon");
	int64_t file = kr_stat_get(ev->meminfo, ev->nr_meminfo, "active_file");
	int64_t ifile = kr_stat_get(ev->meminfo, ev->nr_meminfo, "inactive_file");
	int64_t shmem = kr_stat_get(ev->meminfo, ev->nr_meminfo, "shmem");
	int64_t slab = kr_stat_get(ev->meminfo, ev->nr_meminfo, "slab_unreclaimable");
	char a[32], b[32], c[32], d[32];

	if (anon != KR_UNSET && ianon != KR_UNSET && file != KR_UNSET && ifile != KR_UNSET) {
		mib(a, sizeof(a), explain_pages_kb(anon + ianon, r->page_kb));
		mib(b, sizeof(b), explain_pages_kb(file + ifile, r->page_kb));
		mib(c, sizeof(c), explain_pages_kb(shmem, r->page_kb));
		mib(d, sizeof(d), explain_pages_kb(slab, r->page_kb));
		fprintf(f, "  Memory:    anon %s, file %s, shmem %s, unreclaimable slab %s\n", a, b, c, d);
		int64_t user = anon + ianon + file + ifile;

		if (shmem != KR_UNSET && shmem * 2 > user + (slab != KR_UNSET ? slab : 0))
			fprintf(f, "             shmem/tmpfs holds most of the memory: killing tasks does not free it\n");
		if (slab != KR_UNSET && slab * 2 > user)
			fprintf(f, "             unreclaimable slab is over half the user memory: the memory is in the kernel "
				   "(a leak, or objects tasks hold: pipes, sockets, page tables)\n");
	}
	memcg_memory(f, ev);
	if (ev->total_swap_kb == 0)
		fprintf(f, "             no swap\n");
	else if (ev->free_swap_kb == 0 && ev->total_swap_kb != KR_UNSET)
		fprintf(f, "             swap full\n");
	for (int i = 0; i < ev->nr_zones && ev->order > 0; i++) {
		const struct kr_zone *z = &ev->zones[i];
		int largest = -1;

		for (int o = 0; o < z->nr_orders; o++)
			if (z->nr_free[o] > 0)
				largest = o;
		if (z->nr_orders && largest < ev->order && z->free_kb != KR_UNSET && z->min_kb != KR_UNSET &&
		    z->free_kb > z->min_kb) {
			char fr[32];

			mib(fr, sizeof(fr), z->free_kb);
			fprintf(f, "             fragmentation: zone %s has %s free above min, but no free block of order %lld\n",
				z->name, fr, (long long)ev->order);
		}
	}
	if (ev->highmem_pages > 0)
		for (int i = 0; i < ev->nr_zones; i++)
			if (!strcmp(ev->zones[i].name, "Normal") && ev->zones[i].free_kb < ev->zones[i].min_kb)
				fprintf(f, "             lowmem exhausted (32-bit kernel: Normal below min, HighMem cannot serve)\n");
	if (ev->hugepages_total > 0 && ev->hugepages_size_kb > 0) {
		char h[32];

		mib(h, sizeof(h), explain_mul(ev->hugepages_total, ev->hugepages_size_kb));
		fprintf(f, "             %lld hugepages reserved (%s, %lld free): not usable by ordinary allocations\n",
			(long long)ev->hugepages_total, h, (long long)ev->hugepages_free);
	}
	if (ev->slab_unreclaimable_top[0]) {
		char sl[32];

		mib(sl, sizeof(sl), ev->slab_unreclaimable_top_kb);
		fprintf(f, "             largest unreclaimable slab: %s %s\n", ESC(ev->slab_unreclaimable_top), sl);
	}
}

static int by_rss(const void *a, const void *b)
{
	const struct kr_task *x = *(struct kr_task *const *)a, *y = *(struct kr_task *const *)b;

	return (y->rss > x->rss) - (y->rss < x->rss);
}

static void top_tasks(FILE *f, const struct kr_event *ev, const struct explain_rank *r)
{
	const struct kr_task *top[3];
	size_t n = 0;
	char s[32];

	/* partial selection of the 3 largest: the table may be long */
	for (size_t i = 0; i < ev->nr_tasks; i++) {
		const struct kr_task *t = &ev->tasks[i];

		if (n < 3) {
			top[n++] = t;
		} else if (t->rss > top[2]->rss) {
			top[2] = t;
		} else {
			continue;
		}
		qsort(top, n, sizeof(top[0]), by_rss);
	}
	if (!n)
		return;
	fprintf(f, "  Top tasks: ");
	for (size_t i = 0; i < n; i++) {
		mib(s, sizeof(s), explain_pages_kb(top[i]->rss, r->page_kb));
		fprintf(f, "%s%s (pid %lld) rss %s", i ? ", " : "", ESC(top[i]->comm), (long long)top[i]->pid, s);
	}
	fprintf(f, " [%zu tasks listed]\n", ev->nr_tasks);
}

/* <= 5.0 printed "score N" = points * 1000 / totalpages: check it, or
 * when totalpages is unknown, say what the score implies. */
static void score_line(FILE *f, const struct kr_event *ev, const struct explain_rank *r)
{
	long printed;

	if (ev->select_score == KR_UNSET || r->top < 0 || r->era == OOM_ERA_5_9 || r->era == OOM_ERA_2_6_32 ||
	    r->top_points > (1L << 40)) /* beyond any real machine: the score formula would overflow */
		return;
	if (!r->totalpages) {
		if (ev->select_score > 0 && r->era != OOM_ERA_2_6_36) {
			double total = (double)r->top_points * 1000 / (double)ev->select_score;

			char sz[32];

			mib(sz, sizeof(sz), (int64_t)(total * (double)r->page_kb));
			fprintf(f, "             the printed score %lld implies totalpages of about %.0f (%s)\n",
				(long long)ev->select_score, total, sz);
		}
		return;
	}
	printed = oom_score_printed(r->top_points, r->totalpages, r->era);
	fprintf(f, "             printed score %lld, recomputed %ld%s\n", (long long)ev->select_score, printed,
		printed == ev->select_score ? " (same)" : " (differs: memory moved between selection and dump)");
}

/* The largest task the kernel could not choose (oom_score_adj -1000),
 * when it holds more than the victim. */
static void protected_line(FILE *f, const struct kr_event *ev, const struct explain_rank *r)
{
	const struct kr_task *big = NULL, *victim = r->victim_row >= 0 ? &ev->tasks[r->victim_row] : NULL;
	char s[32];

	for (size_t i = 0; i < ev->nr_tasks; i++)
		if (ev->tasks[i].oom_score_adj == -1000 && (!big || ev->tasks[i].rss > big->rss))
			big = &ev->tasks[i];
	if (!big || (victim && big->rss <= victim->rss) || (!victim && !ev->no_killable))
		return;
	mib(s, sizeof(s), explain_pages_kb(big->rss, r->page_kb));
	fprintf(f, "             %s (pid %lld, rss %s) holds %s, but oom_score_adj -1000 exempts it\n",
		ESC(big->comm), (long long)big->pid, s, victim ? "more than the victim" : "the most");
}

static void choice_line(FILE *f, const struct kr_event *ev, const struct explain_rank *r)
{
	if (strcmp(ev->source, "kernel") && strcmp(ev->source, "oomkit"))
		return;
	fprintf(f, "  Choice:    %s%s (oom_badness of era %s%s, totalpages %lu%s)\n",
		r->verdict == RANK_TOP ? "follows from the table: " : r->verdict == RANK_NOT_TOP ? "NOT the table's top: " : "",
		r->why, oom_era_name(r->era), r->era_from_release ? "" : ", guessed from the report's shape",
		r->totalpages, r->page_kb_assumed ? ", 4 KiB pages assumed" : "");
	score_line(f, ev, r);
	protected_line(f, ev, r);
}

/* Why the machine went down: panic_on_oom, no task left to kill, or init
 * dying after the OOM's kills (no panic_on_oom at all). */
static void panic_line(FILE *f, const struct kr_event *ev)
{
	if (!ev->panic)
		return;
	fprintf(f, "  PANIC:     %s\n", ESC(ev->panic_msg));
	if (!strcmp(ev->panic_cause, "init_died"))
		fprintf(f, "             the machine went down because init (pid 1) died after this OOM's kills%s; "
			   "vm.panic_on_oom did not cause it\n", ev->oom_group[0] ? " (memory.oom.group)" : "");
	else if (!strcmp(ev->panic_cause, "panic_on_oom"))
		fprintf(f, "             vm.panic_on_oom is set: the kernel panicked instead of killing a task\n");
	else if (!strcmp(ev->panic_cause, "no_killable"))
		fprintf(f, "             no task was left to kill\n");
}

/* The kernel's knobs the report shows, one line each. */
static void knob_lines(FILE *f, const struct kr_event *ev)
{
	struct explain_knob k[EXPLAIN_KNOBS_MAX];
	size_t n = explain_knobs(ev, k, EXPLAIN_KNOBS_MAX);

	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %s %s=%ld%s: %s\n", i ? "          " : "Knobs:    ", k[i].knob, k[i].value,
			k[i].certain ? "" : "?", k[i].why);
}

void explain_text_event(FILE *f, const struct kr_event *ev, const struct explain_rank *r, size_t index)
{
	char t[80];

	fprintf(f, "OOM event %zu: %s%s%s, lines %lld-%lld, source %s\n", index + 1, when(ev, t, sizeof(t)),
		ev->host[0] ? " on " : "", ev->host[0] ? ESC(ev->host) : "", (long long)ev->first_line,
		(long long)ev->last_line, ev->source);
	if (ev->truncated_start || ev->truncated_end)
		fprintf(f, "  Note:      the report is cut off at the %s\n",
			ev->truncated_start && ev->truncated_end ? "start and the end"
			: ev->truncated_start ? "start" : "end");
	victim_line(f, ev);
	panic_line(f, ev);
	if (!strcmp(ev->source, "kernel") || !strcmp(ev->source, "oomkit")) {
		invoker_line(f, ev, r);
		scope_line(f, ev);
		memory_lines(f, ev, r);
		top_tasks(f, ev, r);
		choice_line(f, ev, r);
		knob_lines(f, ev);
	} else if (ev->reason[0]) {
		fprintf(f, "  Reason:    %s\n", ESC(ev->reason));
	}
	for (int i = 0; i < ev->nr_notes; i++)
		fprintf(f, "  Unread:    %s\n", ESC(ev->notes[i]));
	fputc('\n', f);
}

void explain_text_line(char *out, size_t size, const struct kr_event *ev)
{
	char t[80], v[200], in[200];

	when(ev, t, sizeof(t));
	text_escape(ev->victim.comm[0] ? ev->victim.comm : ev->victim.cgroup, v, sizeof(v));
	text_escape(ev->oc.invoker.comm, in, sizeof(in));
	if (ev->victim.pid != KR_UNSET && ev->have_victim)
		snprintf(v + strlen(v), sizeof(v) - strlen(v), " (pid %lld)", (long long)ev->victim.pid);
	snprintf(out, size, "%s  %-12s killed %s, invoked by %s, %s", t, ev->source, ev->have_victim ? v : "nobody",
		 in[0] ? in : "?",
		 ev->constraint_known ? oom_constraint_name(ev->oc.constraint) : "constraint not printed");
}
