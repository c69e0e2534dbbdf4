/* thread.h - starting the publishing threads (publisher, /metrics)
 * with every signal blocked, so that SIGTERM, SIGHUP and SIGCHLD keep going
 * to the daemon's signalfd whenever the daemon blocks them. */
#ifndef OOMKIT_THREAD_H
#define OOMKIT_THREAD_H

#include <pthread.h>

/* pthread_create with all signals blocked in the new thread. 0 or -errno. */
int start_thread_no_signals(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
