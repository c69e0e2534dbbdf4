/* parse_pool.h - the events of a parser of fixed size (parse.h,
 * kr_parser_new_fixed): allocated once with their task rows, then taken
 * and given back, so that a long-running reader (the daemon's kernel log
 * watch) allocates nothing per record. */
#ifndef OOMKIT_PARSE_POOL_H
#define OOMKIT_PARSE_POOL_H

#include <stddef.h>

#include "event.h"

struct kr_pool;

/* n events of max_tasks rows each; NULL when out of memory. */
struct kr_pool *kr_pool_new(size_t n, size_t max_tasks);
/* A free event, initialised (kr_event_init) with its fixed rows; NULL
 * when all are in use. */
struct kr_event *kr_pool_take(struct kr_pool *pool);
/* Gives ev back; ev must come from kr_pool_take(pool). */
void kr_pool_put(struct kr_pool *pool, struct kr_event *ev);
/* Frees the pool and every event it made. */
void kr_pool_free(struct kr_pool *pool);

#endif
