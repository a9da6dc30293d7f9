// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_pt arm64 decoding: VMSAv8-64 stage 1 descriptors with the 4 KiB
 * granule (Arm ARM DDI 0487, chapter D8), the AT instruction and the MMU
 * registers.
 *
 * A walk starts at the root table a TTBR names and reads one entry per
 * level through a callback. Hardware levels run from -1 (only with 52-bit
 * VAs, FEAT_LPA2) to 3; Linux names the root "pgd" whatever its level and
 * folds the names it does not need (p4d with 4 levels, p4d and pud with 3).
 * Attributes are named as arch/arm64/mm/ptdump.c names them, memory types
 * resolved through MAIR_EL1 rather than through Linux's own index table.
 */
#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/barrier.h>
#include <asm/pgtable-hwdef.h>
#include <asm/pgtable-prot.h>
#include <asm/sysreg.h>

#include <memlab/kunit_visibility.h>

#include "arm64.h"

/* Table descriptor attributes (D8.3.1), which ptdump does not print. */
#define MEMLAB_TABLE_PXN	BIT_ULL(59)
#define MEMLAB_TABLE_UXN	BIT_ULL(60)
#define MEMLAB_TABLE_AP		GENMASK_ULL(62, 61)
#define MEMLAB_TABLE_NS		BIT_ULL(63)
#define MEMLAB_DESC_ATTRINDX	GENMASK_ULL(4, 2)
#define MEMLAB_DESC_SH		GENMASK_ULL(9, 8)
#define MEMLAB_DESC_TABLE	BIT_ULL(1)	/* table (levels 0-2) or page (3) */

/**
 * memlab_pt_geo_init() - describe a 4 KiB-granule translation regime
 * @geo: filled in
 * @va_bits: the size of the address space, 64 - TxSZ
 * @ds: TCR_EL1.DS, 52-bit output addresses (FEAT_LPA2)
 * @ttbr1: the upper (kernel) half rather than the lower one
 *
 * Context: Any context.
 * Return: 0, or -EINVAL for a size the granule cannot translate (25 to 48
 * bits, 52 with @ds).
 */
int memlab_pt_geo_init(struct memlab_pt_geo *geo, unsigned int va_bits, bool ds, bool ttbr1)
{
	unsigned int levels;

	if (va_bits < 25 || va_bits > (ds ? 52 : 48))
		return -EINVAL;
	levels = DIV_ROUND_UP(va_bits - MEMLAB_PT_PAGE_SHIFT, 9);
	geo->va_bits = va_bits;
	geo->start_level = 4 - levels;
	geo->ds = ds;
	geo->ttbr1 = ttbr1;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_geo_init);

/**
 * memlab_pt_geo_from_tcr() - the geometry TCR_EL1 gives one half
 * @geo: filled in
 * @tcr: a TCR_EL1 value
 * @ttbr1: describe TTBR1 (T1SZ, TG1) rather than TTBR0 (T0SZ, TG0)
 *
 * Context: Any context.
 * Return: 0, -EOPNOTSUPP for a 16 or 64 KiB granule, -EINVAL for a size
 * the granule cannot translate.
 */
int memlab_pt_geo_from_tcr(struct memlab_pt_geo *geo, u64 tcr, bool ttbr1)
{
	unsigned int txsz;
	bool gran4k;

	if (ttbr1) {
		txsz = FIELD_GET(MEMLAB_TCR_T1SZ, tcr);
		gran4k = FIELD_GET(MEMLAB_TCR_TG1, tcr) == MEMLAB_TCR_TG1_4K;
	} else {
		txsz = FIELD_GET(MEMLAB_TCR_T0SZ, tcr);
		gran4k = FIELD_GET(MEMLAB_TCR_TG0, tcr) == MEMLAB_TCR_TG0_4K;
	}
	if (!gran4k)
		return -EOPNOTSUPP;
	return memlab_pt_geo_init(geo, 64 - txsz, tcr & MEMLAB_TCR_DS, ttbr1);
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_geo_from_tcr);

