// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab slab caches
 *
 * Object caches carved from buddy blocks of a pool, in the manner of SLUB
 * but small. slab_core.c lays objects out and runs a slab's freelist; this
 * file keeps each cache's slabs on full, partial and empty lists behind
 * the cache's lock, gives each CPU an array of free objects as a fast path,
 * and puts kmalloc-style size classes on top.
 *
 * Each CPU's array of free objects is a per-CPU stack (pcpu_stack.h)
 * that the fast paths only trylock, with interrupts on; a context that
 * finds it in use goes to the slabs under the cache lock instead, and any
 * CPU can empty it. It is refilled and drained in batches under the cache
 * lock. Only raw spinlocks are taken and nothing is allocated from the
 * kernel on these paths, so they work in hard interrupt context. Debug
 * caches skip the array, so that every allocation and free passes the
 * checks. Slab descriptors (one slot per pool page, used by the page a
 * slab starts at) and the page-to-slab map live outside the pool, like the
 * buddy's descriptors.
 *
 * Lock order: cache->lock, then pool->lock. A new slab's pages are taken
 * with no lock held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/cpumask.h>
#include <linux/string.h>

#include <memlab/alloc.h>

#include "internal.h"
#include "pcpu_stack.h"
#include "trace.h"

#define MEMLAB_CPU_OBJS		MEMLAB_PCS_SLOTS
#define MEMLAB_CPU_BATCH	(MEMLAB_CPU_OBJS / 2)
#define MEMLAB_MIN_EMPTY	1	/* empty slabs a cache keeps */

/* kmalloc size classes, with the kernel's 96 and 192 */
static const unsigned int memlab_kmalloc_sizes[MEMLAB_KMALLOC_CLASSES] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

static void memlab_slab_report(void *ctx, const char *msg)
{
	struct memlab_cache *cache = ctx;

	pr_err_ratelimited("cache %s: %s\n", cache->name, msg);
}

/* The slab @addr lies in, from the pool's page map, or NULL. */
static __always_inline struct memlab_slab *memlab_slab_of(struct memlab_pool *pool,
							  const void *addr)
{
	u32 idx = memlab_pool_index_of(pool, addr);
	unsigned long owner;

	if (idx == MEMLAB_BUDDY_NONE)
		return NULL;
	owner = READ_ONCE(pool->owner[idx]);
	if (!owner || (owner & MEMLAB_OWNER_LARGE))
		return NULL;
	return (struct memlab_slab *)owner;
}

static void memlab_set_owner(struct memlab_pool *pool, const void *addr,
			     unsigned int order, unsigned long owner)
{
	u32 idx = memlab_pool_index_of(pool, addr), i;

	for (i = 0; i < (1U << order); i++)
		WRITE_ONCE(pool->owner[idx + i], owner);
}

/* Put @slab on the list its fill says. Called with cache->lock held. */
static void memlab_slab_relist(struct memlab_cache *cache, struct memlab_slab *slab)
{
	enum memlab_slab_list want;

	if (!slab->core.inuse)
		want = MEMLAB_SLABS_EMPTY;
	else if (slab->core.inuse == cache->geom.objects)
		want = MEMLAB_SLABS_FULL;
	else
		want = MEMLAB_SLABS_PARTIAL;
	if (want == slab->list)
		return;
	cache->nr_slabs[slab->list]--;
	cache->nr_slabs[want]++;
	slab->list = want;
	list_move(&slab->node, &cache->lists[want]);
}

static struct memlab_slab *memlab_slab_new(struct memlab_cache *cache)
{
	struct memlab_slab *slab;
	unsigned int i;
	void *base;

	base = memlab_alloc_pages(cache->pool, cache->geom.order, __GFP_NOWARN);
	if (!base)
		return NULL;
	slab = &cache->pool->slabs[memlab_pool_index_of(cache->pool, base)];
	memlab_slab_init(&cache->geom, &slab->core, base);
	slab->cache = cache;
	slab->list = MEMLAB_SLABS_EMPTY;
	INIT_LIST_HEAD(&slab->node);
	/* Constructed once per object lifetime: when its slab is made. */
	if (cache->ctor)
		for (i = 0; i < cache->geom.objects; i++)
			cache->ctor(memlab_slab_object(&cache->geom, &slab->core, i));
	memlab_set_owner(cache->pool, base, cache->geom.order, (unsigned long)slab);
	trace_memlab_slab_grow(cache, base);
	return slab;
}

static void memlab_slab_free(struct memlab_cache *cache, struct memlab_slab *slab)
{
	trace_memlab_slab_shrink(cache, slab->core.base);
	memlab_set_owner(cache->pool, slab->core.base, cache->geom.order, 0);
	slab->cache = NULL;
	memlab_free_pages(cache->pool, slab->core.base, cache->geom.order);
}

