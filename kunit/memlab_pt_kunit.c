// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for memlab_pt: the arm64 descriptor decoder and the walker
 * on synthetic tables (3, 4 and 5 levels, blocks at every level that has
 * them, the contiguous hint, folded levels), the query parser, and walks
 * of live kernel addresses checked against virt_to_phys(),
 * vmalloc_to_pfn() and the AT instruction.
 *
 * Synthetic tables live in a small array; their "physical" addresses are
 * (slot + 1) * 4 KiB and a map callback turns them back into slots.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/memory.h>
#include <asm/pgtable-hwdef.h>

#include <memlab/kunit_visibility.h>

/* modules/pt/, through kunit/Kbuild's include path */
#include "arm64.h"
#include "pt.h"

#define FAKE_TABLES	16
#define FAKE_ENTRIES	512
#define DESC_TABLE	3ULL
#define DESC_PAGE	3ULL
#define DESC_BLOCK	1ULL
/* a user page: USR, RW, inner shareable, AF, NG, UXN clear, MAIR index 0 */
#define LEAF_USER	(PTE_USER | PTE_SHARED | PTE_AF | PTE_NG | PTE_PXN)

struct fake_mem {
	u64 table[FAKE_TABLES][FAKE_ENTRIES];
	unsigned int used;
	unsigned int maps;	/* tables handed out */
	bool fail;		/* no table can be read */
};

static u64 fake_pa(unsigned int slot)
{
	return (u64)(slot + 1) << 12;
}

static const u64 *fake_read(void *ctx, u64 table, unsigned int entries,
			    unsigned int first, unsigned int nr)
{
	struct fake_mem *mem = ctx;
	u64 slot = (table >> 12) - 1;

	if (mem->fail || table & 0xfff || slot >= mem->used || entries > FAKE_ENTRIES ||
	    !nr || first + nr > entries)
		return NULL;
	mem->maps++;
	return mem->table[slot];
}

static struct fake_mem *fake_new(struct kunit *test)
{
	struct fake_mem *mem = kunit_kzalloc(test, sizeof(*mem), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mem);
	mem->used = 1;		/* slot 0 is the root */
	return mem;
}

/* Install @leaf for @va at hardware level @leaf_level, adding tables. */
static void fake_map(struct kunit *test, struct fake_mem *mem, const struct memlab_pt_geo *geo,
		     u64 va, int leaf_level, u64 leaf)
{
	unsigned int slot = 0;
	int level;

	for (level = geo->start_level; level < leaf_level; level++) {
		u64 *e = &mem->table[slot][memlab_pt_index(geo, level, va)];

		if (!*e) {
			KUNIT_ASSERT_LT(test, mem->used, FAKE_TABLES);
			*e = fake_pa(mem->used++) | DESC_TABLE;
		}
		slot = (*e >> 12) - 1;
	}
	mem->table[slot][memlab_pt_index(geo, leaf_level, va)] = leaf;
}

