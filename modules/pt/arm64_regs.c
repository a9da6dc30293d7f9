// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_pt: the arm64 MMU registers decoded field by field (Arm ARM DDI
 * 0487: TCR_EL1 D19.2.139, MAIR_EL1, SCTLR_EL1, TTBRn_EL1 and the
 * ID_AA64MMFRn_EL1 feature registers), for the pt/mmu report.
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>

#include "arm64.h"

enum memlab_reg {
	R_TCR, R_MAIR, R_SCTLR, R_TTBR0, R_TTBR1, R_MMFR0, R_MMFR1, R_MMFR2, R_NR,
};

static const char *const memlab_reg_names[R_NR] = {
	"TCR_EL1", "MAIR_EL1", "SCTLR_EL1", "TTBR0_EL1", "TTBR1_EL1",
	"ID_AA64MMFR0_EL1", "ID_AA64MMFR1_EL1", "ID_AA64MMFR2_EL1",
};

/* How a field's value is explained after it. */
enum memlab_how {
	H_NONE,		/* the number says it all */
	H_BOOL,		/* on / off */
	H_VA,		/* TxSZ: va_bits=64-x */
	H_NAMES,	/* an entry of names[] */
	H_HEX,		/* an address or an ASID, in hex */
};

struct memlab_field {
	enum memlab_reg reg;
	const char *name;
	u8 lsb, width;
	enum memlab_how how;
	const char *const *names;	/* NULL-terminated */
};

static const char *const rgn[] = { "non-cacheable", "write-back-rw-alloc", "write-through",
				   "write-back-no-w-alloc", NULL };
static const char *const sh[] = { "non-shareable", "reserved", "outer-shareable",
				  "inner-shareable", NULL };
static const char *const tg0[] = { "4K", "64K", "16K", "reserved", NULL };
static const char *const tg1[] = { "reserved", "16K", "4K", "64K", NULL };
static const char *const ips[] = { "32-bit", "36-bit", "40-bit", "42-bit", "44-bit", "48-bit",
				   "52-bit", "56-bit", NULL };
static const unsigned int pa_bits[] = { 32, 36, 40, 42, 44, 48, 52, 56 };
static const char *const asid[] = { "8-bit", "reserved", "16-bit", NULL };
static const char *const tgran4[] = { "supported", "supported-52-bit", NULL };
static const char *const tgran64[] = { "supported", NULL };
static const char *const tgran16[] = { "not-supported", "supported", "supported-52-bit", NULL };
static const char *const hafdbs[] = { "none", "access-flag", "access-flag+dirty",
				      "access-flag+dirty+table-af", NULL };
static const char *const pan[] = { "none", "PAN", "PAN+AT-S1E1RP", "PAN+EPAN", NULL };
static const char *const varange[] = { "48-bit", "52-bit", NULL };

#define F(r, n, l, w, h)	{ r, n, l, w, h, NULL }
#define N(r, n, l, w, names)	{ r, n, l, w, H_NAMES, names }