/*
 * Take up to @want objects from the cache's slabs into @objs, making a new
 * slab when none has a free object. Return how many were taken.
 */
static unsigned int memlab_cache_take(struct memlab_cache *cache, void **objs,
				      unsigned int want, unsigned long caller)
{
	struct memlab_slab *slab, *fresh = NULL;
	unsigned int got = 0;
	unsigned long flags;

	for (;;) {
		raw_spin_lock_irqsave(&cache->lock, flags);
		if (fresh) {
			list_add(&fresh->node, &cache->lists[MEMLAB_SLABS_EMPTY]);
			cache->nr_slabs[MEMLAB_SLABS_EMPTY]++;
		}
		while (got < want) {
			slab = list_first_entry_or_null(&cache->lists[MEMLAB_SLABS_PARTIAL],
							struct memlab_slab, node);
			if (!slab)
				slab = list_first_entry_or_null(&cache->lists[MEMLAB_SLABS_EMPTY],
								struct memlab_slab, node);
			if (!slab)
				break;
			while (got < want) {
				void *obj = memlab_slab_take(&cache->geom, &slab->core, caller,
							     task_pid_nr(current),
							     &cache->checker);

				if (!obj)
					break;
				objs[got++] = obj;
			}
			memlab_slab_relist(cache, slab);
		}
		cache->inuse += got;
		if (got) {
			raw_spin_unlock_irqrestore(&cache->lock, flags);
			return got;
		}
		raw_spin_unlock_irqrestore(&cache->lock, flags);
		/*
		 * Nothing free: make a slab with no lock held. Others may take
		 * its objects before we do; then we make another.
		 */
		fresh = memlab_slab_new(cache);
		if (!fresh)
			break;
	}
	raw_spin_lock_irqsave(&cache->lock, flags);
	cache->fails++;
	raw_spin_unlock_irqrestore(&cache->lock, flags);
	return 0;
}

/*
 * Return @n objects to their slabs; free slabs beyond the empty reserve.
 * Return: how many were taken back (the rest were refused and counted).
 */
static unsigned int memlab_cache_put(struct memlab_cache *cache, void **objs, unsigned int n,
				     unsigned long caller)
{
	struct memlab_slab *slab, *tmp;
	unsigned int i, done = 0;
	unsigned long flags;
	LIST_HEAD(release);

	raw_spin_lock_irqsave(&cache->lock, flags);
	for (i = 0; i < n; i++) {
		slab = memlab_slab_of(cache->pool, objs[i]);
		if (!slab || slab->cache != cache) {
			cache->checker.errors[MEMLAB_SLAB_ERR_BAD_OBJECT]++;
			pr_err_ratelimited("cache %s: free of %p, not an object of it, from %pS\n",
					   cache->name, objs[i], (void *)caller);
			continue;
		}
		if (memlab_slab_put(&cache->geom, &slab->core, objs[i], caller,
				    task_pid_nr(current), &cache->checker))
			continue;
		done++;
		cache->inuse--;
		memlab_slab_relist(cache, slab);
		if (slab->list == MEMLAB_SLABS_EMPTY &&
		    cache->nr_slabs[MEMLAB_SLABS_EMPTY] > MEMLAB_MIN_EMPTY) {
			list_move(&slab->node, &release);
			cache->nr_slabs[MEMLAB_SLABS_EMPTY]--;
		}
	}
	raw_spin_unlock_irqrestore(&cache->lock, flags);
	list_for_each_entry_safe(slab, tmp, &release, node)
		memlab_slab_free(cache, slab);
	return done;
}

/* Take at least @min and at most @max objects into @objs, or none. */
static unsigned int memlab_cache_take_min(struct memlab_cache *cache, void **objs,
					  unsigned int min, unsigned int max,
					  unsigned long caller)
{
	unsigned int n = 0, got;

	while (n < min) {
		got = memlab_cache_take(cache, objs + n, max - n, caller);
		if (!got) {
			if (n)
				memlab_cache_put(cache, objs, n, caller);
			return 0;
		}
		n += got;
	}
	return n;
}

/*
 * Take @want objects into @objs, or none; for fewer than a batch, take a
 * batch and keep the rest in this CPU's array. Return @want or 0.
 */
static noinline unsigned int memlab_cache_refill(struct memlab_cache *cache, void **objs,
						 unsigned int want, unsigned long caller)
{
	void *batch[MEMLAB_CPU_BATCH];
	struct memlab_pcs *pcs;
	unsigned int n, keep;
	unsigned long flags;

	if (want >= MEMLAB_CPU_BATCH)
		return memlab_cache_take_min(cache, objs, want, want, caller);
	n = memlab_cache_take_min(cache, batch, want, MEMLAB_CPU_BATCH, caller);
	if (!n)
		return 0;
	memcpy(objs, batch + n - want, want * sizeof(void *));
	keep = n - want;
	pcs = keep ? memlab_pcs_get(cache->cpu, &flags) : NULL;
	if (pcs) {
		if (memlab_pcs_push(pcs, (unsigned long *)batch, keep, MEMLAB_CPU_OBJS))
			keep = 0;
		memlab_pcs_put(pcs, flags);
	}
	/* Interrupts filled the array meanwhile, or hold it: the rest go back. */
	if (keep)
		memlab_cache_put(cache, batch, keep, caller);
	return want;
}

