// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for memlab_gpio's register logic (modules/gpio/hw.h), for
 * the PL061 and the Rockchip GPIO v2 bank, against a register block in
 * memory, so they run on any kernel with KUnit. Memory keeps what was
 * written last, whole: a PL061 data write shows at the address it used, a
 * Rockchip write shows its write-enable half, so each case checks the
 * exact address and value of every access. Each case starts from a zeroed
 * 4 KiB block. Share mode's writes (share.c) are checked the same way:
 * only the shared lines' bits are ever written.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/irq.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/string.h>

#include <memlab/kunit_visibility.h>

/* modules/gpio/, through kunit/Kbuild's include path */
#include "hw.h"

#define FAKE_SIZE	0x1000

struct gpio_ctx {
	u32 *regs;			/* the fake register block */
	struct memlab_gpio_hw pl061;
	struct memlab_gpio_hw rk;
};

static int memlab_gpio_test_init(struct kunit *test)
{
	struct gpio_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->regs = kunit_kzalloc(test, FAKE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->regs);
	ctx->pl061.base = (void __iomem __force *)ctx->regs;
	ctx->pl061.variant = &memlab_gpio_pl061;
	ctx->rk.base = (void __iomem __force *)ctx->regs;
	ctx->rk.variant = &memlab_gpio_rk3588;
	test->priv = ctx;
	return 0;
}

/* The 32-bit word at byte offset @off of the fake block */
static u32 *reg(struct kunit *test, u32 off)
{
	struct gpio_ctx *ctx = test->priv;

	return &ctx->regs[off / 4];
}

/* Number of non-zero words in the block, to see that nothing else moved */
static unsigned int nonzero_words(struct kunit *test)
{
	unsigned int i, n = 0;

	for (i = 0; i < FAKE_SIZE / 4; i++)
		n += !!*reg(test, 4 * i);
	return n;
}

/*
 * PL061 GPIODATA: line 3 alone is written at 0x000 + (BIT(3) << 2) = 0x020.
 *
 *   0x000 ... 0x020 ... 0x3fc
 *     0        0x08      0      after set(3, 1)
 */
static void memlab_gpio_test_pl061_set_masked(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set(&ctx->pl061, 3, 1), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, 0x020), 0x08u);
	KUNIT_EXPECT_EQ(test, nonzero_words(test), 1u);

	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set(&ctx->pl061, 3, 0), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, 0x020), 0u);

	/* Any non-zero value is 1; line 7 is at 0x200 */
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set(&ctx->pl061, 7, 42), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, 0x200), 0x80u);
	KUNIT_EXPECT_EQ(test, nonzero_words(test), 1u);
}

/* A read goes through the masked address too, not the all-lines one */
static void memlab_gpio_test_pl061_get_masked(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;

	*reg(test, 0x3fc) = 0xff;
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get(&ctx->pl061, 3), 0);
	*reg(test, 0x020) = 0x08;
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get(&ctx->pl061, 3), 1);
	/* A bit of another line at line 3's address does not count */
	*reg(test, 0x020) = 0xf7;
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get(&ctx->pl061, 3), 0);
}

/* Several lines in one access at (mask << 2), bits outside mask dropped */
static void memlab_gpio_test_pl061_multiple(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;
	u32 bits = 0xdead;

	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set_multiple(&ctx->pl061, 0x0c, 0xff), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, 0x0c << 2), 0x0cu);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set_multiple(&ctx->pl061, 0x0c, 0x04), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, 0x0c << 2), 0x04u);

	*reg(test, 0x81 << 2) = 0x81;
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_multiple(&ctx->pl061, 0x81, &bits), 0);
	KUNIT_EXPECT_EQ(test, bits, 0x81u);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_multiple(&ctx->pl061, 0x01, &bits), 0);
	KUNIT_EXPECT_EQ(test, bits, 0u);	/* *reg(0x004) is 0 */
}

/*
 * GPIODIR is a read-modify-write: other lines keep their direction.
 *
 *   GPIODIR 1000 0001 -> out 5 -> 1010 0001 -> in 5 -> 1000 0001
 */
