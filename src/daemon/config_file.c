/* config_file.c - reads the INI files (inih) into a struct oomkit_config:
 * the main file, then its drop-in directory <file>.d/NN-name.conf in lexical
 * order. inih's handler does not get line numbers in Debian's build, so
 * the reader counts the lines it hands over. The first error stops the
 * load and names file:line and what was expected. */
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

struct ini_state {
	FILE *f;
	int line;                 /* line number of the chunk inih holds */
	bool at_line_start;
	struct oomkit_config *c;
	struct config_error *err;
	bool failed;
	char section[64];         /* last section seen, to open [cgroup] blocks */
	int bad_header;           /* first line opening a '[' it does not close */
};

static char *counting_reader(char *str, int num, void *stream)
{
	struct ini_state *st = stream;
	char *r = fgets(str, num, st->f);

	if (!r)
		return NULL;
	if (st->at_line_start) {
		const char *p = r + strspn(r, " \t");

		st->line++;
		if (*p == '[' && !strchr(p, ']') && !st->bad_header)
			st->bad_header = st->line;
	}
	st->at_line_start = strchr(r, '\n') != NULL;
	return r;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct ini_state *st = user;

	if (st->failed)
		return 0;
	/* a new [cgroup] header opens a new watch; inih only tells us through
	 * the section name changing, so a [cgroup] right after [cgroup] needs
	 * a path key to start it */
	if (!strcasecmp(section, "cgroup") &&
	    (strcasecmp(st->section, "cgroup") || !strcasecmp(name, "path"))) {
		bool reuse = st->c->nr_cgroups && !st->c->cgroups[st->c->nr_cgroups - 1].path[0];
		if (!reuse && config_begin_cgroup(st->c, st->err))
			goto fail;
	}
	snprintf(st->section, sizeof(st->section), "%s", section);
	if (!section[0]) {
		snprintf(st->err->msg, sizeof(st->err->msg),
			 "'%s' outside a section: expected a [section] header first", name);
		goto fail;
	}
	if (config_set(st->c, section, name, value, st->err))
		goto fail;
	return 1;
fail:
	st->err->line = st->line;
	st->failed = true;
	return 0;
}

int config_load_file(struct oomkit_config *c, const char *path, struct config_error *err)
{
	struct ini_state st = { .at_line_start = true, .c = c, .err = err };
	int r;

	snprintf(err->file, sizeof(err->file), "%s", path);
	err->line = 0;
	err->msg[0] = '\0';
	st.f = fopen(path, "re");
	if (!st.f) {
		r = -errno;
		snprintf(err->msg, sizeof(err->msg), "cannot open: %s", strerror(-r));
		return r;
	}
	r = ini_parse_stream(counting_reader, &st, handler, &st);
	fclose(st.f);
	/* inih goes on after a bad line: its first error line r may precede
	 * the handler's complaint about what followed ("[memory" then "x =
	 * 1" is a bad header, not a key outside a section) */
	if (r > 0 && (!st.failed || r < err->line)) {
		err->line = r;
		snprintf(err->msg, sizeof(err->msg), "%s", r == st.bad_header ?
			 "expected ']' closing the section name" :
			 "expected '[section]', 'key = value' or a comment (# or ;)");
		return -EINVAL;
	}
	if (st.failed)
		return -EINVAL;
	if (r < 0) {
		snprintf(err->msg, sizeof(err->msg), "cannot read");
		return -EIO;
	}
	return 0;
}

static int conf_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".conf");
}

static int load_dropins(struct oomkit_config *c, const char *dir, struct config_error *err)
{
	struct dirent **names;
	char path[CONFIG_PATH_MAX + 512];
	int n = scandir(dir, &names, conf_filter, alphasort);
	int r = 0;

	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		if (r == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			r = config_load_file(c, path, err);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int config_load(struct oomkit_config *c, const char *path, bool explicit_path,
		struct config_error *err)
{
	char dir[CONFIG_PATH_MAX + 8];
	int r;

	if (!path)
		path = CONFIG_DEFAULT_FILE;
	r = config_load_file(c, path, err);
	if (r == -ENOENT && !explicit_path)
		r = 0;
	if (r)
		return r;
	snprintf(dir, sizeof(dir), "%s.d", path);
	r = load_dropins(c, dir, err);
	if (r)
		return r;
	return config_validate(c, err);
}
