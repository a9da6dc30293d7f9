// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl: look at and use /dev/memlab from a shell.
 *
 *   memlabctl info                      ABI, pool, shared buffer, quotas
 *   memlabctl alloc [options] SIZE      allocate a private buffer, map it, report it
 *   memlabctl fill [options] BYTE       fill the shared buffer through write()
 *   memlabctl dump [options]            hexdump the shared buffer through read()
 *   memlabctl buffers [--json]          memlab/dev/buffers, in friendlier units
 *   memlabctl pool                      memlab/alloc/default, summarised
 *   memlabctl stats, buddyinfo, slabinfo, vmas, mmu, layout, regs
 *                                       a debugfs report, as text or JSON (report.c)
 *   memlabctl top [options]             pools and slab caches by allocations/s (top.c)
 *   memlabctl map [POOL] [--svg F|--json]  a pool's blocks, drawn (map.c)
 *   memlabctl walk PID VA [--svg F|--json] a page-table walk, drawn (walk.c)
 *   memlabctl bench [options]           memlab mappings against anonymous memory (bench.c)
 *   memlabctl doctor                    what to check before filing a bug (doctor.c)
 *
 * Every subcommand takes --help. Errors name the errno.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <memlab.h>

#include "memlabctl.h"

static const char *prog = "memlabctl";

int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s (%s)\n", prog, what, strerrorname_np(err) ?: "?",
		strerror(err));
	return 1;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	return 2;
}

/* "4096", "64K", "2M", "0x1000": bytes; -1 when malformed. */
long long parse_size(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'G':
		v <<= 10;
		/* fall through */
	case 'M':
		v <<= 10;
		/* fall through */
	case 'K':
		v <<= 10;
		end++;
		break;
	}
	return *end || v > (1ULL << 62) ? -1 : (long long)v;
}

const char *human(unsigned long long bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB" };
	unsigned int u = 0;

	while (u < 3 && bytes >= 1024 && !(bytes % 1024)) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu %s", bytes, unit[u]);
	return buf;
}

static const char *cache_name(uint32_t mode)
{
	switch (mode) {
	case MEMLAB_CACHE_CACHED:
		return "cached";
	case MEMLAB_CACHE_WC:
		return "wc";
	case MEMLAB_CACHE_UNCACHED:
		return "uncached";
	}
	return "?";
}

int open_dev(int flags)
{
	int fd = open(DEV_PATH, flags);

	if (fd < 0)
		fail("open " DEV_PATH, errno);
	return fd;
}

int no_options(int argc, char **argv, const char *help)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(help, stdout);
		return 0;
	}
	if (argc > 1)
		return usage_error("%s takes no arguments", argv[0]);
	return -1;
}

static const char info_help[] =
	"usage: memlabctl info\n"
	"Print /dev/memlab's ABI version, the default pool, the shared buffer and\n"
	"the quotas (MEMLAB_IOC_INFO).\n";

static int cmd_info(int argc, char **argv)
{
	struct memlab_info in = { .size = sizeof(in) };
	char b[5][32];
	int fd, ret = no_options(argc, argv, info_help);

	if (ret >= 0)
		return ret;
	fd = open_dev(O_RDONLY);
	if (fd < 0)
		return 1;
	if (ioctl(fd, MEMLAB_IOC_INFO, &in))
		return fail("MEMLAB_IOC_INFO", errno);
	printf("abi_version     %u\n", in.abi_version);
	printf("page_size       %u\n", in.page_size);
	printf("pool            %s, %s free, largest buffer %s (order %u)\n",
	       human(in.pool_bytes, b[0], 32), human(in.pool_free_bytes, b[1], 32),
	       human((unsigned long long)in.page_size << in.max_order, b[2], 32), in.max_order);
	printf("shared buffer   %s at offset 0\n", human(in.shared_bytes, b[0], 32));
	printf("quota per open  %s (this open: %s)\n", human(in.quota_open_bytes, b[0], 32),
	       human(in.used_open_bytes, b[1], 32));
	printf("quota global    %s (in use: %s in %u buffers)\n",
	       human(in.quota_global_bytes, b[3], 32), human(in.used_global_bytes, b[4], 32),
	       in.nr_buffers);
	close(fd);
	return 0;
}