static void memlab_gpio_test_pl061_direction(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;

	*reg(test, MEMLAB_PL061_DIR) = 0x81;
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_direction(&ctx->pl061, 0), 1);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_direction(&ctx->pl061, 5), 0);

	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set_direction(&ctx->pl061, 5, true, 1), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_PL061_DIR), 0xa1u);
	KUNIT_EXPECT_EQ(test, *reg(test, BIT(5) << 2), BIT(5));
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_direction(&ctx->pl061, 5), 1);

	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set_direction(&ctx->pl061, 5, false, 1), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_PL061_DIR), 0x81u);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_direction(&ctx->pl061, 5), 0);

	/* An output at 0 writes 0 at its data address */
	*reg(test, BIT(2) << 2) = 0xff;
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set_direction(&ctx->pl061, 2, true, 0), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, BIT(2) << 2), 0u);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_PL061_DIR), 0x85u);
}

struct trigger_case {
	unsigned int type;
	u32 is, ibe, iev;		/* PL061 bits for the line */
	u32 edge, pol, both;		/* Rockchip bits for the line */
};

static const struct trigger_case triggers[] = {
	{ IRQ_TYPE_EDGE_RISING,  0, 0, 1,  1, 1, 0 },
	{ IRQ_TYPE_EDGE_FALLING, 0, 0, 0,  1, 0, 0 },
	{ IRQ_TYPE_EDGE_BOTH,    0, 1, 0,  1, 0, 1 },
	{ IRQ_TYPE_LEVEL_HIGH,   1, 0, 1,  0, 1, 0 },
	{ IRQ_TYPE_LEVEL_LOW,    1, 0, 0,  0, 0, 0 },
};

/* IS/IBE/IEV of line 6 follow the trigger; other lines' bits stay set */
static void memlab_gpio_test_pl061_irq_type(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;
	const u32 bit = BIT(6), others = 0xff & ~BIT(6);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(triggers); i++) {
		const struct trigger_case *t = &triggers[i];

		*reg(test, MEMLAB_PL061_IS) = t->is ? others : 0xff;
		*reg(test, MEMLAB_PL061_IBE) = t->ibe ? others : 0xff;
		*reg(test, MEMLAB_PL061_IEV) = t->iev ? others : 0xff;
		KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_set_type(&ctx->pl061, 6, t->type), 0);
		KUNIT_EXPECT_EQ_MSG(test, *reg(test, MEMLAB_PL061_IS),
				    t->is ? 0xffu : others, "type %u", t->type);
		KUNIT_EXPECT_EQ_MSG(test, *reg(test, MEMLAB_PL061_IBE),
				    t->ibe ? 0xffu : others, "type %u", t->type);
		KUNIT_EXPECT_EQ_MSG(test, *reg(test, MEMLAB_PL061_IEV) & bit,
				    t->iev ? bit : 0, "type %u", t->type);
		KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_get_type(&ctx->pl061, 6),
				(int)t->type);
	}
}

static void memlab_gpio_test_pl061_irq_mask_ack(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;

	*reg(test, MEMLAB_PL061_IE) = 0x01;
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_enable(&ctx->pl061, 3, true), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_PL061_IE), 0x09u);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_enable(&ctx->pl061, 3, false), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_PL061_IE), 0x01u);

	/* GPIOIC is write-one-to-clear: exactly the line's bit, no RMW */
	*reg(test, MEMLAB_PL061_IC) = 0xff;
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_ack(&ctx->pl061, 3), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_PL061_IC), 0x08u);
}

