/* gfp.c - the __GFP_* bit layouts of each era (from each tree's gfp.h or
 * gfp_types.h, x86-64 distro config: NUMA=y, LOCKDEP=n) and a greedy
 * decomposition like the kernel's %pGg: composites first, then flags. */
#include "gfp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct gfp_bit {
	const char *name;
	unsigned long bit[6]; /* per enum gfp_era; 0 = not defined */
};

static const struct gfp_bit bits[] = {
	{ "__GFP_DMA", { 0x1, 0x1, 0x1, 0x1, 0x1, 0x1 } },
	{ "__GFP_HIGHMEM", { 0x2, 0x2, 0x2, 0x2, 0x2, 0x2 } },
	{ "__GFP_DMA32", { 0x4, 0x4, 0x4, 0x4, 0x4, 0x4 } },
	{ "__GFP_MOVABLE", { 0x8, 0x8, 0x8, 0x8, 0x8, 0x8 } },
	{ "__GFP_WAIT", { 0x10, 0x10, 0, 0, 0, 0 } },
	{ "__GFP_RECLAIMABLE", { 0x80000, 0x80000, 0x10, 0x10, 0x10, 0x10 } },
	{ "__GFP_HIGH", { 0x20, 0x20, 0x20, 0x20, 0x20, 0x20 } },
	{ "__GFP_IO", { 0x40, 0x40, 0x40, 0x40, 0x40, 0x40 } },
	{ "__GFP_FS", { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 } },
	{ "__GFP_COLD", { 0x100, 0x100, 0x100, 0x100, 0, 0 } },
	{ "__GFP_ZERO", { 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x100 } },
	{ "__GFP_NOWARN", { 0x200, 0x200, 0x200, 0x200, 0x200, 0x2000 } },
	{ "__GFP_RETRY_MAYFAIL", { 0x400, 0x400, 0x400, 0x400, 0x400, 0x4000 } },
	{ "__GFP_NOFAIL", { 0x800, 0x800, 0x800, 0x800, 0x800, 0x8000 } },
	{ "__GFP_NORETRY", { 0x1000, 0x1000, 0x1000, 0x1000, 0x1000, 0x10000 } },
	{ "__GFP_MEMALLOC", { 0, 0x2000, 0x2000, 0x2000, 0x2000, 0x20000 } },
	{ "__GFP_COMP", { 0x4000, 0x4000, 0x4000, 0x4000, 0x4000, 0x40000 } },
	{ "__GFP_NOMEMALLOC", { 0x10000, 0x10000, 0x10000, 0x10000, 0x10000, 0x80000 } },
	{ "__GFP_HARDWALL", { 0x20000, 0x20000, 0x20000, 0x20000, 0x20000, 0x100000 } },
	{ "__GFP_THISNODE", { 0x40000, 0x40000, 0x40000, 0x40000, 0x40000, 0x200000 } },
	{ "__GFP_ATOMIC", { 0, 0, 0x80000, 0x80000, 0x80000, 0x200 } },
	{ "__GFP_ACCOUNT", { 0, 0x100000, 0x100000, 0x100000, 0x100000, 0x400000 } },
	{ "__GFP_NOTRACK", { 0x200000, 0x200000, 0x200000, 0x200000, 0, 0 } },
	{ "__GFP_NO_KSWAPD", { 0, 0x400000, 0, 0, 0, 0 } },
	{ "__GFP_OTHER_NODE", { 0, 0x800000, 0x800000, 0, 0, 0 } },
	{ "__GFP_WRITE", { 0, 0x1000000, 0x1000000, 0x800000, 0x100, 0x1000 } },
	{ "__GFP_DIRECT_RECLAIM", { 0, 0, 0x400000, 0x400000, 0x200000, 0x400 } },
	{ "__GFP_KSWAPD_RECLAIM", { 0, 0, 0x2000000, 0x1000000, 0x400000, 0x800 } },
};

/* Composites, as %pGg tries them first (format_flags() over
 * __def_gfpflag_names in table order), with their value in each era. */
