# mk/bench.mk - every benchmark; figures, machine and date in
# bench/RESULTS.md. `make bench` runs them all (minutes; root; none is part
# of `make check`).
#   bench-rank     repeated selection with one kept scanner vs earlyoom
#   bench-kill     PID-reuse trials and process_mrelease
#   bench-daemon   the daemon with $(BENCH_DAEMON_PROCS) extra processes
#   bench-explain  a 1 GiB syslog vs grep
#   bench-publish  what publishing costs the daemon's loop
#   bench-vm       the qemu guest: kernel alone, earlyoom, nohang, oomkit
#   bench-idle     the daemon and earlyoom at rest, 10 minutes, then in the
#                  qemu guest (bench/vm-compare.sh --idle, 60 s each)
#   bench-distro   the Debian guest with systemd: kernel alone, earlyoom,
#                  systemd-oomd, oomkit's unit (doc/distro.md)
BENCH_DAEMON_PROCS ?= 100000
BENCHES := bench-rank bench-kill bench-daemon bench-explain bench-publish bench-vm bench-idle bench-distro
.PHONY: $(BENCHES)
bench: $(BENCHES)

$(BUILD)/bench/%: bench/%.c $(BUILD)/liboomkit.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/liboomkit.a $(LDFLAGS) $(LIBS)

# static: a waiting process costs the kernel's minimum (no loader, no libc
# start-up pages)
$(BUILD)/bench/pause_procs: bench/pause_procs.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -o $@ $<

bench-rank: $(BUILD)/bench/rank_bench $(BUILD)/oomkit
	bench/rank.sh $(BUILD)
bench-kill: $(BUILD)/oomkit $(KILL_HOG)
	bench/pidreuse.sh
	bench/mrelease.sh
bench-daemon: $(BUILD)/oomkit $(BUILD)/bench/pause_procs
	PROCS=$(BENCH_DAEMON_PROCS) bench/daemon.sh $(BUILD)/oomkit
bench-explain: $(BUILD)/oomkit
	bench/explain.sh $(BUILD)/oomkit
bench-publish: $(BUILD)/bench/publish_bench
	$(BUILD)/bench/publish_bench
bench-vm: $(BUILD)/oomkit
	bench/vm-compare.sh
bench-idle: $(BUILD)/oomkit
	bench/idle.sh $(BUILD)/oomkit 600
	bench/vm-compare.sh --idle
bench-distro: $(BUILD)/oomkit
	bench/distro-compare.sh
