# explain: the libFuzzer target of the OOM report parser, and the benchmark.
#   make fuzz-explain   -> build-fuzz/fuzz_explain (clang, libFuzzer + ASan + UBSan)
#   make bench-explain  -> bench/explain.sh (1 GiB syslog in bench/out/, minutes)
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_FLAGS   := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1
EXPLAIN_SRCS := $(wildcard src/kreport*.c src/explain_*.c) src/gfp.c src/json.c src/badness.c \
		src/oom_control.c src/util.c src/k8s.c

.PHONY: fuzz-explain bench-explain
fuzz: fuzz-explain
bench: bench-explain

fuzz-explain: $(FUZZ_BUILD)/fuzz_explain

$(FUZZ_BUILD)/fuzz_explain: tests/fuzz/fuzz_explain.c $(EXPLAIN_SRCS) $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -std=gnu11 $(WARN) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_explain.c $(EXPLAIN_SRCS) -lm

bench-explain: $(BUILD)/oomkit
	bench/explain.sh $(BUILD)/oomkit
