// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the memlab buddy core. The input is a program of
 * byte-coded operations: add a range, allocate, free (correctly or with a
 * deliberate misuse). After each one the core must agree with the
 * reference model and pass its own check; any disagreement aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "buddy.h"
#include "model.h"

#define NR	256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memlab_buddy_page pages[NR];
	struct { uint32_t idx; unsigned int order; } live[NR];
	unsigned int nlive = 0, max_order;
	struct memlab_buddy b;
	struct model m;
	size_t i = 0;

	if (size < 1)
		return 0;
	max_order = data[i++] % 9;
	if (memlab_buddy_init(&b, pages, NR, max_order))
		abort();
	model_init(&m, NR);
	while (i + 2 <= size) {
		uint8_t op = data[i++], arg = data[i++];
		enum memlab_buddy_misuse mis;

		switch (op % 4) {
		case 0: {	/* add a range */
			uint32_t len = (op >> 2) + 1;

			memlab_buddy_add_range(&b, arg, len);
			model_add(&m, arg, len);
			break;
		}
		case 1: {	/* allocate */
			unsigned int order = arg % 10;
			int want = model_can_alloc(&m, order, max_order);
			long got = memlab_buddy_alloc(&b, order);
			uint32_t id;

			if ((got >= 0) != want)
				abort();
			if (got >= 0) {
				if (model_take(&m, got, order, &id))
					abort();
				live[nlive].idx = got;
				live[nlive++].order = order;
			}
			break;
		}
		case 2:		/* free a live block */
			if (nlive) {
				unsigned int k = arg % nlive;

				if (memlab_buddy_free(&b, live[k].idx, live[k].order, NULL))
					abort();
				model_release(&m, live[k].idx, live[k].order);
				live[k] = live[--nlive];
			}
			break;
		default: {	/* a free the model knows to be wrong */
			uint32_t idx = arg;
			unsigned int order = op >> 5;
			int valid = 0;
			unsigned int k;

			for (k = 0; k < nlive; k++)
				if (live[k].idx == idx && live[k].order == order)
					valid = 1;
			if (valid)
				break;
			if (memlab_buddy_free(&b, idx, order, &mis) != -EINVAL ||
			    mis == MEMLAB_MISUSE_NONE)
				abort();
			break;
		}
		}
		if (b.free_pages != m.free || memlab_buddy_check(&b, NULL, NULL))
			abort();
	}
	model_destroy(&m);
	return 0;
}
