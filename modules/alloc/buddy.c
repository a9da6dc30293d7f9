// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab buddy core
 *
 * A binary buddy allocator over an index space of pages. Every page has a
 * small descriptor (struct memlab_buddy_page) in a caller-supplied array,
 * so no allocator state lives in the memory it hands out. The first page
 * of each block records the block's order and whether it is free or used;
 * the other pages of a block are tails. Free blocks of each order sit on a
 * doubly linked list threaded through the descriptors by index, so a block
 * leaves its list in O(1) when its buddy is freed.
 *
 * Allocation takes the first block of the smallest non-empty order that
 * fits and splits it down, putting each upper half on its order's list.
 * Freeing looks at the buddy (index ^ (1 << order)); while it is a free
 * block of the same order the two merge. Both are O(max_order).
 *
 * Ranges need not be aligned to the largest order: memlab_buddy_add_range()
 * frees each range as the largest aligned blocks it holds, and pages never
 * added stay holes that never merge with anything.
 */
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/stdarg.h>
#include <linux/string.h>
#include <linux/types.h>

#include "buddy.h"

static const char *const memlab_misuse_names[MEMLAB_MISUSE_NR] = {
	[MEMLAB_MISUSE_NONE]		= "none",
	[MEMLAB_MISUSE_DOUBLE_FREE]	= "double_free",
	[MEMLAB_MISUSE_BAD_ADDRESS]	= "bad_address",
	[MEMLAB_MISUSE_WRONG_ORDER]	= "wrong_order",
	[MEMLAB_MISUSE_OUTSIDE]		= "outside_pool",
};

const char *memlab_buddy_misuse_name(enum memlab_buddy_misuse misuse)
{
	if ((unsigned int)misuse >= MEMLAB_MISUSE_NR)
		return "unknown";
	return memlab_misuse_names[misuse];
}

static void buddy_list_add(struct memlab_buddy *b, u32 idx, unsigned int order)
{
	struct memlab_buddy_page *pg = &b->pages[idx];
	u32 head = b->free_head[order];

	pg->state = MEMLAB_PG_FREE;
	pg->order = order;
	pg->prev = MEMLAB_BUDDY_NONE;
	pg->next = head;
	if (head != MEMLAB_BUDDY_NONE)
		b->pages[head].prev = idx;
	b->free_head[order] = idx;
	b->nr_free[order]++;
}

static void buddy_list_del(struct memlab_buddy *b, u32 idx)
{
	struct memlab_buddy_page *pg = &b->pages[idx];
	unsigned int order = pg->order;

	if (pg->prev != MEMLAB_BUDDY_NONE)
		b->pages[pg->prev].next = pg->next;
	else
		b->free_head[order] = pg->next;
	if (pg->next != MEMLAB_BUDDY_NONE)
		b->pages[pg->next].prev = pg->prev;
	pg->next = MEMLAB_BUDDY_NONE;
	pg->prev = MEMLAB_BUDDY_NONE;
	b->nr_free[order]--;
}

/* Put the block [idx, idx + 2^order) on the free lists, merging upwards. */
static void buddy_free_block(struct memlab_buddy *b, u32 idx, unsigned int order)
{
	while (order < b->max_order) {
		u32 buddy = idx ^ (1U << order);
		struct memlab_buddy_page *bp;

		if (buddy >= b->nr_pages)
			break;
		bp = &b->pages[buddy];
		/* A used buddy may be turning cached on another CPU (pool.c). */
		if (READ_ONCE(bp->state) != MEMLAB_PG_FREE || bp->order != order)
			break;
		buddy_list_del(b, buddy);
		bp->state = MEMLAB_PG_TAIL;
		b->stats[order].merges++;
		/* The merged block starts at the lower of the two. */
		if (buddy < idx) {
			b->pages[idx].state = MEMLAB_PG_TAIL;
			idx = buddy;
		}
		order++;
	}
	buddy_list_add(b, idx, order);
	b->merged_idx = idx;
	b->merged_order = order;
}

/**
 * memlab_buddy_init() - set up an empty buddy allocator
 * @b: the allocator
 * @pages: descriptor array of @nr_pages entries
 * @nr_pages: size of the index space
 * @max_order: largest block order, at most MEMLAB_BUDDY_MAX_ORDER
 *
 * Every page starts as a hole; memlab_buddy_add_range() makes pages free.
 *
 * Return: 0, or -EINVAL for an impossible size or order.
 */