/* One object from the slabs: debug caches, and refills of this CPU's stack. */
static noinline void *memlab_cache_alloc_slow(struct memlab_cache *cache, unsigned long caller)
{
	void *obj;

	if (cache->geom.flags & MEMLAB_SLAB_DEBUG)
		return memlab_cache_take(cache, &obj, 1, caller) ? obj : NULL;
	return memlab_cache_refill(cache, &obj, 1, caller) ? obj : NULL;
}

/*
 * The rest of an allocation after this CPU's array: @obj from the array, or
 * NULL to take one from the slabs; then zeroing and the event.
 */
static noinline void *memlab_cache_alloc_finish(struct memlab_cache *cache, void *obj,
						gfp_t gfp, unsigned long caller)
{
	if (!obj) {
		obj = memlab_cache_alloc_slow(cache, caller);
		if (unlikely(!obj))
			return NULL;
		atomic_long_inc(&cache->slow_allocs);
	}
	if (gfp & __GFP_ZERO)
		memset(obj, 0, cache->geom.object_size);
	trace_memlab_slab_alloc(cache, obj, gfp, caller);
	return obj;
}

/*
 * An object from this CPU's array returns at once; anything more (a miss,
 * __GFP_ZERO, the event on) goes to memlab_cache_alloc_finish() as a tail
 * call. Nothing is live across a call here, so the fast path saves no
 * register, and a build with tracepoints differs from one without only by
 * the event's static branch.
 */
static __always_inline void *__memlab_cache_alloc(struct memlab_cache *cache, gfp_t gfp,
						  unsigned long caller)
{
	unsigned long v = 0, flags;
	struct memlab_pcs *pcs;
	bool hit = false;

	if (!(cache->geom.flags & MEMLAB_SLAB_DEBUG)) {
		pcs = memlab_pcs_get(cache->cpu, &flags);
		if (likely(pcs)) {
			hit = memlab_pcs_pop1(pcs, &v);
			pcs->allocs += hit;
			memlab_pcs_put(pcs, flags);
		}
	}
	if (likely(hit) && !(gfp & __GFP_ZERO) && !trace_memlab_slab_alloc_enabled())
		return (void *)v;
	return memlab_cache_alloc_finish(cache, hit ? (void *)v : NULL, gfp, caller);
}

/**
 * memlab_cache_alloc() - allocate an object
 * @cache: the cache
 * @gfp: __GFP_ZERO to zero it; the call never sleeps
 *
 * Context: Any context.
 * Return: the object, or NULL when the pool has no room for a new slab.
 */