static const char alloc_help[] =
	"usage: memlabctl alloc [-c cached|wc|uncached] [-p] [-f BYTE] [-t SECONDS] SIZE\n"
	"Allocate a private buffer of at least SIZE bytes (K, M, G suffixes) from\n"
	"the default pool, map it, check that it is zeroed, and print what the\n"
	"kernel reports about it (MEMLAB_IOC_ALLOC and memlab/dev/buffers).\n"
	"  -c MODE     cache mode of the mapping (default cached)\n"
	"  -p          map it with struct pages (MEMLAB_ALLOC_PAGES; cached only)\n"
	"  -f BYTE     fill the buffer with BYTE through the mapping\n"
	"  -t SECONDS  keep it mapped that long before freeing it\n"
	"The physical address is shown to CAP_SYS_ADMIN only.\n";

static void print_buffers_row(uint32_t handle)
{
	FILE *f = fopen(DBG "/dev/buffers", "r");
	char line[256];
	unsigned int h;
	int first = 1;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (first || (sscanf(line, "%u", &h) == 1 && h == handle))
			printf("  %s", line);
		first = 0;
	}
	fclose(f);
}

static int cmd_alloc(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "cache", required_argument, NULL, 'c' },
		{ "pages", no_argument, NULL, 'p' },
		{ "fill", required_argument, NULL, 'f' },
		{ "time", required_argument, NULL, 't' },
		{ }
	};
	struct memlab_allocation_data a = { .size = sizeof(a) };
	int fd, c, fill = -1, secs = 0;
	volatile uint64_t *m;
	long long size;
	char b[32];
	size_t i;

	while ((c = getopt_long(argc, argv, "hc:pf:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(alloc_help, stdout);
			return 0;
		case 'c':
			a.flags &= ~MEMLAB_CACHE_MASK;
			if (!strcmp(optarg, "cached"))
				a.flags |= MEMLAB_CACHE_CACHED;
			else if (!strcmp(optarg, "wc"))
				a.flags |= MEMLAB_CACHE_WC;
			else if (!strcmp(optarg, "uncached"))
				a.flags |= MEMLAB_CACHE_UNCACHED;
			else
				return usage_error("unknown cache mode '%s'", optarg);
			break;
		case 'p':
			a.flags |= MEMLAB_ALLOC_PAGES;
			break;
		case 'f':
			fill = (int)strtol(optarg, NULL, 0);
			if (fill < 0 || fill > 255)
				return usage_error("fill byte '%s' is not 0..255", optarg);
			break;
		case 't':
			secs = atoi(optarg);
			break;
		default:
			return usage_error("bad option");
		}
	}
	if (optind != argc - 1)
		return usage_error("alloc takes one SIZE");
	size = parse_size(argv[optind]);
	if (size <= 0)
		return usage_error("bad size '%s'", argv[optind]);
	a.length = size;

	fd = open_dev(O_RDWR);
	if (fd < 0)
		return 1;
	if (ioctl(fd, MEMLAB_IOC_ALLOC, &a))
		return fail("MEMLAB_IOC_ALLOC", errno);
	printf("handle       %u\n", a.handle);
	printf("size         %s (asked %lld), order %u\n", human(a.bytes, b, sizeof(b)), size,
	       a.order);
	printf("cache        %s\n", cache_name(a.flags & MEMLAB_CACHE_MASK));
	printf("mapping      %s\n", a.flags & MEMLAB_ALLOC_PAGES ?
	       "struct pages (get_user_pages() works)" : "PFN");
	printf("mmap offset  0x%llx\n", (unsigned long long)a.mmap_offset);
	if (a.phys)
		printf("phys         0x%016llx\n", (unsigned long long)a.phys);
	else
		printf("phys         hidden (needs CAP_SYS_ADMIN)\n");

	m = mmap(NULL, a.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset);
	if (m == MAP_FAILED)
		return fail("mmap", errno);
	/* 64-bit aligned accesses: a non-cached mapping faults on others. */
	for (i = 0; i < a.bytes / 8 && !m[i]; i++)
		;
	printf("mapped at    %p, %s\n", (void *)m,
	       i == a.bytes / 8 ? "all zero" : "NOT ZERO");
	if (fill >= 0) {
		uint64_t word = 0x0101010101010101ULL * (uint64_t)fill;

		for (i = 0; i < a.bytes / 8; i++)
			m[i] = word;
		for (i = 0; i < a.bytes / 8 && m[i] == word; i++)
			;
		printf("filled with  0x%02x, %s\n", fill,
		       i == a.bytes / 8 ? "reads back" : "DOES NOT READ BACK");
	}
	printf("memlab/dev/buffers:\n");
	print_buffers_row(a.handle);
	if (secs > 0) {
		printf("holding it for %d s\n", secs);
		fflush(stdout);
		sleep(secs);
	}
	munmap((void *)m, a.bytes);
	close(fd);
	return 0;
}

