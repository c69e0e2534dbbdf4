/* cgroup_ns.h - cgroup paths read from inside a private cgroup namespace
 * (a container's default on cgroup v2). There the kernel prints
 * /proc/PID/cgroup relative to the namespace's root, so a process outside
 * it reads "/../../../kubepods.slice/...", while the kernel's own OOM report
 * and every tool on the host say "/kubepods.slice/...". When the host's
 * hierarchy is mounted inside (the DaemonSet's hostPath /sys/fs/cgroup),
 * mountinfo shows that mount's root as "/../../.." (as many levels as the
 * namespace root lies below it): the root is then found once, under the
 * mount at that depth, as the directory holding our own process, and paths
 * are resolved against it. */
#ifndef OOMKIT_CGROUP_NS_H
#define OOMKIT_CGROUP_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The namespace root's path below the memory hierarchy's mount directory,
 * found from mount_root (the mount's root as mountinfo prints it) and our
 * own /proc/self/cgroup path. "" (and 0) when there is nothing to resolve:
 * no private namespace, or a mount made inside it. -ENOENT when the mount
 * shows a tree that does not hold our namespace root, or no directory at
 * that depth holds us. */
int cgroup_ns_root_find(const char *proc_root, const char *mount_dir, const char *mount_root, char *out,
			size_t size);

/* The search of cgroup_ns_root_find: the directory ups levels below
 * mount_dir whose subdirectory self_path ("/" or "/a") lists pid in its
 * cgroup.procs; its path below mount_dir ("/a/b") goes to out. */
int cgroup_ns_root_search(const char *mount_dir, unsigned int ups, const char *self_path, pid_t pid, char *out,
			  size_t size);

/* path as /proc/PID/cgroup prints it in the namespace ("/../../x/y")
 * resolved against the namespace's root ns_root ("/a/b/c"): "/a/x/y". A
 * path without a leading ".." is inside the namespace: ns_root + path.
 * False (path unchanged) when ns_root is "" or the result does not fit. */
bool cgroup_ns_resolve(const char *ns_root, char *path, size_t size);

/* The namespace root every /proc/PID/cgroup read of this process is
 * resolved against (task_info_read_details); each job sets it once before
 * it reads processes, from memcg_roots_find's ns_root. */
void cgroup_ns_set_root(const char *ns_root);
const char *cgroup_ns_root(void);

#endif
