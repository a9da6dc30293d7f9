/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_gpio's register layer: what each GPIO controller's registers mean,
 * apart from gpiolib and the platform bus, so it can be driven against a
 * register block in memory (kunit/memlab_gpio_regs_kunit.c). No other
 * module uses it; the KUnit suite reaches it through kunit/Kbuild's
 * include path and the symbols hw.c, pl061.c and rk3588.c export with
 * EXPORT_SYMBOL_IF_KUNIT(). See docs/gpio.rst.
 */
#ifndef MEMLAB_GPIO_HW_H
#define MEMLAB_GPIO_HW_H

#include <linux/types.h>

struct memlab_gpio_variant;

/**
 * struct memlab_gpio_hw - one controller's register window
 * @base: the mapped registers (or, in tests, memory standing in for them)
 * @variant: the controller's register logic
 *
 * The memlab_gpio_hw_*() helpers do no locking: a caller that can race
 * with another read-modify-write of the same controller serialises them.
 */
struct memlab_gpio_hw {
	void __iomem *base;
	const struct memlab_gpio_variant *variant;
};

/**
 * struct memlab_gpio_reg - a register as the regs report names it
 * @name: the datasheet's name
 * @offset: byte offset in the window
 */
struct memlab_gpio_reg {
	const char *name;
	u32 offset;
};

/**
 * struct memlab_gpio_variant - one controller's register logic
 * @name: short name, printed in the regs report
 * @ngpio: lines per controller
 * @size: smallest register window the logic reaches
 * @nr_clks: clocks the controller needs enabled
 * @regs: registers the regs report prints, in address order
 * @nr_regs: entries in @regs
 * @nop_reg: a register where writing 0 changes no line and no setting (the
 *	bench file times writes there)
 * @mmio_sizes: the access sizes the registers take, BIT(bytes) for each of
 *	1, 2 and 4 (the debugfs mmio file refuses the others)
 * @dir_masked: the direction register has write enables, so one line's
 *	direction is set by one write that reaches no other line (share mode
 *	sets it itself; without them it asks the stock driver)
 * @check_id: read the identification registers; 0 or -ENODEV
 * @init: put the interrupt logic in a known state: all masked, none pending
 * @get_direction: 1 output, 0 input
 * @set_direction: make @line an input or an output driving @value
 * @get: the level on @line
 * @set: drive @line
 * @get_multiple: levels of the lines in @mask
 * @set_multiple: drive the lines in @mask to their bits in @bits
 * @irq_set_type: program the trigger (IRQ_TYPE_*)
 * @irq_get_type: the trigger the registers hold (IRQ_TYPE_*)
 * @irq_enable: unmask (@on) or mask the line's interrupt
 * @irq_enabled: whether the line's interrupt is unmasked
 * @irq_ack: clear the line's latched edge
 * @irq_pending: the lines with an interrupt pending and unmasked
 *
 * Line numbers reaching these are below @ngpio; the memlab_gpio_hw_*()
 * wrappers check that.
 */
struct memlab_gpio_variant {
	const char *name;
	unsigned int ngpio;
	u32 size;
	unsigned int nr_clks;
	const struct memlab_gpio_reg *regs;
	unsigned int nr_regs;
	u32 nop_reg;
	u8 mmio_sizes;
	bool dir_masked;
	int (*check_id)(const struct memlab_gpio_hw *hw, u32 *id);
	void (*init)(const struct memlab_gpio_hw *hw);
	int (*get_direction)(const struct memlab_gpio_hw *hw, unsigned int line);
	void (*set_direction)(const struct memlab_gpio_hw *hw, unsigned int line,
			      bool output, int value);
	int (*get)(const struct memlab_gpio_hw *hw, unsigned int line);
	void (*set)(const struct memlab_gpio_hw *hw, unsigned int line, int value);
	u32 (*get_multiple)(const struct memlab_gpio_hw *hw, u32 mask);
	void (*set_multiple)(const struct memlab_gpio_hw *hw, u32 mask, u32 bits);
	int (*irq_set_type)(const struct memlab_gpio_hw *hw, unsigned int line,
			    unsigned int type);
	unsigned int (*irq_get_type)(const struct memlab_gpio_hw *hw,
				     unsigned int line);
	void (*irq_enable)(const struct memlab_gpio_hw *hw, unsigned int line,
			   bool on);
	bool (*irq_enabled)(const struct memlab_gpio_hw *hw, unsigned int line);
	void (*irq_ack)(const struct memlab_gpio_hw *hw, unsigned int line);
	u32 (*irq_pending)(const struct memlab_gpio_hw *hw);
};

extern const struct memlab_gpio_variant memlab_gpio_pl061;
extern const struct memlab_gpio_variant memlab_gpio_rk3588;

