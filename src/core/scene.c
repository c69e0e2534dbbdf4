/* scene.c - constrained_alloc() and its reader; see scene.h. */
#include "scene.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

/* mem_cgroup_get_max(): the limit plus the swap the cgroup may still use.
 * An unlimited page counter holds PAGE_COUNTER_MAX (LONG_MAX / PAGE_SIZE
 * pages), so an unlimited cgroup scales by that, as in the kernel. */
static unsigned long memcg_totalpages(const struct memcg_bound *m, unsigned long swap_total_kb,
				      unsigned long page_size)
{
	const uint64_t counter_max = (uint64_t)(LONG_MAX / (long)page_size) * page_size;
	uint64_t limit = m->limit_bytes, swap = m->swap_limit_bytes;

	if (limit == CGROUP_UNLIMITED)
		limit = counter_max;
	if (swap == CGROUP_UNLIMITED)
		swap = counter_max;
	return oom_totalpages_memcg(limit, swap, m->version == CGROUP_V1 && m->has_memsw, m->swappiness,
				    swap_total_kb, page_size);
}

int constrained_alloc(struct oom_control *oc, const struct oom_scene *s)
{
	const struct memcg_bound *m = s->memcg;
	int n;

	oc->page_size = s->page_size;
	oc->memcg[0] = oc->memcg_dir[0] = '\0';
	if (!m) {
		/* the nodes of a cpuset plus all of swap, as the kernel's nodemask sum */
		oc->constraint = s->cpuset_mem_kb ? CONSTRAINT_CPUSET : CONSTRAINT_NONE;
		oc->totalpages = oom_totalpages_global(s->cpuset_mem_kb ? s->cpuset_mem_kb : s->mem_total_kb,
						       s->swap_total_kb, s->page_size);
		return 0;
	}
	oc->constraint = CONSTRAINT_MEMCG;
	oc->totalpages = memcg_totalpages(m, s->swap_total_kb, s->page_size);
	snprintf(oc->memcg_dir, sizeof(oc->memcg_dir), "%.*s", (int)sizeof(oc->memcg_dir) - 1, m->dir);
	n = snprintf(oc->memcg, sizeof(oc->memcg), "%s", m->path);
	return (size_t)n >= sizeof(oc->memcg) ? -ENAMETOOLONG : 0;
}

void memcg_bound_of(const struct memcg_state *st, struct memcg_bound *b)
{
	*b = (struct memcg_bound){ .path = st->path, .dir = st->dir, .version = st->version,
				   .limit_bytes = st->limit_bytes, .swap_limit_bytes = st->swap_limit_bytes,
				   .has_memsw = st->has_memsw, .swappiness = st->swappiness };
	if (b->limit_bytes == CGROUP_UNLIMITED)
		memcg_effective_limit(st, &b->limit_bytes);
}

unsigned long oom_page_size(void)
{
	return (unsigned long)sysconf(_SC_PAGESIZE);
}