/*
 * The options of fill and dump: -h prints @help, -o and -l set @o and @l.
 * Return 0 to go on, -1 after the help, 2 after a bad option.
 */
static int range_opts(int argc, char **argv, const char *help, const char **o, const char **l)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "offset", required_argument, NULL, 'o' },
		{ "length", required_argument, NULL, 'l' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "ho:l:", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return -1;
		}
		if (c == 'o')
			*o = optarg;
		else if (c == 'l')
			*l = optarg;
		else
			return usage_error("bad option");
	}
	return 0;
}

static int parse_range(const char *o, const char *l, long long *off, long long *len)
{
	if (o && (*off = parse_size(o)) < 0)
		return usage_error("bad offset '%s'", o);
	if (l && (*len = parse_size(l)) < 0)
		return usage_error("bad length '%s'", l);
	return 0;
}

static long long shared_size(int fd)
{
	struct memlab_info in = { .size = sizeof(in) };

	if (ioctl(fd, MEMLAB_IOC_INFO, &in))
		return -1;
	return in.shared_bytes;
}

static const char fill_help[] =
	"usage: memlabctl fill [-o OFFSET] [-l LENGTH] BYTE\n"
	"Write BYTE (0..255, C notation) over the shared buffer with write(),\n"
	"from OFFSET (default 0) for LENGTH bytes (default: to the end).\n";

static int cmd_fill(int argc, char **argv)
{
	const char *o = NULL, *l = NULL;
	long long off = 0, len = -1, size;
	char block[4096];
	int fd, byte, ret;
	char *end;

	ret = range_opts(argc, argv, fill_help, &o, &l);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind != argc - 1)
		return usage_error("fill takes one BYTE");
	byte = (int)strtol(argv[optind], &end, 0);
	if (*end || byte < 0 || byte > 255)
		return usage_error("BYTE '%s' is not 0..255", argv[optind]);
	if (parse_range(o, l, &off, &len))
		return 2;
	fd = open_dev(O_RDWR);
	if (fd < 0)
		return 1;
	size = shared_size(fd);
	if (size < 0)
		return fail("MEMLAB_IOC_INFO", errno);
	if (len < 0)
		len = off < size ? size - off : 0;
	memset(block, byte, sizeof(block));
	while (len > 0) {
		size_t chunk = len < (long long)sizeof(block) ? (size_t)len : sizeof(block);
		ssize_t n = pwrite(fd, block, chunk, off);

		if (n < 0)
			return fail("write", errno);
		off += n;
		len -= n;
	}
	close(fd);
	return 0;
}