/**
 * memlab_pt_levels() - how many levels a walk has
 * @geo: the regime
 *
 * Context: Any context.
 * Return: 2 to 5.
 */
unsigned int memlab_pt_levels(const struct memlab_pt_geo *geo)
{
	return 4 - geo->start_level;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_levels);

/**
 * memlab_pt_va_valid() - whether @va belongs to the half @geo translates
 * @geo: the regime
 * @va: an untagged virtual address
 *
 * Context: Any context.
 * Return: true when the bits above va_bits are all ones (TTBR1) or all
 * zeroes (TTBR0).
 */
bool memlab_pt_va_valid(const struct memlab_pt_geo *geo, u64 va)
{
	u64 top = va >> geo->va_bits;

	if (geo->ttbr1)
		return top == (~0ULL >> geo->va_bits);
	return !top;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_va_valid);

/**
 * memlab_pt_level_shift() - log2 of the bytes one entry of a level maps
 * @level: hardware level, -1 to 3
 *
 * Context: Any context.
 * Return: 12 at level 3, 21 at 2, 30 at 1, 39 at 0, 48 at -1.
 */
unsigned int memlab_pt_level_shift(int level)
{
	return MEMLAB_PT_PAGE_SHIFT + 9 * (3 - level);
}

/**
 * memlab_pt_index() - the entry of a level's table that translates @va
 * @geo: the regime
 * @level: hardware level
 * @va: the address
 *
 * The root table indexes what is left of va_bits; the others 9 bits each.
 *
 * Context: Any context.
 * Return: the index.
 */
unsigned int memlab_pt_index(const struct memlab_pt_geo *geo, int level, u64 va)
{
	unsigned int shift = memlab_pt_level_shift(level);
	unsigned int bits = level == geo->start_level ? geo->va_bits - shift : 9;

	return (va >> shift) & GENMASK_ULL(bits - 1, 0);
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_index);

/**
 * memlab_pt_entries() - how many entries a level's table has
 * @geo: the regime
 * @level: hardware level
 *
 * Context: Any context.
 * Return: 512, or fewer for a root table that translates fewer bits.
 */
unsigned int memlab_pt_entries(const struct memlab_pt_geo *geo, int level)
{
	if (level == geo->start_level)
		return 1U << (geo->va_bits - memlab_pt_level_shift(level));
	return MEMLAB_PT_ENTRIES;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_entries);

/**
 * memlab_pt_level_name() - Linux's name for a hardware level
 * @geo: the regime
 * @level: hardware level
 *
 * Context: Any context.
 * Return: "pgd" for the root, then "p4d", "pud", "pmd", "pte" for levels
 * 0 to 3.
 */
const char *memlab_pt_level_name(const struct memlab_pt_geo *geo, int level)
{
	static const char *const names[] = { "p4d", "pud", "pmd", "pte" };

	if (level == geo->start_level || level < 0 || level > 3)
		return "pgd";
	return names[level];
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_level_name);

/**
 * memlab_pt_desc_type() - what an entry is
 * @geo: the regime
 * @level: the hardware level it was read at
 * @desc: the entry
 *
 * Level 3 holds pages (bits[1:0] == 3; 1 is reserved, hence invalid);
 * levels 1 and 2 tables or blocks, level 0 tables or, with LPA2, 512 GiB
 * blocks; level -1 tables only.
 *
 * Context: Any context.
 * Return: the type.
 */
enum memlab_pt_type memlab_pt_desc_type(const struct memlab_pt_geo *geo, int level, u64 desc)
{
	if (!(desc & PTE_VALID))
		return MEMLAB_PT_INVALID;
	if (level == 3)
		return desc & MEMLAB_DESC_TABLE ? MEMLAB_PT_PAGE : MEMLAB_PT_INVALID;
	if (desc & MEMLAB_DESC_TABLE)
		return MEMLAB_PT_TABLE;
	if (level == 1 || level == 2 || (level == 0 && geo->ds))
		return MEMLAB_PT_BLOCK;
	return MEMLAB_PT_INVALID;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_desc_type);

