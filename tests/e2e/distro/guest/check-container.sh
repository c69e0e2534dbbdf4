# check-container.sh - packaging/Containerfile's image run as
# packaging/kubernetes/daemonset.yaml runs it (sourced by main.sh): the
# host's pid namespace, /sys/fs/cgroup of the host writable, the ConfigMap
# read-only at /etc/oomkit, an in-memory /run/oomkit, the textfile
# directory, a read-only root, no privilege escalation, the runtime's
# default seccomp profile, the manifest's capabilities and nothing more,
# its memory limit and its arguments. Then: `oomkit rank` in the container
# equals the host's /proc/PID/oom_score, and the daemon kills a hog in a
# pod-shaped memory cgroup before the kernel does.
Y=$T/daemonset.yaml
caps=$(sed -n 's/.*add: \[\(.*\)\]/\1/p' $Y | tr -d '" ')
args=$(sed -n 's/.*args: \[\(.*\)\]/\1/p' $Y | tr -d '",')
mem=$(sed -n 's/.*limits: {.*memory: \([0-9]*\)Mi }.*/\1/p' $Y)
cpu=$(sed -n 's/.*limits: {.*cpu: \([0-9]*\)m,.*/\1/p' $Y)
cpu_req=$(sed -n 's/.*requests: {.*cpu: \([0-9]*\)m,.*/\1/p' $Y)
# a CPU limit is a CFS quota (--cpus), a request a weight (the kubelet's
# shares: milli-CPU * 1024 / 1000); oomkit.cpus=N on the kernel command
# line sets a quota of N CPUs, to measure one
cpus=$(awk -v m="$cpu" 'BEGIN { if (m != "") print m / 1000 }')
shares=$(( ${cpu_req:-0} * 1024 / 1000 ))
grep -q 'oomkit\.cpus=' /proc/cmdline && cpus=$(sed -n 's/.*oomkit\.cpus=\([^ ]*\).*/\1/p' /proc/cmdline)
note "manifest: capabilities $caps; args $args; requests cpu ${cpu_req:+${cpu_req}m}; limits cpu ${cpu:+${cpu}m}${cpu:-none} memory ${mem}Mi; podman --cpus ${cpus:-none} --cpu-shares $shares"
mkdir -p /etc/oomkit-cm /var/lib/node_exporter/textfile_collector
# the ConfigMap observes only; the manifest says how to let it kill
sed 's/^observe = yes$/observe = no/' $T/daemonset.conf > /etc/oomkit-cm/oomkit.conf
check container_config_observes "the ConfigMap does not say 'observe = yes'" grep -qx 'observe = yes' $T/daemonset.conf
# a runtime without storage on a fast driver: vfs needs no kernel module
mkdir -p /etc/containers && printf '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' > /etc/containers/storage.conf
podman import -q --change 'ENTRYPOINT ["/usr/sbin/oomkit"]' --change 'CMD ["daemon"]' \
	$T/container.tar localhost/oomkit:0.1.0 >/dev/null
check container_image "podman import failed" podman image exists localhost/oomkit:0.1.0
# shellcheck disable=SC2086
podman run -d --name oomkit --pid=host --network=none --user 0 --read-only \
	--cap-drop=ALL --cap-add="$caps" --security-opt no-new-privileges \
	--memory "${mem}m" ${cpus:+--cpus "$cpus"} ${cpu_req:+--cpu-shares "$shares"} \
	-v /dev/kmsg:/dev/kmsg:ro \
	-v /etc/oomkit-cm:/etc/oomkit:ro -v /sys/fs/cgroup:/sys/fs/cgroup \
	--tmpfs /run/oomkit:size=4m \
	-v /var/lib/node_exporter/textfile_collector:/var/lib/node_exporter/textfile_collector \
	localhost/oomkit:0.1.0 $args > /tmp/ctr.id 2>&1
sleep 5
check container_running "not running: $(podman ps -a --format '{{.Status}}' 2>&1 | head -1)" \
	test "$(podman inspect -f '{{.State.Running}}' oomkit 2>/dev/null)" = true
dump "podman logs oomkit" podman logs oomkit
cpid=$(podman inspect -f '{{.State.Pid}}' oomkit)
note "container's daemon: pid $cpid, $(grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/$cpid/status 2>/dev/null | paste -sd' ')"
# (the one refusal the manifest announces: a runtime that does not admit
# the /dev/kmsg device to an unprivileged container)
bad=$(podman logs oomkit 2>&1 | grep -v '^kernel OOM kills not watched: /dev/kmsg: Operation not permitted$' |
	grep -iE 'cannot|permission|not permitted|failed|OBSERVE')
check container_no_warning "$bad" test -z "$bad"
# a CPU quota (oomkit.cpus=, to measure one) is named at start
[ -n "$cpus" ] && check container_cpu_quota_warned "no 'CPU quota of $cpus CPU' warning" \
	grep -q "CPU quota of $cpus CPU on /machine.slice/libpod-.*\.scope.* (cpu.max)" <(podman logs oomkit 2>&1)
check container_liveness "oomkit status --max-age 30 failed (the livenessProbe)" \
	podman exec oomkit /usr/sbin/oomkit status --max-age 30

