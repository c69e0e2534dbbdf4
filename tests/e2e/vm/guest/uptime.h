/* uptime.h - seconds since boot (CLOCK_BOOTTIME, as /proc/uptime), the
 * clock every "@@" line of the guest programs is stamped with. */
#ifndef GUEST_UPTIME_H
#define GUEST_UPTIME_H
#include <time.h>

static inline double uptime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
#endif
