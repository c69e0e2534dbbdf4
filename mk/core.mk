# core: the BPF task iterator of the scanner (src/bpf/oom_iter.bpf.c),
# built when libbpf and clang are there; without them the scanner uses
# /proc only (src/scan_bpf.c compiles to stubs), so the build never depends on it.
BPF_CLANG ?= clang
HAVE_LIBBPF := $(shell $(PKG_CONFIG) --exists libbpf 2>/dev/null && command -v $(BPF_CLANG) >/dev/null && echo y)
ifeq ($(HAVE_LIBBPF),y)
CPPFLAGS += -DHAVE_LIBBPF=1 -I$(BUILD)/gen
LIBS     += $(shell $(PKG_CONFIG) --libs libbpf)
BPF_ARCH_INC := /usr/include/$(shell $(CC) -print-multiarch 2>/dev/null)

$(BUILD)/gen/oom_iter.bpf.o: src/bpf/oom_iter.bpf.c src/bpf/oom_iter.h
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -target bpf -O2 -g -Isrc/bpf -I$(BPF_ARCH_INC) -c -o $@ $<

# The object, embedded as a byte array (od: no xxd needed).
$(BUILD)/gen/oom_iter.bpf.h: $(BUILD)/gen/oom_iter.bpf.o
	{ echo '/* generated from src/bpf/oom_iter.bpf.c */'; \
	  echo 'static const unsigned char oom_iter_bpf_o[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; } > $@

$(BUILD)/obj/scan_bpf.o: $(BUILD)/gen/oom_iter.bpf.h
endif

# bench/rank.sh drives this: repeated selection with one kept scanner.
.PHONY: bench-rank
bench: bench-rank
bench-rank: $(BUILD)/bench/rank_bench $(BUILD)/oomkit
	bench/rank.sh $(BUILD)

$(BUILD)/bench/rank_bench: bench/rank_bench.c $(BUILD)/liboomkit.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/liboomkit.a $(LDFLAGS) $(LIBS)

# libFuzzer target of the core's parsers (clang + libclang-rt):
#   make fuzz-proc  -> build-fuzz/fuzz_proc; run it with -max_total_time=60
CORE_FUZZ_CC := clang
CORE_FUZZ := build-fuzz/fuzz_proc
.PHONY: fuzz-proc
fuzz: fuzz-proc
fuzz-proc: $(CORE_FUZZ)
$(CORE_FUZZ): tests/fuzz/fuzz_proc.c src/proc.c src/mem.c src/cgroup.c src/util.c src/proc.h src/mem.h src/cgroup.h
	@mkdir -p $(dir $@)
	$(CORE_FUZZ_CC) -D_GNU_SOURCE -Isrc -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ tests/fuzz/fuzz_proc.c src/proc.c src/mem.c src/cgroup.c src/util.c
