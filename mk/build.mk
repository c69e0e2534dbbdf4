# mk/build.mk - the binary: every .c below src/ (one folder per job, core/
# shared) into build/liboomkit.a, main.c on top. Optional libraries:
# libsystemd (D-Bus, loaded at run time), libbpf + clang (the BPF task iterator of the scanner;
# without them src/core/scan_bpf.c compiles to stubs and the scanner reads
# /proc only, so the build never depends on them).

INIH_LIBS := $(shell $(PKG_CONFIG) --libs inih 2>/dev/null || echo -linih)
LIBS      := $(INIH_LIBS) -lm -ldl
# sd-bus's header only: the daemon loads libsystemd with dlopen() when
# notify_dbus is on (src/daemon/publish/dbus_event.c), so that a daemon
# without D-Bus does not carry it (bench/RESULTS.md, idle memory).
ifneq ($(shell $(PKG_CONFIG) --exists libsystemd 2>/dev/null && echo y),)
CPPFLAGS  += -DHAVE_SDBUS=1 $(shell $(PKG_CONFIG) --cflags libsystemd)
endif

SRCS      := $(sort $(shell find src -name '*.c' -not -path '*/bpf/*'))
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
LIB_OBJS  := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
MAIN_OBJ  := $(BUILD)/obj/main.o
DEPS      := $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d)

# --as-needed: a library the binary does not call is not loaded (libm: the
# daemon's resident memory, bench/RESULTS.md "Idle cost").
$(BUILD)/oomkit: $(MAIN_OBJ) $(BUILD)/liboomkit.a
	$(CC) $(LDFLAGS) -Wl,--as-needed -o $@ $^ $(LIBS)

$(BUILD)/liboomkit.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The BPF program, compiled with clang and embedded as a byte array (od: no
# xxd needed).
BPF_CLANG ?= clang
HAVE_LIBBPF := $(shell $(PKG_CONFIG) --exists libbpf 2>/dev/null && command -v $(BPF_CLANG) >/dev/null && echo y)
ifeq ($(HAVE_LIBBPF),y)
# the header only: scan_bpf.c opens libbpf with dlopen() to load the program
# and closes it again (the daemon's resident memory, bench/RESULTS.md)
CPPFLAGS += -DHAVE_LIBBPF=1 -I$(BUILD)/gen $(shell $(PKG_CONFIG) --cflags libbpf)
BPF_ARCH_INC := /usr/include/$(shell $(CC) -print-multiarch 2>/dev/null)

$(BUILD)/gen/oom_iter.bpf.o: src/core/bpf/oom_iter.bpf.c src/core/bpf/oom_iter.h
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -target bpf -O2 -g -Isrc/core/bpf -I$(BPF_ARCH_INC) -c -o $@ $<

$(BUILD)/gen/oom_iter.bpf.h: $(BUILD)/gen/oom_iter.bpf.o
	{ echo '/* generated from src/core/bpf/oom_iter.bpf.c */'; \
	  echo 'static const unsigned char oom_iter_bpf_o[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; } > $@

$(BUILD)/obj/core/scan_bpf.o: $(BUILD)/gen/oom_iter.bpf.h
endif

install: $(BUILD)/oomkit
	packaging/install.sh "$(DESTDIR)" "$(PREFIX)" "$(BINDIR)" "$(MANDIR)" "$(SYSCONFDIR)" "$(BUILD)/oomkit"

uninstall:
	packaging/install.sh --uninstall "$(DESTDIR)" "$(PREFIX)" "$(BINDIR)" "$(MANDIR)" "$(SYSCONFDIR)"