static const char dump_help[] =
	"usage: memlabctl dump [-o OFFSET] [-l LENGTH]\n"
	"Print the shared buffer as hexdump -C does (repeated lines as '*'),\n"
	"read with read() from OFFSET (default 0) for LENGTH bytes (default 256).\n";

static int cmd_dump(int argc, char **argv)
{
	unsigned char line[16], prev[16];
	const char *o = NULL, *l = NULL;
	long long off = 0, len = 256;
	int fd, i, starred = 0, have_prev = 0, ret;

	ret = range_opts(argc, argv, dump_help, &o, &l);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind != argc)
		return usage_error("dump takes no operands");
	if (parse_range(o, l, &off, &len))
		return 2;
	fd = open_dev(O_RDONLY);
	if (fd < 0)
		return 1;
	if (lseek(fd, off, SEEK_SET) < 0)
		return fail("lseek", errno);
	while (len > 0) {
		ssize_t n = read(fd, line, len < 16 ? len : 16);

		if (n < 0)
			return fail("read", errno);
		if (n == 0)
			break;
		if (n == 16 && have_prev && !memcmp(line, prev, 16)) {
			if (!starred)
				printf("*\n");
			starred = 1;
		} else {
			starred = 0;
			printf("%08llx ", off);
			for (i = 0; i < 16; i++) {
				if (i == 8)
					putchar(' ');
				if (i < n)
					printf(" %02x", line[i]);
				else
					printf("   ");
			}
			printf("  |");
			for (i = 0; i < n; i++)
				putchar(isprint(line[i]) ? line[i] : '.');
			printf("|\n");
		}
		memcpy(prev, line, 16);
		have_prev = n == 16;
		off += n;
		len -= n;
	}
	printf("%08llx\n", off);
	close(fd);
	return 0;
}

static const char buffers_help[] =
	"usage: memlabctl buffers\n"
	"List every live /dev/memlab buffer from memlab/dev/buffers (root:\n"
	"debugfs), with sizes in binary units.\n";

int cmd_buffers(int argc, char **argv)
{
	int ret = no_options(argc, argv, buffers_help);
	char line[256], cache[16], comm[64], phys[32], map[16], b[32];
	unsigned int handle, order;
	int fds, vmas, pid, n = 0;
	unsigned long bytes;
	FILE *f;

	if (ret >= 0)
		return ret;
	f = fopen(DBG "/dev/buffers", "r");
	if (!f)
		return fail("open " DBG "/dev/buffers", errno);
	while (fgets(line, sizeof(line), f)) {
		/* A report without the map column (ABI 2) maps every buffer by PFN. */
		strcpy(map, "pfn");
		if (sscanf(line, "%u %lu %u %15s %d %d %d %63s %31s %15s", &handle, &bytes, &order,
			   cache, &fds, &vmas, &pid, comm, phys, map) < 9)
			continue;
		if (!n++)
			printf("%-8s %-10s %-8s %-6s %-13s %s\n", "buffer", "size", "cache", "map",
			       "held by", "physical");
		if (!handle)
			printf("%-8s %-10s %-8s %-6s %2d open%s %2d map%s  %s (all users)\n",
			       "shared", human(bytes, b, sizeof(b)), cache, map, fds,
			       fds == 1 ? " " : "s", vmas, vmas == 1 ? " " : "s", phys);
		else
			printf("#%-7u %-10s %-8s %-6s %-4s %2d map%s  %s (pid %d %s)\n", handle,
			       human(bytes, b, sizeof(b)), cache, map, fds ? "fd," : "-,", vmas,
			       vmas == 1 ? " " : "s", phys, pid, comm);
	}
	fclose(f);
	if (!n)
		fprintf(stderr, "%s: %s: no rows\n", prog, DBG "/dev/buffers");
	return n ? 0 : 1;
}