static void memlab_pt_test_geometry(struct kunit *test)
{
	struct memlab_pt_geo geo;

	KUNIT_ASSERT_EQ(test, memlab_pt_geo_init(&geo, 39, false, false), 0);
	KUNIT_EXPECT_EQ(test, memlab_pt_levels(&geo), 3U);
	KUNIT_EXPECT_EQ(test, geo.start_level, 1);
	KUNIT_EXPECT_STREQ(test, memlab_pt_level_name(&geo, 1), "pgd");
	KUNIT_EXPECT_STREQ(test, memlab_pt_level_name(&geo, 2), "pmd");
	/* the root indexes va[38:30] */
	KUNIT_EXPECT_EQ(test, memlab_pt_index(&geo, 1, 0x7fc0000000ULL), 511U);
	KUNIT_EXPECT_TRUE(test, memlab_pt_va_valid(&geo, 0x7fffffffffULL));
	KUNIT_EXPECT_FALSE(test, memlab_pt_va_valid(&geo, 0x8000000000ULL));

	KUNIT_ASSERT_EQ(test, memlab_pt_geo_init(&geo, 48, false, true), 0);
	KUNIT_EXPECT_EQ(test, memlab_pt_levels(&geo), 4U);
	KUNIT_EXPECT_EQ(test, geo.start_level, 0);
	KUNIT_EXPECT_STREQ(test, memlab_pt_level_name(&geo, 0), "pgd");
	KUNIT_EXPECT_STREQ(test, memlab_pt_level_name(&geo, 1), "pud");
	KUNIT_EXPECT_STREQ(test, memlab_pt_level_name(&geo, 3), "pte");
	KUNIT_EXPECT_EQ(test, memlab_pt_index(&geo, 0, 0xffff800000000000ULL), 256U);
	KUNIT_EXPECT_EQ(test, memlab_pt_index(&geo, 3, 0xffff800000003000ULL), 3U);
	KUNIT_EXPECT_TRUE(test, memlab_pt_va_valid(&geo, 0xffff000000000000ULL));
	KUNIT_EXPECT_FALSE(test, memlab_pt_va_valid(&geo, 0xfffe000000000000ULL));
	KUNIT_EXPECT_FALSE(test, memlab_pt_va_valid(&geo, 0x0000ffffffffffffULL));

	KUNIT_EXPECT_EQ(test, memlab_pt_geo_init(&geo, 52, false, false), -EINVAL);
	KUNIT_ASSERT_EQ(test, memlab_pt_geo_init(&geo, 52, true, false), 0);
	KUNIT_EXPECT_EQ(test, memlab_pt_levels(&geo), 5U);
	KUNIT_EXPECT_EQ(test, geo.start_level, -1);
	KUNIT_EXPECT_STREQ(test, memlab_pt_level_name(&geo, -1), "pgd");
	KUNIT_EXPECT_STREQ(test, memlab_pt_level_name(&geo, 0), "p4d");
	/* level -1 indexes va[51:48]: 16 entries */
	KUNIT_EXPECT_EQ(test, memlab_pt_index(&geo, -1, 0x000f000000000000ULL), 15U);
	KUNIT_EXPECT_EQ(test, memlab_pt_entries(&geo, -1), 16U);
	KUNIT_EXPECT_EQ(test, memlab_pt_entries(&geo, 0), 512U);
	KUNIT_EXPECT_EQ(test, memlab_pt_geo_init(&geo, 53, true, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_pt_geo_init(&geo, 24, false, false), -EINVAL);

	/* TCR_EL1: T1SZ 16, TG1 4K (2), T0SZ 25, TG0 4K (0) */
	KUNIT_ASSERT_EQ(test, memlab_pt_geo_from_tcr(&geo, (2ULL << 30) | (16 << 16) | 25, true),
			0);
	KUNIT_EXPECT_EQ(test, geo.va_bits, 48U);
	KUNIT_ASSERT_EQ(test, memlab_pt_geo_from_tcr(&geo, (2ULL << 30) | (16 << 16) | 25, false),
			0);
	KUNIT_EXPECT_EQ(test, geo.va_bits, 39U);
	/* TG0 64K */
	KUNIT_EXPECT_EQ(test, memlab_pt_geo_from_tcr(&geo, (1ULL << 14) | 16, false),
			-EOPNOTSUPP);
}

static void memlab_pt_test_desc_types(struct kunit *test)
{
	struct memlab_pt_geo g48, g52;
	int level;

	KUNIT_ASSERT_EQ(test, memlab_pt_geo_init(&g48, 48, false, true), 0);
	KUNIT_ASSERT_EQ(test, memlab_pt_geo_init(&g52, 52, true, true), 0);

	for (level = -1; level <= 3; level++) {
		KUNIT_EXPECT_EQ(test, memlab_pt_desc_type(&g52, level, 0), MEMLAB_PT_INVALID);
		/* bit 0 clear: invalid whatever else is set */
		KUNIT_EXPECT_EQ(test, memlab_pt_desc_type(&g52, level, 0x40000002ULL),
				MEMLAB_PT_INVALID);
	}
	/* bits[1:0] == 3: a table above level 3, a page at level 3 */
	for (level = 0; level <= 2; level++)
		KUNIT_EXPECT_EQ(test, memlab_pt_desc_type(&g48, level, 0x40000003ULL),
				MEMLAB_PT_TABLE);
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_type(&g52, -1, 0x40000003ULL), MEMLAB_PT_TABLE);
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_type(&g48, 3, 0x40000003ULL), MEMLAB_PT_PAGE);
	/* bits[1:0] == 1: a block at levels 1 and 2, at 0 only with LPA2 */
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_type(&g48, 1, 0x40000001ULL), MEMLAB_PT_BLOCK);
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_type(&g48, 2, 0x40000001ULL), MEMLAB_PT_BLOCK);
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_type(&g48, 0, 0x40000001ULL), MEMLAB_PT_INVALID);
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_type(&g52, 0, 0x40000001ULL), MEMLAB_PT_BLOCK);
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_type(&g52, -1, 0x40000001ULL), MEMLAB_PT_INVALID);
	/* reserved at level 3 */
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_type(&g48, 3, 0x40000001ULL), MEMLAB_PT_INVALID);

	/* output addresses: [47:12]; blocks aligned; LPA2 takes [51:50] from [9:8] */
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_addr(&g48, 3, 0xfff0123456789fffULL),
			0x0000123456789000ULL);
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_addr(&g48, 2, 0x00000000403ff401ULL),
			0x0000000040200000ULL);
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_addr(&g48, 1, 0x000000007ffff401ULL),
			0x0000000040000000ULL);
	KUNIT_EXPECT_EQ(test, memlab_pt_desc_addr(&g52, 3, 0x0003000000001303ULL),
			0x000f000000001000ULL);
	KUNIT_EXPECT_EQ(test, memlab_pt_ttbr_base(0x0001000041a2b001ULL, false), 0x41a2b000ULL);
	KUNIT_EXPECT_EQ(test, memlab_pt_ttbr_base(0x0000000041a2b03cULL, true),
			0x000f000041a2b000ULL);
}