# rank: the container's scores are the host's oom_score
podman exec oomkit /usr/sbin/oomkit rank --json --all > /tmp/rank.json 2>/tmp/rank.err
sed 's/{"pid":/\n{"pid":/g' /tmp/rank.json | sed -n 's/^{"pid":\([0-9]*\),.*"score":\([0-9]*\),"kernel_oom_score".*/\1 \2/p' > /tmp/rank.txt
n=0 bad=0 unstable=0
while read -r p s; do
	a=$(cat /proc/$p/oom_score 2>/dev/null) || continue
	n=$((n + 1))
	[ "$a" = "$s" ] && continue
	b=$(cat /proc/$p/oom_score 2>/dev/null)
	if [ "$a" != "$b" ]; then unstable=$((unstable + 1)); else bad=$((bad + 1)); note "pid $p: rank $s, host oom_score $a"; fi
done < /tmp/rank.txt
note "rank in the container: $n processes compared with the host's /proc/PID/oom_score, $bad differ, $unstable changed meanwhile; $(wc -l < /proc/self/mountinfo) mounts here"
check container_rank_sees_host "ranked $n host processes" test "$n" -gt 10
check container_rank_equals_oom_score "$bad differ" test "$bad" = 0 -a "$n" -gt 0

# a hog in a pod-shaped memory cgroup (kubelet's systemd driver, a
# Burstable pod whose limit is above what the node has) fills the node
oom0=$(oom_kills)
uid=0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0 cid=$(printf '%064d' 7)
systemd-run --quiet --scope --slice=kubepods-burstable-pod$uid.slice --unit=cri-containerd-$cid \
	-p MemoryMax=4G -p RuntimeMaxSec=120 choom -n 0 -- env HOG_RATE_MS=2 $T/hog > /tmp/hog.txt 2>&1
hog=$(sed -n 's/^@@HOG pid=\([0-9]*\) start.*/\1/p' /tmp/hog.txt | tail -1)
note "hog $hog in $(grep -h . /tmp/hog.txt | tail -1)"
podman logs oomkit > /tmp/ctr.log 2>&1
dump "podman logs oomkit (after the hog)" grep -vE '^\[|^ |Mem-Info|pages|pagecache|swap' /tmp/ctr.log
check container_kills_hog "no 'Killed process $hog' in the container's log" grep -q "Killed process $hog (hog)" /tmp/ctr.log
check container_before_kernel "vmstat oom_kill $oom0 -> $(oom_kills)" test "$(oom_kills)" = "$oom0"
check container_decodes_pod "no pod uid in the report" grep -q "${uid//_/-}" /tmp/ctr.log
# the daemon's cgroup namespace is private: the path is still the one the
# kernel and the host print, not /proc/PID/cgroup's "/../../../kubepods.slice"
check container_host_cgroup_path "$(grep -o 'task_memcg=[^,]*' /tmp/ctr.log | head -1)" \
	grep -q "task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$uid.slice/cri-containerd-$cid.scope," /tmp/ctr.log
# a SIGTERM ignorer: the SIGKILL step and process_mrelease under the
# runtime's default seccomp profile and the manifest's capabilities
systemd-run --quiet --scope --slice=kubepods-burstable-pod$uid.slice --unit=cri-containerd-$(printf '%064d' 8) \
	-p MemoryMax=4G -p RuntimeMaxSec=120 choom -n 0 -- env HOG_RATE_MS=2 HOG_IGNORE_TERM=1 $T/hog > /tmp/hog2.txt 2>&1
hog2=$(sed -n 's/^@@HOG pid=\([0-9]*\) start.*/\1/p' /tmp/hog2.txt | tail -1)
podman logs oomkit > /tmp/ctr.log 2>&1
dump "podman logs oomkit (the SIGTERM ignorer)" grep -E "escalat|oom_reaper|reap|exited|$hog2" /tmp/ctr.log
# (escalated after the grace, or at once when the SIGKILL floor was crossed)
check container_sigkill "no SIGKILL for $hog2" grep -qE "escalated to SIGKILL for process $hog2 |Out of memory: Killed process $hog2 " /tmp/ctr.log
# (reaped by process_mrelease, or gone before it: ESRCH; never EPERM)
check container_mrelease "no reap line for $hog2, or a refused process_mrelease" bash -c \
	"grep -qE 'oom_reaper: reaped process $hog2 |process $hog2 exited .*not reaped \(its memory was already released\)' /tmp/ctr.log && ! grep -qi 'mrelease.*not permitted' /tmp/ctr.log"
cg=$(sed -n 's/^0:://p' /proc/$cpid/cgroup)
note "container's cgroup $cg: $(grep -h . /sys/fs/cgroup$cg/cpu.max /sys/fs/cgroup$cg/cpu.weight 2>/dev/null | paste -sd' '); cpu.stat $(paste -sd' ' /sys/fs/cgroup$cg/cpu.stat 2>/dev/null)"
check container_before_kernel_sigkill "vmstat oom_kill $oom0 -> $(oom_kills)" test "$(oom_kills)" = "$oom0"
check container_textfile "no oomkit.prom in the textfile directory" test -s /var/lib/node_exporter/textfile_collector/oomkit.prom
check container_still_running "the container stopped" test "$(podman inspect -f '{{.State.Running}}' oomkit)" = true
podman stop -t 10 oomkit >/dev/null
check container_stop_clean "exit code $(podman inspect -f '{{.State.ExitCode}}' oomkit)" \
	test "$(podman inspect -f '{{.State.ExitCode}}' oomkit)" = 0
