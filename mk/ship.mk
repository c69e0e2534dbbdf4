# mk/ship.mk - targets of the packaging/observability part (branch ship):
# test helpers built into $(BUILD)/helpers/ (seccomp harness, metrics
# sample writer) as part of check-unit, and the HTTP request fuzzer.

SECCOMP_LIBS := $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || echo -lseccomp)
SHIP_HELPERS := $(BUILD)/helpers/seccomp_exec $(BUILD)/helpers/metrics_sample $(BUILD)/helpers/dbus_emit $(BUILD)/helpers/cap_probe

check-unit: $(SHIP_HELPERS)

$(BUILD)/helpers/seccomp_exec: tests/helpers/seccomp_exec.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS) $(SECCOMP_LIBS)

$(BUILD)/helpers/%: tests/helpers/%.c $(BUILD)/liboomkit.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/liboomkit.a $(LDFLAGS) $(LIBS)

# libFuzzer target of the HTTP request parser (clang + libclang-rt).
FUZZ_CC ?= clang
FUZZ_HTTP := build-fuzz/fuzz_http
.PHONY: fuzz-http
fuzz: fuzz-http
fuzz-http: $(FUZZ_HTTP)
$(FUZZ_HTTP): tests/fuzz/fuzz_http.c src/http.c src/http.h src/textbuf.c src/textbuf.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -D_GNU_SOURCE -Isrc -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ tests/fuzz/fuzz_http.c src/http.c src/textbuf.c

# What publishing costs the daemon's loop (bench/publish.md).
.PHONY: bench-publish
bench: bench-publish
bench-publish: $(BUILD)/bench/publish_bench
	$(BUILD)/bench/publish_bench
$(BUILD)/bench/publish_bench: bench/publish_bench.c $(BUILD)/liboomkit.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/liboomkit.a $(LDFLAGS) $(LIBS)