void *memlab_cache_alloc(struct memlab_cache *cache, gfp_t gfp)
{
	return __memlab_cache_alloc(cache, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(memlab_cache_alloc);

/**
 * memlab_cache_alloc_bulk() - allocate several objects at once
 * @cache: the cache
 * @gfp: as for memlab_cache_alloc()
 * @n: how many
 * @objs: filled with @n objects
 *
 * Like kmem_cache_alloc_bulk(): all or nothing, and cheaper per object
 * than @n calls of memlab_cache_alloc(), since this CPU's array is changed
 * once for the lot.
 *
 * Context: Any context.
 * Return: @n, or 0 when not all could be allocated (none are then).
 */
unsigned int memlab_cache_alloc_bulk(struct memlab_cache *cache, gfp_t gfp, unsigned int n,
				     void **objs)
{
	unsigned long caller = _RET_IP_, flags;
	unsigned int got = 0, i;
	struct memlab_pcs *pcs;

	if (!n)
		return 0;
	if (cache->geom.flags & MEMLAB_SLAB_DEBUG) {
		/* Every object through the checks, none kept per CPU. */
		if (!memlab_cache_take_min(cache, objs, n, n, caller))
			return 0;
	} else {
		pcs = memlab_pcs_get(cache->cpu, &flags);
		if (pcs) {
			got = memlab_pcs_pop(pcs, (unsigned long *)objs, n);
			memlab_pcs_put(pcs, flags);
		}
		if (got < n && !memlab_cache_refill(cache, objs + got, n - got, caller)) {
			if (got)
				memlab_cache_put(cache, objs, got, caller);
			return 0;
		}
	}
	atomic_long_add(n, &cache->slow_allocs);
	if (gfp & __GFP_ZERO)
		for (i = 0; i < n; i++)
			memset(objs[i], 0, cache->geom.object_size);
	if (trace_memlab_slab_alloc_enabled())
		for (i = 0; i < n; i++)
			trace_memlab_slab_alloc(cache, objs[i], gfp, caller);
	return n;
}
EXPORT_SYMBOL_GPL(memlab_cache_alloc_bulk);

/*
 * Whether @obj is an object of @cache's slab @slab that the per-CPU array
 * may take; anything else takes the checking slow path.
 */
static __always_inline bool memlab_cache_fast_ok(struct memlab_cache *cache,
						 struct memlab_slab *slab, const void *obj)
{
	return !(cache->geom.flags & MEMLAB_SLAB_DEBUG) && slab && slab->cache == cache &&
	       memlab_slab_object_index(&cache->geom, &slab->core, obj) >= 0;
}

/* A user's free that the slabs take directly, counted unless refused. */
static noinline void memlab_cache_put1(struct memlab_cache *cache, void *obj,
				       unsigned long caller)
{
	if (memlab_cache_put(cache, &obj, 1, caller))
		atomic_long_inc(&cache->slow_frees);
}

/* This CPU's array is full: spill a batch back to the slabs, and @obj too if need be. */
static noinline void memlab_cache_spill(struct memlab_cache *cache, void *obj,
					unsigned long caller)
{
	void *spill[MEMLAB_CPU_BATCH + 1];
	struct memlab_pcs *pcs;
	unsigned int n = 0;
	unsigned long flags;
	bool pushed = false;

	pcs = memlab_pcs_get(cache->cpu, &flags);
	if (pcs) {
		n = memlab_pcs_pop(pcs, (unsigned long *)spill, MEMLAB_CPU_BATCH);
		pushed = memlab_pcs_push1(pcs, (unsigned long)obj, MEMLAB_CPU_OBJS);
		pcs->frees += pushed;
		memlab_pcs_put(pcs, flags);
	}
	memlab_cache_put(cache, spill, n, caller);
	if (!pushed)
		memlab_cache_put1(cache, obj, caller);
}

static noinline void memlab_cache_double_free(struct memlab_cache *cache, void *obj,
					      unsigned long caller)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&cache->lock, flags);
	cache->checker.errors[MEMLAB_SLAB_ERR_DOUBLE_FREE]++;
	raw_spin_unlock_irqrestore(&cache->lock, flags);
	pr_err_ratelimited("cache %s: double free of %p from %pS\n", cache->name, obj,
			   (void *)caller);
}

/* Put @obj of @slab (from memlab_slab_of()) on this CPU's array. */
static __always_inline void memlab_cache_free_untraced(struct memlab_cache *cache,
						       struct memlab_slab *slab, void *obj,
						       unsigned long caller)
{
	struct memlab_pcs *pcs;
	unsigned long flags;
	bool pushed;

	if (!memlab_cache_fast_ok(cache, slab, obj)) {
		/* The slow path checks, counts and refuses what is wrong. */
		memlab_cache_put1(cache, obj, caller);
		return;
	}
	pcs = memlab_pcs_get(cache->cpu, &flags);
	if (unlikely(!pcs)) {
		/* In use by the context interrupted here, or drained. */
		memlab_cache_put1(cache, obj, caller);
		return;
	}
	if (unlikely(memlab_pcs_is_top(pcs, (unsigned long)obj))) {
		memlab_pcs_put(pcs, flags);
		memlab_cache_double_free(cache, obj, caller);
		return;
	}
	pushed = memlab_pcs_push1(pcs, (unsigned long)obj, MEMLAB_CPU_OBJS);
	pcs->frees += pushed;
	memlab_pcs_put(pcs, flags);
	if (unlikely(!pushed))
		memlab_cache_spill(cache, obj, caller);
}

/* The event, before the object can be anyone else's, then the free. */
static noinline void memlab_cache_free_traced(struct memlab_cache *cache,
					      struct memlab_slab *slab, void *obj,
					      unsigned long caller)
{
	trace_memlab_slab_free(cache, obj, caller);
	memlab_cache_free_untraced(cache, slab, obj, caller);
}

/*
 * With the event off, the free path holds nothing across the event's
 * call, so a build with tracepoints saves no more registers than one
 * without.
 */
static __always_inline void __memlab_cache_free(struct memlab_cache *cache,
						struct memlab_slab *slab, void *obj,
						unsigned long caller)
{
	if (trace_memlab_slab_free_enabled())
		memlab_cache_free_traced(cache, slab, obj, caller);
	else
		memlab_cache_free_untraced(cache, slab, obj, caller);
}

/**
 * memlab_cache_free() - free an object
 * @cache: the cache it came from
 * @obj: the object; NULL is ignored
 *
 * A pointer that is not an object of @cache, and a double free where it
 * can be told, are refused, counted in the cache's errors and logged
 * (ratelimited). Debug caches check red zones and poison here too.
 *
 * Context: Any context.
 */