/**
 * memlab_pt_desc_addr() - the address an entry holds
 * @geo: the regime
 * @level: the hardware level it was read at
 * @desc: a table, block or page entry
 *
 * Bits [47:12], or with LPA2 bits [49:12] and [51:50] taken from [9:8];
 * a block's address is aligned to the block.
 *
 * Context: Any context.
 * Return: the next table's or the output's physical address.
 */
u64 memlab_pt_desc_addr(const struct memlab_pt_geo *geo, int level, u64 desc)
{
	u64 addr;

	if (geo->ds)
		addr = (desc & GENMASK_ULL(49, 12)) | ((desc & GENMASK_ULL(9, 8)) << 42);
	else
		addr = desc & GENMASK_ULL(47, 12);
	if (memlab_pt_desc_type(geo, level, desc) == MEMLAB_PT_BLOCK)
		addr &= ~GENMASK_ULL(memlab_pt_level_shift(level) - 1, 0);
	return addr;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_desc_addr);

/**
 * memlab_pt_ttbr_base() - the root table address in a TTBR value
 * @ttbr: TTBR0_EL1 or TTBR1_EL1
 * @ds: TCR_EL1.DS (BADDR[51:48] in bits [5:2])
 *
 * Context: Any context.
 * Return: the physical address, without ASID and CnP.
 */
u64 memlab_pt_ttbr_base(u64 ttbr, bool ds)
{
	if (ds)
		return (ttbr & GENMASK_ULL(47, 6)) | ((ttbr & GENMASK_ULL(5, 2)) << 46);
	return ttbr & GENMASK_ULL(47, 1);
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_ttbr_base);

/**
 * memlab_pt_type_name() - "table", "block", "page" or "invalid"
 * @type: the type
 *
 * Context: Any context.
 * Return: a static string.
 */
const char *memlab_pt_type_name(enum memlab_pt_type type)
{
	switch (type) {
	case MEMLAB_PT_TABLE:
		return "table";
	case MEMLAB_PT_BLOCK:
		return "block";
	case MEMLAB_PT_PAGE:
		return "page";
	default:
		return "invalid";
	}
}

/**
 * memlab_pt_mair_name() - ptdump's name for a MAIR_EL1 attribute encoding
 * @attr: one byte of MAIR_EL1
 *
 * Context: Any context.
 * Return: "DEVICE/nGnRnE", "MEM/NORMAL" and so on, or NULL for an encoding
 * Linux does not use.
 */
const char *memlab_pt_mair_name(u8 attr)
{
	switch (attr) {
	case 0x00:
		return "DEVICE/nGnRnE";
	case 0x04:
		return "DEVICE/nGnRE";
	case 0x08:
		return "DEVICE/nGRE";
	case 0x0c:
		return "DEVICE/GRE";
	case 0x44:
		return "MEM/NORMAL-NC";
	case 0xbb:
		return "MEM/NORMAL-WT";
	case 0xf0:
		return "MEM/NORMAL-TAGGED";
	case 0xff:
		return "MEM/NORMAL";
	default:
		return NULL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_mair_name);

struct memlab_pt_buf {
	char *p;
	size_t left;
};

static __printf(2, 3) void memlab_pt_add(struct memlab_pt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!b->left)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p, b->left, fmt, ap);
	va_end(ap);
	n = min_t(size_t, n, b->left - 1);
	b->p += n;
	b->left -= n;
}

/*
 * An attribute printed when (desc & mask) == val, its opposite (if any)
 * otherwise: arch/arm64/mm/ptdump.c's prot_bits, in the order printed.
 */
struct memlab_pt_bit {
	u64 mask;
	u64 val;
	const char *set;
	const char *clear;
};

