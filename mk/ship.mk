# mk/ship.mk - targets of the packaging/observability part (branch ship):
# test helpers built into $(BUILD)/helpers/ (seccomp harness, metrics
# sample writer) as part of check-unit, and the HTTP request fuzzer.

SECCOMP_LIBS := $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || echo -lseccomp)
SHIP_HELPERS := $(BUILD)/helpers/seccomp_exec $(BUILD)/helpers/metrics_sample

check-unit: $(SHIP_HELPERS)

$(BUILD)/helpers/seccomp_exec: tests/helpers/seccomp_exec.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS) $(SECCOMP_LIBS)

$(BUILD)/helpers/%: tests/helpers/%.c $(BUILD)/liboomkit.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/liboomkit.a $(LDFLAGS) $(LIBS)