static const struct memlab_field memlab_fields[] = {
	F(R_TCR, "T0SZ", 0, 6, H_VA),
	F(R_TCR, "EPD0", 7, 1, H_BOOL),
	N(R_TCR, "IRGN0", 8, 2, rgn),
	N(R_TCR, "ORGN0", 10, 2, rgn),
	N(R_TCR, "SH0", 12, 2, sh),
	N(R_TCR, "TG0", 14, 2, tg0),
	F(R_TCR, "T1SZ", 16, 6, H_VA),
	F(R_TCR, "A1", 22, 1, H_BOOL),
	F(R_TCR, "EPD1", 23, 1, H_BOOL),
	N(R_TCR, "IRGN1", 24, 2, rgn),
	N(R_TCR, "ORGN1", 26, 2, rgn),
	N(R_TCR, "SH1", 28, 2, sh),
	N(R_TCR, "TG1", 30, 2, tg1),
	N(R_TCR, "IPS", 32, 3, ips),
	F(R_TCR, "AS", 36, 1, H_BOOL),
	F(R_TCR, "TBI0", 37, 1, H_BOOL),
	F(R_TCR, "TBI1", 38, 1, H_BOOL),
	F(R_TCR, "HA", 39, 1, H_BOOL),
	F(R_TCR, "HD", 40, 1, H_BOOL),
	F(R_TCR, "HPD0", 41, 1, H_BOOL),
	F(R_TCR, "HPD1", 42, 1, H_BOOL),
	F(R_TCR, "E0PD0", 55, 1, H_BOOL),
	F(R_TCR, "E0PD1", 56, 1, H_BOOL),
	F(R_TCR, "DS", 59, 1, H_BOOL),
	F(R_SCTLR, "M", 0, 1, H_BOOL),
	F(R_SCTLR, "A", 1, 1, H_BOOL),
	F(R_SCTLR, "C", 2, 1, H_BOOL),
	F(R_SCTLR, "SA", 3, 1, H_BOOL),
	F(R_SCTLR, "I", 12, 1, H_BOOL),
	F(R_SCTLR, "WXN", 19, 1, H_BOOL),
	F(R_SCTLR, "SPAN", 23, 1, H_BOOL),
	F(R_SCTLR, "E0E", 24, 1, H_BOOL),
	F(R_SCTLR, "EE", 25, 1, H_BOOL),
	F(R_SCTLR, "EPAN", 57, 1, H_BOOL),
	F(R_TTBR0, "BADDR", 1, 47, H_HEX),
	F(R_TTBR0, "ASID", 48, 16, H_HEX),
	F(R_TTBR0, "CnP", 0, 1, H_BOOL),
	F(R_TTBR1, "BADDR", 1, 47, H_HEX),
	F(R_TTBR1, "ASID", 48, 16, H_HEX),
	F(R_TTBR1, "CnP", 0, 1, H_BOOL),
	N(R_MMFR0, "PARange", 0, 4, ips),
	N(R_MMFR0, "ASIDBits", 4, 4, asid),
	F(R_MMFR0, "BigEnd", 8, 4, H_NONE),
	F(R_MMFR0, "SNSMem", 12, 4, H_NONE),
	F(R_MMFR0, "BigEndEL0", 16, 4, H_NONE),
	N(R_MMFR0, "TGran16", 20, 4, tgran16),
	N(R_MMFR0, "TGran64", 24, 4, tgran64),
	N(R_MMFR0, "TGran4", 28, 4, tgran4),
	F(R_MMFR0, "ExS", 44, 4, H_NONE),
	F(R_MMFR0, "FGT", 56, 4, H_NONE),
	F(R_MMFR0, "ECV", 60, 4, H_NONE),
	N(R_MMFR1, "HAFDBS", 0, 4, hafdbs),
	F(R_MMFR1, "VMIDBits", 4, 4, H_NONE),
	F(R_MMFR1, "VH", 8, 4, H_NONE),
	F(R_MMFR1, "HPDS", 12, 4, H_NONE),
	F(R_MMFR1, "LO", 16, 4, H_NONE),
	N(R_MMFR1, "PAN", 20, 4, pan),
	F(R_MMFR1, "XNX", 28, 4, H_NONE),
	F(R_MMFR1, "ETS", 36, 4, H_NONE),
	F(R_MMFR1, "AFP", 44, 4, H_NONE),
	F(R_MMFR2, "CnP", 0, 4, H_NONE),
	F(R_MMFR2, "UAO", 4, 4, H_NONE),
	F(R_MMFR2, "IESB", 12, 4, H_NONE),
	N(R_MMFR2, "VARange", 16, 4, varange),
	F(R_MMFR2, "CCIDX", 20, 4, H_NONE),
	F(R_MMFR2, "NV", 24, 4, H_NONE),
	F(R_MMFR2, "ST", 28, 4, H_NONE),
	F(R_MMFR2, "AT", 32, 4, H_NONE),
	F(R_MMFR2, "IDS", 36, 4, H_NONE),
	F(R_MMFR2, "FWB", 40, 4, H_NONE),
	F(R_MMFR2, "TTL", 48, 4, H_NONE),
	F(R_MMFR2, "BBM", 52, 4, H_NONE),
	F(R_MMFR2, "EVT", 56, 4, H_NONE),
	F(R_MMFR2, "E0PD", 60, 4, H_NONE),
};

