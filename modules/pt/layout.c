// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_pt: the kernel's virtual memory layout, as the headers this
 * module was built against define it (arch/arm64/include/asm/memory.h,
 * pgtable.h, fixmap.h): the pt/layout report.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/sort.h>
#include <asm/fixmap.h>
#include <asm/memory.h>
#include <asm/pgtable.h>

#include "arm64.h"
#include "pt.h"

struct memlab_pt_region {
	const char *name;
	u64 start, end;
};

static int memlab_pt_region_cmp(const void *a, const void *b)
{
	const struct memlab_pt_region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void memlab_pt_show_regions(struct seq_file *m, const struct memlab_pt_regs *regs,
				   const struct memlab_pt_geo *geo, u64 linear, u64 memmap)
{
	struct memlab_pt_region r[] = {
		{ "linear-map", linear, PAGE_END },
#ifdef CONFIG_KASAN
		{ "kasan-shadow", KASAN_SHADOW_START, KASAN_SHADOW_END },
#endif
		{ "modules", MODULES_VADDR, MODULES_END },
		{ "vmalloc", VMALLOC_START, VMALLOC_END },
		{ "vmemmap", memmap, VMEMMAP_END },
		{ "pci-io", PCI_IO_START, PCI_IO_END },
		{ "fixmap", FIXADDR_START, FIXADDR_TOP },
	};
	u64 ttbr1 = memlab_pt_ttbr_base(regs->ttbr1, geo->ds);
	char size[16];
	unsigned int i;

	sort(r, ARRAY_SIZE(r), sizeof(r[0]), memlab_pt_region_cmp, NULL);

	seq_printf(m, "va_bits %u\n", geo->va_bits);
	seq_printf(m, "va_bits_config %d\n", VA_BITS);
	seq_printf(m, "page_size %lu\n", PAGE_SIZE);
	seq_printf(m, "page_offset 0x%016lx\n", PAGE_OFFSET);
	seq_printf(m, "phys_offset 0x%016llx\n", (u64)PHYS_OFFSET);
	seq_printf(m, "kimage_vaddr 0x%016lx\n", KIMAGE_VADDR);
	seq_printf(m, "kimage_voffset 0x%016llx\n", (u64)kimage_voffset);
	/* TTBR1_EL1 names swapper_pg_dir, part of the image: its image alias */
	seq_printf(m, "swapper_pg_dir 0x%016llx 0x%016llx\n", ttbr1 + kimage_voffset, ttbr1);
	seq_printf(m, "user_end 0x%016llx\n", (u64)TASK_SIZE_64);
	seq_puts(m, "# region name start end size\n");
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		memlab_pt_size_name(r[i].end - r[i].start, size, sizeof(size));
		seq_printf(m, "region %-12s 0x%016llx 0x%016llx %s\n", r[i].name, r[i].start,
			   r[i].end, size);
	}
}

/**
 * memlab_pt_show_layout() - the pt/layout report
 * @m: where it goes
 * @v: unused
 *
 * "key value" lines, then one "region <name> <start> <end> <size>" line
 * per region of the kernel half, by address.
 *
 * A kernel built for 52-bit VAs runs with 48 on a CPU without LPA2: its
 * linear map then starts at the runtime PAGE_OFFSET, and vmalloc takes
 * the part of vmemmap that would have described the missing linear map.
 * The runtime VA size comes from TCR_EL1.T1SZ.
 *
 * Context: Process context.
 * Return: 0, or -EOPNOTSUPP for a granule other than 4 KiB.
 */
int memlab_pt_show_layout(struct seq_file *m, void *v)
{
	struct memlab_pt_regs regs;
	struct memlab_pt_geo geo;
	u64 linear, memmap;

	memlab_pt_read_regs(&regs);
	if (memlab_pt_geo_from_tcr(&geo, regs.tcr, true))
		return -EOPNOTSUPP;
	linear = -(1ULL << geo.va_bits);
	memmap = VMEMMAP_START + ((linear - PAGE_OFFSET) >> PAGE_SHIFT) * sizeof(struct page);
	memlab_pt_show_regions(m, &regs, &geo, linear, memmap);
	return 0;
}