static void memlab_pt_test_attrs(struct kunit *test)
{
	/* MAIR: Attr0 normal WB, Attr1 normal NC, Attr2 device nGnRE, Attr3 0x4f */
	const u64 mair = 0xff | (0x44 << 8) | (0x04 << 16) | (0x4fULL << 24);
	struct memlab_pt_geo geo;
	char buf[160];

	KUNIT_ASSERT_EQ(test, memlab_pt_geo_init(&geo, 48, false, false), 0);

	memlab_pt_format_attrs(buf, sizeof(buf), &geo, 3, 0x41000000ULL | DESC_PAGE | LEAF_USER,
			       mair);
	KUNIT_EXPECT_STREQ(test, buf, "USR RW NX SHD AF NG MEM/NORMAL clean");

	/* read-only, executable at EL0 and EL1 never, contiguous, write-combine */
	memlab_pt_format_attrs(buf, sizeof(buf), &geo, 3,
			       DESC_PAGE | PTE_USER | PTE_RDONLY | PTE_AF | PTE_CONT |
			       PTE_UXN | (1 << 2), mair);
	KUNIT_EXPECT_STREQ(test, buf, "USR ro x AF CON UXN MEM/NORMAL-NC clean");

	/* a kernel 2M block of device memory */
	memlab_pt_format_attrs(buf, sizeof(buf), &geo, 2,
			       0x9000000ULL | DESC_BLOCK | PTE_AF | PTE_PXN | PTE_UXN | (2 << 2),
			       mair);
	KUNIT_EXPECT_STREQ(test, buf, "RW NX AF BLK UXN DEVICE/nGnRE clean");

	/* dirty: DBM with AP[2] clear (hardware dirty), or the software bit */
	memlab_pt_format_attrs(buf, sizeof(buf), &geo, 3, DESC_PAGE | PTE_AF | PTE_DBM, mair);
	KUNIT_EXPECT_STREQ(test, buf, "RW x AF DBM MEM/NORMAL dirty");
	memlab_pt_format_attrs(buf, sizeof(buf), &geo, 3,
			       DESC_PAGE | PTE_AF | PTE_DBM | PTE_RDONLY, mair);
	KUNIT_EXPECT_STREQ(test, buf, "ro x AF DBM MEM/NORMAL clean");

	/* an encoding Linux does not use shows its MAIR byte */
	memlab_pt_format_attrs(buf, sizeof(buf), &geo, 3, DESC_PAGE | (3 << 2), mair);
	KUNIT_EXPECT_STREQ(test, buf, "RW x MAIR/0x4f clean");

	/* tables and invalid entries */
	memlab_pt_format_attrs(buf, sizeof(buf), &geo, 1, 0x1000ULL | DESC_TABLE, mair);
	KUNIT_EXPECT_STREQ(test, buf, "-");
	memlab_pt_format_attrs(buf, sizeof(buf), &geo, 1,
			       0x1000ULL | DESC_TABLE | BIT_ULL(59) | BIT_ULL(60) | BIT_ULL(61),
			       mair);
	KUNIT_EXPECT_STREQ(test, buf, "PXNtable UXNtable APtable=1");
	memlab_pt_format_attrs(buf, sizeof(buf), &geo, 3, 0, mair);
	KUNIT_EXPECT_STREQ(test, buf, "-");
	memlab_pt_format_attrs(buf, sizeof(buf), &geo, 3, 0x1234000ULL | 0x40, mair);
	KUNIT_EXPECT_STREQ(test, buf, "software");

	/* a short buffer is truncated, never overrun */
	memset(buf, 'x', sizeof(buf));
	memlab_pt_format_attrs(buf, 8, &geo, 3, 0x41000000ULL | DESC_PAGE | LEAF_USER, mair);
	KUNIT_EXPECT_LT(test, strnlen(buf, sizeof(buf)), 8UL);
	KUNIT_EXPECT_EQ(test, buf[8], 'x');
}

