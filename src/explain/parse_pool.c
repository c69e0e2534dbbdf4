/* parse_pool.c - see parse_pool.h. */
#include "parse_pool.h"

#include <stdlib.h>

struct kr_pool {
	size_t n, nr_free, max_tasks;
	struct kr_event **all, **free;
};

/* An event and its rows in one block: calloc() of a block this large
 * (25 KiB of event, 4,096 rows in the daemon) maps fresh zero pages, none
 * resident until a report is parsed into them; an event alone comes from
 * the heap, whose reused pages calloc() clears, all resident for nothing
 * while the kernel kills nothing (bench/RESULTS.md). */
struct pooled_event {
	struct kr_event ev;
	struct kr_task rows[];
};

struct kr_pool *kr_pool_new(size_t n, size_t max_tasks)
{
	struct kr_pool *pool = calloc(1, sizeof(*pool));

	if (!pool)
		return NULL;
	pool->max_tasks = max_tasks; /* set in an event when taken: a page of each left untouched until then */
	pool->all = calloc(n, sizeof(*pool->all));
	pool->free = calloc(n, sizeof(*pool->free));
	if (!pool->all || !pool->free) {
		kr_pool_free(pool);
		return NULL;
	}
	for (; pool->n < n; pool->n++) {
		struct pooled_event *pe = calloc(1, sizeof(*pe) + max_tasks * sizeof(pe->rows[0]));

		if (!pe) {
			kr_pool_free(pool);
			return NULL;
		}
		pool->all[pool->n] = pool->free[pool->nr_free++] = &pe->ev;
	}
	return pool;
}

struct kr_event *kr_pool_take(struct kr_pool *pool)
{
	struct pooled_event *pe;

	if (!pool->nr_free)
		return NULL;
	pe = (struct pooled_event *)pool->free[--pool->nr_free];
	kr_event_init(&pe->ev);
	pe->ev.tasks = pe->rows;
	pe->ev.cap_tasks = pool->max_tasks;
	pe->ev.tasks_fixed = true;
	return &pe->ev;
}

void kr_pool_put(struct kr_pool *pool, struct kr_event *ev)
{
	if (pool->nr_free < pool->n)
		pool->free[pool->nr_free++] = ev;
}

void kr_pool_free(struct kr_pool *pool)
{
	if (!pool)
		return;
	for (size_t i = 0; pool->all && i < pool->n; i++)
		free(pool->all[i]); /* with its rows: the block's first member */
	free(pool->all);
	free(pool->free);
	free(pool);
}
