/* parse_fields.c - what each line of the report's scene says (see
 * parse_fields.h): the header, the stack dump header, cpuset, the
 * oom-kill: summary, the memcg block, Mem-Info, zones, buddy lists, the
 * task table; the kill lines are parse_kill.c's. Parse by shape, not by
 * version: every recogniser accepts the variants of all eras it knows and
 * ignores unknown keys. */
#include "parse_fields.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void stat_add(struct kr_stat *s, int *n, int max, const char *name, size_t len, int64_t v)
{
	if (*n >= max)
		return;
	kr_copy(s[*n].name, sizeof(s[*n].name), name, len);
	s[*n].value = v;
	(*n)++;
}

/* --- header --- */

static bool is_hex(const char *v, size_t n)
{
	if (n < 3 || v[0] != '0' || v[1] != 'x')
		return false;
	for (size_t i = 2; i < n; i++)
		if (!isxdigit((unsigned char)v[i]))
			return false;
	return true;
}

/* A number that ends where a value ends ("3D0" of a quoted-printable
 * "=3D0" is no number; a wrapped line may follow it). */
static bool whole_num(const char *v, size_t n, int64_t *x)
{
	const char *e;

	return kr_num(v, x, &e) && ((size_t)(e - v) == n || *e == ',' || *e == ' ');
}

static void header_kv(struct kr_event *ev, const char *k, size_t klen, const char *v, size_t vlen)
{
	int64_t x;

#define KEY(s) (klen == strlen(s) && !memcmp(k, s, klen))
	if (KEY("gfp_mask")) {
		const char *paren = memchr(v, '(', vlen);
		size_t hex = paren ? (size_t)(paren - v) : vlen;

		if (!is_hex(v, hex)) {
			kr_note(ev, "gfp_mask \"%.*s\" is not a number: left out", (int)(hex < 24 ? hex : 24), v);
			return;
		}
		kr_copy(ev->gfp_mask, sizeof(ev->gfp_mask), v, hex);
		if (paren) {
			const char *close = v + vlen - 1;

			while (close > paren && *close != ')')
				close--;
			if (close > paren)
				kr_copy(ev->gfp_names, sizeof(ev->gfp_names), paren + 1, (size_t)(close - paren - 1));
		}
	} else if (KEY("nodemask")) {
		kr_copy(ev->nodemask, sizeof(ev->nodemask), v, vlen);
	} else if (KEY("order") && whole_num(v, vlen, &x)) {
		ev->order = x;
		ev->oc.order = (int)x;
	} else if (KEY("order")) {
		kr_note(ev, "order \"%.*s\" is not a number: left out", (int)(vlen < 24 ? vlen : 24), v);
	} else if (KEY("oom_score_adj") && kr_num(v, &x, NULL)) {
		ev->invoker_oom_score_adj = x;
		ev->oc.invoker.oom_score_adj = (int)x;
	} else if ((KEY("oom_adj") || KEY("oomkilladj")) && kr_num(v, &x, NULL)) {
		ev->invoker_oom_adj = x;
	} else if (KEY("trigger")) {
		kr_copy(ev->oc.trigger, sizeof(ev->oc.trigger), v, vlen);
		kr_copy(ev->source, sizeof(ev->source), "oomkit", 6);
	}
#undef KEY
}

/* Next ", key=" separator (comma, blanks, identifier, '='), or NULL. */
static const char *next_sep(const char *p);

/* What follows "invoked oom-killer:" in a real header: the kernel's
 * "gfp_mask=0x..", oomkit's "trigger=", or nothing yet (the rest is on the
 * next line). Quoted source ("gfp_mask=%#x") and prose are no header. */
bool kr_header_shape(const char *m)
{
	const char *h = strstr(m, " invoked oom-killer:"), *v;

	if (!h || h == m)
		return false;
	v = kr_skip_sp(h + 20);
	if (!*v || kr_starts(v, "trigger="))
		return true;
	return kr_starts(v, "gfp_mask=0x") && isxdigit((unsigned char)v[11]);
}