/* One walk per level count, ending in a page, a 2M block and a 1G block. */
static void memlab_pt_check_walks(struct kunit *test, unsigned int va_bits, bool ds)
{
	struct memlab_pt_geo geo;
	struct memlab_pt_walk w;
	struct fake_mem *mem;
	u64 va_page = 0x0000001234567000ULL + 0x678;
	u64 va_pmd = 0x0000002000200000ULL + 0x12345;
	u64 va_pud = 0x0000004040000000ULL + 0x1234567;
	u64 va_none = 1ULL << (va_bits - 1);	/* a root entry nothing else uses */
	/* with LPA2, bits [9:8] are output address bits [51:50], not SH */
	u64 leaf = ds ? LEAF_USER & ~PTE_SHARED : LEAF_USER;
	unsigned int levels;

	KUNIT_ASSERT_EQ(test, memlab_pt_geo_init(&geo, va_bits, ds, false), 0);
	levels = memlab_pt_levels(&geo);
	mem = fake_new(test);
	fake_map(test, mem, &geo, va_page, 3, 0x80001000ULL | DESC_PAGE | leaf | PTE_CONT);
	fake_map(test, mem, &geo, va_pmd, 2, 0x80200000ULL | DESC_BLOCK | leaf);
	fake_map(test, mem, &geo, va_pud, 1, 0xc0000000ULL | DESC_BLOCK | leaf);

	memlab_pt_walk(&geo, fake_pa(0), va_page, fake_read, mem, &w);
	KUNIT_EXPECT_EQ(test, w.result, MEMLAB_PT_MAPPED);
	KUNIT_EXPECT_EQ(test, w.nr, levels);
	KUNIT_EXPECT_EQ(test, w.phys, 0x80001678ULL);
	KUNIT_EXPECT_EQ(test, w.size, (u64)SZ_4K);
	KUNIT_EXPECT_EQ(test, w.cont, (u64)SZ_64K);
	KUNIT_EXPECT_EQ(test, w.step[0].level, geo.start_level);
	KUNIT_EXPECT_EQ(test, w.step[0].table, fake_pa(0));
	KUNIT_EXPECT_EQ(test, w.step[w.nr - 1].type, MEMLAB_PT_PAGE);
	KUNIT_EXPECT_STREQ(test, memlab_pt_level_name(&geo, w.step[w.nr - 1].level), "pte");

	memlab_pt_walk(&geo, fake_pa(0), va_pmd, fake_read, mem, &w);
	KUNIT_EXPECT_EQ(test, w.result, MEMLAB_PT_MAPPED);
	KUNIT_EXPECT_EQ(test, w.nr, levels - 1);
	KUNIT_EXPECT_EQ(test, w.phys, 0x80212345ULL);
	KUNIT_EXPECT_EQ(test, w.size, (u64)SZ_2M);
	KUNIT_EXPECT_EQ(test, w.cont, (u64)SZ_2M);
	KUNIT_EXPECT_EQ(test, w.step[w.nr - 1].type, MEMLAB_PT_BLOCK);

	memlab_pt_walk(&geo, fake_pa(0), va_pud, fake_read, mem, &w);
	if (geo.start_level == 1) {
		/* with 3 levels a 1G block sits in the root table */
		KUNIT_EXPECT_EQ(test, w.nr, 1U);
		KUNIT_EXPECT_STREQ(test, memlab_pt_level_name(&geo, 1), "pgd");
	} else {
		KUNIT_EXPECT_EQ(test, w.nr, levels - 2);
		KUNIT_EXPECT_STREQ(test, memlab_pt_level_name(&geo, 1), "pud");
	}
	KUNIT_EXPECT_EQ(test, w.result, MEMLAB_PT_MAPPED);
	KUNIT_EXPECT_EQ(test, w.phys, 0xc1234567ULL);
	KUNIT_EXPECT_EQ(test, w.size, (u64)SZ_1G);

	/* the same PTE table, another entry: the walk stops at the pte level */
	memlab_pt_walk(&geo, fake_pa(0), va_page + SZ_4K * 20, fake_read, mem, &w);
	KUNIT_EXPECT_EQ(test, w.result, MEMLAB_PT_NOT_MAPPED);
	KUNIT_EXPECT_EQ(test, w.nr, levels);
	/* nothing there at all: the walk stops in the root table */
	memlab_pt_walk(&geo, fake_pa(0), va_none, fake_read, mem, &w);
	KUNIT_EXPECT_EQ(test, w.result, MEMLAB_PT_NOT_MAPPED);
	KUNIT_EXPECT_EQ(test, w.nr, 1U);
	KUNIT_EXPECT_EQ(test, w.step[0].type, MEMLAB_PT_INVALID);

	mem->fail = true;
	memlab_pt_walk(&geo, fake_pa(0), va_page, fake_read, mem, &w);
	KUNIT_EXPECT_EQ(test, w.result, MEMLAB_PT_UNREADABLE);
	KUNIT_EXPECT_EQ(test, w.nr, 1U);
}

