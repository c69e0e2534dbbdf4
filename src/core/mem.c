/* mem.c - readers of /proc/meminfo and of PSI files (see mem.h). */
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *key; /* with its colon */
	size_t off;
} meminfo_keys[] = {
	{ "MemTotal:", offsetof(struct meminfo, mem_total_kb) },
	{ "MemFree:", offsetof(struct meminfo, mem_free_kb) },
	{ "MemAvailable:", offsetof(struct meminfo, mem_available_kb) },
	{ "Buffers:", offsetof(struct meminfo, buffers_kb) },
	{ "Cached:", offsetof(struct meminfo, cached_kb) },
	{ "SwapCached:", offsetof(struct meminfo, swap_cached_kb) },
	{ "Active(anon):", offsetof(struct meminfo, active_anon_kb) },
	{ "Inactive(anon):", offsetof(struct meminfo, inactive_anon_kb) },
	{ "Active(file):", offsetof(struct meminfo, active_file_kb) },
	{ "Inactive(file):", offsetof(struct meminfo, inactive_file_kb) },
	{ "Unevictable:", offsetof(struct meminfo, unevictable_kb) },
	{ "SwapTotal:", offsetof(struct meminfo, swap_total_kb) },
	{ "SwapFree:", offsetof(struct meminfo, swap_free_kb) },
	{ "Dirty:", offsetof(struct meminfo, dirty_kb) },
	{ "Writeback:", offsetof(struct meminfo, writeback_kb) },
	{ "AnonPages:", offsetof(struct meminfo, anon_pages_kb) },
	{ "Mapped:", offsetof(struct meminfo, mapped_kb) },
	{ "Shmem:", offsetof(struct meminfo, shmem_kb) },
	{ "SReclaimable:", offsetof(struct meminfo, slab_reclaimable_kb) },
	{ "SUnreclaim:", offsetof(struct meminfo, slab_unreclaimable_kb) },
	{ "KernelStack:", offsetof(struct meminfo, kernel_stack_kb) },
	{ "PageTables:", offsetof(struct meminfo, page_tables_kb) },
	{ "HugePages_Total:", offsetof(struct meminfo, hugepages_total) },
	{ "HugePages_Free:", offsetof(struct meminfo, hugepages_free) },
	{ "Hugepagesize:", offsetof(struct meminfo, hugepage_size_kb) },
};

/* One "Key:   123 kB" line into its field; unknown keys are ignored. */
static void meminfo_line(const char *line, struct meminfo *mi)
{
	for (size_t i = 0; i < ARRAY_SIZE(meminfo_keys); i++) {
		size_t k = strlen(meminfo_keys[i].key);

		if (!strncmp(line, meminfo_keys[i].key, k)) {
			*(unsigned long *)((char *)mi + meminfo_keys[i].off) = strtoul(line + k, NULL, 10);
			return;
		}
	}
}

int meminfo_parse(const char *text, struct meminfo *mi)
{
	memset(mi, 0, sizeof(*mi));
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');

		meminfo_line(line, mi);
		line = nl ? nl + 1 : NULL;
	}
	/* MemTotal is in every kernel's meminfo: without it this is not one */
	return mi->mem_total_kb ? 0 : -EINVAL;
}

int meminfo_read(const char *proc_root, struct meminfo *mi)
{
	char path[4096 + 16], buf[8192];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/meminfo", proc_root);
	n = read_file_at(AT_FDCWD, path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return meminfo_parse(buf, mi);
}

static int psi_line_parse(const char *s, struct psi_line *l)
{
	return sscanf(s, " avg10=%lf avg60=%lf avg300=%lf total=%llu", &l->avg10, &l->avg60, &l->avg300,
		      &l->total_us) == 4 ? 0 : -EINVAL;
}

int psi_parse(const char *text, struct psi *p)
{
	const char *full = strstr(text, "\nfull ");

	memset(p, 0, sizeof(*p));
	if (strncmp(text, "some ", 5) || psi_line_parse(text + 4, &p->some) < 0)
		return -EINVAL;
	if (full) {
		if (psi_line_parse(full + 5, &p->full) < 0)
			return -EINVAL;
		p->has_full = true;
	}
	return 0;
}