/* A patched kernel glues the pid to the name ("hog:100 invoked"); a
 * kworker's own name holds ':' ("kworker/u8:2"), kept whole. */
static void glued_pid(struct kr_event *ev)
{
	char *c = ev->oc.invoker.comm, *colon = strrchr(c, ':'), *slash;
	int64_t pid;
	const char *e;

	if (!colon || colon == c || !kr_num(colon + 1, &pid, &e) || *e || pid <= 0)
		return;
	slash = strrchr(c, '/');
	if (slash && slash < colon && !memchr(slash, ':', (size_t)(colon - slash)))
		return; /* "kworker/u8:2": the ':' is the name's */
	*colon = '\0';
	ev->invoker_pid = pid;
}

/* Longer than a comm, or holding a prefix's last character. */
static bool comm_unsure(const char *c)
{
	return strlen(c) > 15 || strpbrk(c, " \t:;>#]|");
}

/* The header's name is the allocating task's comm, at most 15 bytes: a
 * longer one carries something before it (a prefix no wrapping knows,
 * garbage) that the stack line's "Comm:" settles. */
static void header_comm(struct kr_event *ev, const char *m, const char *h)
{
	const char *p = kr_skip_sp(m);

	kr_copy(ev->oc.invoker.comm, sizeof(ev->oc.invoker.comm), p, (size_t)(h - p));
	glued_pid(ev);
	ev->comm_unsure = comm_unsure(ev->oc.invoker.comm);
}

void kr_comm_prefix(struct kr_event *ev, const struct paste_shape *sh)
{
	char *c = ev->oc.invoker.comm;
	size_t k;

	if (ev->comm_unsure && (k = paste_match(sh, c, strlen(c))) && c[k]) {
		memmove(c, c + k, strlen(c + k) + 1);
		ev->comm_unsure = comm_unsure(c); /* a known wrapping may stand behind it: the stack line settles that */
	}
}

bool kr_stack_comm(struct kr_event *ev, const char *comm, size_t n)
{
	char *c = ev->oc.invoker.comm;
	size_t have = strlen(c);

	if (!ev->comm_unsure || !n || n > have || memcmp(c + have - n, comm, n))
		return false;
	if (n < have && isalnum((unsigned char)c[have - n - 1])) /* a prefix ends at a separator */
		return false;
	memmove(c, c + have - n, n + 1);
	ev->comm_unsure = false;
	return true;
}
static const char *next_sep(const char *p)
{
	for (; (p = strchr(p, ',')); p++) {
		const char *q = kr_skip_sp(p + 1);
		const char *k = q;

		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		if (q > k && *q == '=')
			return p;
	}
	return NULL;
}

bool kr_header(struct kr_event *ev, const char *m, bool *incomplete)
{
	const char *h = strstr(m, " invoked oom-killer:");
	const char *p;

	*incomplete = false;
	if (!h || !kr_header_shape(m))
		return false;
	header_comm(ev, m, h);
	ev->have_header = true;
	for (p = h + 21; *p;) {
		const char *sep = next_sep(p), *end = sep ? sep : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));

		p = kr_skip_sp(p);
		if (eq && eq > p) {
			const char *ve = end;

			while (ve > eq + 1 && (ve[-1] == ' ' || ve[-1] == '\n'))
				ve--;
			header_kv(ev, p, (size_t)(eq - p), eq + 1, (size_t)(ve - eq - 1));
		}
		if (!sep)
			break;
		p = sep + 1;
	}
	*incomplete = ev->order == KR_UNSET ||
		      (ev->invoker_oom_score_adj == KR_UNSET && ev->invoker_oom_adj == KR_UNSET);
	return true;
}

/* Kernel release after "tainted" / "Tainted: <flags>" (2.6.32 real logs
 * even lose the space: "Not tainted2.6.32-279..."). */
static void release_from(struct kr_event *ev, const char *m)
{
	const char *p = strstr(m, "ainted");

	for (p = p ? p : m; *p; p++) {
		if (isdigit((unsigned char)*p) && (p == m || !isalnum((unsigned char)p[-1]) || p[-1] == 'd') &&
		    isdigit((unsigned char)p[1]) == 0 && p[1] == '.' && isdigit((unsigned char)p[2])) {
			size_t n = strcspn(p, " ");

			kr_copy(ev->release, sizeof(ev->release), p, n);
			return;
		}
	}
}