static void memlab_pt_test_walk_3_levels(struct kunit *test)
{
	memlab_pt_check_walks(test, 39, false);
}

static void memlab_pt_test_walk_4_levels(struct kunit *test)
{
	memlab_pt_check_walks(test, 48, false);
}

static void memlab_pt_test_walk_5_levels(struct kunit *test)
{
	memlab_pt_check_walks(test, 52, true);
}

static void memlab_pt_test_count(struct kunit *test)
{
	struct memlab_pt_counts c = {};
	struct memlab_pt_geo geo;
	struct fake_mem *mem;
	const u64 base = 0x0000004000000000ULL;	/* 1G aligned */
	unsigned int i, maps;

	KUNIT_ASSERT_EQ(test, memlab_pt_geo_init(&geo, 48, false, false), 0);
	mem = fake_new(test);
	/*
	 * base + 0:      16 contiguous pages (64K), then 3 plain pages
	 * base + 2M:     a 2M block
	 * base + 4M:     16 contiguous 2M blocks would need 32M: use one CON block
	 * base + 1G:     a 1G block
	 */
	for (i = 0; i < 16; i++)
		fake_map(test, mem, &geo, base + i * SZ_4K, 3,
			 (0x80000000ULL + i * SZ_4K) | DESC_PAGE | PTE_AF | PTE_CONT);
	for (i = 16; i < 19; i++)
		fake_map(test, mem, &geo, base + i * SZ_4K, 3,
			 (0x80000000ULL + i * SZ_4K) | DESC_PAGE | PTE_AF);
	fake_map(test, mem, &geo, base + SZ_2M, 2, 0x90000000ULL | DESC_BLOCK | PTE_AF);
	fake_map(test, mem, &geo, base + 2 * SZ_2M, 2,
		 0x90200000ULL | DESC_BLOCK | PTE_AF | PTE_CONT);
	fake_map(test, mem, &geo, base + SZ_1G, 1, 0xc0000000ULL | DESC_BLOCK | PTE_AF);

	memlab_pt_count(&geo, fake_pa(0), base, base + 2ULL * SZ_1G, fake_read, mem, &c);
	KUNIT_EXPECT_EQ(test, c.pages[MEMLAB_PT_KIND_CONTPTE], 16ULL);
	KUNIT_EXPECT_EQ(test, c.pages[MEMLAB_PT_KIND_PTE], 3ULL);
	KUNIT_EXPECT_EQ(test, c.pages[MEMLAB_PT_KIND_PMD], 512ULL);
	KUNIT_EXPECT_EQ(test, c.pages[MEMLAB_PT_KIND_CONTPMD], 512ULL);
	KUNIT_EXPECT_EQ(test, c.pages[MEMLAB_PT_KIND_PUD], 262144ULL);
	KUNIT_EXPECT_EQ(test, c.unreadable, 0ULL);

	/* partial overlap counts only what lies inside the range */
	memset(&c, 0, sizeof(c));
	memlab_pt_count(&geo, fake_pa(0), base + 8 * SZ_4K, base + SZ_2M + SZ_64K, fake_read,
			mem, &c);
	KUNIT_EXPECT_EQ(test, c.pages[MEMLAB_PT_KIND_CONTPTE], 8ULL);
	KUNIT_EXPECT_EQ(test, c.pages[MEMLAB_PT_KIND_PTE], 3ULL);
	KUNIT_EXPECT_EQ(test, c.pages[MEMLAB_PT_KIND_PMD], 16ULL);

	/* sparse: an empty 512G costs the root table only */
	memset(&c, 0, sizeof(c));
	maps = mem->maps;
	memlab_pt_count(&geo, fake_pa(0), 0x0000008000000000ULL, 0x0000010000000000ULL,
			fake_read, mem, &c);
	KUNIT_EXPECT_EQ(test, mem->maps - maps, 1U);
	KUNIT_EXPECT_EQ(test, c.pages[MEMLAB_PT_KIND_PTE], 0ULL);

	mem->fail = true;
	memlab_pt_count(&geo, fake_pa(0), base, base + SZ_4K, fake_read, mem, &c);
	KUNIT_EXPECT_EQ(test, c.unreadable, 1ULL);
}

