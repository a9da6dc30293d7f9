/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab's parsers for what users type: sizes (module parameters), counts
 * (debugfs writes) and addresses (pt/walk). One of each, shared by every
 * parameter and file that takes that kind of input, so that the docs can
 * describe each kind once. Header-only, so that a module uses them without
 * depending on another module.
 *
 * All of them are strict: decimal digits with no sign, no space and no
 * leading zero (0 itself aside: "010" is neither ten nor eight, it is
 * refused), no overflow, and -EINVAL for everything else. The kernel's
 * memparse() and kstrto*() with base 0 accept octal, hex, more suffixes
 * and (memparse) wrap past 2^64; these do not.
 */
#ifndef _MEMLAB_PARSE_H
#define _MEMLAB_PARSE_H

#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>

/* The longest count a debugfs file takes: 20 digits and a newline. */
#define MEMLAB_PARSE_COUNT_MAX	21

/**
 * memlab_parse_dec() - parse exactly @len bytes as a decimal number
 * @s: the digits, not necessarily NUL-terminated
 * @len: their number
 * @res: the value, set only on success
 *
 * Context: Any context.
 * Return: 0, or -EINVAL when @len is 0, a byte is not a digit (a NUL
 * included), the number has a leading zero or does not fit 64 bits.
 */
static inline int memlab_parse_dec(const char *s, size_t len, u64 *res)
{
	u64 v = 0;
	size_t i;

	if (!len || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (check_mul_overflow(v, 10ULL, &v) ||
		    check_add_overflow(v, (u64)(s[i] - '0'), &v))
			return -EINVAL;
	}
	*res = v;
	return 0;
}

/**
 * memlab_parse_size() - parse a size module parameter
 * @val: the NUL-terminated value, as the module loader or sysfs hands it
 * @res: the size in bytes, set only on success
 *
 * A decimal number, then at most one of the suffixes K, M and G (upper
 * case only: 2^10, 2^20 and 2^30), then at most one newline (a sysfs
 * write of echo's output). The caller checks its parameter's own range
 * and alignment.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL for anything else and for a size past 2^64 - 1.
 */
static inline int memlab_parse_size(const char *val, u64 *res)
{
	size_t len = strlen(val);
	unsigned int shift = 0;
	u64 v;

	if (len && val[len - 1] == '\n')
		len--;
	if (len) {
		switch (val[len - 1]) {
		case 'K':
			shift = 10;
			break;
		case 'M':
			shift = 20;
			break;
		case 'G':
			shift = 30;
			break;
		}
	}
	if (shift)
		len--;
	if (memlab_parse_dec(val, len, &v) || check_mul_overflow(v, 1ULL << shift, &v))
		return -EINVAL;
	*res = v;
	return 0;
}

/**
 * memlab_parse_count() - parse a count written to a debugfs file
 * @buf: the bytes written, not NUL-terminated
 * @count: their number
 * @min: the smallest count the file takes
 * @max: the largest
 * @res: the count, set only on success
 *
 * The whole write is the number: decimal digits, at most one trailing
 * newline, nothing after it (a NUL included), at most
 * MEMLAB_PARSE_COUNT_MAX bytes.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL for anything else, a count outside @min..@max
 * included.
 */
static inline int memlab_parse_count(const char *buf, size_t count, u64 min, u64 max,
				     u64 *res)
{
	u64 v;

	if (count > MEMLAB_PARSE_COUNT_MAX)
		return -EINVAL;
	if (count && buf[count - 1] == '\n')
		count--;
	if (memlab_parse_dec(buf, count, &v) || v < min || v > max)
		return -EINVAL;
	*res = v;
	return 0;
}

/**
 * memlab_parse_count_from_user() - memlab_parse_count() of a user buffer
 * @ubuf: the user's buffer
 * @count: the number of bytes written
 * @min: the smallest count the file takes
 * @max: the largest
 * @res: the count, set only on success
 *
 * Context: Process context; may fault in @ubuf.
 * Return: 0, -EFAULT when @ubuf cannot be read, or -EINVAL as
 * memlab_parse_count() (a write too long to be a count is not read).
 */
static inline int memlab_parse_count_from_user(const char __user *ubuf, size_t count,
					       u64 min, u64 max, u64 *res)
{
	char buf[MEMLAB_PARSE_COUNT_MAX];

	if (count > sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	return memlab_parse_count(buf, count, min, max, res);
}

/**
 * memlab_parse_va() - parse exactly @len bytes as a virtual address
 * @s: the address, not necessarily NUL-terminated
 * @len: its length
 * @res: the address, set only on success
 *
 * "0x" and 1 to 16 hexadecimal digits (either case), or a decimal number
 * as memlab_parse_dec() takes it. No octal: a leading zero is refused.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL for anything else.
 */
static inline int memlab_parse_va(const char *s, size_t len, u64 *res)
{
	u64 v = 0;
	size_t i;

	if (len < 2 || s[0] != '0' || s[1] != 'x')
		return memlab_parse_dec(s, len, res);
	if (len == 2 || len > 2 + 16)
		return -EINVAL;
	for (i = 2; i < len; i++) {
		char c = s[i] | 0x20;	/* lower case for letters */

		if (s[i] >= '0' && s[i] <= '9')
			v = v << 4 | (s[i] - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (c - 'a' + 10);
		else
			return -EINVAL;
	}
	*res = v;
	return 0;
}

#endif