bool kr_stack_header(struct kr_event *ev, const char *m)
{
	const char *p;
	int64_t pid;

	if (kr_starts(m, "Pid: ") && (p = strstr(m, ", comm: ")) && kr_num(m + 5, &pid, NULL)) {
		p += 8;
	} else if (kr_starts(m, "CPU: ") && (p = strstr(m, " PID: ")) && strstr(m, " Comm: ") &&
		   kr_num(p + 6, &pid, NULL)) {
		p = strstr(m, " Comm: ") + 7;
	} else {
		return false;
	}
	ev->invoker_pid = pid;
	release_from(ev, p);
	/* the comm (%.20s) ends before " Kdump: loaded", " Not tainted" or " Tainted:" */
	const char *t = strstr(p, " Kdump: ");

	if (!t)
		t = strstr(p, " Not tainted");
	if (!t)
		t = strstr(p, " Tainted");
	if (t && !kr_stack_comm(ev, p, (size_t)(t - p)) && !ev->oc.invoker.comm[0])
		kr_copy(ev->oc.invoker.comm, sizeof(ev->oc.invoker.comm), p, (size_t)(t - p));
	return true;
}

bool kr_cpuset_line(struct kr_event *ev, const char *m)
{
	const char *c = strstr(m, " cpuset="), *ma = c ? strstr(c, " mems_allowed=") : NULL;

	if (!c || !ma || kr_starts(m, "oom-kill:"))
		return false;
	kr_copy(ev->cpuset, sizeof(ev->cpuset), c + 8, (size_t)(ma - c - 8));
	kr_copy(ev->mems_allowed, sizeof(ev->mems_allowed), ma + 14, strcspn(ma + 14, " "));
	if (!ev->oc.invoker.comm[0])
		kr_copy(ev->oc.invoker.comm, sizeof(ev->oc.invoker.comm), kr_skip_sp(m), (size_t)(c - kr_skip_sp(m)));
	return true;
}

/* oom-kill:constraint=..,nodemask=..,cpuset=..,mems_allowed=..,oom_memcg=..|global_oom,
 * task_memcg=..,task=<comm may hold commas>,pid=N,uid=N: keys from the left,
 * task/pid/uid from the right. */
bool kr_oom_kill_summary(struct kr_event *ev, const char *m)
{
	const char *p = strstr(m, "oom-kill:"), *task, *pid;

	if (!p)
		return false;
	p += 9;
	task = strstr(p, ",task=");
	pid = task ? strstr(task, ",pid=") : NULL;
	while (pid && strstr(pid + 1, ",pid="))
		pid = strstr(pid + 1, ",pid=");
	for (const char *end = task ? task : p + strlen(p); p < end;) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		const char *fe = c ? c : end, *eq = memchr(p, '=', (size_t)(fe - p));
		size_t kl = eq ? (size_t)(eq - p) : (size_t)(fe - p);
		const char *v = eq ? eq + 1 : fe;
		size_t vl = (size_t)(fe - v);

		if (kl == 10 && !memcmp(p, "constraint", 10))
			kr_set_constraint(ev, v, vl);
		else if (kl == 8 && !memcmp(p, "nodemask", 8) && !ev->nodemask[0])
			kr_copy(ev->nodemask, sizeof(ev->nodemask), v, vl);
		else if (kl == 6 && !memcmp(p, "cpuset", 6))
			kr_copy(ev->cpuset, sizeof(ev->cpuset), v, vl);
		else if (kl == 12 && !memcmp(p, "mems_allowed", 12)) {
			/* a node list may itself hold commas: "0,2-3" */
			while (c && c + 1 < end && isdigit((unsigned char)c[1])) {
				c = memchr(c + 1, ',', (size_t)(end - c - 1));
				fe = c ? c : end;
			}
			kr_copy(ev->mems_allowed, sizeof(ev->mems_allowed), v, (size_t)(fe - v));
		} else if (kl == 9 && !memcmp(p, "oom_memcg", 9))
			kr_copy(ev->oom_memcg, sizeof(ev->oom_memcg), v, vl);
		else if (kl == 10 && !memcmp(p, "task_memcg", 10))
			kr_copy(ev->task_memcg, sizeof(ev->task_memcg), v, vl);
		else if (kl == 10 && !memcmp(p, "global_oom", 10))
			ev->global_oom = true;
		p = fe + 1;
	}
	if (task && pid && pid > task) {
		int64_t x;

		if (!ev->victim.comm[0])
			kr_copy(ev->victim.comm, sizeof(ev->victim.comm), task + 6, (size_t)(pid - task - 6));
		if (kr_num(pid + 5, &x, NULL) && ev->victim.pid == KR_UNSET)
			ev->victim.pid = x;
		if ((x = kr_after(pid, ",uid=")) != KR_UNSET && ev->victim.uid == KR_UNSET)
			ev->victim.uid = x;
	}
	if (ev->oom_memcg[0])
		kr_copy(ev->oc.memcg, sizeof(ev->oc.memcg), ev->oom_memcg, strlen(ev->oom_memcg));
	return true;
}

