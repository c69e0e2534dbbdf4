# vm: the qemu guest test bed (tests/e2e/vm/) and its comparison bench.
#   make vm                 -> every fixture scenario, the kernel alone
#   make vm-fixtures        -> the same, rewriting tests/fixtures/vm/*.{log,facts}
#   make vm-oomkit          -> the pressure scenarios with `oomkit daemon` in the guest
#   make bench-vm           -> bench/vm-compare.sh (kernel alone, earlyoom, nohang, oomkit)
.PHONY: vm vm-fixtures vm-oomkit bench-vm
bench: bench-vm

vm: $(BUILD)/oomkit
	tests/e2e/vm/run.sh

vm-fixtures: $(BUILD)/oomkit
	tests/e2e/vm/run.sh --save-fixtures

vm-oomkit: $(BUILD)/oomkit
	tests/e2e/vm/run.sh -k oomkit --pressure

bench-vm: $(BUILD)/oomkit
	bench/vm-compare.sh