static void memlab_gpio_test_pl061_id(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;
	static const u8 id[8] = { 0x61, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	unsigned int i;
	u32 got = 0;

	KUNIT_EXPECT_EQ(test, memlab_gpio_pl061.check_id(&ctx->pl061, &got), -ENODEV);
	for (i = 0; i < 8; i++)
		*reg(test, MEMLAB_PL061_PERIPHID0 + 4 * i) = id[i];
	KUNIT_EXPECT_EQ(test, memlab_gpio_pl061.check_id(&ctx->pl061, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 0x00141061u);
	/* A PL011 UART's part number */
	*reg(test, MEMLAB_PL061_PERIPHID0) = 0x11;
	KUNIT_EXPECT_EQ(test, memlab_gpio_pl061.check_id(&ctx->pl061, &got), -ENODEV);
}

/*
 * Rockchip: line 20 lives in SWPORT_DR_H, bit 4, enable bit 20.
 *
 *   DR_L 0x00000000   DR_H 0x00100010   after set(20, 1)
 *   DR_L 0x00080000                     after set(3, 0)
 */
static void memlab_gpio_test_rk_write_enable(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set(&ctx->rk, 20, 1), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_DR + 4), 0x00100010u);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_DR), 0u);
	KUNIT_EXPECT_EQ(test, nonzero_words(test), 1u);

	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set(&ctx->rk, 3, 0), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_DR), 0x00080000u);

	/* One write per half a mask touches, with only those enables */
	memset(ctx->regs, 0, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set_multiple(&ctx->rk, 0x00018001, 0x00010001), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_DR), 0x80010001u);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_DR + 4), 0x00010001u);
	memset(ctx->regs, 0, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set_multiple(&ctx->rk, 0xffff0000, 0xffffffff), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_DR), 0u);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_DR + 4), 0xffffffffu);
}

/* The level comes first, then the direction; input leaves DR alone */
static void memlab_gpio_test_rk_direction(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set_direction(&ctx->rk, 17, true, 1), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_DR + 4), 0x00020002u);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_DDR + 4), 0x00020002u);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_direction(&ctx->rk, 17), 1);

	*reg(test, MEMLAB_RKGPIO_DR + 4) = 0;
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set_direction(&ctx->rk, 17, false, 1), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_DDR + 4), 0x00020000u);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_DR + 4), 0u);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_direction(&ctx->rk, 17), 0);

	/* Read back, the write enables (upper halves) are not line bits */
	*reg(test, MEMLAB_RKGPIO_DDR) = 0xffff0000;
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_direction(&ctx->rk, 0), 0);
}

/* Levels come from EXT_PORT, a plain 32-bit register */
static void memlab_gpio_test_rk_get(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;
	u32 bits;

	*reg(test, MEMLAB_RKGPIO_EXT_PORT) = BIT(31) | BIT(16);
	*reg(test, MEMLAB_RKGPIO_DR) = 0xffff;
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get(&ctx->rk, 31), 1);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get(&ctx->rk, 0), 0);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_multiple(&ctx->rk, 0x0001ffff, &bits), 0);
	KUNIT_EXPECT_EQ(test, bits, BIT(16));
}

static void memlab_gpio_test_rk_irq_type(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(triggers); i++) {
		const struct trigger_case *t = &triggers[i];

		memset(ctx->regs, 0, FAKE_SIZE);
		KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_set_type(&ctx->rk, 18, t->type), 0);
		/* line 18: _H word, bit 2, enable bit 18 */
		KUNIT_EXPECT_EQ_MSG(test, *reg(test, MEMLAB_RKGPIO_INT_TYPE + 4),
				    BIT(18) | t->edge << 2, "type %u", t->type);
		KUNIT_EXPECT_EQ_MSG(test, *reg(test, MEMLAB_RKGPIO_INT_POL + 4),
				    BIT(18) | t->pol << 2, "type %u", t->type);
		KUNIT_EXPECT_EQ_MSG(test, *reg(test, MEMLAB_RKGPIO_INT_BOTH + 4),
				    BIT(18) | t->both << 2, "type %u", t->type);
		KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_INT_TYPE), 0u);
		KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_get_type(&ctx->rk, 18),
				(int)t->type);
	}
}

static void memlab_gpio_test_rk_irq_mask_ack(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_enable(&ctx->rk, 1, true), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_INT_EN), 0x00020002u);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_INT_MASK), 0x00020000u);
	KUNIT_EXPECT_TRUE(test, memlab_gpio_rk3588.irq_enabled(&ctx->rk, 1));
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_enable(&ctx->rk, 1, false), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_INT_MASK), 0x00020002u);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_INT_EN), 0x00020000u);
	KUNIT_EXPECT_FALSE(test, memlab_gpio_rk3588.irq_enabled(&ctx->rk, 1));

	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_ack(&ctx->rk, 30), 0);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_EOI + 4), 0x40004000u);
	KUNIT_EXPECT_EQ(test, *reg(test, MEMLAB_RKGPIO_EOI), 0u);

	*reg(test, MEMLAB_RKGPIO_INT_STAT) = 0x80000001;
	KUNIT_EXPECT_EQ(test, memlab_gpio_rk3588.irq_pending(&ctx->rk), 0x80000001u);
}