void memlab_cache_free(struct memlab_cache *cache, void *obj)
{
	if (obj)
		__memlab_cache_free(cache, memlab_slab_of(cache->pool, obj), obj, _RET_IP_);
}
EXPORT_SYMBOL_GPL(memlab_cache_free);

/**
 * memlab_cache_free_bulk() - free several objects at once
 * @cache: the cache they came from
 * @n: how many
 * @objs: the objects; NULL entries are ignored
 *
 * Like kmem_cache_free_bulk(), and checked as memlab_cache_free() checks
 * each object.
 *
 * Context: Any context.
 */
void memlab_cache_free_bulk(struct memlab_cache *cache, unsigned int n, void **objs)
{
	unsigned long caller = _RET_IP_, flags;
	struct memlab_pcs *pcs;
	bool done = false;
	unsigned int i;

	if (trace_memlab_slab_free_enabled())
		for (i = 0; i < n; i++)
			if (objs[i])
				trace_memlab_slab_free(cache, objs[i], caller);
	for (i = 0; i < n; i++) {
		struct memlab_slab *slab = objs[i] ? memlab_slab_of(cache->pool, objs[i]) : NULL;

		if (!memlab_cache_fast_ok(cache, slab, objs[i]))
			break;
	}
	if (i < n || n > MEMLAB_CPU_OBJS) {
		/* Something to check or refuse, or too many for the array. */
		for (i = 0; i < n; i++)
			if (objs[i])
				memlab_cache_put1(cache, objs[i], caller);
		return;
	}
	pcs = memlab_pcs_get(cache->cpu, &flags);
	if (pcs) {
		done = memlab_pcs_push(pcs, (unsigned long *)objs, n, MEMLAB_CPU_OBJS);
		if (done)
			pcs->frees += n;
		memlab_pcs_put(pcs, flags);
	}
	if (!done)
		atomic_long_add(memlab_cache_put(cache, objs, n, caller), &cache->slow_frees);
}
EXPORT_SYMBOL_GPL(memlab_cache_free_bulk);

/* Give every CPU's cached objects back to the slabs, from any CPU. */
static void memlab_cache_flush_cpus(struct memlab_cache *cache)
{
	void *objs[MEMLAB_CPU_OBJS];
	unsigned int n;
	int cpu;

	for_each_possible_cpu(cpu) {
		n = memlab_pcs_take_all(per_cpu_ptr(cache->cpu, cpu), (unsigned long *)objs);
		if (n)
			memlab_cache_put(cache, objs, n, _RET_IP_);
	}
}

/**
 * memlab_cache_shrink() - give empty slabs back to the buddy allocator
 * @cache: the cache
 *
 * Every CPU's cached objects go back to their slabs first.
 *
 * Context: Any context.
 * Return: the number of pages given back.
 */
unsigned long memlab_cache_shrink(struct memlab_cache *cache)
{
	struct memlab_slab *slab, *tmp;
	unsigned long flags, pages = 0;
	LIST_HEAD(release);

	memlab_cache_flush_cpus(cache);
	raw_spin_lock_irqsave(&cache->lock, flags);
	list_splice_init(&cache->lists[MEMLAB_SLABS_EMPTY], &release);
	cache->nr_slabs[MEMLAB_SLABS_EMPTY] = 0;
	raw_spin_unlock_irqrestore(&cache->lock, flags);
	list_for_each_entry_safe(slab, tmp, &release, node) {
		memlab_slab_free(cache, slab);
		pages += 1UL << cache->geom.order;
	}
	return pages;
}
EXPORT_SYMBOL_GPL(memlab_cache_shrink);

/**
 * memlab_cache_create() - create an object cache on a pool
 * @pool: the pool its slabs come from
 * @name: name, unique on the pool, shown in slabinfo
 * @size: object size in bytes
 * @align: object alignment, a power of two (0: pointer size)
 * @flags: MEMLAB_SLAB_DEBUG (red zones, poison, caller tracking),
 *	MEMLAB_SLAB_HARDENED (encoded freelist), MEMLAB_SLAB_HWALIGN
 * @ctor: called once for each object when its slab is made, or NULL
 *
 * The slab order is the smallest that keeps waste under 1/16 of a slab
 * (1/8, 1/4 when none does), as SLUB chooses.
 *
 * Context: Process context; sleeps.
 * Return: the cache, or an ERR_PTR(): -EINVAL for a bad name, size,
 * alignment or flag, -EEXIST when the name is taken, -ENOMEM.
 */