static void memlab_pt_test_parser(struct kunit *test)
{
	static const char *const bad_walk[] = {
		"", "\n", "self", "kernel", "1", "self 0x1 2", "self zz", "self -1",
		"0 0x1000", "-5 0x1000", "abc 0x1000", "99999999999 0x1", "self 0x1\n\n",
		"self\x01 0x1", "self 0x10000000000000000",
		"self 0x1000 0x2000 0x3000",
	};
	static const char *const bad_vmas[] = { "", "kernel", "self 0x1000", "0", "x" };
	struct memlab_pt_query q;
	const char *why;
	unsigned int i;
	char longq[MEMLAB_PT_QUERY_MAX + 8];

	KUNIT_EXPECT_EQ(test, memlab_pt_parse_query("self 0x1000\n", 12, true, &q, &why), 0);
	KUNIT_EXPECT_EQ(test, q.target, MEMLAB_PT_TARGET_SELF);
	KUNIT_EXPECT_EQ(test, q.va, 0x1000ULL);
	KUNIT_EXPECT_EQ(test, memlab_pt_parse_query(" 42\t4096 ", 9, true, &q, &why), 0);
	KUNIT_EXPECT_EQ(test, q.target, MEMLAB_PT_TARGET_PID);
	KUNIT_EXPECT_EQ(test, q.pid, 42);
	KUNIT_EXPECT_EQ(test, q.va, 4096ULL);
	KUNIT_EXPECT_EQ(test, memlab_pt_parse_query("kernel 0xffff800080000000", 25, true, &q,
						    &why), 0);
	KUNIT_EXPECT_EQ(test, q.target, MEMLAB_PT_TARGET_KERNEL);
	KUNIT_EXPECT_EQ(test, q.va, 0xffff800080000000ULL);
	KUNIT_EXPECT_EQ(test, memlab_pt_parse_query("7\n", 2, false, &q, &why), 0);
	KUNIT_EXPECT_EQ(test, q.pid, 7);

	for (i = 0; i < ARRAY_SIZE(bad_walk); i++) {
		why = NULL;
		KUNIT_EXPECT_EQ_MSG(test, memlab_pt_parse_query(bad_walk[i], strlen(bad_walk[i]),
								true, &q, &why),
				    -EINVAL, "walk query \"%s\"", bad_walk[i]);
		KUNIT_EXPECT_NOT_NULL(test, why);
	}
	for (i = 0; i < ARRAY_SIZE(bad_vmas); i++)
		KUNIT_EXPECT_EQ_MSG(test, memlab_pt_parse_query(bad_vmas[i], strlen(bad_vmas[i]),
								false, &q, &why),
				    -EINVAL, "vmas query \"%s\"", bad_vmas[i]);
	/* an embedded NUL is refused, not taken as the end of the line */
	KUNIT_EXPECT_EQ(test, memlab_pt_parse_query("self 0x1\0junk", 13, true, &q, &why),
			-EINVAL);
	memset(longq, ' ', sizeof(longq));
	memcpy(longq, "self 0x1", 8);
	KUNIT_EXPECT_EQ(test, memlab_pt_parse_query(longq, sizeof(longq), true, &q, &why),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "query too long");
}

