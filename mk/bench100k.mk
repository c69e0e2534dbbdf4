# bench100k: `make bench-daemon` runs bench/daemon.sh with 100,000 extra
# processes (root, v1 memory and pids cgroups; minutes; not part of check).
# Override with e.g. `make bench-daemon BENCH_DAEMON_PROCS=10000`.
BENCH_DAEMON_PROCS ?= 100000

.PHONY: bench-daemon
bench: bench-daemon
bench-daemon: $(BUILD)/oomkit $(BUILD)/bench/pause_procs
	PROCS=$(BENCH_DAEMON_PROCS) bench/daemon.sh $(BUILD)/oomkit

# static: a waiting process costs the kernel's minimum (no loader, no libc
# start-up pages)
$(BUILD)/bench/pause_procs: bench/pause_procs.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -o $@ $<