/* "Task in /a killed as a result of limit of /b" (<= 4.19) */
bool kr_task_in(struct kr_event *ev, const char *m)
{
	const char *k = strstr(m, " killed as a result of limit of ");

	if (kr_starts(m, "Memory limit reached of cgroup ")) {
		kr_copy(ev->oom_memcg, sizeof(ev->oom_memcg), m + 31, strlen(m + 31));
	} else if (kr_starts(m, "Task in ") && k) {
		kr_copy(ev->task_memcg, sizeof(ev->task_memcg), m + 8, (size_t)(k - m - 8));
		kr_copy(ev->oom_memcg, sizeof(ev->oom_memcg), k + 32, strcspn(k + 32, "\n"));
	} else {
		return false;
	}
	kr_set_constraint(ev, "CONSTRAINT_MEMCG", 16);
	kr_copy(ev->oc.memcg, sizeof(ev->oc.memcg), ev->oom_memcg, strlen(ev->oom_memcg));
	return true;
}

bool kr_memcg_counter(struct kr_event *ev, const char *m)
{
	struct kr_counter *c;
	const char *p;

	if (kr_starts(m, "memory: usage "))
		c = &ev->mc_memory;
	else if (kr_starts(m, "memory+swap: usage "))
		c = &ev->mc_memsw;
	else if (kr_starts(m, "kmem: usage "))
		c = &ev->mc_kmem;
	else if (kr_starts(m, "swap: usage "))
		c = &ev->mc_swap;
	else
		return false;
	p = strstr(m, "usage ");
	c->usage_kb = kr_after(p, "usage ");
	c->limit_kb = kr_after(p, "limit ");
	c->failcnt = kr_after(p, "failcnt ");
	if (!ev->constraint_known)
		kr_set_constraint(ev, "CONSTRAINT_MEMCG", 16);
	return true;
}

/* "name:NKB name:NKB" (<= 5.2, inline after the stats header) */
static void memcg_stats_kb(struct kr_event *ev, const char *p)
{
	while (*(p = kr_skip_sp(p))) {
		const char *colon = strchr(p, ':'), *e;
		int64_t v;

		if (!colon || strchr(p, ' ') < colon || !kr_num(colon + 1, &v, &e))
			return;
		stat_add(ev->memcg_stats, &ev->nr_memcg_stats, KR_MAX_STATS, p, (size_t)(colon - p), v);
		ev->memcg_stats_kb = true;
		p = e + strspn(e, "KB");
	}
}

bool kr_memcg_stats_header(struct kr_event *ev, const char *m)
{
	const char *colon;

	if (!kr_starts(m, "Memory cgroup stats for "))
		return false;
	colon = strstr(m + 24, ":");
	while (colon && colon[1] && colon[1] != ' ')
		colon = strchr(colon + 1, ':');
	if (ev->memcg_stats_for[0]) /* <= 5.2 dumps the whole subtree: keep the first */
		return true;
	kr_copy(ev->memcg_stats_for, sizeof(ev->memcg_stats_for), m + 24,
	     colon ? (size_t)(colon - m - 24) : strlen(m + 24));
	if (colon)
		memcg_stats_kb(ev, colon + 1);
	return true;
}