/* The live kernel tables, through TTBR1_EL1. */
static void live_walk(struct kunit *test, const void *addr, struct memlab_pt_walk *w,
		      char *attrs, size_t len)
{
	struct memlab_pt_regs r;
	struct memlab_pt_geo geo;
	struct memlab_pt_par p;
	u64 *buf = kunit_kmalloc_array(test, MEMLAB_PT_ENTRIES, sizeof(u64), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memlab_pt_read_regs(&r);
	KUNIT_ASSERT_EQ(test, memlab_pt_geo_from_tcr(&geo, r.tcr, true), 0);
	memlab_pt_walk(&geo, memlab_pt_ttbr_base(r.ttbr1, geo.ds), (u64)addr,
		       memlab_pt_map_copy, buf, w);
	KUNIT_ASSERT_EQ_MSG(test, w->result, MEMLAB_PT_MAPPED, "walk of 0x%lx",
			    (unsigned long)addr);
	memlab_pt_format_attrs(attrs, len, &geo, w->step[w->nr - 1].level,
			       w->step[w->nr - 1].desc, r.mair);
	memlab_pt_par_decode(memlab_pt_at((u64)addr, false), &p);
	KUNIT_EXPECT_FALSE_MSG(test, p.fault, "AT S1E1R of 0x%lx: PAR_EL1 %llx",
			       (unsigned long)addr, p.par);
	KUNIT_EXPECT_TRUE_MSG(test, memlab_pt_hw_agrees(w, &p, false),
			      "walk %llx, AT %llx", w->phys, p.phys);
}

static void memlab_pt_test_live_linear(struct kunit *test)
{
	struct memlab_pt_walk w;
	char attrs[160];
	void *buf = kunit_kmalloc(test, 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	live_walk(test, buf, &w, attrs, sizeof(attrs));
	KUNIT_EXPECT_EQ(test, w.phys, (u64)virt_to_phys(buf));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(attrs, "RW NX"), "%s", attrs);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(attrs, "MEM/NORMAL"), "%s", attrs);
	KUNIT_EXPECT_NULL_MSG(test, strstr(attrs, "USR"), "%s", attrs);
}

static void memlab_pt_test_live_vmalloc(struct kunit *test)
{
	struct memlab_pt_walk w;
	char attrs[160];
	u8 *buf = vmalloc(3 * PAGE_SIZE);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 3; i++) {
		live_walk(test, buf + i * PAGE_SIZE + 5, &w, attrs, sizeof(attrs));
		KUNIT_EXPECT_EQ(test, w.phys >> PAGE_SHIFT,
				(u64)vmalloc_to_pfn(buf + i * PAGE_SIZE));
		KUNIT_EXPECT_EQ(test, w.phys & ~PAGE_MASK, 5ULL);
		KUNIT_EXPECT_EQ(test, w.size, (u64)PAGE_SIZE);
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(attrs, "RW NX"), "%s", attrs);
	}
	vfree(buf);
}

static void memlab_pt_test_live_module_text(struct kunit *test)
{
	const void *text = memlab_pt_test_live_module_text;
	struct memlab_pt_walk w;
	char attrs[160];

	live_walk(test, text, &w, attrs, sizeof(attrs));
	KUNIT_EXPECT_EQ(test, w.phys >> PAGE_SHIFT, (u64)vmalloc_to_pfn(text));
	/* module text is read-only and executable by the kernel */
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(attrs, "ro x"), "%s", attrs);
}

