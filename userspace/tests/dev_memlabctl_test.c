// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl as a user runs it: every subcommand, its --help, its output as
 * docs/dev.rst shows it, and errors that name the errno. memlabctl is found
 * in ../bin next to this program, or on PATH. Prints TAP.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <sys/wait.h>

#include "dev_common.h"

static char ctl[512];

/* Run "memlabctl ARGS 2>&1"; its output (caller frees) and exit status. */
static char *run(int *status, const char *args)
{
	char cmd[1024], *out;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", ctl, args);
	out = run_cmd(cmd, status);
	return out ? out : strdup("");
}

static void expect(const char *args, int want_status, const char *const *want, const char *what)
{
	int status, ok, i;
	char *out = run(&status, args);

	ok = status == want_status;
	for (i = 0; ok && want[i]; i++)
		ok = strstr(out, want[i]) != NULL;
	if (!tap_ok(ok, "memlabctl %s: %s", args, what))
		tap_diag("status %d, output:\n%s", status, out);
	free(out);
}

#define WANT(...)	((const char *const[]){ __VA_ARGS__, NULL })

/*
 * The rows of memlabctl bench's three tables of issue 15, by their first
 * words; the page size the walk must report for memlab's side ("2M" for a
 * PFN mapping of 2M blocks: 2M where the kernel maps them with PMDs, else
 * 4K; never 64K, as no kernel lets a PFN mapping use the contiguous bit).
 */
#define PMD	"2M"	/* or 4K where kernel_maps_huge() says no */
static const struct {
	const char *test, *kind, *anon, *page;
} bench_rows[] = {
	{ "touch", "pfn-cached", "NOHUGEPAGE", PMD }, { "touch", "pfn-cached", "HUGEPAGE", PMD },
	{ "touch", "pfn-wc", "NOHUGEPAGE", PMD }, { "touch", "pfn-wc", "HUGEPAGE", PMD },
	{ "touch", "pfn-uncached", "NOHUGEPAGE", PMD }, { "touch", "pfn-uncached", "HUGEPAGE", PMD },
	{ "touch", "pages", "NOHUGEPAGE", "4K" }, { "touch", "pages", "HUGEPAGE", "4K" },
	{ "random", "pfn-va4K", "NOHUGEPAGE", "4K" }, { "random", "pfn-va4K", "HUGEPAGE", "4K" },
	{ "random", "pfn-va64K", "NOHUGEPAGE", "4K" }, { "random", "pfn-va64K", "HUGEPAGE", "4K" },
	{ "random", "pfn-va2M", "NOHUGEPAGE", PMD }, { "random", "pfn-va2M", "HUGEPAGE", PMD },
	{ "random", "pages-va2M", "NOHUGEPAGE", "4K" }, { "random", "pages-va2M", "HUGEPAGE", "4K" },
	{ "odirect", "pages", "NOHUGEPAGE", "4K" }, { "odirect", "pages", "HUGEPAGE", "4K" },
	{ "odirect", "pfn-cached", NULL, NULL },
};

/* Why a row may say n/a here, or NULL when it must be measured. */
static const char *bench_na_allowed(const char *test, const char *anon)
{
	char thp[128] = "";
	FILE *f;

	if (!strcmp(test, "odirect") && access("/dev/loop-control", F_OK))
		return "no /dev/loop-control";
	if (!anon || strcmp(anon, "HUGEPAGE"))
		return NULL;
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f)
		return "no THP in this kernel";
	if (!fgets(thp, sizeof(thp), f))
		thp[0] = '\0';
	fclose(f);
	return strstr(thp, "[never]") ? "THP is [never] here" : NULL;
}

/*
 * Check one row of @out: "test kind page memlab anon page kernel ratio goal"
 * with both figures and the ratio above 0, a page size from the walk and a
 * goal; or "... n/a (reason)" where this machine explains it. 1 if good.
 */
static int bench_row_ok(const char *out, unsigned int r, char *why, size_t n)
{
	const char *test = bench_rows[r].test, *kind = bench_rows[r].kind;
	const char *anon = bench_rows[r].anon, *allowed = bench_na_allowed(test, anon), *page;
	char full[512], line[512], *tok[10], *save, *na;
	const char *p;
	int nt;

	for (p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		snprintf(full, sizeof(full), "%.*s", (int)strcspn(p, "\n"), p);
		snprintf(line, sizeof(line), "%s", full);
		na = strstr(full, "n/a (");
		for (nt = 0; nt < 10; nt++)
			tok[nt] = strtok_r(nt ? NULL : line, " ", &save);
		if (!tok[1] || strcmp(tok[0], test) || strcmp(tok[1], kind) ||
		    (anon && (!tok[4] || strcmp(tok[4], anon))))
			continue;
		if (!anon) {
			snprintf(why, n, "%s", na ? na : "no n/a and reason");
			return na && na[5] && na[5] != ')' &&
			       (allowed || strstr(na, "fails: EFAULT"));
		}
		if (na) {
			snprintf(why, n, "%s%s", na, allowed ? "" : ", but it must be measured here");
			return allowed && na[5] && na[5] != ')';
		}
		page = bench_rows[r].page;
		if (!strcmp(page, PMD) && !kernel_maps_huge())
			page = "4K";
		snprintf(why, n, "%.400s; memlab's page must be %s", full, page);
		return tok[8] && strtod(tok[3], NULL) > 0 && strtod(tok[6], NULL) > 0 &&
		       strtod(tok[7], NULL) > 0 && !strcmp(tok[2], page) && strcmp(tok[5], "?");
	}
	snprintf(why, n, "no such row");
	return 0;
}

