/* kill_record.c - see kill_record.h. */
#include "kill_record.h"

uint64_t kill_record_victim_bytes(const struct kill_record *r)
{
	return ((uint64_t)r->rss_kb + r->swap_kb) * 1024;
}