/* "name value" (5.3+, bytes and counts) */
bool kr_memcg_stat(struct kr_event *ev, const char *m)
{
	const char *p = m, *e;
	int64_t v;

	while (islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_')
		p++;
	if (p == m || *p != ' ' || !kr_num(p + 1, &v, &e) || *e)
		return false;
	stat_add(ev->memcg_stats, &ev->nr_memcg_stats, KR_MAX_STATS, m, (size_t)(p - m), v);
	return true;
}

/* Mem-Info global counters: "name:N name:N" in pages, no kB */
bool kr_meminfo_counters(struct kr_event *ev, const char *m)
{
	const char *p = kr_skip_sp(m);
	int count = 0;

	if (kr_starts(p, "Node ") || !strchr(p, ':') || strstr(p, "kB"))
		return false;
	while (*(p = kr_skip_sp(p))) {
		const char *colon = strchr(p, ':'), *e;
		int64_t v;

		if (!colon || (strchr(p, ' ') && strchr(p, ' ') < colon) || !kr_num(colon + 1, &v, &e) ||
		    (*e && *e != ' '))
			return count > 0;
		stat_add(ev->meminfo, &ev->nr_meminfo, 48, p, (size_t)(colon - p), v);
		count++;
		p = e;
	}
	return count > 0;
}

bool kr_zone_name(const char *p, size_t n)
{
	static const char *const names[] = { "DMA", "DMA32", "Normal", "HighMem", "Movable", "Device" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n == strlen(names[i]) && !memcmp(p, names[i], n))
			return true;
	return false;
}

/* "[Node N ]<zone>" at m; returns the text after the zone name. */
static const char *node_zone(const char *m, int64_t *node, const char **zone, size_t *zlen)
{
	const char *p = kr_skip_sp(m), *e;

	*node = KR_UNSET;
	if (kr_starts(p, "Node ") && kr_num(p + 5, node, &e))
		p = kr_skip_sp(e);
	*zone = p;
	while (isalnum((unsigned char)*p))
		p++;
	*zlen = (size_t)(p - *zone);
	return kr_zone_name(*zone, *zlen) ? p : NULL;
}

static struct kr_zone *zone_get(struct kr_event *ev, int64_t node, const char *name, size_t n)
{
	for (int i = 0; i < ev->nr_zones; i++)
		if (ev->zones[i].node == node && strlen(ev->zones[i].name) == n &&
		    !memcmp(ev->zones[i].name, name, n))
			return &ev->zones[i];
	if (ev->nr_zones >= KR_MAX_ZONES)
		return NULL;
	struct kr_zone *z = &ev->zones[ev->nr_zones++];

	memset(z, 0, sizeof(*z));
	z->node = node;
	kr_copy(z->name, sizeof(z->name), name, n);
	z->free_kb = z->min_kb = z->low_kb = z->high_kb = z->present_kb = z->managed_kb = KR_UNSET;
	z->buddy_kb = KR_UNSET;
	return z;
}

bool kr_zone_line(struct kr_event *ev, const char *m)
{
	int64_t node;
	const char *zone, *rest;
	size_t zl;
	struct kr_zone *z;

	rest = node_zone(m, &node, &zone, &zl);
	if (!rest || !kr_starts(rest, " free:") || !(z = zone_get(ev, node, zone, zl)))
		return false;
	z->free_kb = kr_after(rest, " free:");
	z->min_kb = kr_after(rest, " min:");
	z->low_kb = kr_after(rest, " low:");
	z->high_kb = kr_after(rest, " high:");
	z->present_kb = kr_after(rest, " present:");
	z->managed_kb = kr_after(rest, " managed:");
	return true;
}

/* "Node 0 DMA32: 14*4kB (UM) 46*8kB ... = 60680kB" */
bool kr_buddy_line(struct kr_event *ev, const char *m)
{
	int64_t node, n, size;
	const char *zone, *p, *e;
	size_t zl;
	struct kr_zone *z;

	p = node_zone(m, &node, &zone, &zl);
	if (!p || *p != ':' || !strchr(p, '*') || !(z = zone_get(ev, node, zone, zl)))
		return false;
	z->nr_orders = 0;
	for (p++; *(p = kr_skip_sp(p));) {
		if (*p == '(') {
			p += strcspn(p, ")");
			p += *p == ')';
			continue;
		}
		if (*p == '=') {
			z->buddy_kb = kr_after(p, "= ");
			break;
		}
		if (!kr_num(p, &n, &e) || *e != '*' || !kr_num(e + 1, &size, &e))
			return true;
		if (z->nr_orders == 0 && ev->page_size_kb == KR_UNSET && size > 0 && size <= 1 << 20)
			ev->page_size_kb = size;
		if (z->nr_orders < KR_MAX_ORDERS)
			z->nr_free[z->nr_orders++] = n;
		p = e + strspn(e, "kB");
	}
	return true;
}

bool kr_meminfo_tail(struct kr_event *ev, const char *m)
{
	const char *p = kr_skip_sp(m), *e;
	int64_t v;

	if (kr_starts(p, "Free swap  = "))
		ev->free_swap_kb = kr_after(p, "= ");
	else if (kr_starts(p, "Total swap = "))
		ev->total_swap_kb = kr_after(p, "= ");
	else if (strstr(p, "hugepages_total=")) {
		int64_t size = kr_after(p, "hugepages_size="), total = kr_after(p, "hugepages_total=");

		/* the default (2 MiB on x86) hstate is the one that matters, keep the used one */
		if (ev->hugepages_total == KR_UNSET || (total > 0 && ev->hugepages_total <= 0)) {
			ev->hugepages_total = total;
			ev->hugepages_free = kr_after(p, "hugepages_free=");
			ev->hugepages_size_kb = size;
		}
	} else if (kr_num(p, &v, &e) && *e == ' ') {
		e++;
		if (!strcmp(e, "total pagecache pages"))
			ev->pagecache_pages = v;
		else if (!strcmp(e, "pages in swap cache"))
			ev->swapcache_pages = v;
		else if (!strcmp(e, "pages RAM"))
			ev->ram_pages = v;
		else if (kr_starts(e, "pages HighMem"))
			ev->highmem_pages = v;
		else if (!strcmp(e, "pages reserved"))
			ev->reserved_pages = v;
		else if (!kr_starts(e, "pages "))
			return false;
	} else if (!kr_starts(p, "Swap cache stats:") && !kr_starts(p, "lowmem_reserve[]:"))
		return false;
	return true;
}

/* Unreclaimable slab: "%-17s %10luKB %10luKB" */
bool kr_slab_row(struct kr_event *ev, const char *m)
{
	const char *p = m + strcspn(m, " ");
	int64_t used, total;
	const char *e;

	if (p == m || !kr_num(kr_skip_sp(p), &used, &e) || strncmp(e, "KB", 2) || !kr_num(kr_skip_sp(e + 2), &total, &e))
		return false;
	if (used > ev->slab_unreclaimable_top_kb || ev->slab_unreclaimable_top_kb == KR_UNSET) {
		ev->slab_unreclaimable_top_kb = used;
		kr_copy(ev->slab_unreclaimable_top, sizeof(ev->slab_unreclaimable_top), m, (size_t)(p - m));
	}
	return true;
}

bool kr_opens_report(const char *m)
{
	return strstr(m, " cpuset=") || !strncmp(m, "oom-kill:", 9) || !strncmp(m, "Task in ", 8) ||
	       strstr(m, "Kill process ") || strstr(m, "kill process ") || strstr(m, "_adj name") ||
	       !strncmp(m, "Out of memory and no killable", 29) || strstr(m, "OOM victim ") ||
	       kr_starts(m, "Kernel panic - not syncing: Out of memory");
}