/* A root that is not memory: the walk says so instead of faulting. */
static void memlab_pt_test_live_unreadable(struct kunit *test)
{
	u64 *buf = kunit_kmalloc_array(test, MEMLAB_PT_ENTRIES, sizeof(u64), GFP_KERNEL);
	struct memlab_pt_counts c = {};
	struct memlab_pt_geo geo;
	struct memlab_pt_walk w;
	const u64 nowhere = 1ULL << 47;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, memlab_pt_geo_init(&geo, 48, false, true), 0);
	if (pfn_valid(PHYS_PFN(nowhere)))
		kunit_skip(test, "physical address 0x%llx is memory here", nowhere);
	memlab_pt_walk(&geo, nowhere, 0xffff000000000000ULL, memlab_pt_map_copy, buf, &w);
	KUNIT_EXPECT_EQ(test, w.result, MEMLAB_PT_UNREADABLE);
	KUNIT_EXPECT_EQ(test, w.nr, 1U);
	KUNIT_EXPECT_NULL(test, memlab_pt_map_copy(buf, nowhere, MEMLAB_PT_ENTRIES, 0,
						   MEMLAB_PT_ENTRIES));
	geo.ttbr1 = false;
	memlab_pt_count(&geo, nowhere, 0, SZ_1G, memlab_pt_map_copy, buf, &c);
	KUNIT_EXPECT_EQ(test, c.unreadable, 1ULL);
}

static void memlab_pt_test_mmu_config(struct kunit *test)
{
	struct memlab_pt_regs r;
	struct memlab_pt_geo geo;

	memlab_pt_read_regs(&r);
	KUNIT_ASSERT_EQ(test, memlab_pt_geo_from_tcr(&geo, r.tcr, true), 0);
	KUNIT_EXPECT_EQ(test, geo.va_bits, (unsigned int)vabits_actual);
	KUNIT_EXPECT_EQ(test, memlab_pt_levels(&geo), (unsigned int)CONFIG_PGTABLE_LEVELS);
	KUNIT_EXPECT_EQ(test, PAGE_SIZE, (unsigned long)SZ_4K);
	KUNIT_EXPECT_EQ(test, memlab_pt_ttbr_base(r.ttbr1, geo.ds) & ~PAGE_MASK, 0ULL);
	/* Linux's MAIR: MT_NORMAL write-back, MT_NORMAL_NC non-cacheable */
	KUNIT_EXPECT_EQ(test, (u8)(r.mair >> (8 * MT_NORMAL)), 0xff);
	KUNIT_EXPECT_EQ(test, (u8)(r.mair >> (8 * MT_NORMAL_NC)), 0x44);
	KUNIT_EXPECT_STREQ(test, memlab_pt_mair_name(r.mair >> (8 * MT_NORMAL)), "MEM/NORMAL");
}

static struct kunit_case memlab_pt_test_cases[] = {
	KUNIT_CASE(memlab_pt_test_geometry),
	KUNIT_CASE(memlab_pt_test_desc_types),
	KUNIT_CASE(memlab_pt_test_attrs),
	KUNIT_CASE(memlab_pt_test_walk_3_levels),
	KUNIT_CASE(memlab_pt_test_walk_4_levels),
	KUNIT_CASE(memlab_pt_test_walk_5_levels),
	KUNIT_CASE(memlab_pt_test_count),
	KUNIT_CASE(memlab_pt_test_parser),
	KUNIT_CASE(memlab_pt_test_live_linear),
	KUNIT_CASE(memlab_pt_test_live_vmalloc),
	KUNIT_CASE(memlab_pt_test_live_module_text),
	KUNIT_CASE(memlab_pt_test_live_unreadable),
	KUNIT_CASE(memlab_pt_test_mmu_config),
	{}
};

static struct kunit_suite memlab_pt_test_suite = {
	.name = "memlab_pt",
	.test_cases = memlab_pt_test_cases,
};

kunit_test_suite(memlab_pt_test_suite);

MEMLAB_IMPORT_KUNIT_NS();
MODULE_DESCRIPTION("KUnit tests for the memlab page-table inspector");
MODULE_LICENSE("GPL");