int memlab_buddy_init(struct memlab_buddy *b, struct memlab_buddy_page *pages,
		      u32 nr_pages, unsigned int max_order)
{
	unsigned int o;
	u32 i;

	if (!nr_pages || nr_pages == MEMLAB_BUDDY_NONE ||
	    max_order > MEMLAB_BUDDY_MAX_ORDER)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	b->pages = pages;
	b->nr_pages = nr_pages;
	b->max_order = max_order;
	for (o = 0; o <= MEMLAB_BUDDY_MAX_ORDER; o++)
		b->free_head[o] = MEMLAB_BUDDY_NONE;
	for (i = 0; i < nr_pages; i++) {
		pages[i].next = MEMLAB_BUDDY_NONE;
		pages[i].prev = MEMLAB_BUDDY_NONE;
		pages[i].order = 0;
		pages[i].state = MEMLAB_PG_HOLE;
	}
	return 0;
}

/**
 * memlab_buddy_add_range() - hand pages [start, start + nr) to the allocator
 * @b: the allocator
 * @start: first page index
 * @nr: number of pages; the range is clipped to the index space
 *
 * The range is freed as the largest naturally aligned blocks it contains
 * and merged with free neighbours. Pages already managed are skipped.
 */
void memlab_buddy_add_range(struct memlab_buddy *b, u32 start, u32 nr)
{
	u32 end, i;

	if (start >= b->nr_pages)
		return;
	end = nr > b->nr_pages - start ? b->nr_pages : start + nr;
	i = start;
	while (i < end) {
		unsigned int order = 0;
		u32 j;

		if (b->pages[i].state != MEMLAB_PG_HOLE) {
			i++;
			continue;
		}
		while (order < b->max_order &&
		       !(i & ((2U << order) - 1)) &&
		       (u64)i + (2U << order) <= end)
			order++;
		/* Stop the block before any page that is already managed. */
		for (j = 1; j < (1U << order); j++) {
			if (b->pages[i + j].state != MEMLAB_PG_HOLE) {
				order = 0;
				while ((2U << order) <= j)
					order++;
				break;
			}
		}
		for (j = 0; j < (1U << order); j++)
			b->pages[i + j].state = MEMLAB_PG_TAIL;
		b->managed_pages += 1U << order;
		b->free_pages += 1U << order;
		buddy_free_block(b, i, order);
		i += 1U << order;
	}
}

/**
 * memlab_buddy_alloc() - allocate a block of 2^@order pages
 * @b: the allocator
 * @order: block order
 *
 * On success @b->taken_order is the order of the free block it took: above
 * @order when that block was split.
 *
 * Return: the index of the block's first page, -ENOMEM when no block is
 * free, or -EINVAL when @order exceeds the allocator's largest order.
 */
long memlab_buddy_alloc(struct memlab_buddy *b, unsigned int order)
{
	unsigned int o = order;
	u32 idx;

	if (order > b->max_order)
		return -EINVAL;
	while (o <= b->max_order && b->free_head[o] == MEMLAB_BUDDY_NONE)
		o++;
	if (o > b->max_order) {
		b->stats[order].fails++;
		return -ENOMEM;
	}
	idx = b->free_head[o];
	buddy_list_del(b, idx);
	b->taken_order = o;
	/* Split down, keeping the lower half and freeing the upper. */
	while (o > order) {
		b->stats[o].splits++;
		o--;
		buddy_list_add(b, idx + (1U << o), o);
	}
	b->pages[idx].state = MEMLAB_PG_USED;
	b->pages[idx].order = order;
	b->free_pages -= 1U << order;
	b->stats[order].allocs++;
	return idx;
}

/**
 * memlab_buddy_block_of() - the block that contains a page
 * @b: the allocator
 * @idx: a page index
 *
 * Return: the index of the first page of the free or used block holding
 * @idx, or MEMLAB_BUDDY_NONE for a hole.
 */
u32 memlab_buddy_block_of(const struct memlab_buddy *b, u32 idx)
{
	unsigned int o;

	if (idx >= b->nr_pages)
		return MEMLAB_BUDDY_NONE;
	for (o = 0; o <= b->max_order; o++) {
		u32 head = idx & ~((1U << o) - 1);
		const struct memlab_buddy_page *pg = &b->pages[head];

		if ((pg->state == MEMLAB_PG_FREE || pg->state == MEMLAB_PG_USED ||
		     pg->state == MEMLAB_PG_CACHED) &&
		    pg->order >= o && idx - head < (1U << pg->order))
			return head;
	}
	return MEMLAB_BUDDY_NONE;
}

/**
 * memlab_buddy_note_outside() - count a free of an address outside the pool
 * @b: the allocator
 */
void memlab_buddy_note_outside(struct memlab_buddy *b)
{
	b->misuse[MEMLAB_MISUSE_OUTSIDE]++;
}