static u64 memlab_reg_value(const struct memlab_pt_regs *r, enum memlab_reg reg)
{
	switch (reg) {
	case R_TCR:
		return r->tcr;
	case R_MAIR:
		return r->mair;
	case R_SCTLR:
		return r->sctlr;
	case R_TTBR0:
		return r->ttbr0;
	case R_TTBR1:
		return r->ttbr1;
	case R_MMFR0:
		return r->mmfr0;
	case R_MMFR1:
		return r->mmfr1;
	default:
		return r->mmfr2;
	}
}

static void memlab_show_field(struct seq_file *m, const struct memlab_field *f, u64 reg)
{
	u64 v = (reg >> f->lsb) & GENMASK_ULL(f->width - 1, 0);
	unsigned int i;

	seq_printf(m, "%s.%s %llu", memlab_reg_names[f->reg], f->name, v);
	switch (f->how) {
	case H_BOOL:
		seq_puts(m, v ? " on" : " off");
		break;
	case H_VA:
		seq_printf(m, " va_bits=%llu", 64 - v);
		break;
	case H_HEX:
		/* BADDR: the table address, bits [47:1] kept in place */
		seq_printf(m, " 0x%llx", f->lsb == 1 ? v << 1 : v);
		break;
	case H_NAMES:
		for (i = 0; i < v && f->names[i]; i++)
			;
		if (f->names[i])
			seq_printf(m, " %s", f->names[i]);
		else if (f->names == tgran4 || f->names == tgran64)
			seq_puts(m, v == 0xf ? " not-supported" : " reserved");
		else
			seq_puts(m, " reserved");
		break;
	default:
		break;
	}
	seq_putc(m, '\n');
}

/**
 * memlab_pt_show_mmu() - the pt/mmu report
 * @m: where it goes
 * @r: the registers, as memlab_pt_read_regs() read them
 *
 * Each register as "NAME 0x<16 hex digits>", then one line per field,
 * "NAME.FIELD <decimal value> [meaning]"; MAIR_EL1 as Attr0..Attr7 with
 * ptdump's memory type names; then summary lines "key value".
 *
 * Context: Process context.
 */
void memlab_pt_show_mmu(struct seq_file *m, const struct memlab_pt_regs *r)
{
	struct memlab_pt_geo kgeo, ugeo;
	const struct memlab_field *f;
	enum memlab_reg reg;
	unsigned int i;
	u64 hafdbs = r->mmfr1 & 0xf;

	seq_printf(m, "cpu %d\n", r->cpu);
	for (reg = 0; reg < R_NR; reg++) {
		u64 v = memlab_reg_value(r, reg);

		seq_printf(m, "%s 0x%016llx\n", memlab_reg_names[reg], v);
		if (reg == R_MAIR) {
			for (i = 0; i < 8; i++) {
				u8 attr = v >> (8 * i);
				const char *name = memlab_pt_mair_name(attr);

				seq_printf(m, "MAIR_EL1.Attr%u %u %s\n", i, attr,
					   name ? name : "other");
			}
			continue;
		}
		for (f = memlab_fields; f < memlab_fields + ARRAY_SIZE(memlab_fields); f++)
			if (f->reg == reg)
				memlab_show_field(m, f, v);
	}

	seq_printf(m, "page_size %lu\n", PAGE_SIZE);
	if (!memlab_pt_geo_from_tcr(&kgeo, r->tcr, true))
		seq_printf(m, "kernel_va_bits %u\nkernel_levels %u\n", kgeo.va_bits,
			   memlab_pt_levels(&kgeo));
	if (!memlab_pt_geo_from_tcr(&ugeo, r->tcr, false))
		seq_printf(m, "user_va_bits %u\nuser_levels %u\n", ugeo.va_bits,
			   memlab_pt_levels(&ugeo));
	seq_printf(m, "pa_bits %u\n", pa_bits[min_t(u64, r->mmfr0 & 0xf, ARRAY_SIZE(pa_bits) - 1)]);
	seq_printf(m, "hw_access_flag %d\n", hafdbs >= 1 && (r->tcr & BIT_ULL(39)));
	seq_printf(m, "hw_dirty %d\n", hafdbs >= 2 && (r->tcr & BIT_ULL(40)));
}