static const struct memlab_pt_bit memlab_leaf_bits[] = {
	{ PTE_USER, PTE_USER, "USR" },
	{ PTE_RDONLY, PTE_RDONLY, "ro", "RW" },
	{ PTE_PXN, PTE_PXN, "NX", "x" },
	{ MEMLAB_DESC_SH, MEMLAB_DESC_SH, "SHD" },	/* inner shareable */
	{ PTE_AF, PTE_AF, "AF" },
	{ PTE_NG, PTE_NG, "NG" },
	{ PTE_CONT, PTE_CONT, "CON" },
	/* A valid leaf with bit 1 clear is a block; a page has it set. */
	{ MEMLAB_DESC_TABLE, 0, "BLK" },
	{ PTE_UXN, PTE_UXN, "UXN" },
	{ PTE_GP, PTE_GP, "GP" },
	{ PTE_DBM, PTE_DBM, "DBM" },
};

static const struct memlab_pt_bit memlab_table_bits[] = {
	{ MEMLAB_TABLE_PXN, MEMLAB_TABLE_PXN, "PXNtable" },
	{ MEMLAB_TABLE_UXN, MEMLAB_TABLE_UXN, "UXNtable" },
	/* APTable, bits [62:61]: 1, 2 or 3 */
	{ MEMLAB_TABLE_AP, BIT_ULL(61), "APtable=1" },
	{ MEMLAB_TABLE_AP, BIT_ULL(62), "APtable=2" },
	{ MEMLAB_TABLE_AP, MEMLAB_TABLE_AP, "APtable=3" },
	{ MEMLAB_TABLE_NS, MEMLAB_TABLE_NS, "NStable" },
};

static void memlab_pt_add_bits(struct memlab_pt_buf *b, const struct memlab_pt_bit *bits,
			       size_t n, u64 desc)
{
	const char *s;

	for (; n; n--, bits++) {
		s = (desc & bits->mask) == bits->val ? bits->set : bits->clear;
		if (s)
			memlab_pt_add(b, "%s ", s);
	}
}

/**
 * memlab_pt_format_attrs() - an entry's attributes in ptdump's vocabulary
 * @buf: where the space-separated words go
 * @len: its size
 * @geo: the regime
 * @level: the hardware level the entry was read at
 * @desc: the entry
 * @mair: MAIR_EL1, to resolve the memory type
 *
 * Blocks and pages: USR, ro or RW, NX (privileged execute never) or x,
 * SHD, AF, NG, CON, BLK, UXN, GP, DBM, the memory type, then "dirty" or
 * "clean" as Linux's pte_dirty() sees it (the software dirty bit, or DBM
 * with the entry writable). Tables: PXNtable, UXNtable, APtable=N,
 * NStable, or "-". Invalid entries: "-" when zero, otherwise "software"
 * (Linux keeps swap, migration and PROT_NONE entries there).
 *
 * Context: Any context.
 * Return: the length of the string in @buf.
 */
int memlab_pt_format_attrs(char *buf, size_t len, const struct memlab_pt_geo *geo,
			   int level, u64 desc, u64 mair)
{
	struct memlab_pt_buf b = { buf, len };
	enum memlab_pt_type type = memlab_pt_desc_type(geo, level, desc);
	const char *mt;
	u8 attr;

	if (!len)
		return 0;
	buf[0] = '\0';
	switch (type) {
	case MEMLAB_PT_INVALID:
		memlab_pt_add(&b, "%s", desc ? "software" : "-");
		return b.p - buf;
	case MEMLAB_PT_TABLE:
		memlab_pt_add_bits(&b, memlab_table_bits, ARRAY_SIZE(memlab_table_bits), desc);
		if (b.p == buf)
			memlab_pt_add(&b, "-");
		break;
	default:
		/* With LPA2, bits [9:8] are output address bits, not shareability. */
		memlab_pt_add_bits(&b, memlab_leaf_bits, ARRAY_SIZE(memlab_leaf_bits),
				   geo->ds ? desc & ~MEMLAB_DESC_SH : desc);
		attr = mair >> (8 * FIELD_GET(MEMLAB_DESC_ATTRINDX, desc));
		mt = memlab_pt_mair_name(attr);
		if (mt)
			memlab_pt_add(&b, "%s ", mt);
		else
			memlab_pt_add(&b, "MAIR/0x%02x ", attr);
		if ((desc & PTE_DIRTY) || ((desc & PTE_DBM) && !(desc & PTE_RDONLY)))
			memlab_pt_add(&b, "dirty");
		else
			memlab_pt_add(&b, "clean");
		break;
	}
	while (b.p > buf && b.p[-1] == ' ')
		*--b.p = '\0';
	return b.p - buf;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_format_attrs);

