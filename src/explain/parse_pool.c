/* parse_pool.c - see parse_pool.h. */
#include "parse_pool.h"

#include <stdlib.h>

struct kr_pool {
	size_t n, nr_free;
	struct kr_event **all, **free;
};

struct kr_pool *kr_pool_new(size_t n, size_t max_tasks)
{
	struct kr_pool *pool = calloc(1, sizeof(*pool));

	if (!pool)
		return NULL;
	pool->all = calloc(n, sizeof(*pool->all));
	pool->free = calloc(n, sizeof(*pool->free));
	if (!pool->all || !pool->free) {
		kr_pool_free(pool);
		return NULL;
	}
	for (; pool->n < n; pool->n++) {
		struct kr_event *ev = calloc(1, sizeof(*ev));

		if (!ev || !(ev->tasks = calloc(max_tasks ? max_tasks : 1, sizeof(*ev->tasks)))) {
			free(ev);
			kr_pool_free(pool);
			return NULL;
		}
		ev->cap_tasks = max_tasks;
		pool->all[pool->n] = pool->free[pool->nr_free++] = ev;
	}
	return pool;
}

struct kr_event *kr_pool_take(struct kr_pool *pool)
{
	struct kr_event *ev;
	struct kr_task *rows;
	size_t cap;

	if (!pool->nr_free)
		return NULL;
	ev = pool->free[--pool->nr_free];
	rows = ev->tasks;
	cap = ev->cap_tasks;
	kr_event_init(ev);
	ev->tasks = rows;
	ev->cap_tasks = cap;
	ev->tasks_fixed = true;
	return ev;
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
	for (size_t i = 0; pool->all && i < pool->n; i++) {
		free(pool->all[i]->tasks);
		free(pool->all[i]);
	}
	free(pool->all);
	free(pool->free);
	free(pool);
}
