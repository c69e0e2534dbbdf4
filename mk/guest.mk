# guest: the oracle scenarios of the qemu test bed (tests/e2e/vm/, doc/vm.md)
#   make vm-oracle  -> rank-adj and kill-adj: oomkit rank and kill against the
#                      kernel with oom_score_adj < 0 (the host lacks CAP_SYS_RESOURCE)
.PHONY: vm-oracle
vm-oracle: $(BUILD)/oomkit
	tests/e2e/vm/run.sh --oracle