/**
 * memlab_pt_size_name() - "4K", "64K", "2M", "1G", ...
 * @size: a power of two of at least 1 KiB
 * @buf: where the name goes
 * @len: its size
 *
 * Context: Any context.
 * Return: @buf.
 */
const char *memlab_pt_size_name(u64 size, char *buf, size_t len)
{
	if (size >= SZ_1G && !(size % SZ_1G))
		snprintf(buf, len, "%lluG", size / SZ_1G);
	else if (size >= SZ_1M && !(size % SZ_1M))
		snprintf(buf, len, "%lluM", size / SZ_1M);
	else
		snprintf(buf, len, "%lluK", size / SZ_1K);
	return buf;
}

/**
 * memlab_pt_walk() - translate @va as the MMU would, one level at a time
 * @geo: the regime
 * @root: physical address of the root table
 * @va: the address, valid for @geo
 * @map: gives access to a table; each entry is read once
 * @ctx: for @map
 * @w: the result: every step taken, and the output address when mapped
 *
 * Context: Whatever @map needs.
 */
void memlab_pt_walk(const struct memlab_pt_geo *geo, u64 root, u64 va,
		    memlab_pt_map_t map, void *ctx, struct memlab_pt_walk *w)
{
	u64 table = root;
	int level;

	memset(w, 0, sizeof(*w));
	w->va = va;
	w->root = root;
	w->result = MEMLAB_PT_NOT_MAPPED;
	for (level = geo->start_level; level <= 3; level++) {
		struct memlab_pt_step *s = &w->step[w->nr++];
		const u64 *t;
		u64 addr;

		s->level = level;
		s->table = table;
		s->index = memlab_pt_index(geo, level, va);
		t = map(ctx, table, memlab_pt_entries(geo, level), s->index, 1);
		if (!t) {
			s->type = MEMLAB_PT_INVALID;
			w->result = MEMLAB_PT_UNREADABLE;
			return;
		}
		s->desc = READ_ONCE(t[s->index]);
		s->type = memlab_pt_desc_type(geo, level, s->desc);
		addr = memlab_pt_desc_addr(geo, level, s->desc);
		switch (s->type) {
		case MEMLAB_PT_TABLE:
			table = addr;
			continue;
		case MEMLAB_PT_BLOCK:
		case MEMLAB_PT_PAGE:
			w->size = BIT_ULL(memlab_pt_level_shift(level));
			w->cont = s->desc & PTE_CONT ? w->size * MEMLAB_PT_CONT_ENTRIES : w->size;
			w->phys = addr | (va & (w->size - 1));
			w->result = MEMLAB_PT_MAPPED;
			return;
		default:
			return;
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_walk);

static enum memlab_pt_kind memlab_pt_kind(int level, u64 desc)
{
	bool cont = desc & PTE_CONT;

	if (level == 3)
		return cont ? MEMLAB_PT_KIND_CONTPTE : MEMLAB_PT_KIND_PTE;
	if (level == 2)
		return cont ? MEMLAB_PT_KIND_CONTPMD : MEMLAB_PT_KIND_PMD;
	return MEMLAB_PT_KIND_PUD;
}

/* Counts [first, last] (inclusive, so the top of the space cannot wrap). */
static void memlab_pt_count_table(const struct memlab_pt_geo *geo, int level, u64 table,
				  u64 first, u64 last, memlab_pt_map_t map, void *ctx,
				  struct memlab_pt_counts *c)
{
	u64 span = BIT_ULL(memlab_pt_level_shift(level)) - 1;
	unsigned int i = memlab_pt_index(geo, level, first);
	const u64 *t = map(ctx, table, memlab_pt_entries(geo, level), i,
			   memlab_pt_index(geo, level, last) - i + 1);
	u64 va = first;

	if (!t) {
		c->unreadable++;
		return;
	}
	for (;;) {
		u64 end = min(va | span, last);
		u64 desc = READ_ONCE(t[memlab_pt_index(geo, level, va)]);

		switch (memlab_pt_desc_type(geo, level, desc)) {
		case MEMLAB_PT_TABLE:
			memlab_pt_count_table(geo, level + 1, memlab_pt_desc_addr(geo, level, desc),
					      va, end, map, ctx, c);
			break;
		case MEMLAB_PT_BLOCK:
		case MEMLAB_PT_PAGE:
			c->pages[memlab_pt_kind(level, desc)] +=
				((end - va) >> MEMLAB_PT_PAGE_SHIFT) + 1;
			break;
		default:
			break;
		}
		if (end == last)
			return;
		va = end + 1;
	}
}

/**
 * memlab_pt_count() - count the present pages of [@start, @end)
 * @geo: the regime
 * @root: physical address of the root table
 * @start: page-aligned start
 * @end: page-aligned end, above @start
 * @map: gives access to a table; it must not reuse one buffer for all
 *	 tables (memlab_pt_map_copy()), as the count comes back to upper
 *	 tables after visiting lower ones
 * @ctx: for @map
 * @c: the counts, added to
 *
 * Reads each table entry of the range once and skips whatever an invalid
 * entry covers, so a sparse range costs what is mapped, not its size.
 *
 * Context: Whatever @map needs.
 */
void memlab_pt_count(const struct memlab_pt_geo *geo, u64 root, u64 start, u64 end,
		     memlab_pt_map_t map, void *ctx, struct memlab_pt_counts *c)
{
	if (end <= start && end)
		return;
	memlab_pt_count_table(geo, geo->start_level, root, start, end - 1, map, ctx, c);
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_count);

/* Memory the linear map covers: a struct page and not NOMAP. */
static bool memlab_pt_linear(u64 phys)
{
	return pfn_valid(PHYS_PFN(phys)) && pfn_is_map_memory(PHYS_PFN(phys));
}

/**
 * memlab_pt_map_copy() - a live table, copied
 * @ctx: a buffer of MEMLAB_PT_ENTRIES entries, overwritten
 * @table: physical address of the table
 * @entries: its size in entries
 * @first: the first entry the caller reads
 * @nr: how many it reads; only those are copied, to the same index of @ctx
 *
 * For live tables, the kernel's, which memlab cannot lock, and user ones,
 * walked with interrupts off: the copy goes through
 * copy_from_kernel_nofault() with aligned 64-bit loads, so every entry is
 * read once and a table freed and reused under the walk gives a stale
 * value or NULL, never a fault. A table address outside the linear map
 * (no struct page, or NOMAP memory, which has one) is not read at all.
 *
 * Context: Any context.
 * Return: @ctx, or NULL when the table cannot be read.
 */
const u64 *memlab_pt_map_copy(void *ctx, u64 table, unsigned int entries,
			      unsigned int first, unsigned int nr)
{
	u64 from = table + first * sizeof(u64), len = nr * sizeof(u64);

	if (entries > MEMLAB_PT_ENTRIES || !nr || first >= entries || nr > entries - first ||
	    !memlab_pt_linear(from) || !memlab_pt_linear(from + len - 1))
		return NULL;
	if (copy_from_kernel_nofault((u64 *)ctx + first, phys_to_virt(from), len))
		return NULL;
	return ctx;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_map_copy);

/**
 * memlab_pt_read_regs() - the MMU registers of this CPU
 * @r: filled in, with the CPU they were read on
 *
 * Context: Process or atomic context.
 */
void memlab_pt_read_regs(struct memlab_pt_regs *r)
{
	r->cpu = get_cpu();
	r->tcr = read_sysreg(tcr_el1);
	r->mair = read_sysreg(mair_el1);
	r->sctlr = read_sysreg(sctlr_el1);
	r->ttbr0 = read_sysreg(ttbr0_el1);
	r->ttbr1 = read_sysreg(ttbr1_el1);
	r->mmfr0 = read_sysreg_s(SYS_ID_AA64MMFR0_EL1);
	r->mmfr1 = read_sysreg_s(SYS_ID_AA64MMFR1_EL1);
	r->mmfr2 = read_sysreg_s(SYS_ID_AA64MMFR2_EL1);
	put_cpu();
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_read_regs);

/**
 * memlab_pt_at() - translate @va with the AT instruction
 * @va: the address
 * @user: AT S1E0R (as EL0 would read it, through TTBR0 for the current
 *	  address space) rather than AT S1E1R (as the kernel would)
 *
 * Interrupts are off between the AT and the read of PAR_EL1, which an
 * interrupt handler could otherwise overwrite.
 *
 * Context: Any context.
 * Return: PAR_EL1.
 */
u64 memlab_pt_at(u64 va, bool user)
{
	unsigned long flags;
	u64 par;

	local_irq_save(flags);
	if (user) {
		bool sw_pan = uaccess_ttbr0_enable();

		asm volatile("at s1e0r, %0" : : "r" (va));
		isb();
		par = read_sysreg_par();
		if (sw_pan)
			uaccess_ttbr0_disable();
	} else {
		asm volatile("at s1e1r, %0" : : "r" (va));
		isb();
		par = read_sysreg_par();
	}
	local_irq_restore(flags);
	return par;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_at);

/**
 * memlab_pt_par_decode() - what PAR_EL1 says
 * @par: the value
 * @p: the decoded result
 *
 * Context: Any context.
 */
void memlab_pt_par_decode(u64 par, struct memlab_pt_par *p)
{
	static const char *const fst[] = { "addrsize", "translation", "access", "permission" };
	unsigned int code = (par >> 1) & 0x3f;

	memset(p, 0, sizeof(*p));
	p->par = par;
	p->fault = par & 1;
	if (!p->fault) {
		p->phys = par & GENMASK_ULL(51, 12);
		p->attr = par >> 56;
		return;
	}
	p->fault_level = code & 3;
	p->fst = code >> 2 < ARRAY_SIZE(fst) ? fst[code >> 2] : "other";
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_par_decode);

/**
 * memlab_pt_hw_agrees() - does the AT result match the software walk
 * @w: the software walk
 * @p: the decoded PAR_EL1 for the same address
 * @user: the AT was S1E0R
 *
 * They agree when both map the address to the same page; when the walk
 * found no mapping and the MMU a translation fault; when the walk found an
 * entry without AF and the MMU an access flag fault; or when an EL0 read
 * of an entry without USR got a permission fault.
 *
 * Context: Any context.
 * Return: true when they agree.
 */
bool memlab_pt_hw_agrees(const struct memlab_pt_walk *w, const struct memlab_pt_par *p,
			 bool user)
{
	u64 desc;

	if (w->result == MEMLAB_PT_NOT_MAPPED)
		return p->fault && !strcmp(p->fst, "translation");
	if (w->result != MEMLAB_PT_MAPPED)
		return false;
	if (!p->fault)
		return p->phys == (w->phys & GENMASK_ULL(51, 12));
	desc = w->step[w->nr - 1].desc;
	if (!strcmp(p->fst, "access"))
		return !(desc & PTE_AF);
	if (!strcmp(p->fst, "permission"))
		return user && !(desc & PTE_USER);
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_hw_agrees);