/* memlabctl bench's rows: each there, measured or n/a for a reason this machine has. */
static void test_bench_rows(void)
{
	int status, ok;
	char *out = run(&status, "bench -s 4M -r 1"), why[512];
	unsigned int r;

	for (r = 0; r < ARRAY_SIZE(bench_rows); r++) {
		ok = status == 0 && bench_row_ok(out, r, why, sizeof(why));
		if (!tap_ok(ok, "memlabctl bench -s 4M -r 1: %s %s%s%s (%s)", bench_rows[r].test,
			    bench_rows[r].kind, bench_rows[r].anon ? " against " : "",
			    bench_rows[r].anon ?: "", why))
			tap_diag("status %d, output:\n%s", status, out);
	}
	free(out);
}

int main(int argc, char **argv)
{
	static const char *const cmds[] = { "info", "alloc", "fill", "dump", "buffers", "pool",
					    "bench" };
	char self[256], arg[64], want[64];
	unsigned int i;

	tap_begin();
	/* --help, each command's --help, the 17 runs below, bench's rows. */
	tap_plan(1 + ARRAY_SIZE(cmds) + 17 + ARRAY_SIZE(bench_rows));
	snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "");
	snprintf(ctl, sizeof(ctl), "%s/../bin/memlabctl", dirname(self));
	if (access(ctl, X_OK))
		snprintf(ctl, sizeof(ctl), "memlabctl");

	expect("--help", 0, WANT("usage: memlabctl COMMAND", "alloc", "bench"), "lists commands");
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		snprintf(arg, sizeof(arg), "%s --help", cmds[i]);
		snprintf(want, sizeof(want), "usage: memlabctl %s", cmds[i]);
		expect(arg, 0, WANT(want), "usage");
	}
	expect("", 2, WANT("usage: memlabctl"), "no command: usage, status 2");
	expect("frobnicate", 2, WANT("unknown command 'frobnicate'"), "unknown command");
	expect("info", 0, WANT("abi_version     3", "shared buffer", "quota per open"),
	       "pool, shared buffer, quotas");
	expect("alloc -c wc -f 0xa5 64K", 0,
	       WANT("size         64 KiB (asked 65536), order 4", "cache        wc",
		    "all zero", "filled with  0xa5, reads back", "phys         0x",
		    "handle "),
	       "a write-combine buffer, zeroed, filled, reported");
	expect("alloc -c uncached 4096", 0, WANT("cache        uncached", "all zero"),
	       "a non-cached buffer");
	expect("alloc -p -f 0x5a 16K", 0,
	       WANT("cache        cached", "mapping      struct pages", "all zero",
		    "filled with  0x5a, reads back", " pages\n"),
	       "a page-backed buffer, zeroed, filled, its buffers row says pages");
	expect("alloc -p -c wc 4K", 1, WANT("MEMLAB_IOC_ALLOC: EINVAL"),
	       "page-backed write-combine: names EINVAL");
	expect("alloc 1G", 1, WANT("MEMLAB_IOC_ALLOC: E2BIG"), "too large: names E2BIG");
	expect("alloc -c bogus 4K", 2, WANT("unknown cache mode"), "bad mode refused");
	expect("alloc 12Q", 2, WANT("bad size"), "bad size refused");
	expect("fill -o 4096 -l 64 0x41", 0, WANT(""), "fill part of the shared buffer");
	expect("dump -o 4096 -l 64", 0,
	       WANT("00001000  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  "
		    "|AAAAAAAAAAAAAAAA|\n*\n00001040\n"),
	       "hexdump -C's format, repeats as '*'");
	expect("fill 256", 2, WANT("not 0..255"), "a byte out of range refused");
	expect("fill -o 1G 0", 0, WANT(""), "fill past the end writes nothing");
	expect("buffers", 0, WANT("shared", " pfn ", "(all users)"),
	       "the shared buffer listed, mapped by PFN");
	expect("pool", 0, WANT("pool default:", "free blocks", "check: ok"), "pool summary");
	expect("bench -s 256K -r 1", 0,
	       WANT("mmap + first touch", "anonymous, MAP_POPULATE", "memlab cached",
		    "memlab wc", "memlab uncached"),
	       "a short benchmark prints every row");
	test_bench_rows();
	return tap_done();
}
