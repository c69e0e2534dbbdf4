# mk/ship.mk - targets of the packaging/observability part (branch ship):
# test helpers built into $(BUILD)/helpers/ and the HTTP request fuzzer.

SHIP_HELPERS := $(BUILD)/helpers/seccomp-exec
SECCOMP_LIBS := $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || echo -lseccomp)

check-unit: $(SHIP_HELPERS)

$(BUILD)/helpers/seccomp-exec: tests/helpers/seccomp_exec.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS) $(SECCOMP_LIBS)
