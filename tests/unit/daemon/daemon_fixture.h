/* daemon_fixture.h - for the daemon's unit tests: a struct daemon reset to
 * the default configuration over a fixture /proc tree, with what a test
 * process cannot or should not do turned off (PSI triggers, mlockall). The
 * test adds its own settings, then calls daemon_start(). */
#ifndef OOMKIT_TEST_DAEMON_FIXTURE_H
#define OOMKIT_TEST_DAEMON_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "daemon/daemon.h"

static inline void daemon_fixture_config(struct daemon *d, const char *proc_root)
{
	memset(d, 0, sizeof(*d));
	d->sigfd = -1;
	config_defaults(&d->cfg);
	snprintf(d->cfg.proc_root, sizeof(d->cfg.proc_root), "%s", proc_root);
	d->cfg.psi.enabled = false;
	d->cfg.psi_sustained.enabled = false;
	d->cfg.mlockall = false;
}

#endif