static const char pool_help[] =
	"usage: memlabctl pool\n"
	"Summarise the default pool from memlab/alloc/default (root: debugfs):\n"
	"size, free memory, and free blocks per order with their sizes.\n";

static int cmd_pool(int argc, char **argv)
{
	int ret = no_options(argc, argv, pool_help);
	unsigned long long total = 0, free_p = 0, ps = 4096, nf;
	char line[256], key[64], val[64], b[3][32], check[64] = "?";
	int in_table = 0;
	unsigned int o;
	FILE *f;

	if (ret >= 0)
		return ret;
	f = fopen(DBG "/alloc/default/stats", "r");
	if (!f)
		return fail("open " DBG "/alloc/default/stats", errno);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "order ", 6)) {
			in_table = 1;
			printf("%-6s %-10s %s\n", "order", "block", "free blocks");
			continue;
		}
		if (in_table) {
			if (sscanf(line, "%u %*u %*u %*u %*u %*u %llu", &o, &nf) == 2 && nf)
				printf("%-6u %-10s %llu\n", o, human(ps << o, b[0], 32), nf);
			continue;
		}
		if (sscanf(line, "%63s %63s", key, val) != 2)
			continue;
		if (!strcmp(key, "source"))
			printf("pool default: %s\n", val);
		else if (!strcmp(key, "page_size"))
			ps = strtoull(val, NULL, 0);
		else if (!strcmp(key, "total_pages"))
			total = strtoull(val, NULL, 0);
		else if (!strcmp(key, "free_pages"))
			free_p = strtoull(val, NULL, 0);
		else if (!strcmp(key, "largest_free_bytes"))
			printf("size %s, free %s, largest free block %s\n",
			       human(total * ps, b[0], 32), human(free_p * ps, b[1], 32),
			       human(strtoull(val, NULL, 0), b[2], 32));
	}
	fclose(f);
	f = fopen(DBG "/alloc/default/check", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "result: %63s", check) == 1)
			break;
	if (f)
		fclose(f);
	printf("check: %s\n", check);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} cmds[] = {
	{ "info", cmd_info, "ABI, pool, shared buffer and quotas" },
	{ "alloc", cmd_alloc, "allocate, map and report a private buffer" },
	{ "fill", cmd_fill, "fill the shared buffer with a byte" },
	{ "dump", cmd_dump, "hexdump the shared buffer" },
	{ "buffers", cmd_buffers_report, "list live buffers (debugfs; --json)" },
	{ "pool", cmd_pool, "summarise the default pool (debugfs)" },
	{ "stats", cmd_stats, "a pool's counters (debugfs; --json)" },
	{ "buddyinfo", cmd_buddyinfo, "a pool's free blocks per order (debugfs; --json)" },
	{ "slabinfo", cmd_slabinfo, "a pool's slab caches (debugfs; --json)" },
	{ "vmas", cmd_vmas, "a process's VMAs and what maps them (debugfs; --json)" },
	{ "mmu", cmd_mmu, "the MMU registers, decoded (debugfs; --json)" },
	{ "layout", cmd_layout, "the kernel's address space layout (debugfs; --json)" },
	{ "regs", cmd_regs, "a memlab_gpio controller's registers (debugfs; --json)" },
	{ "top", cmd_top, "pools and slab caches by allocations/s, live" },
	{ "bench", cmd_bench, "memlab mappings against anonymous memory" },
	{ "doctor", cmd_doctor, "check the machine before filing a bug" },
	{ "map", cmd_map, "a pool's blocks: text, SVG or JSON (debugfs)" },
	{ "walk", cmd_walk, "a page-table walk: text, SVG or JSON (debugfs)" },
};

static int help(FILE *out)
{
	unsigned int i;

	fprintf(out, "usage: memlabctl COMMAND [--help | ARGS]\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %-10s %s\n", cmds[i].name, cmds[i].what);
	return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc < 2)
		return help(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return help(stdout);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	return help(stderr);
}
