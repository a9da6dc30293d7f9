// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the memlab slab core. The input picks a geometry
 * and then a program of operations on two slabs: take, put (right or
 * wrong), and deliberate corruption of a live or free object, its red
 * zones or its free pointer. Whatever the program does, the core must not
 * touch memory outside its slabs (ASan), must never hand out an object
 * twice, and must report nothing while no corruption or misuse happened.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slab_core.h"

#define PAGE	4096UL
#define NSLABS	2

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long scratch[MEMLAB_SLAB_MAX_OBJECTS / 64 + 1];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memlab_slab_checker c = { 0 };
	struct memlab_slab_core s[NSLABS];
	struct memlab_slab_geom g;
	static uint8_t owner[NSLABS][MEMLAB_SLAB_MAX_OBJECTS];
	void *mem[NSLABS];
	size_t i = 4;
	int misuse = 0, k;

	if (size < 4)
		return 0;
	if (memlab_slab_geom_init(&g, 1 + (data[0] | (data[1] & 7) << 8), 8 << (data[2] % 4),
				  data[3] & 3, data[3] & 4, PAGE, 0x9e3779b9))
		return 0;
	for (k = 0; k < NSLABS; k++) {
		if (posix_memalign(&mem[k], PAGE, PAGE << g.order))
			abort();
		memlab_slab_init(&g, &s[k], mem[k]);
		memset(owner[k], 0, g.objects);
	}
	while (i + 3 <= size) {
		uint8_t op = data[i], a = data[i + 1], b = data[i + 2];
		struct memlab_slab_core *sl = &s[op & 1];
		uint8_t *own = owner[op & 1];
		unsigned int idx = (a | b << 8) % g.objects;
		char *obj = memlab_slab_object(&g, sl, idx);

		i += 3;
		switch ((op >> 1) % 5) {
		case 0: {	/* take */
			char *p = memlab_slab_take(&g, sl, 1, 1, &c);
			int j;

			if (p) {
				j = memlab_slab_object_index(&g, sl, p);
				if (j < 0)
					abort();
				if (own[j] && !misuse)
					abort();	/* handed out twice */
				own[j] = 1;
				memset(p, b, g.object_size);
			}
			break;
		}
		case 1:		/* put what is ours */
			if (own[idx]) {
				if (memlab_slab_put(&g, sl, obj, 2, 2, &c) && !misuse)
					abort();
				own[idx] = 0;
			}
			break;
		case 2:		/* put something wrong: a free object or a bad pointer */
			if (!own[idx] || (b & 1)) {
				misuse = 1;
				memlab_slab_put(&g, sl, obj + (b & 1 ? 1 : 0), 3, 3, &c);
			}
			break;
		case 3:		/* corrupt a byte of a slot: object, red zone or free pointer */
			misuse = 1;
			((char *)sl->base)[(unsigned long)idx * g.size + (b % g.size)] ^= a | 1;
			break;
		default:
			memlab_slab_validate(&g, sl, scratch, &c);
			break;
		}
		if (!misuse)
			for (k = 0; k < MEMLAB_SLAB_ERR_NR; k++)
				if (c.errors[k])
					abort();
	}
	for (k = 0; k < NSLABS; k++)
		free(mem[k]);
	return 0;
}
