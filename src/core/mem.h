/* mem.h - the system memory snapshot: /proc/meminfo and PSI
 * (/proc/pressure/memory or a cgroup's memory.pressure). All sizes in kB. */
#ifndef OOMKIT_MEM_H
#define OOMKIT_MEM_H

#include <stdbool.h>
#include <stdint.h>

struct meminfo {
	unsigned long mem_total_kb;
	unsigned long mem_free_kb;
	unsigned long mem_available_kb;
	unsigned long buffers_kb;
	unsigned long cached_kb;
	unsigned long swap_cached_kb;
	unsigned long active_anon_kb, inactive_anon_kb;
	unsigned long active_file_kb, inactive_file_kb;
	unsigned long unevictable_kb;
	unsigned long swap_total_kb;
	unsigned long swap_free_kb;
	unsigned long dirty_kb, writeback_kb;
	unsigned long anon_pages_kb;
	unsigned long mapped_kb;
	unsigned long shmem_kb;
	unsigned long slab_reclaimable_kb, slab_unreclaimable_kb;
	unsigned long kernel_stack_kb;
	unsigned long page_tables_kb;
	unsigned long hugepages_total, hugepages_free;
	unsigned long hugepage_size_kb;
};

/* Reads <proc_root>/meminfo. 0 or -errno. */
int meminfo_read(const char *proc_root, struct meminfo *mi);
/* Parses meminfo text (for tests and for a kept-open descriptor). */
int meminfo_parse(const char *text, struct meminfo *mi);

struct psi_line {
	double avg10, avg60, avg300;  /* percent */
	unsigned long long total_us;
};

struct psi {
	struct psi_line some;
	struct psi_line full;
	bool has_full;
};

/* Parses a PSI file's text (/proc/pressure/memory, <cgroup>/memory.pressure). */
int psi_parse(const char *text, struct psi *p);

#endif