static void memlab_gpio_test_rk_id(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;
	u32 got;

	*reg(test, MEMLAB_RKGPIO_VER_ID) = MEMLAB_RKGPIO_V2_1;
	KUNIT_EXPECT_EQ(test, memlab_gpio_rk3588.check_id(&ctx->rk, &got), 0);
	KUNIT_EXPECT_EQ(test, got, (u32)MEMLAB_RKGPIO_V2_1);
	*reg(test, MEMLAB_RKGPIO_VER_ID) = MEMLAB_RKGPIO_V2;
	KUNIT_EXPECT_EQ(test, memlab_gpio_rk3588.check_id(&ctx->rk, &got), 0);
	/* A v1 bank (RK3399) has no VER_ID: it reads 0 */
	*reg(test, MEMLAB_RKGPIO_VER_ID) = 0;
	KUNIT_EXPECT_EQ(test, memlab_gpio_rk3588.check_id(&ctx->rk, &got), -ENODEV);
}

/* Every entry point refuses a line the controller lacks and writes nothing */
static void memlab_gpio_check_range(struct kunit *test, struct memlab_gpio_hw *hw)
{
	struct gpio_ctx *ctx = test->priv;
	unsigned int n = hw->variant->ngpio;
	u32 bits = 0;
	u32 *before;

	memset(ctx->regs, 0x5a, FAKE_SIZE);
	before = kunit_kmalloc(test, FAKE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	memcpy(before, ctx->regs, FAKE_SIZE);

	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_direction(hw, n), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set_direction(hw, n, true, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get(hw, n), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set(hw, n, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set(hw, UINT_MAX, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_set_type(hw, n, IRQ_TYPE_EDGE_BOTH), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_get_type(hw, n), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_enable(hw, n, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_ack(hw, n), -EINVAL);
	if (n < 32) {
		KUNIT_EXPECT_EQ(test, memlab_gpio_hw_set_multiple(hw, BIT(n), ~0u), -EINVAL);
		KUNIT_EXPECT_EQ(test, memlab_gpio_hw_get_multiple(hw, BIT(n), &bits), -EINVAL);
	}
	/* A trigger that is both level and edge, or both levels */
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_set_type(hw, 0, IRQ_TYPE_LEVEL_HIGH |
							   IRQ_TYPE_EDGE_RISING), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_hw_irq_set_type(hw, 0, IRQ_TYPE_LEVEL_MASK), -EINVAL);

	KUNIT_EXPECT_EQ(test, memcmp(before, ctx->regs, FAKE_SIZE), 0);
}

static void memlab_gpio_test_pl061_out_of_range(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;

	memlab_gpio_check_range(test, &ctx->pl061);
}

static void memlab_gpio_test_rk_out_of_range(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;

	memlab_gpio_check_range(test, &ctx->rk);
}

/* The regs report's tables cover what a controller has */
static void memlab_gpio_test_reg_tables(struct kunit *test)
{
	const struct memlab_gpio_variant *v[] = { &memlab_gpio_pl061, &memlab_gpio_rk3588 };
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		KUNIT_EXPECT_LE(test, v[i]->nr_regs, 32u);
		for (j = 0; j < v[i]->nr_regs; j++) {
			KUNIT_EXPECT_LT(test, v[i]->regs[j].offset + 4, v[i]->size + 1);
			KUNIT_EXPECT_EQ(test, v[i]->regs[j].offset % 4, 0u);
			if (j)
				KUNIT_EXPECT_GT(test, v[i]->regs[j].offset,
						v[i]->regs[j - 1].offset);
		}
	}
}

/*
 * Every access size against each controller's mmio rule: the PL061 takes
 * bytes, halfwords and words; the RK3588 GPIO v2 bank only words (its TRM
 * lists every register as word access), so 1 and 2 bytes are refused there.
 */
static void memlab_gpio_test_mmio_sizes(struct kunit *test)
{
	static const struct {
		const struct memlab_gpio_variant *v;
		u8 ok;			/* BIT(size) for the sizes it takes */
	} cases[] = {
		{ &memlab_gpio_pl061, BIT(1) | BIT(2) | BIT(4) },
		{ &memlab_gpio_rk3588, BIT(4) },
	};
	struct gpio_ctx *ctx = test->priv;
	unsigned int i, size;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct memlab_gpio_hw hw = { .base = ctx->pl061.base, .variant = cases[i].v };
		u64 window = cases[i].v->size;

		for (size = 0; size <= 8; size++) {
			int want = -EINVAL;

			if (cases[i].ok & BIT(size))
				want = 0;
			KUNIT_EXPECT_EQ_MSG(test, memlab_gpio_hw_mmio_check(&hw, window, size, 0),
					    want, "%s, %u bytes at 0", cases[i].v->name, size);
			if (want)
				continue;
			/* the last aligned place in the window, then just past it */
			KUNIT_EXPECT_EQ_MSG(test, memlab_gpio_hw_mmio_check(&hw, window, size,
									    window - size),
					    0, "%s, %u bytes at the end", cases[i].v->name, size);
			KUNIT_EXPECT_EQ_MSG(test, memlab_gpio_hw_mmio_check(&hw, window, size,
									    window),
					    -ENXIO, "%s, %u bytes past the end", cases[i].v->name,
					    size);
			if (size > 1)
				KUNIT_EXPECT_EQ_MSG(test,
						    memlab_gpio_hw_mmio_check(&hw, window, size, 1),
						    -EINVAL, "%s, %u bytes at 1", cases[i].v->name,
						    size);
		}
		KUNIT_EXPECT_EQ(test, memlab_gpio_hw_mmio_check(&hw, window, 4, -4), -EINVAL);
	}
}

/*
 * Share mode's line list: in range, each line once, 1 to 32 of them; the
 * first entry refused is reported.
 */
static void memlab_gpio_test_share_init(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;
	static const u32 ok[] = { 2, 17, 30 }, twice[] = { 4, 9, 4 };
	static const u32 rk_range[] = { 0, 32 }, pl061_range[] = { 8 };
	u32 many[MEMLAB_GPIO_SHARE_MAX + 1] = { };
	struct memlab_gpio_share sh;
	unsigned int bad;

	KUNIT_EXPECT_EQ(test, memlab_gpio_share_init(&sh, &ctx->rk, ok, 3, &bad), 0);
	KUNIT_EXPECT_EQ(test, sh.n, 3u);
	KUNIT_EXPECT_EQ(test, sh.mask, BIT(2) | BIT(17) | BIT(30));
	KUNIT_EXPECT_EQ(test, sh.line[1], 17);

	KUNIT_EXPECT_EQ(test, memlab_gpio_share_init(&sh, &ctx->rk, twice, 3, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, bad, 2u);
	KUNIT_EXPECT_EQ(test, sh.n, 0u);
	KUNIT_EXPECT_EQ(test, memlab_gpio_share_init(&sh, &ctx->rk, rk_range, 2, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, bad, 1u);
	KUNIT_EXPECT_EQ(test, memlab_gpio_share_init(&sh, &ctx->pl061, pl061_range, 1, &bad),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_share_init(&sh, &ctx->rk, ok, 0, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_share_init(&sh, &ctx->rk, many,
						     ARRAY_SIZE(many), &bad), -EINVAL);
}

/* The split registers of a Rockchip bank, _L at +0 and _H at +4 */
static const u32 rk_split[] = {
	MEMLAB_RKGPIO_DR, MEMLAB_RKGPIO_DDR, MEMLAB_RKGPIO_INT_EN,
	MEMLAB_RKGPIO_INT_MASK, MEMLAB_RKGPIO_INT_TYPE, MEMLAB_RKGPIO_INT_POL,
	MEMLAB_RKGPIO_INT_BOTH, MEMLAB_RKGPIO_DEBOUNCE, MEMLAB_RKGPIO_DBCLK_EN,
	MEMLAB_RKGPIO_EOI,
};

/*
 * Rockchip share mode, random levels and directions on lines 1, 15, 16
 * and 31 (both ends of both halves). After each operation, from a zeroed
 * block: only DR and DDR were written; every written word's enable half
 * covers shared lines only, and its value bits only enabled ones; each
 * line the operation named reads back as asked.
 *
 *   DR_L  0x8002xxxx   enables: lines 1 and 15 at most
 *   DR_H  0x8001xxxx   enables: lines 16 and 31 at most
 */
static void memlab_gpio_test_rk_share_writes(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;
	static const u32 lines[] = { 1, 15, 16, 31 };
	struct memlab_gpio_share sh;
	struct rnd_state rnd;
	unsigned int bad, i, j, k;
	u32 seed = get_random_u32();

	kunit_info(test, "seed %u\n", seed);
	prandom_seed_state(&rnd, seed);
	KUNIT_ASSERT_EQ(test, memlab_gpio_share_init(&sh, &ctx->rk, lines,
						     ARRAY_SIZE(lines), &bad), 0);
	for (i = 0; i < 1000; i++) {
		u32 r = prandom_u32_state(&rnd);
		unsigned long mask = r & 0xf, bits = (r >> 4) & 0xf;
		unsigned int offset = (r >> 8) & 3;
		bool dir = r & BIT(10), output = r & BIT(11);
		u32 want_reg = dir ? MEMLAB_RKGPIO_DDR : MEMLAB_RKGPIO_DR;

		memset(ctx->regs, 0, FAKE_SIZE);
		if (dir)
			KUNIT_ASSERT_EQ(test, memlab_gpio_share_set_direction(&ctx->rk, &sh, offset,
									      output, bits & 1), 0);
		else
			KUNIT_ASSERT_EQ(test, memlab_gpio_share_set_multiple(&ctx->rk, &sh,
									     mask, bits), 0);

		for (j = 0; j < ARRAY_SIZE(rk_split); j++) {
			for (k = 0; k < 2; k++) {
				u32 w = *reg(test, rk_split[j] + 4 * k);
				u32 shared = (sh.mask >> (16 * k)) & 0xffff;

				if (rk_split[j] != MEMLAB_RKGPIO_DR &&
				    rk_split[j] != MEMLAB_RKGPIO_DDR)
					KUNIT_ASSERT_EQ_MSG(test, w, 0u, "seed %u, op %u, reg 0x%x",
							    seed, i, rk_split[j] + 4 * k);
				KUNIT_ASSERT_EQ_MSG(test, (w >> 16) & ~shared, 0u,
						    "seed %u, op %u: 0x%08x at 0x%x enables unshared lines",
						    seed, i, w, rk_split[j] + 4 * k);
				KUNIT_ASSERT_EQ_MSG(test, w & 0xffff & ~(w >> 16), 0u,
						    "seed %u, op %u: 0x%08x at 0x%x", seed, i, w,
						    rk_split[j] + 4 * k);
			}
		}
		/* What was asked is what the words say */
		for (j = 0; j < ARRAY_SIZE(lines); j++) {
			bool named = dir ? j == offset : mask & BIT(j);
			bool level = dir ? output : bits & BIT(j);
			u32 w = *reg(test, want_reg + 4 * (lines[j] / 16));
			u32 b = BIT(lines[j] % 16);

			if (!named)
				continue;
			KUNIT_ASSERT_TRUE_MSG(test, w & (b << 16), "seed %u, op %u, line %u",
					      seed, i, lines[j]);
			KUNIT_ASSERT_EQ_MSG(test, !!(w & b), level, "seed %u, op %u, line %u",
					    seed, i, lines[j]);
		}
	}
	/* An offset past the shared lines writes nothing */
	memset(ctx->regs, 0, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, memlab_gpio_share_set_direction(&ctx->rk, &sh, 4, true, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_gpio_share_set_multiple(&ctx->rk, &sh, BIT(4), BIT(4)), 0);
	KUNIT_EXPECT_EQ(test, nonzero_words(test), 0u);
}

/*
 * PL061 share mode on lines 3, 5 and 6: levels go through the masked
 * GPIODATA address of the lines asked, never another; a direction is not
 * memlab's to set (GPIODIR is a read-modify-write), so nothing is written.
 */
static void memlab_gpio_test_pl061_share_writes(struct kunit *test)
{
	struct gpio_ctx *ctx = test->priv;
	static const u32 lines[] = { 3, 5, 6 };
	struct memlab_gpio_share sh;
	struct rnd_state rnd;
	unsigned int bad, i, w;
	unsigned long levels;
	u32 seed = get_random_u32(), bank_bits, *before;

	kunit_info(test, "seed %u\n", seed);
	prandom_seed_state(&rnd, seed);
	before = kunit_kmalloc(test, FAKE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_EQ(test, memlab_gpio_share_init(&sh, &ctx->pl061, lines,
						     ARRAY_SIZE(lines), &bad), 0);
	for (i = 0; i < 300; i++) {
		u32 r = prandom_u32_state(&rnd);
		unsigned long mask = r & 7, bits = (r >> 3) & 7;
		u32 bank = memlab_gpio_share_to_bank(&sh, mask, bits, &bank_bits);

		memset(ctx->regs, 0xa5, FAKE_SIZE);
		memcpy(before, ctx->regs, FAKE_SIZE);
		KUNIT_ASSERT_EQ(test, memlab_gpio_share_set_multiple(&ctx->pl061, &sh, mask, bits),
				0);
		for (w = 0; w < FAKE_SIZE / 4; w++) {
			if (ctx->regs[w] == before[w])
				continue;
			KUNIT_ASSERT_EQ_MSG(test, w, bank, "seed %u, op %u: word 0x%x written",
					    seed, i, 4 * w);
			KUNIT_ASSERT_EQ_MSG(test, ctx->regs[w], bank_bits, "seed %u, op %u",
					    seed, i);
		}
		KUNIT_ASSERT_EQ(test, bank & ~sh.mask, 0u);
		KUNIT_ASSERT_EQ(test, memlab_gpio_share_set_direction(&ctx->pl061, &sh, r % 3,
								      true, 1), -EOPNOTSUPP);
		KUNIT_ASSERT_EQ(test, memcmp(before, ctx->regs, FAKE_SIZE) ? 1 : 0,
				bank ? 1 : 0);
	}

	/* Reads map back: bank line 5 high is memlab's offset 1 */
	memset(ctx->regs, 0, FAKE_SIZE);
	*reg(test, 0x68 << 2) = BIT(5);
	KUNIT_EXPECT_EQ(test, memlab_gpio_share_get_multiple(&ctx->pl061, &sh, 7, &levels), 0);
	KUNIT_EXPECT_EQ(test, levels, BIT(1));
}

static struct kunit_case memlab_gpio_regs_test_cases[] = {
	KUNIT_CASE(memlab_gpio_test_pl061_set_masked),
	KUNIT_CASE(memlab_gpio_test_pl061_get_masked),
	KUNIT_CASE(memlab_gpio_test_pl061_multiple),
	KUNIT_CASE(memlab_gpio_test_pl061_direction),
	KUNIT_CASE(memlab_gpio_test_pl061_irq_type),
	KUNIT_CASE(memlab_gpio_test_pl061_irq_mask_ack),
	KUNIT_CASE(memlab_gpio_test_pl061_id),
	KUNIT_CASE(memlab_gpio_test_pl061_out_of_range),
	KUNIT_CASE(memlab_gpio_test_rk_write_enable),
	KUNIT_CASE(memlab_gpio_test_rk_direction),
	KUNIT_CASE(memlab_gpio_test_rk_get),
	KUNIT_CASE(memlab_gpio_test_rk_irq_type),
	KUNIT_CASE(memlab_gpio_test_rk_irq_mask_ack),
	KUNIT_CASE(memlab_gpio_test_rk_id),
	KUNIT_CASE(memlab_gpio_test_rk_out_of_range),
	KUNIT_CASE(memlab_gpio_test_reg_tables),
	KUNIT_CASE(memlab_gpio_test_mmio_sizes),
	KUNIT_CASE(memlab_gpio_test_share_init),
	KUNIT_CASE(memlab_gpio_test_rk_share_writes),
	KUNIT_CASE(memlab_gpio_test_pl061_share_writes),
	{}
};

static struct kunit_suite memlab_gpio_regs_test_suite = {
	.name = "memlab_gpio_regs",
	.init = memlab_gpio_test_init,
	.test_cases = memlab_gpio_regs_test_cases,
};

kunit_test_suite(memlab_gpio_regs_test_suite);

MEMLAB_IMPORT_KUNIT_NS();
MODULE_DESCRIPTION("KUnit tests for memlab_gpio's register logic");
MODULE_LICENSE("GPL");