struct memlab_cache *memlab_cache_create(struct memlab_pool *pool, const char *name,
					 size_t size, size_t align, unsigned int flags,
					 void (*ctor)(void *))
{
	struct memlab_cache *cache, *other;
	int ret, i, cpu;

	if (!name || !*name || strlen(name) >= sizeof(cache->name) ||
	    (flags & ~MEMLAB_SLAB_FLAGS))
		return ERR_PTR(-EINVAL);
	if (flags & MEMLAB_SLAB_HWALIGN)
		align = max_t(size_t, align, cache_line_size());
	cache = kzalloc(sizeof(*cache), GFP_KERNEL);
	if (!cache)
		return ERR_PTR(-ENOMEM);
	ret = memlab_slab_geom_init(&cache->geom, size, align, flags, !!ctor, PAGE_SIZE,
				    get_random_long());
	if (ret)
		goto err;
	ret = -EINVAL;
	if (cache->geom.order > pool->buddy.max_order)
		goto err;
	strscpy(cache->name, name, sizeof(cache->name));
	cache->pool = pool;
	cache->ctor = ctor;
	cache->checker.report = memlab_slab_report;
	cache->checker.ctx = cache;
	raw_spin_lock_init(&cache->lock);
	for (i = 0; i < ARRAY_SIZE(cache->lists); i++)
		INIT_LIST_HEAD(&cache->lists[i]);
	ret = -ENOMEM;
	cache->cpu = alloc_percpu(struct memlab_pcs);
	if (!cache->cpu)
		goto err;
	for_each_possible_cpu(cpu)
		memlab_pcs_init(per_cpu_ptr(cache->cpu, cpu));

	mutex_lock(&pool->caches_lock);
	list_for_each_entry(other, &pool->caches, node) {
		if (!strcmp(other->name, cache->name)) {
			mutex_unlock(&pool->caches_lock);
			free_percpu(cache->cpu);
			ret = -EEXIST;
			goto err;
		}
	}
	list_add_tail(&cache->node, &pool->caches);
	mutex_unlock(&pool->caches_lock);
	return cache;
err:
	kfree(cache);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(memlab_cache_create);

/* Destroy @cache if nothing is allocated; pool->caches_lock held. */
static int __memlab_cache_destroy(struct memlab_cache *cache)
{
	unsigned long flags, inuse;

	memlab_cache_shrink(cache);
	raw_spin_lock_irqsave(&cache->lock, flags);
	inuse = cache->inuse;
	raw_spin_unlock_irqrestore(&cache->lock, flags);
	if (inuse) {
		pr_warn("cache %s: not destroyed, %lu objects still allocated in %lu slabs\n",
			cache->name, inuse,
			cache->nr_slabs[MEMLAB_SLABS_FULL] + cache->nr_slabs[MEMLAB_SLABS_PARTIAL]);
		return -EBUSY;
	}
	list_del(&cache->node);
	free_percpu(cache->cpu);
	kfree(cache);
	return 0;
}

/**
 * memlab_cache_destroy() - destroy a cache with no object allocated
 * @cache: the cache
 *
 * A cache with objects still allocated is left as it is and the count is
 * logged.
 *
 * Context: Process context; sleeps.
 * Return: 0, or -EBUSY when objects are still allocated.
 */
int memlab_cache_destroy(struct memlab_cache *cache)
{
	struct memlab_pool *pool = cache->pool;
	int ret;

	mutex_lock(&pool->caches_lock);
	ret = __memlab_cache_destroy(cache);
	mutex_unlock(&pool->caches_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(memlab_cache_destroy);

/**
 * memlab_cache_get_info() - a snapshot of a cache's counters
 * @cache: the cache
 * @info: filled in
 *
 * Context: Any context.
 */
void memlab_cache_get_info(struct memlab_cache *cache, struct memlab_cache_info *info)
{
	unsigned long flags;
	int cpu, i;

	memset(info, 0, sizeof(*info));
	info->name = cache->name;
	info->object_size = cache->geom.object_size;
	info->slot_size = cache->geom.size;
	info->align = cache->geom.align;
	info->order = cache->geom.order;
	info->objects_per_slab = cache->geom.objects;
	info->waste_per_slab = cache->geom.waste;
	info->freeptr_offset = cache->geom.offset;
	info->flags = cache->geom.flags;
	for_each_possible_cpu(cpu) {
		struct memlab_pcs *pcs = per_cpu_ptr(cache->cpu, cpu);

		info->cpu_cached += memlab_pcs_count(pcs);
		info->allocs += READ_ONCE(pcs->allocs);
		info->frees += READ_ONCE(pcs->frees);
	}
	info->allocs += atomic_long_read(&cache->slow_allocs);
	info->frees += atomic_long_read(&cache->slow_frees);
	raw_spin_lock_irqsave(&cache->lock, flags);
	info->inuse = cache->inuse;
	info->slabs_full = cache->nr_slabs[MEMLAB_SLABS_FULL];
	info->slabs_partial = cache->nr_slabs[MEMLAB_SLABS_PARTIAL];
	info->slabs_empty = cache->nr_slabs[MEMLAB_SLABS_EMPTY];
	info->fails = cache->fails;
	for (i = 0; i < MEMLAB_SLAB_ERR_NR; i++)
		info->errors[i] = cache->checker.errors[i];
	raw_spin_unlock_irqrestore(&cache->lock, flags);
	/* Objects in per-CPU arrays are free to users. */
	info->inuse = info->inuse > info->cpu_cached ? info->inuse - info->cpu_cached : 0;
}
EXPORT_SYMBOL_GPL(memlab_cache_get_info);

/**
 * memlab_cache_validate_report() - walk every slab of a cache
 * @cache: the cache
 * @report: called with a message for each of the first errors, or NULL
 * @ctx: passed to @report
 *
 * Return: the number of errors found, or -ENOMEM.
 */
int memlab_cache_validate_report(struct memlab_cache *cache, memlab_slab_report_t report,
				 void *ctx)
{
	struct memlab_slab_checker c = { .report = report, .ctx = ctx };
	unsigned long *scratch, flags;
	struct memlab_slab *slab;
	unsigned int errors = 0, i;

	scratch = bitmap_zalloc(MEMLAB_SLAB_MAX_OBJECTS, GFP_KERNEL);
	if (!scratch)
		return -ENOMEM;
	raw_spin_lock_irqsave(&cache->lock, flags);
	for (i = 0; i < ARRAY_SIZE(cache->lists); i++) {
		unsigned long n = 0;

		list_for_each_entry(slab, &cache->lists[i], node) {
			errors += memlab_slab_validate(&cache->geom, &slab->core, scratch, &c);
			if (slab->list != i) {
				c.errors[MEMLAB_SLAB_ERR_COUNT]++;
				errors++;
			}
			n++;
		}
		if (n != cache->nr_slabs[i]) {
			c.errors[MEMLAB_SLAB_ERR_COUNT]++;
			errors++;
			if (report)
				report(ctx, "slab list count mismatch");
		}
	}
	raw_spin_unlock_irqrestore(&cache->lock, flags);
	bitmap_free(scratch);
	return errors;
}

/**
 * memlab_cache_validate() - count corruption in every slab of a cache
 * @cache: the cache
 *
 * Walks each slab's freelist (bounds, alignment, loops, count) and, in
 * debug caches, every object's red zones and poison. What is found is
 * logged (ratelimited) and counted, never fatal.
 *
 * Context: Process context.
 * Return: the number of errors found, or -ENOMEM.
 */
int memlab_cache_validate(struct memlab_cache *cache)
{
	return memlab_cache_validate_report(cache, memlab_slab_report, cache);
}
EXPORT_SYMBOL_GPL(memlab_cache_validate);

/* Size class of requests of 1 to 192 bytes, by (size - 1) / 8, as the kernel's. */
static const u8 memlab_kmalloc_small[24] = {
	0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6,
};

/* The size class for @size bytes (not 0), or MEMLAB_KMALLOC_CLASSES. */
static unsigned int memlab_kmalloc_index(size_t size)
{
	if (size <= 192)
		return memlab_kmalloc_small[(size - 1) / 8];
	if (size > memlab_kmalloc_sizes[MEMLAB_KMALLOC_CLASSES - 1])
		return MEMLAB_KMALLOC_CLASSES;
	/* 256, 512, ...: powers of two from class 7 on */
	return fls(size - 1) - 1;
}

/**
 * memlab_kmalloc() - allocate @size bytes from a pool
 * @pool: the pool
 * @size: bytes; up to MEMLAB_KMALLOC_MAX from a size class, larger ones
 *	as a buddy block
 * @gfp: as for memlab_cache_alloc()
 *
 * Context: Any context.
 * Return: the memory, ZERO_SIZE_PTR for @size 0, or NULL.
 */
void *memlab_kmalloc(struct memlab_pool *pool, size_t size, gfp_t gfp)
{
	unsigned int i, order;
	void *p;

	if (!size)
		return ZERO_SIZE_PTR;
	i = memlab_kmalloc_index(size);
	if (i < MEMLAB_KMALLOC_CLASSES && pool->kmalloc[i])
		return __memlab_cache_alloc(pool->kmalloc[i], gfp, _RET_IP_);
	order = get_order(size);
	p = __memlab_alloc_pages(pool, order, gfp | __GFP_NOWARN, _RET_IP_);
	if (p)
		memlab_set_owner(pool, p, 0, MEMLAB_OWNER_LARGE | (order << 1));
	return p;
}
EXPORT_SYMBOL_GPL(memlab_kmalloc);

/*
 * What memlab_kmalloc() made at @p: a size class's slab (*slab), or a large
 * block starting at page @idx of @order. False for anything else.
 */
static bool memlab_kmalloc_owner(struct memlab_pool *pool, const void *p,
				 struct memlab_slab **slab, u32 *idx, unsigned int *order)
{
	unsigned long owner;

	*slab = memlab_slab_of(pool, p);
	if (*slab)
		return (*slab)->cache->kmalloc;
	*idx = memlab_pool_index_of(pool, p);
	if (*idx == MEMLAB_BUDDY_NONE || !PAGE_ALIGNED(p))
		return false;
	owner = READ_ONCE(pool->owner[*idx]);
	if (!(owner & MEMLAB_OWNER_LARGE))
		return false;
	*order = (owner & ~MEMLAB_OWNER_LARGE) >> 1;
	return true;
}

/* memlab_kfree() of anything but an object of a size class */
static noinline void memlab_kfree_slow(struct memlab_pool *pool, const void *p,
				       unsigned long caller)
{
	struct memlab_slab *slab;
	unsigned int order;
	u32 idx;

	if (memlab_kmalloc_owner(pool, p, &slab, &idx, &order) && !slab) {
		WRITE_ONCE(pool->owner[idx], 0);
		__memlab_free_pages(pool, (void *)p, order, caller);
		return;
	}
	/*
	 * Not from memlab_kmalloc(): an object of another cache, a block
	 * from memlab_alloc_pages(), the inside of a block or no pool memory
	 * at all. Counted and logged, never freed.
	 */
	memlab_pool_note_misuse(pool, memlab_pool_index_of(pool, p) == MEMLAB_BUDDY_NONE ?
				MEMLAB_MISUSE_OUTSIDE : MEMLAB_MISUSE_BAD_ADDRESS, p, caller);
}

/**
 * memlab_kfree() - free memory from memlab_kmalloc()
 * @pool: the pool it came from
 * @p: the memory; NULL and ZERO_SIZE_PTR are ignored
 *
 * A pointer memlab_kmalloc() did not return is refused, counted and logged.
 *
 * Context: Any context.
 */
void memlab_kfree(struct memlab_pool *pool, const void *p)
{
	struct memlab_slab *slab;

	if (ZERO_OR_NULL_PTR(p))
		return;
	slab = memlab_slab_of(pool, p);
	if (likely(slab && slab->cache->kmalloc))
		__memlab_cache_free(slab->cache, slab, (void *)p, _RET_IP_);
	else
		memlab_kfree_slow(pool, p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(memlab_kfree);

/**
 * memlab_ksize() - usable size of memory from memlab_kmalloc()
 * @pool: the pool it came from
 * @p: the memory
 *
 * Context: Any context.
 * Return: the bytes usable at @p, or 0 when @p is not from memlab_kmalloc().
 */
size_t memlab_ksize(struct memlab_pool *pool, const void *p)
{
	struct memlab_slab *slab;
	unsigned int order;
	u32 idx;

	if (ZERO_OR_NULL_PTR(p) || !memlab_kmalloc_owner(pool, p, &slab, &idx, &order))
		return 0;
	if (slab)
		return memlab_slab_object_index(&slab->cache->geom, &slab->core, p) < 0 ?
		       0 : slab->cache->geom.object_size;
	return PAGE_SIZE << order;
}
EXPORT_SYMBOL_GPL(memlab_ksize);

/* The pool's size-class caches; at pool creation. */
int memlab_kmalloc_init(struct memlab_pool *pool, unsigned int flags)
{
	char name[32];
	unsigned int i;

	for (i = 0; i < MEMLAB_KMALLOC_CLASSES; i++) {
		struct memlab_cache *cache;

		snprintf(name, sizeof(name), "kmalloc-%u", memlab_kmalloc_sizes[i]);
		cache = memlab_cache_create(pool, name, memlab_kmalloc_sizes[i], 0, flags, NULL);
		if (IS_ERR(cache)) {
			/* Pools too small for 8 KiB objects get fewer classes. */
			if (PTR_ERR(cache) == -EINVAL && i)
				break;
			memlab_kmalloc_exit(pool);
			return PTR_ERR(cache);
		}
		cache->kmalloc = true;
		pool->kmalloc[i] = cache;
	}
	return 0;
}

/*
 * Shrink the size-class caches so their empty slabs stop counting as
 * used pages; destroy them when @destroy. pool->caches_lock held.
 */
int memlab_kmalloc_release(struct memlab_pool *pool, bool destroy)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < MEMLAB_KMALLOC_CLASSES; i++) {
		if (!pool->kmalloc[i])
			continue;
		if (!destroy) {
			memlab_cache_shrink(pool->kmalloc[i]);
			continue;
		}
		if (__memlab_cache_destroy(pool->kmalloc[i]))
			ret = -EBUSY;
		else
			pool->kmalloc[i] = NULL;
	}
	return ret;
}

void memlab_kmalloc_exit(struct memlab_pool *pool)
{
	mutex_lock(&pool->caches_lock);
	memlab_kmalloc_release(pool, true);
	mutex_unlock(&pool->caches_lock);
}
