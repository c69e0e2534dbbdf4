/* gfp.h - gfp_mask decoding by kernel era: the bit layout
 * changed in 4.4, 4.10, 4.18 and 5.1, so the same hex means different
 * flags on different kernels. When the report printed the names
 * ("(%pGg)", 4.5+) those are the truth; else a table by era. */
#ifndef OOMKIT_GFP_H
#define OOMKIT_GFP_H

#include <stddef.h>

enum gfp_era {
	GFP_ERA_2_6_32, /* 2.6.32 .. 2.6.38 */
	GFP_ERA_3_X,    /* 2.6.39 .. 4.3, RHEL6 later builds, RHEL7 */
	GFP_ERA_4_4,    /* 4.4 .. 4.9 */
	GFP_ERA_4_10,   /* 4.10 .. 4.17 */
	GFP_ERA_4_18,   /* 4.18 .. 5.0, RHEL8 */
	GFP_ERA_5_1,    /* 5.1 .. */
};

/* The era of a kernel release string ("5.10.0-60...", "2.6.32-279.el6"),
 * or -1 when it does not parse. */
int gfp_era_of_release(const char *release);

/* Guess from the mask alone, by where its reclaim and IO/FS bits sit in
 * each era's layout: a rough guess, for reports that name no kernel. */
enum gfp_era gfp_era_guess(unsigned long mask);

/* Writes the flag names of mask in era, joined by '|', into out; leftover
 * bits as 0x...; returns out. */
char *gfp_decode(unsigned long mask, enum gfp_era era, char *out, size_t size);

const char *gfp_era_name(enum gfp_era era);

#endif