/**
 * memlab_buddy_free() - free the block that starts at page @idx
 * @b: the allocator
 * @idx: the index memlab_buddy_alloc() returned
 * @order: the order it was allocated with
 * @misuse: set to the kind of misuse detected, or MEMLAB_MISUSE_NONE
 *
 * A double free, a free of anything but the first page of a used block and
 * a free with the wrong order change nothing but a counter. On success
 * @b->merged_idx and @b->merged_order are the free block it left: the one
 * freed, or the larger one it merged into.
 *
 * Return: 0, or -EINVAL when a misuse was detected.
 */
int memlab_buddy_free(struct memlab_buddy *b, u32 idx, unsigned int order,
		      enum memlab_buddy_misuse *misuse)
{
	enum memlab_buddy_misuse m = MEMLAB_MISUSE_NONE;
	struct memlab_buddy_page *pg;

	if (idx >= b->nr_pages) {
		m = MEMLAB_MISUSE_OUTSIDE;
		goto bad;
	}
	pg = &b->pages[idx];
	switch (pg->state) {
	case MEMLAB_PG_USED:
		if (pg->order != order)
			m = MEMLAB_MISUSE_WRONG_ORDER;
		break;
	case MEMLAB_PG_FREE:
	case MEMLAB_PG_CACHED:
		m = MEMLAB_MISUSE_DOUBLE_FREE;
		break;
	case MEMLAB_PG_HOLE:
		m = MEMLAB_MISUSE_OUTSIDE;
		break;
	default: {
		/* A tail: inside a used block, or a block freed and merged. */
		u32 head = memlab_buddy_block_of(b, idx);

		if (head != MEMLAB_BUDDY_NONE &&
		    (b->pages[head].state == MEMLAB_PG_FREE ||
		     b->pages[head].state == MEMLAB_PG_CACHED))
			m = MEMLAB_MISUSE_DOUBLE_FREE;
		else
			m = MEMLAB_MISUSE_BAD_ADDRESS;
		break;
	}
	}
	if (m != MEMLAB_MISUSE_NONE)
		goto bad;

	pg->state = MEMLAB_PG_TAIL;
	b->free_pages += 1U << order;
	b->stats[order].frees++;
	buddy_free_block(b, idx, order);
	if (misuse)
		*misuse = MEMLAB_MISUSE_NONE;
	return 0;
bad:
	b->misuse[m]++;
	if (misuse)
		*misuse = m;
	return -EINVAL;
}

/**
 * memlab_buddy_largest_free_order() - order of the largest free block
 * @b: the allocator
 *
 * Return: the order, or MEMLAB_BUDDY_NONE when nothing is free.
 */
u32 memlab_buddy_largest_free_order(const struct memlab_buddy *b)
{
	int o;

	for (o = b->max_order; o >= 0; o--)
		if (b->nr_free[o])
			return o;
	return MEMLAB_BUDDY_NONE;
}

/**
 * memlab_buddy_frag() - extfrag figures for a request of 2^@order pages
 * @b: the allocator
 * @order: the request's order
 * @frag: filled in, x1000, with the unusable free space index and the
 *	fragmentation index exactly as mm/vmstat.c computes them
 */
void memlab_buddy_frag(const struct memlab_buddy *b, unsigned int order,
		       struct memlab_buddy_frag *frag)
{
	u64 total = 0, suitable = 0, free = b->free_pages;
	unsigned int o;

	for (o = 0; o <= b->max_order; o++) {
		total += b->nr_free[o];
		if (o >= order)
			suitable += (u64)b->nr_free[o] << (o - order);
	}
	if (!free)
		frag->unusable = 1000;
	else
		frag->unusable = (int)(((free - (suitable << order)) * 1000) / free);
	if (!total)
		frag->fragmentation = 0;
	else if (suitable)
		frag->fragmentation = -1000;
	else
		frag->fragmentation = 1000 -
			(int)((1000 + (free * 1000) / (1ULL << order)) / total);
}

struct buddy_checker {
	memlab_buddy_report_t report;
	void *ctx;
	unsigned int errors;
};

static __printf(2, 3) void buddy_error(struct buddy_checker *c, const char *fmt, ...)
{
	char msg[128];
	va_list args;

	/* Report the first few; count them all. */
	if (c->report && c->errors < 16) {
		va_start(args, fmt);
		vsnprintf(msg, sizeof(msg), fmt, args);
		va_end(args);
		c->report(c->ctx, msg);
	}
	c->errors++;
}

