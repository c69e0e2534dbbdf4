# oomkit build. `make` builds build/oomkit; `make check` runs the whole suite
# (unit tests, end-to-end tests, sanitizer build, fuzz minute, qemu guests);
# `make SAN=1` builds with AddressSanitizer + UBSan into build-san/.
# Make rather than Meson: one binary, a handful of optional libraries found
# through pkg-config, and a test runner script; Make is on every Debian box.
#
# The recipes live in mk/, one file per concern:
#   mk/build.mk  the binary and its library (BPF scanner included), install
#   mk/test.mk   unit tests, test helpers, fuzz targets, the qemu guest suite
#   mk/bench.mk  every benchmark (`make bench`)

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

.PHONY: all check check-unit deps deps-test install uninstall clean fuzz bench
all: $(BUILD)/oomkit

include mk/build.mk
include mk/test.mk
include mk/bench.mk

clean:
	rm -rf build build-san build-fuzz

-include $(DEPS)
