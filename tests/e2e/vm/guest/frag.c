/* frag: causes an order-2 OOM. It fills MIB MiB with mlocked 4 KiB pages,
 * unmaps every other page (plenty of free memory, but only single pages
 * between locked ones; with vm.compact_unevictable_allowed=0 compaction
 * cannot move the locked ones), then queues 12000-byte unix datagrams,
 * whose skb heads are order-2 kmalloc_large allocations, until the kernel
 * has to OOM-kill for an order-2 request.
 *
 *   frag MIB        (set comm with HOG_NAME like hog) */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define DGRAM_BYTES 12000

int main(int argc, char **argv)
{
	size_t bytes = (size_t)(argc > 1 ? atol(argv[1]) : 64) << 20, off;
	struct rlimit nofile = { 1 << 16, 1 << 16 };
	static char msg[DGRAM_BYTES];
	long pairs = 0, sent = 0;
	char *p;

	setvbuf(stdout, NULL, _IONBF, 0);
	prctl(PR_SET_NAME, getenv("HOG_NAME") ? getenv("HOG_NAME") : "frag");
	setrlimit(RLIMIT_NOFILE, &nofile);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	memset(p, 0x5a, bytes);
	if (mlock(p, bytes))
		perror("mlock");
	for (off = 0; off < bytes; off += 8192)
		munmap(p + off, 4096);
	printf("@@FRAG pid=%d locked every other page of %zu MiB\n", (int)getpid(), bytes >> 20);
	for (;;) {
		int sv[2], sndbuf = 1 << 30;

		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
			printf("@@FRAG socketpair failed after %ld pairs %ld dgrams\n", pairs, sent);
			pause();
		}
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf));
		pairs++;
		while (send(sv[0], msg, sizeof(msg), MSG_DONTWAIT) == (ssize_t)sizeof(msg))
			sent++;
		if (pairs % 256 == 0)
			printf("@@FRAG pairs=%ld dgrams=%ld\n", pairs, sent);
	}
}
