# kill: the test helper (a memory hog of several shapes) used by
# tests/e2e/kill*.sh and bench/{pidreuse,mrelease}.sh; built without
# sanitizers (its memory figures must be its own).
KILL_HOG := $(BUILD)/tests/kill_hog

check-unit: $(KILL_HOG)

$(KILL_HOG): tests/helpers/kill_hog.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -lpthread

.PHONY: bench-kill
bench-kill: $(BUILD)/oomkit $(KILL_HOG)
	bench/pidreuse.sh
	bench/mrelease.sh
