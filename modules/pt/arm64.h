/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_pt's arm64 side: VMSAv8-64 stage 1 translation with the 4 KiB
 * granule (Arm ARM D8), 3, 4 or 5 levels (VA_BITS 39, 48, 52).
 *
 * The decoder and the walker are pure functions of a geometry, a root
 * table address and a callback that hands out tables, so that KUnit can
 * run them on synthetic tables; the live table maps, the AT instruction
 * and the system registers are the only parts that touch the machine.
 */
#ifndef MEMLAB_PT_ARM64_H
#define MEMLAB_PT_ARM64_H

#include <linux/bits.h>
#include <linux/types.h>

struct seq_file;

#define MEMLAB_PT_MAX_LEVELS	5	/* hardware levels -1 to 3 */
#define MEMLAB_PT_PAGE_SHIFT	12
#define MEMLAB_PT_CONT_ENTRIES	16	/* contiguous hint span, 4 KiB granule */

/*
 * TCR_EL1 fields (Arm ARM DDI 0487, D19.2.139) that set the geometry;
 * named here because the kernel's own names for them changed over the
 * kernels memlab builds for (TCR_* in pgtable-hwdef.h, then TCR_EL1_*).
 */
#define MEMLAB_TCR_T0SZ		GENMASK_ULL(5, 0)
#define MEMLAB_TCR_TG0		GENMASK_ULL(15, 14)
#define MEMLAB_TCR_T1SZ		GENMASK_ULL(21, 16)
#define MEMLAB_TCR_TG1		GENMASK_ULL(31, 30)
#define MEMLAB_TCR_DS		BIT_ULL(59)
#define MEMLAB_TCR_TG0_4K	0	/* TG0 and TG1 encode the granules apart */
#define MEMLAB_TCR_TG1_4K	2

enum memlab_pt_type {
	MEMLAB_PT_INVALID,
	MEMLAB_PT_TABLE,
	MEMLAB_PT_BLOCK,
	MEMLAB_PT_PAGE,
};

/* One translation regime: TTBR0 (user) or TTBR1 (kernel). */
struct memlab_pt_geo {
	unsigned int va_bits;	/* 64 - TxSZ */
	int start_level;	/* hardware level of the root table: -1..1 */
	bool ds;		/* TCR_EL1.DS: LPA2, 52-bit output addresses */
	bool ttbr1;		/* addresses with the top bits set */
};

struct memlab_pt_step {
	int level;		/* hardware level */
	u64 table;		/* physical address of the table */
	unsigned int index;
	u64 desc;		/* the entry, read once */
	enum memlab_pt_type type;
};

enum memlab_pt_result {
	MEMLAB_PT_MAPPED,	/* a block or page descriptor maps va */
	MEMLAB_PT_NOT_MAPPED,	/* an invalid entry stopped the walk */
	MEMLAB_PT_UNREADABLE,	/* a table could not be read */
};

struct memlab_pt_walk {
	u64 va;
	u64 root;
	unsigned int nr;	/* steps taken, the last one is where it ended */
	struct memlab_pt_step step[MEMLAB_PT_MAX_LEVELS];
	enum memlab_pt_result result;
	u64 phys;		/* output address of va when mapped */
	u64 size;		/* bytes mapped by the leaf entry */
	u64 cont;		/* bytes of its contiguous range (== size without CON) */
};

/*
 * Gives access to the table of @entries entries at physical address
 * @table, indexed from its start, of which the caller reads entries
 * @first to @first + @nr - 1, each once; NULL when it cannot be read.
 */
typedef const u64 *(*memlab_pt_map_t)(void *ctx, u64 table, unsigned int entries,
				      unsigned int first, unsigned int nr);

#define MEMLAB_PT_ENTRIES	512	/* entries of a full 4 KiB table */

/* Present 4 KiB pages of a range, by the kind of entry that maps them. */
enum memlab_pt_kind {
	MEMLAB_PT_KIND_PTE,	/* 4K page */
	MEMLAB_PT_KIND_CONTPTE,	/* page in a 64K contiguous range */
	MEMLAB_PT_KIND_PMD,	/* 2M block */
	MEMLAB_PT_KIND_CONTPMD,	/* 2M block in a 32M contiguous range */
	MEMLAB_PT_KIND_PUD,	/* 1G block (or larger) */
	MEMLAB_PT_KIND_NR,
};

struct memlab_pt_counts {
	u64 pages[MEMLAB_PT_KIND_NR];
	u64 unreadable;		/* tables that could not be read */
};

/* Translation faults and the like, from PAR_EL1.FST. */
struct memlab_pt_par {
	u64 par;
	bool fault;
	u64 phys;		/* when !fault */
	u8 attr;		/* MAIR encoding, when !fault */
	const char *fst;	/* fault kind, when fault */
	int fault_level;
};

struct memlab_pt_regs {
	u64 tcr, mair, sctlr, ttbr0, ttbr1;
	u64 mmfr0, mmfr1, mmfr2;
	int cpu;
};

int memlab_pt_geo_init(struct memlab_pt_geo *geo, unsigned int va_bits, bool ds, bool ttbr1);
int memlab_pt_geo_from_tcr(struct memlab_pt_geo *geo, u64 tcr, bool ttbr1);
unsigned int memlab_pt_levels(const struct memlab_pt_geo *geo);
bool memlab_pt_va_valid(const struct memlab_pt_geo *geo, u64 va);
unsigned int memlab_pt_level_shift(int level);
unsigned int memlab_pt_index(const struct memlab_pt_geo *geo, int level, u64 va);
const char *memlab_pt_level_name(const struct memlab_pt_geo *geo, int level);
enum memlab_pt_type memlab_pt_desc_type(const struct memlab_pt_geo *geo, int level, u64 desc);
u64 memlab_pt_desc_addr(const struct memlab_pt_geo *geo, int level, u64 desc);
u64 memlab_pt_ttbr_base(u64 ttbr, bool ds);
const char *memlab_pt_type_name(enum memlab_pt_type type);
const char *memlab_pt_mair_name(u8 attr);
int memlab_pt_format_attrs(char *buf, size_t len, const struct memlab_pt_geo *geo,
			   int level, u64 desc, u64 mair);
const char *memlab_pt_size_name(u64 size, char *buf, size_t len);

unsigned int memlab_pt_entries(const struct memlab_pt_geo *geo, int level);
void memlab_pt_walk(const struct memlab_pt_geo *geo, u64 root, u64 va,
		    memlab_pt_map_t map, void *ctx, struct memlab_pt_walk *w);
void memlab_pt_count(const struct memlab_pt_geo *geo, u64 root, u64 start, u64 end,
		     memlab_pt_map_t map, void *ctx, struct memlab_pt_counts *c);

const u64 *memlab_pt_map_copy(void *ctx, u64 table, unsigned int entries,
			      unsigned int first, unsigned int nr);
void memlab_pt_read_regs(struct memlab_pt_regs *r);
u64 memlab_pt_at(u64 va, bool user);
void memlab_pt_par_decode(u64 par, struct memlab_pt_par *p);
bool memlab_pt_hw_agrees(const struct memlab_pt_walk *w, const struct memlab_pt_par *p,
			 bool user);
void memlab_pt_show_mmu(struct seq_file *m, const struct memlab_pt_regs *r);

#endif