/* PL061 register offsets (ARM DDI 0190B) */
#define MEMLAB_PL061_DATA	0x000	/* 0x000-0x3fc: address bits 9:2 mask */
#define MEMLAB_PL061_DIR	0x400
#define MEMLAB_PL061_IS		0x404
#define MEMLAB_PL061_IBE	0x408
#define MEMLAB_PL061_IEV	0x40c
#define MEMLAB_PL061_IE		0x410
#define MEMLAB_PL061_RIS	0x414
#define MEMLAB_PL061_MIS	0x418
#define MEMLAB_PL061_IC		0x41c
#define MEMLAB_PL061_AFSEL	0x420
#define MEMLAB_PL061_PERIPHID0	0xfe0
#define MEMLAB_PL061_PCELLID0	0xff0

/* Rockchip GPIO v2 register offsets (RK3588 TRM part 1, GPIO chapter) */
#define MEMLAB_RKGPIO_DR	0x00	/* _L at +0, _H at +4 for the split ones */
#define MEMLAB_RKGPIO_DDR	0x08
#define MEMLAB_RKGPIO_INT_EN	0x10
#define MEMLAB_RKGPIO_INT_MASK	0x18
#define MEMLAB_RKGPIO_INT_TYPE	0x20
#define MEMLAB_RKGPIO_INT_POL	0x28
#define MEMLAB_RKGPIO_INT_BOTH	0x30
#define MEMLAB_RKGPIO_DEBOUNCE	0x38
#define MEMLAB_RKGPIO_DBCLK_EN	0x40
#define MEMLAB_RKGPIO_DBCLK_CON	0x48
#define MEMLAB_RKGPIO_INT_STAT	0x50
#define MEMLAB_RKGPIO_INT_RAW	0x58
#define MEMLAB_RKGPIO_EOI	0x60
#define MEMLAB_RKGPIO_EXT_PORT	0x70
#define MEMLAB_RKGPIO_VER_ID	0x78

/* VER_ID values of the v2 banks (RK3568: 0x01000c2b, RK3588: 0x0101157c) */
#define MEMLAB_RKGPIO_V2	0x01000c2b
#define MEMLAB_RKGPIO_V2_1	0x0101157c

int memlab_gpio_hw_get_direction(const struct memlab_gpio_hw *hw,
				 unsigned int line);
int memlab_gpio_hw_set_direction(const struct memlab_gpio_hw *hw,
				 unsigned int line, bool output, int value);
int memlab_gpio_hw_get(const struct memlab_gpio_hw *hw, unsigned int line);
int memlab_gpio_hw_set(const struct memlab_gpio_hw *hw, unsigned int line,
		       int value);
int memlab_gpio_hw_get_multiple(const struct memlab_gpio_hw *hw, u32 mask,
				u32 *bits);
int memlab_gpio_hw_set_multiple(const struct memlab_gpio_hw *hw, u32 mask,
				u32 bits);
int memlab_gpio_hw_irq_set_type(const struct memlab_gpio_hw *hw,
				unsigned int line, unsigned int type);
int memlab_gpio_hw_irq_get_type(const struct memlab_gpio_hw *hw,
				unsigned int line);
int memlab_gpio_hw_irq_enable(const struct memlab_gpio_hw *hw,
			      unsigned int line, bool on);
int memlab_gpio_hw_irq_ack(const struct memlab_gpio_hw *hw, unsigned int line);
int memlab_gpio_hw_mmio_check(const struct memlab_gpio_hw *hw, u64 window,
			      size_t size, loff_t pos);

#define MEMLAB_GPIO_SHARE_MAX	32

/**
 * struct memlab_gpio_share - the lines of a bank shared with its stock driver
 * @n: how many; they are offsets 0 to @n - 1 of memlab's gpio_chip
 * @line: the bank line behind each of those offsets
 * @mask: the bank lines shared, bit n for line n: the only ones written
 */
struct memlab_gpio_share {
	unsigned int n;
	u8 line[MEMLAB_GPIO_SHARE_MAX];
	u32 mask;
};

int memlab_gpio_share_init(struct memlab_gpio_share *sh,
			   const struct memlab_gpio_hw *hw, const u32 *lines,
			   unsigned int n, unsigned int *bad);
u32 memlab_gpio_share_to_bank(const struct memlab_gpio_share *sh,
			      unsigned long mask, unsigned long bits,
			      u32 *bank_bits);
int memlab_gpio_share_get_multiple(const struct memlab_gpio_hw *hw,
				   const struct memlab_gpio_share *sh,
				   unsigned long mask, unsigned long *bits);
int memlab_gpio_share_set_multiple(const struct memlab_gpio_hw *hw,
				   const struct memlab_gpio_share *sh,
				   unsigned long mask, unsigned long bits);
int memlab_gpio_share_set_direction(const struct memlab_gpio_hw *hw,
				    const struct memlab_gpio_share *sh,
				    unsigned int offset, bool output, int value);

#endif
