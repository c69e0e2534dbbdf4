# oomkit build. `make` builds build/oomkit; `make check` runs the whole suite
# (unit tests, end-to-end tests, sanitizer build, fuzz minute, qemu guests);
# `make SAN=1` builds with AddressSanitizer + UBSan into build-san/.
# Make rather than Meson: one binary, a handful of optional libraries found
# through pkg-config, and a test runner script; Make is on every Debian box.

CC       ?= cc
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR  ?=
SAN      ?= 0
PKG_CONFIG ?= pkg-config

ifeq ($(SAN),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1
else
BUILD    ?= build
SANFLAGS :=
OPT      := -O2
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -Isrc
CFLAGS   += -std=gnu11 $(OPT) -g $(WARN) $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)

INIH_LIBS := $(shell $(PKG_CONFIG) --libs inih 2>/dev/null || echo -linih)
LIBS      := $(INIH_LIBS) -lm
ifneq ($(shell $(PKG_CONFIG) --exists libsystemd 2>/dev/null && echo y),)
CPPFLAGS  += -DHAVE_SDBUS=1
LIBS      += $(shell $(PKG_CONFIG) --libs libsystemd)
endif

SRCS      := $(sort $(wildcard src/*.c))
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
LIB_OBJS  := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
MAIN_OBJ  := $(BUILD)/obj/main.o
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
DEPS      := $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d)

.PHONY: all check check-unit deps install uninstall clean fuzz bench
all: $(BUILD)/oomkit

$(BUILD)/oomkit: $(MAIN_OBJ) $(BUILD)/liboomkit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/liboomkit.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/liboomkit.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/liboomkit.a $(LDFLAGS) -lcmocka $(LIBS)

check-unit: $(UNIT_BINS) $(BUILD)/oomkit

# The whole suite: plain build and sanitizer build, unit then end-to-end.
check:
	$(MAKE) BUILD=build SAN=0 check-unit
	$(MAKE) SAN=1 check-unit
	tests/run.sh build build-san

deps:
	tests/deps.sh

install: $(BUILD)/oomkit
	packaging/install.sh "$(DESTDIR)" "$(PREFIX)" "$(BINDIR)" "$(MANDIR)" "$(SYSCONFDIR)" "$(BUILD)/oomkit"

uninstall:
	packaging/install.sh --uninstall "$(DESTDIR)" "$(PREFIX)" "$(BINDIR)" "$(MANDIR)" "$(SYSCONFDIR)"

clean:
	rm -rf build build-san build-fuzz

# Each part of oomkit may add its own targets (fuzz, bench, vm, ...) here.
-include $(sort $(wildcard mk/*.mk))

-include $(DEPS)