static void buddy_check_lists(const struct memlab_buddy *b, struct buddy_checker *c)
{
	unsigned int o;

	for (o = 0; o <= MEMLAB_BUDDY_MAX_ORDER; o++) {
		u32 idx = b->free_head[o], prev = MEMLAB_BUDDY_NONE, n = 0;

		if (o > b->max_order && (idx != MEMLAB_BUDDY_NONE || b->nr_free[o]))
			buddy_error(c, "order %u above max_order has free blocks", o);
		while (idx != MEMLAB_BUDDY_NONE) {
			const struct memlab_buddy_page *pg;

			if (idx >= b->nr_pages) {
				buddy_error(c, "order %u list: index %u out of range", o, idx);
				break;
			}
			pg = &b->pages[idx];
			if (pg->state != MEMLAB_PG_FREE || pg->order != o)
				buddy_error(c, "order %u list: page %u is not a free block of it",
					    o, idx);
			if (idx & ((1U << o) - 1))
				buddy_error(c, "order %u list: page %u misaligned", o, idx);
			if (pg->prev != prev)
				buddy_error(c, "order %u list: page %u prev %u, expected %u",
					    o, idx, pg->prev, prev);
			if (++n > b->nr_pages) {
				buddy_error(c, "order %u list: cycle", o);
				break;
			}
			prev = idx;
			idx = pg->next;
		}
		if (n != b->nr_free[o])
			buddy_error(c, "order %u: %u blocks listed, %u counted",
				    o, n, b->nr_free[o]);
	}
}

static void buddy_check_blocks(const struct memlab_buddy *b, struct buddy_checker *c)
{
	u32 nr_free[MEMLAB_BUDDY_MAX_ORDER + 1] = { 0 };
	u64 free = 0, managed = 0;
	u32 i = 0, j;
	unsigned int o;

	while (i < b->nr_pages) {
		const struct memlab_buddy_page *pg = &b->pages[i];
		u32 size;

		if (pg->state == MEMLAB_PG_HOLE) {
			i++;
			continue;
		}
		if (pg->state == MEMLAB_PG_TAIL) {
			buddy_error(c, "page %u: tail outside any block", i);
			i++;
			continue;
		}
		if (pg->state != MEMLAB_PG_FREE && pg->state != MEMLAB_PG_USED &&
		    pg->state != MEMLAB_PG_CACHED) {
			buddy_error(c, "page %u: bad state %u", i, pg->state);
			i++;
			continue;
		}
		if (pg->order > b->max_order) {
			buddy_error(c, "page %u: order %u above max", i, pg->order);
			i++;
			continue;
		}
		size = 1U << pg->order;
		if (i & (size - 1))
			buddy_error(c, "page %u: order-%u block misaligned", i, pg->order);
		if ((u64)i + size > b->nr_pages) {
			buddy_error(c, "page %u: order-%u block past the end", i, pg->order);
			break;
		}
		for (j = 1; j < size; j++) {
			if (b->pages[i + j].state != MEMLAB_PG_TAIL) {
				buddy_error(c, "page %u: in order-%u block at %u, not a tail",
					    i + j, pg->order, i);
				break;
			}
		}
		managed += size;
		if (pg->state == MEMLAB_PG_FREE) {
			u32 buddy = i ^ size;

			free += size;
			nr_free[pg->order]++;
			/* Two free buddies of one order must have merged. */
			if (pg->order < b->max_order && buddy < b->nr_pages &&
			    b->pages[buddy].state == MEMLAB_PG_FREE &&
			    b->pages[buddy].order == pg->order && buddy > i)
				buddy_error(c, "pages %u and %u: free buddies not merged",
					    i, buddy);
		}
		i += size;
	}
	for (o = 0; o <= b->max_order; o++)
		if (nr_free[o] != b->nr_free[o])
			buddy_error(c, "order %u: %u free blocks found, %u counted",
				    o, nr_free[o], b->nr_free[o]);
	if (free != b->free_pages)
		buddy_error(c, "%llu free pages found, %u counted",
			    (unsigned long long)free, b->free_pages);
	if (managed != b->managed_pages)
		buddy_error(c, "%llu managed pages found, %u counted",
			    (unsigned long long)managed, b->managed_pages);
}

/**
 * memlab_buddy_check() - walk every invariant of the allocator
 * @b: the allocator
 * @report: called with a message for each of the first errors, or NULL
 * @ctx: passed to @report
 *
 * Checks that each free list holds only free, aligned blocks of its order
 * with consistent links and count; that the pages form whole blocks with
 * tails only inside them; that no two free buddies are left unmerged; and
 * that the free and managed page counts match.
 *
 * Return: the number of errors found.
 */
unsigned int memlab_buddy_check(const struct memlab_buddy *b,
				memlab_buddy_report_t report, void *ctx)
{
	struct buddy_checker c = { .report = report, .ctx = ctx };

	buddy_check_lists(b, &c);
	buddy_check_blocks(b, &c);
	return c.errors;
}
