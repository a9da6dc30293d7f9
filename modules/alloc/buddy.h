/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab buddy core: the allocator's algorithm and nothing else.
 *
 * It manages an index space of pages [0, nr_pages) and knows nothing of
 * addresses, locks or memory allocation: the caller supplies the metadata
 * array and serialises calls. That keeps it buildable as a userspace
 * library (userspace/hosttest) with a thin shim of kernel headers.
 */
#ifndef MEMLAB_BUDDY_H
#define MEMLAB_BUDDY_H

#include <linux/types.h>

/* Largest order the core supports: 4 GiB blocks with 4 KiB pages. */
#define MEMLAB_BUDDY_MAX_ORDER	20
#define MEMLAB_BUDDY_NONE	((u32)~0U)

enum memlab_buddy_state {
	MEMLAB_PG_HOLE,		/* not managed: outside every added range */
	MEMLAB_PG_TAIL,		/* inside a block, not its first page */
	MEMLAB_PG_FREE,		/* first page of a free block */
	MEMLAB_PG_USED,		/* first page of an allocated block */
	/*
	 * First page of an allocated block that the pool layer keeps in a
	 * per-CPU cache: free to users, used to the core. A free of it is a
	 * double free; the pool layer makes it USED again before giving it
	 * back with memlab_buddy_free().
	 */
	MEMLAB_PG_CACHED,
};

/*
 * One per page, kept outside the managed memory. next/prev link free block
 * heads into their order's free list; they are meaningless otherwise.
 * @tag is @order and @state as one word, which the pool layer's lockless
 * free path changes with a compare-and-exchange.
 */
struct memlab_buddy_page {
	u32 next;
	u32 prev;
	union {
		struct {
			u8 order;
			u8 state;
		};
		u16 tag;
	};
};

/* The @tag of a block head of @order in @state (the layout of the union above). */
static inline u16 memlab_buddy_tag(unsigned int order, unsigned int state)
{
	union {
		struct {
			u8 order;
			u8 state;
		};
		u16 tag;
	} t = { .order = order, .state = state };

	return t.tag;
}

/* The misuses memlab_buddy_free() detects. */
enum memlab_buddy_misuse {
	MEMLAB_MISUSE_NONE,
	MEMLAB_MISUSE_DOUBLE_FREE,	/* the block is already free */
	MEMLAB_MISUSE_BAD_ADDRESS,	/* not the first page of a used block */
	MEMLAB_MISUSE_WRONG_ORDER,	/* used block of another order */
	MEMLAB_MISUSE_OUTSIDE,		/* outside the pool */
	MEMLAB_MISUSE_NR,
};

struct memlab_buddy_order_stats {
	u64 allocs;
	u64 frees;
	u64 splits;		/* blocks of this order split in two */
	u64 merges;		/* pairs of this order merged into one */
	u64 fails;
};

struct memlab_buddy {
	struct memlab_buddy_page *pages;
	u32 nr_pages;		/* size of the index space */
	u32 managed_pages;	/* pages added with memlab_buddy_add_range() */
	u32 free_pages;
	unsigned int max_order;
	u32 free_head[MEMLAB_BUDDY_MAX_ORDER + 1];
	u32 nr_free[MEMLAB_BUDDY_MAX_ORDER + 1];
	struct memlab_buddy_order_stats stats[MEMLAB_BUDDY_MAX_ORDER + 1];
	u64 misuse[MEMLAB_MISUSE_NR];
	/*
	 * What the last call did, for the caller to report under its lock:
	 * the order of the free block the last memlab_buddy_alloc() took
	 * (split down when above the order asked), and the block the last
	 * free left on the free lists after merging.
	 */
	unsigned int taken_order;
	u32 merged_idx;
	unsigned int merged_order;
};

/* Fragmentation figures of one order, as mm/vmstat.c computes them. */
struct memlab_buddy_frag {
	int unusable;		/* unusable free space index, x1000 */
	int fragmentation;	/* fragmentation index, x1000; -1000: fits */
};

typedef void (*memlab_buddy_report_t)(void *ctx, const char *msg);

int memlab_buddy_init(struct memlab_buddy *b, struct memlab_buddy_page *pages,
		      u32 nr_pages, unsigned int max_order);
void memlab_buddy_add_range(struct memlab_buddy *b, u32 start, u32 nr);
long memlab_buddy_alloc(struct memlab_buddy *b, unsigned int order);
int memlab_buddy_free(struct memlab_buddy *b, u32 idx, unsigned int order,
		      enum memlab_buddy_misuse *misuse);
void memlab_buddy_note_outside(struct memlab_buddy *b);
u32 memlab_buddy_block_of(const struct memlab_buddy *b, u32 idx);
u32 memlab_buddy_largest_free_order(const struct memlab_buddy *b);
void memlab_buddy_frag(const struct memlab_buddy *b, unsigned int order,
		       struct memlab_buddy_frag *frag);
unsigned int memlab_buddy_check(const struct memlab_buddy *b,
				memlab_buddy_report_t report, void *ctx);
const char *memlab_buddy_misuse_name(enum memlab_buddy_misuse misuse);

#endif
