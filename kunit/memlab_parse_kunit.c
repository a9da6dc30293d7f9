// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for include/memlab/parse.h: every input class the docs name
 * for sizes (docs/alloc.rst, docs/dev.rst), counts (docs/gpio.rst) and
 * addresses (docs/pt.rst), each against the errno the docs give. One table
 * per parser; a row is an input (with its length, so that embedded NULs
 * count), the errno and, when accepted, the value.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sizes.h>

#include <memlab/parse.h>

struct parse_case {
	const char *in;
	size_t len;	/* 0: strlen(in) */
	int err;
	u64 val;
};

#define OK(s, v)	{ .in = s, .val = v }
#define BAD(s)		{ .in = s, .err = -EINVAL }
#define BADN(s, n)	{ .in = s, .len = n, .err = -EINVAL }

static size_t case_len(const struct parse_case *c)
{
	return c->len ? c->len : strlen(c->in);
}

static const struct parse_case size_cases[] = {
	OK("0", 0), OK("4096", SZ_4K), OK("4096\n", SZ_4K), OK("4K", SZ_4K),
	OK("16M", SZ_16M), OK("1G", SZ_1G), OK("1048576K", SZ_1G),
	OK("12345", 12345),		/* the caller checks the alignment */
	OK("18446744073709551615", U64_MAX),
	OK("17179869183G", 17179869183ULL << 30),
	/* past 2^64: refused, not wrapped */
	BAD("18446744073709551616"), BAD("18446744073709555712"),
	BAD("17179869184G"), BAD("18014398509481984K"),
	BAD("99999999999999999999999999"),
	/* other bases, suffixes and signs */
	BAD("0x1000"), BAD("0X1000"), BAD("010000"), BAD("00"), BAD("04096"),
	BAD("4T"), BAD("1P"), BAD("16E"), BAD("0E"), BAD("4k"), BAD("16m"),
	BAD("1g"), BAD("4KB"), BAD("4KK"), BAD("4K4"), BAD("K"), BAD("+4096"),
	BAD("-4096"), BAD("-1"),
	/* whitespace, emptiness, junk */
	BAD(""), BAD("\n"), BAD(" 4096"), BAD("4096 "), BAD("4 096"), BAD("\t4096"),
	BAD("4096\n\n"), BAD("4096\r\n"), BAD("4K\n\n"), BAD("4096x"), BAD("junk"),
};

static const struct parse_case count_cases[] = {
	OK("1", 1), OK("1\n", 1), OK("100000000", 100000000),
	OK("100000000\n", 100000000), OK("4096", 4096),
	BAD("0"), BAD("0\n"), BAD("100000001"), BAD("4294967296"), BAD("4294967297"),
	BAD("18446744073709551616"), BAD("999999999999999999999"),
	BAD("0x10"), BAD("0X10"), BAD("010"), BAD("08"), BAD("00"), BAD("1e3"),
	BAD("+5"), BAD("-1"), BAD(""), BAD("\n"), BAD(" 5"), BAD("5 "), BAD("\t5"),
	BAD("5\n\n"), BAD("5\r\n"), BAD("5x"), BAD("junk"),
	BADN("5\0", 2), BADN("5\0junk", 6), BADN("5\n\0", 3), BADN("\0", 1),
	/* longer than any count: refused before it is read */
	BAD("0000000000000000000005"), BAD("0000000000000000000000000000000000000005"),
};

static const struct parse_case va_cases[] = {
	OK("0", 0), OK("4096", 4096), OK("0x1000", 0x1000), OK("0xabcDEF", 0xabcdef),
	OK("0x0000ffff00001000", 0xffff00001000ULL),
	OK("0xffffffffffffffff", U64_MAX), OK("18446744073709551615", U64_MAX),
	BAD("0x10000000000000000"), BAD("0x00000000000000001"),
	BAD("18446744073709551616"), BAD("0x"), BAD("0X1000"), BAD("x1000"),
	BAD("010000"), BAD("00"), BAD("0x1000g"), BAD("0x-1"), BAD("+4096"),
	BAD("-4096"), BAD(""), BAD(" 4096"), BAD("4096 "), BAD("4096\n"),
	BADN("0x1\0junk", 8),
};

/* Each size class of the docs: the value or -EINVAL. */
static void memlab_parse_test_size(struct kunit *test)
{
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(size_cases); i++) {
		const struct parse_case *c = &size_cases[i];

		v = 0xdead;
		KUNIT_EXPECT_EQ_MSG(test, memlab_parse_size(c->in, &v), c->err,
				    "size \"%s\"", c->in);
		KUNIT_EXPECT_EQ_MSG(test, v, c->err ? 0xdead : c->val, "size \"%s\"", c->in);
	}
}

/* Each count class of the docs, with bench's range 1..10^8. */
static void memlab_parse_test_count(struct kunit *test)
{
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(count_cases); i++) {
		const struct parse_case *c = &count_cases[i];

		v = 0xdead;
		KUNIT_EXPECT_EQ_MSG(test, memlab_parse_count(c->in, case_len(c), 1, 100000000, &v),
				    c->err, "count \"%s\" (%zu bytes)", c->in, case_len(c));
		KUNIT_EXPECT_EQ_MSG(test, v, c->err ? 0xdead : c->val, "count \"%s\"", c->in);
	}
}

/* The full range: 0 and 2^64 - 1 are counts when the caller allows them. */
static void memlab_parse_test_count_range(struct kunit *test)
{
	u64 v;

	KUNIT_EXPECT_EQ(test, memlab_parse_count("0", 1, 0, U64_MAX, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0ULL);
	KUNIT_EXPECT_EQ(test, memlab_parse_count("18446744073709551615\n", 21, 0, U64_MAX, &v),
			0);
	KUNIT_EXPECT_EQ(test, v, U64_MAX);
	KUNIT_EXPECT_EQ(test, memlab_parse_count("18446744073709551616", 20, 0, U64_MAX, &v),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_parse_count("5", 1, 6, 10, &v), -EINVAL);
}

/* Each address class of docs/pt.rst (one word, the newline already gone). */
static void memlab_parse_test_va(struct kunit *test)
{
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(va_cases); i++) {
		const struct parse_case *c = &va_cases[i];

		v = 0xdead;
		KUNIT_EXPECT_EQ_MSG(test, memlab_parse_va(c->in, case_len(c), &v), c->err,
				    "address \"%s\"", c->in);
		KUNIT_EXPECT_EQ_MSG(test, v, c->err ? 0xdead : c->val, "address \"%s\"", c->in);
	}
}

static struct kunit_case memlab_parse_test_cases[] = {
	KUNIT_CASE(memlab_parse_test_size),
	KUNIT_CASE(memlab_parse_test_count),
	KUNIT_CASE(memlab_parse_test_count_range),
	KUNIT_CASE(memlab_parse_test_va),
	{}
};

static struct kunit_suite memlab_parse_test_suite = {
	.name = "memlab_parse",
	.test_cases = memlab_parse_test_cases,
};

kunit_test_suite(memlab_parse_test_suite);

MODULE_DESCRIPTION("KUnit tests for memlab's input parsers");
MODULE_LICENSE("GPL");
