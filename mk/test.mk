# mk/test.mk - the suite. `make check` builds plain and with ASan + UBSan,
# then tests/run.sh runs every unit test and every tests/e2e/*.sh.
#   tests/unit/<folder>/test_X.c  -> $(BUILD)/tests/<folder>/test_X (cmocka)
#   tests/helpers/X.c             -> $(BUILD)/helpers/X (e2e helpers)
#   tests/fuzz/fuzz_X.c           -> build-fuzz/fuzz_X (libFuzzer; `make fuzz-X`)
#   make check-<folder>           -> the unit tests of one folder (check-daemon
#                                    also runs tests/e2e/daemon.sh)
#   make vm | vm-oracle | vm-fixtures | vm-oomkit -> the qemu guest suite
#   make check-distro | distro-shell -> the Debian guest with systemd (doc/distro.md)

UNIT_SRCS := $(sort $(shell find tests/unit -name 'test_*.c'))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/liboomkit.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/liboomkit.a $(LDFLAGS) -lcmocka $(LIBS)

# Helpers: the memory hog of several shapes (built without sanitizers: its
# memory figures must be its own), the seccomp harness, and small programs
# over the library.
SECCOMP_LIBS := $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || echo -lseccomp)
KILL_HOG := $(BUILD)/tests/kill_hog
HELPERS  := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(filter-out tests/helpers/kill_hog.c,$(wildcard tests/helpers/*.c)))

$(KILL_HOG): tests/helpers/kill_hog.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -lpthread

$(BUILD)/helpers/seccomp_exec: tests/helpers/seccomp_exec.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS) $(SECCOMP_LIBS)

$(BUILD)/helpers/%: tests/helpers/%.c $(BUILD)/liboomkit.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/liboomkit.a $(LDFLAGS) $(LIBS)

check-unit: $(UNIT_BINS) $(BUILD)/oomkit $(KILL_HOG) $(HELPERS)

# The whole suite: plain build and sanitizer build, unit then end-to-end.
check:
	$(MAKE) BUILD=build SAN=0 check-unit
	$(MAKE) SAN=1 check-unit
	tests/run.sh build build-san

# `make deps`: what building and running oomkit needs; `make deps-test`:
# that and what the tests and benchmarks need (never another OOM killer).
deps:
	tests/deps.sh build
deps-test:
	tests/deps.sh test

# One folder's unit tests, e.g. `make check-explain`; check-daemon also runs
# the daemon's end-to-end test (root, v1 memory cgroups).
UNIT_FOLDERS := $(sort $(patsubst tests/unit/%/,%,$(dir $(UNIT_SRCS))))
define check_folder
.PHONY: check-$(subst /,-,$(1))
check-$(subst /,-,$(1)): $(filter $(BUILD)/tests/$(1)/%,$(UNIT_BINS)) $(BUILD)/oomkit
	@set -e; for t in $(filter $(BUILD)/tests/$(1)/%,$(UNIT_BINS)); do $$$$t; done
endef
$(foreach f,$(UNIT_FOLDERS),$(eval $(call check_folder,$(f))))
.PHONY: check-daemon-e2e
check-daemon: check-daemon-e2e
check-daemon-e2e: $(BUILD)/oomkit $(KILL_HOG)
	OOMKIT=$(CURDIR)/$(BUILD)/oomkit bash tests/e2e/daemon.sh

# libFuzzer targets: every tests/fuzz/fuzz_X.c links against the whole
# library built with the fuzzer's instrumentation; the archive brings in only
# what the target calls. No optional library: BPF and D-Bus compile to stubs.
FUZZ_CC    ?= clang
FUZZ_BUILD := build-fuzz
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all -g -O1
FUZZ_OBJS  := $(LIB_SRCS:src/%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZ_BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -D_GNU_SOURCE -Isrc -std=gnu11 $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/liboomkit.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/liboomkit.a
	$(FUZZ_CC) -D_GNU_SOURCE -Isrc -std=gnu11 $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/liboomkit.a $(INIH_LIBS) -lm -lpthread

.PHONY: $(FUZZ_NAMES:%=fuzz-%)
$(FUZZ_NAMES:%=fuzz-%): fuzz-%: $(FUZZ_BUILD)/fuzz_%
fuzz: $(FUZZ_NAMES:%=fuzz-%)
-include $(FUZZ_OBJS:.o=.d)

# The qemu guest test bed (tests/e2e/vm/, doc/vm.md).
#   make vm           every fixture scenario, the kernel alone
#   make vm-fixtures  the same, rewriting tests/fixtures/vm/*.{log,facts}
#   make vm-oomkit    the pressure scenarios with `oomkit daemon` in the guest
#   make vm-oracle    rank-adj and kill-adj: oomkit against the kernel with
#                     oom_score_adj < 0 (the host lacks CAP_SYS_RESOURCE)
.PHONY: vm vm-fixtures vm-oomkit vm-oracle
vm: $(BUILD)/oomkit
	tests/e2e/vm/run.sh
vm-fixtures: $(BUILD)/oomkit
	tests/e2e/vm/run.sh --save-fixtures
vm-oomkit: $(BUILD)/oomkit
	tests/e2e/vm/run.sh -k oomkit --pressure
vm-oracle: $(BUILD)/oomkit
	tests/e2e/vm/run.sh --oracle

# The Debian 12 guest with systemd as PID 1 (tests/e2e/distro/, doc/distro.md).
#   make check-distro  oomkit installed with `make install`, the unit's checks,
#                      the container as the DaemonSet runs it
#   make distro-shell  a root shell in the guest (serial console; poweroff)
.PHONY: check-distro distro-shell
check-distro: $(BUILD)/oomkit
	@OOMKIT_DISTRO_MODES='install container oomd' bash -o pipefail -c 'bash tests/e2e/distro.sh | awk '\''{ print } /^ok /{ p++ } /^not ok /{ f++ } /^skip /{ s++ } \
		END { if (ENVIRON["CI"] == "true") f += s; printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 }'\'''
distro-shell: $(BUILD)/oomkit
	tests/e2e/distro/run.sh --shell