static const struct gfp_bit composites[] = {
	{ "GFP_TRANSHUGE", { 0, 0x4352da, 0x4342ca, 0x4342ca, 0x2342ca, 0x1c24ca } },
	{ "GFP_TRANSHUGE_LIGHT", { 0, 0, 0x342ca, 0x342ca, 0x342ca, 0x1c20ca } },
	{ "GFP_HIGHUSER_MOVABLE", { 0x200da, 0x200da, 0x24200ca, 0x14200ca, 0x6200ca, 0x100cca } },
	{ "GFP_HIGHUSER", { 0x200d2, 0x200d2, 0x24200c2, 0x14200c2, 0x6200c2, 0x100cc2 } },
	{ "GFP_USER", { 0x200d0, 0x200d0, 0x24200c0, 0x14200c0, 0x6200c0, 0x100cc0 } },
	{ "GFP_KERNEL_ACCOUNT", { 0, 0x1000d0, 0x25000c0, 0x15000c0, 0x7000c0, 0x400cc0 } },
	{ "GFP_KERNEL", { 0xd0, 0xd0, 0x24000c0, 0x14000c0, 0x6000c0, 0xcc0 } },
	{ "GFP_NOFS", { 0x50, 0x50, 0x2400040, 0x1400040, 0x600040, 0xc40 } },
	{ "GFP_ATOMIC", { 0x20, 0x20, 0x2080020, 0x1080020, 0x480020, 0xa20 } },
	{ "GFP_NOIO", { 0x10, 0x10, 0x2400000, 0x1400000, 0x600000, 0xc00 } },
};

const char *gfp_era_name(enum gfp_era era)
{
	static const char *const names[] = { "2.6.32", "2.6.39-4.3", "4.4-4.9", "4.10-4.17", "4.18-5.0", "5.1+" };

	return (unsigned)era < ARRAY_SIZE(names) ? names[era] : "?";
}

int gfp_era_of_release(const char *release)
{
	char *e;
	long major = strtol(release, &e, 10), minor, patch = 0;

	if (e == release || *e != '.')
		return -1;
	minor = strtol(e + 1, &e, 10);
	if (*e == '.')
		patch = strtol(e + 1, &e, 10);
	if (major == 2 && minor == 6)
		return patch < 39 && !strstr(release, ".el6") ? GFP_ERA_2_6_32 : GFP_ERA_3_X;
	if (major < 4 || (major == 4 && minor < 4))
		return GFP_ERA_3_X;
	if (major == 4 && minor < 10)
		return GFP_ERA_4_4;
	if (major == 4 && minor < 18)
		return GFP_ERA_4_10;
	if (major == 4 || (major == 5 && minor == 0))
		return GFP_ERA_4_18;
	return GFP_ERA_5_1;
}

enum gfp_era gfp_era_guess(unsigned long mask)
{
	if (mask >= 0x2000000 && (mask & 0x2400000))
		return GFP_ERA_4_4;
	if (mask & 0x1000000 && mask & 0x400000)
		return GFP_ERA_4_10;
	if (mask & 0x600000)
		return GFP_ERA_4_18;
	if ((mask & 0xc00) == 0xc00)
		return GFP_ERA_5_1;
	return GFP_ERA_3_X;
}

static void append(char *out, size_t size, const char *name)
{
	size_t n = strlen(out);

	snprintf(out + n, size - n, "%s%s", n ? "|" : "", name);
}

char *gfp_decode(unsigned long mask, enum gfp_era era, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(composites) && mask; i++) {
		unsigned long v = composites[i].bit[era];

		if (v && (mask & v) == v) {
			append(out, size, composites[i].name);
			mask &= ~v;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(bits) && mask; i++) {
		unsigned long v = bits[i].bit[era];

		if (v && (mask & v) == v) {
			append(out, size, bits[i].name);
			mask &= ~v;
		}
	}
	if (mask) {
		char hex[24];

		snprintf(hex, sizeof(hex), "%#lx", mask);
		append(out, size, hex);
	}
	return out;
}
