/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A deliberately simple reference model of a buddy allocator, for the
 * differential test and the fuzzer: one owner slot per page, and a
 * brute-force answer to "is any aligned run of 2^order pages free?". A
 * correct buddy allocator with full coalescing can satisfy a request
 * exactly when that answer is yes.
 */
#ifndef MEMLAB_HOSTTEST_MODEL_H
#define MEMLAB_HOSTTEST_MODEL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buddy.h"

#define MODEL_FREE	0
#define MODEL_HOLE	UINT32_MAX

struct model {
	uint32_t nr;
	uint32_t *owner;	/* MODEL_FREE, MODEL_HOLE or block id */
	uint32_t next_id;
	uint32_t free;
};

static inline void model_init(struct model *m, uint32_t nr)
{
	uint32_t i;

	m->nr = nr;
	m->owner = calloc(nr, sizeof(*m->owner));
	for (i = 0; i < nr; i++)
		m->owner[i] = MODEL_HOLE;
	m->next_id = 1;
	m->free = 0;
}

static inline void model_destroy(struct model *m)
{
	free(m->owner);
}

static inline void model_add(struct model *m, uint32_t start, uint32_t nr)
{
	uint32_t i;

	for (i = start; i < start + nr && i < m->nr; i++) {
		if (m->owner[i] == MODEL_HOLE) {
			m->owner[i] = MODEL_FREE;
			m->free++;
		}
	}
}

/* Can some naturally aligned 2^order run (within max_order) be had? */
static inline int model_can_alloc(const struct model *m, unsigned int order,
				  unsigned int max_order)
{
	uint32_t size = 1U << order, i, j;

	if (order > max_order)
		return 0;
	for (i = 0; i + size <= m->nr; i += size) {
		for (j = 0; j < size; j++)
			if (m->owner[i + j] != MODEL_FREE)
				break;
		if (j == size)
			return 1;
	}
	return 0;
}

/* Take [idx, idx + 2^order): 0 on success, -1 if any page was not free. */
static inline int model_take(struct model *m, uint32_t idx, unsigned int order,
			     uint32_t *id)
{
	uint32_t size = 1U << order, j;

	if (idx & (size - 1) || (uint64_t)idx + size > m->nr)
		return -1;
	for (j = 0; j < size; j++)
		if (m->owner[idx + j] != MODEL_FREE)
			return -1;
	*id = m->next_id++;
	for (j = 0; j < size; j++)
		m->owner[idx + j] = *id;
	m->free -= size;
	return 0;
}

static inline void model_release(struct model *m, uint32_t idx, unsigned int order)
{
	uint32_t j;

	for (j = 0; j < (1U << order); j++)
		m->owner[idx + j] = MODEL_FREE;
	m->free += 1U << order;
}

#endif
