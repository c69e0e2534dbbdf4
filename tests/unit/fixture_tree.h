/* fixture_tree.h - temporary file trees for the daemon's unit tests (fake
 * /proc, cgroup directories, config files): make one, write files into
 * it, remove it. Header-only; include after cmocka.h. */
#ifndef OOMKIT_TEST_FIXTURE_TREE_H
#define OOMKIT_TEST_FIXTURE_TREE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Makes /tmp/oomkit-test-NAME-XXXXXX into dir (size >= 64). */
static inline void fixture_tree_new(char *dir, const char *name)
{
	snprintf(dir, 64, "/tmp/oomkit-test-%s-XXXXXX", name);
	assert_non_null(mkdtemp(dir));
}

/* Writes text to dir/rel and returns the path (valid until the next call). */
static inline const char *fixture_put(const char *dir, const char *rel, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static inline void fixture_mkdir(const char *dir, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	mkdir(path, 0755);
}

static inline int fixture_tree_remove(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

#endif
