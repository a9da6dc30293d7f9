// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adversarial /dev/memlab test: a seeded random sequence of ioctls (valid,
 * malformed and with bad pointers), mmap, munmap, mremap and mprotect
 * (whole, partial, valid and invalid offsets, MAP_SHARED and MAP_PRIVATE,
 * PROT variants), fork, and read/write/pread/pwrite/lseek on the shared
 * buffer. Several processes run it, the second half of them as uid 65534;
 * in each, two more threads race ALLOC against FREE of the next handles on
 * a descriptor they share. Checked as it goes, each under its own TAP line:
 *
 *   - no data lost: a process writes its own patterns into its private
 *     buffers and into the part of the shared buffer it owns, through every
 *     path (and through a fork child's inherited mappings), and reads back
 *     exactly what it wrote;
 *   - every fresh private buffer reads as zero before its first write;
 *   - charged bytes never exceed the quotas MEMLAB_IOC_INFO reports, and a
 *     file's charge is what its owner holds;
 *   - a refused call returns exactly the errno docs/dev.rst documents;
 *   - phys is 0 for an unprivileged caller;
 *   - once every process has exited, the pool's free bytes are back at the
 *     starting figure and no buffer is left.
 *
 * What each thread does follows from the seed; how the threads interleave
 * does not, so a replay runs the same sequences under a new schedule. The
 * first failure of each kind is printed with its process, thread and
 * operation number.
 *
 * Usage: dev_fuzz_test [SECONDS [SEED]]  (default 4 s, random seed)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "dev_common.h"

#define WORKERS		4	/* processes; the second half run as NOBODY */
#define RACERS		2	/* threads per process racing ALLOC and FREE */
#define NOBODY		65534
#define MAX_BUFS	16
#define MAX_MAPS	32
#define MAX_STALE	32
#define RACER_BUFS	8
#define HANDLE_MAX	0x7fffffffU	/* handles are 1..HANDLE_MAX */
#define COOKIE_SHIFT	32		/* mmap offset of a buffer: handle << 32 */

enum { C_DATA, C_ZERO, C_QUOTA, C_ERRNO, C_REPLY, C_PHYS, C_ROMAP, C_WRITE, C_SEEK, NR_CATS };

static const char *const cat_desc[NR_CATS] = {
	[C_DATA] = "no data lost: private buffers, the shared buffer, mappings, fork children",
	[C_ZERO] = "every fresh private buffer reads as zero before its first write",
	[C_QUOTA] = "charged bytes never exceed the quotas; a file's charge is what it holds",
	[C_ERRNO] = "every refused call returns the errno docs/dev.rst documents",
	[C_REPLY] = "ALLOC and INFO replies are well formed",
	[C_PHYS] = "phys is 0 for uid 65534, a page address for CAP_SYS_ADMIN",
	[C_ROMAP] = "read-only MAP_SHARED of an O_RDONLY descriptor works",
	[C_WRITE] = "a write from a partly unreadable buffer changes only the bytes it reports",
	[C_SEEK] = "SEEK_DATA inside the buffer gives the offset, SEEK_HOLE the size",
};

#define FIRST		3	/* failures of each kind kept for the report */

/* Shared by every process: what was checked, what failed first. */
struct report {
	struct {
		unsigned long checks;
		unsigned int fails;
		char first[FIRST][400];
	} cat[NR_CATS];
	unsigned long ops[WORKERS], racer_ops[WORKERS], forks[WORKERS];
};

static struct report *rep;
static long page;
static struct memlab_info info0;	/* at the start: sizes and quotas */
static uint64_t max_bytes;		/* the largest buffer, page_size << max_order */

/* Who is running, for failure messages. */
static __thread int me_w = -1, me_t;
static __thread unsigned long me_op;
static __thread const char *me_what = "setup";

static bool check(int cat, bool cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool check(int cat, bool cond, const char *fmt, ...)
{
	size_t sz = sizeof(rep->cat[cat].first[0]);
	unsigned int nth;
	va_list ap;
	char *s;
	int n;

	__atomic_fetch_add(&rep->cat[cat].checks, 1, __ATOMIC_RELAXED);
	if (cond)
		return true;
	nth = __atomic_fetch_add(&rep->cat[cat].fails, 1, __ATOMIC_RELAXED);
	if (nth < FIRST) {
		s = rep->cat[cat].first[nth];
		n = snprintf(s, sz, "worker %d thread %d op %lu (%s): ", me_w, me_t, me_op, me_what);
		if (n < 0 || (size_t)n >= sz)
			n = 0;
		va_start(ap, fmt);
		vsnprintf(s + n, sz - n, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* A return value as "12" or "EINVAL". */
static const char *rname(long r, char *buf, size_t sz)
{
	const char *name = r < 0 ? strerrorname_np(-r) : NULL;

	if (name)
		snprintf(buf, sz, "%s", name);
	else
		snprintf(buf, sz, "%ld", r);
	return buf;
}

static bool expect(int cat, long ret, long want, const char *what)
{
	char a[32], b[32];

	return check(cat, ret == want, "%s: got %s, want %s", what, rname(ret, a, sizeof(a)),
		     rname(want, b, sizeof(b)));
}

#define SYSRET(call)	({ long __r = (long)(call); __r < 0 ? (long)-errno : __r; })

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

static bool chance(uint64_t *s, unsigned int pct)
{
	return below(s, 100) < pct;
}

static uint64_t pat(uint64_t seed, size_t pg, size_t w)
{
	uint64_t x = (seed ^ ((uint64_t)pg << 20) ^ w) * 0x9e3779b97f4a7c15ULL;

	return seed ? (x ^ (x >> 31)) | 1 : 0;
}

/* Volatile word accesses: non-cached mappings fault on unaligned ones. */
static void page_fill(volatile uint64_t *p, uint64_t seed, size_t pg)
{
	size_t w;

	for (w = 0; w < (size_t)page / 8; w++)
		p[w] = pat(seed, pg, w);
}

static long page_bad(const volatile uint64_t *p, uint64_t seed, size_t pg)
{
	size_t w;

	for (w = 0; w < (size_t)page / 8; w++)
		if (p[w] != pat(seed, pg, w))
			return w;
	return -1;
}

static unsigned int order_of(uint64_t len)
{
	uint64_t pages = (len + page - 1) / page;
	unsigned int order = 0;

	while ((1ULL << order) < pages)
		order++;
	return order;
}

static bool reply_reserved_zero(const struct memlab_allocation_data *a)
{
	unsigned int i;

	for (i = 0; i < sizeof(a->reserved) / sizeof(a->reserved[0]); i++)
		if (a->reserved[i])
			return false;
	return true;
}

/* ALLOC flags: a cache mode, or a cached buffer mapped with struct pages. */
static uint32_t rand_mode(uint64_t *rng)
{
	uint32_t mode = below(rng, 4);

	return mode == 3 ? MEMLAB_ALLOC_PAGES : mode;
}

static void alloc_reply_check(const struct memlab_allocation_data *a, uint32_t mode,
			      uint64_t len, bool priv)
{
	unsigned int order = order_of(len);

	check(C_REPLY, a->size == sizeof(*a) && a->flags == mode && a->length == len &&
	      a->bytes == (uint64_t)page << order && a->order == order && a->handle &&
	      a->handle <= HANDLE_MAX &&
	      a->mmap_offset == (uint64_t)a->handle << COOKIE_SHIFT && reply_reserved_zero(a),
	      "ALLOC reply: handle %u bytes %llu order %u offset %#llx flags %u length %llu "
	      "(asked %llu bytes, mode %u)", a->handle, (unsigned long long)a->bytes, a->order,
	      (unsigned long long)a->mmap_offset, a->flags, (unsigned long long)a->length,
	      (unsigned long long)len, mode);
	if (priv)
		check(C_PHYS, a->phys && !(a->phys % page), "phys %#llx for CAP_SYS_ADMIN",
		      (unsigned long long)a->phys);
	else
		check(C_PHYS, !a->phys, "phys %#llx handed to uid %d",
		      (unsigned long long)a->phys, (int)getuid());
}

/* An INFO reply; @charged is what this file holds, or -1 when unknown. */
static void info_check(const struct memlab_info *in, long long charged)
{
	bool res0 = true;
	unsigned int i;

	for (i = 0; i < sizeof(in->reserved) / sizeof(in->reserved[0]); i++)
		res0 &= !in->reserved[i];
	check(C_REPLY, in->size == sizeof(*in) && in->abi_version == MEMLAB_ABI_VERSION &&
	      in->page_size == page && in->max_order == info0.max_order &&
	      in->pool_bytes == info0.pool_bytes && in->pool_free_bytes <= in->pool_bytes &&
	      in->shared_bytes == info0.shared_bytes &&
	      in->quota_open_bytes == info0.quota_open_bytes &&
	      in->quota_global_bytes == info0.quota_global_bytes && !in->__pad && res0,
	      "INFO reply: size %u abi %u page %u max_order %u pool %llu free %llu shared %llu",
	      in->size, in->abi_version, in->page_size, in->max_order,
	      (unsigned long long)in->pool_bytes, (unsigned long long)in->pool_free_bytes,
	      (unsigned long long)in->shared_bytes);
	check(C_QUOTA, in->used_open_bytes <= in->quota_open_bytes,
	      "this file holds %llu bytes, quota %llu", (unsigned long long)in->used_open_bytes,
	      (unsigned long long)in->quota_open_bytes);
	check(C_QUOTA, in->used_global_bytes <= in->quota_global_bytes,
	      "%llu bytes allocated, global quota %llu",
	      (unsigned long long)in->used_global_bytes,
	      (unsigned long long)in->quota_global_bytes);
	if (charged >= 0)
		check(C_QUOTA, in->used_open_bytes == (uint64_t)charged,
		      "INFO says this file holds %llu bytes; it holds %lld",
		      (unsigned long long)in->used_open_bytes, charged);
}

/* ---- one worker process: its main thread's state ---------------------- */

struct buf {
	bool used, held;	/* slot in use; the handle is still held */
	int f;			/* the descriptor (S.fd[f]) it was allocated on */
	uint32_t handle, order, cache;
	uint64_t bytes;
	size_t pages;
	int nmaps;		/* struct map entries that map it */
	uint64_t *seeds;	/* per page: the last fill, 0 for never written */
};

struct map {
	bool used;
	bool ro;		/* through the O_RDONLY descriptor */
	char *addr;
	size_t pages, pgoff;	/* pages mapped; the first page of the buffer */
	int buf;		/* index in S.bufs, -1 for the shared buffer */
	int prot;
};

static struct {
	uint64_t rng;
	int fd[2];			/* O_RDWR and O_RDONLY */
	uint64_t charged[2];		/* what each holds handles to */
	struct buf bufs[MAX_BUFS];
	struct map maps[MAX_MAPS];
	uint32_t stale[MAX_STALE];	/* handles freed, maybe reused since */
	unsigned int nstale;
	size_t reg_off, reg_len;	/* the part of the shared buffer owned */
	unsigned char *shadow;		/* what it holds */
	unsigned char *tmp;		/* scratch, reg_len + 2 pages */
	off_t pos;			/* fd[0]'s file position */
	bool priv;			/* has CAP_SYS_ADMIN (runs as root) */
	char *guard;			/* two pages, the second PROT_NONE */
	char *ropage;			/* a read-only page */
} S;

static int held_on(int f, uint64_t handle)
{
	int i;

	for (i = 0; i < MAX_BUFS; i++)
		if (S.bufs[i].used && S.bufs[i].held && S.bufs[i].f == f &&
		    S.bufs[i].handle == handle)
			return i;
	return -1;
}

static int free_slot_buf(void)
{
	int i;

	for (i = 0; i < MAX_BUFS; i++)
		if (!S.bufs[i].used)
			return i;
	return -1;
}

static int free_slot_map(void)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (!S.maps[i].used)
			return i;
	return -1;
}

/* A random used entry of @n, or -1. */
static int pick(bool (*ok)(int), int n)
{
	int i, start = below(&S.rng, n);

	for (i = 0; i < n; i++)
		if (ok((start + i) % n))
			return (start + i) % n;
	return -1;
}

static bool buf_used(int i) { return S.bufs[i].used; }
static bool buf_held(int i) { return S.bufs[i].used && S.bufs[i].held; }
static bool map_used(int i) { return S.maps[i].used; }

static bool map_writable(int i)
{
	return S.maps[i].used && (S.maps[i].prot & PROT_WRITE) && (S.maps[i].prot & PROT_READ);
}

/* Forget a buffer the kernel has freed: no handle and no mapping left. */
static void buf_maybe_gone(int i)
{
	struct buf *b = &S.bufs[i];

	if (b->used && !b->held && !b->nmaps) {
		free(b->seeds);
		memset(b, 0, sizeof(*b));
	}
}

static void buf_dropped(int i)
{
	struct buf *b = &S.bufs[i];

	b->held = false;
	S.charged[b->f] -= b->bytes;
	S.stale[S.nstale++ % MAX_STALE] = b->handle;
	buf_maybe_gone(i);
}

/* Check pages [a, b) of mapping @m against what was written there. */
static void map_verify(struct map *m, size_t a, size_t b)
{
	size_t p;

	if (!(m->prot & PROT_READ))
		return;
	for (p = a; p < b; p++) {
		char *addr = m->addr + p * page;

		if (m->buf < 0) {
			size_t off = (m->pgoff + p) * page - S.reg_off;

			check(C_DATA, !memcmp(addr, S.shadow + off, page),
			      "shared buffer page %zu is not what this process wrote there",
			      m->pgoff + p);
		} else {
			struct buf *bf = &S.bufs[m->buf];
			size_t pg = m->pgoff + p;
			uint64_t seed = bf->seeds[pg];
			long w = page_bad((void *)addr, seed, pg);

			check(seed ? C_DATA : C_ZERO, w < 0,
			      "buffer %u (%llu bytes, cache %u) page %zu word %ld: %#llx, want %#llx",
			      bf->handle, (unsigned long long)bf->bytes, bf->cache, pg, w,
			      w < 0 ? 0ULL : (unsigned long long)((uint64_t *)addr)[w],
			      w < 0 ? 0ULL : (unsigned long long)pat(seed, pg, w));
		}
	}
}

/* All of a fresh mapping, or a sample of a big one. */
static void map_verify_some(struct map *m)
{
	size_t i, p;

	if (m->pages <= 64) {
		map_verify(m, 0, m->pages);
		return;
	}
	map_verify(m, 0, 8);
	map_verify(m, m->pages - 8, m->pages);
	for (i = 0; i < 16; i++) {
		p = below(&S.rng, m->pages);
		map_verify(m, p, p + 1);
	}
}

/* What page @p of shared-buffer mapping @m holds after map_write(@seed). */
static unsigned char *shadow_fill(struct map *m, size_t p, uint64_t seed)
{
	unsigned char *sh = S.shadow + (m->pgoff + p) * page - S.reg_off;
	size_t i;

	for (i = 0; i < (size_t)page; i += 8)
		*(uint64_t *)(sh + i) = pat(seed, p, i);
	return sh;
}

static void map_write(struct map *m, size_t a, size_t b, uint64_t seed)
{
	size_t p;

	for (p = a; p < b; p++) {
		char *addr = m->addr + p * page;

		if (m->buf < 0) {
			memcpy(addr, shadow_fill(m, p, seed), page);
		} else {
			page_fill((void *)addr, seed, m->pgoff + p);
			S.bufs[m->buf].seeds[m->pgoff + p] = seed;
		}
	}
}

static void map_forget(int i)
{
	struct map *m = &S.maps[i];
	int b = m->buf;

	memset(m, 0, sizeof(*m));
	if (b >= 0) {
		S.bufs[b].nmaps--;
		buf_maybe_gone(b);
	}
}

static int map_add(char *addr, size_t pages, size_t pgoff, int buf, int prot, bool ro)
{
	int i = free_slot_map();

	S.maps[i] = (struct map){ .used = true, .ro = ro, .addr = addr, .pages = pages,
				  .pgoff = pgoff, .buf = buf, .prot = prot };
	if (buf >= 0)
		S.bufs[buf].nmaps++;
	return i;
}

static long do_mmap(char **out, size_t len, int prot, int flags, int fd, uint64_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, (off_t)off);

	*out = p == MAP_FAILED ? NULL : p;
	return p == MAP_FAILED ? -errno : 0;
}

/* ---- ioctls ----------------------------------------------------------- */

static uint64_t rand_len(void)
{
	switch (below(&S.rng, 20)) {
	case 0:		/* around this file's quota */
		return info0.quota_open_bytes - page + below(&S.rng, 2 * page) + 1;
	case 1:		/* around the largest block */
		return max_bytes - 1 + below(&S.rng, 3);
	case 2:
	case 3:
		return 1 + below(&S.rng, 1 << 20);
	case 4 ... 8:
		return 1 + below(&S.rng, 64 << 10);
	default:
		return 1 + below(&S.rng, 4 * page);
	}
}

/* Map all of buffer @i through S.fd[f] and check it is zero. */
static void buf_map_fresh(int i)
{
	struct buf *b = &S.bufs[i];
	bool ro = b->f == 1;
	int prot = ro ? PROT_READ : PROT_READ | PROT_WRITE, m;
	char *addr;
	long ret;

	if (free_slot_map() < 0)
		return;
	ret = do_mmap(&addr, b->bytes, prot, MAP_SHARED, S.fd[b->f],
		      (uint64_t)b->handle << COOKIE_SHIFT);
	if (!expect(ro ? C_ROMAP : C_ERRNO, ret, 0, ro ? "mmap a fresh buffer, PROT_READ, "
		    "MAP_SHARED, O_RDONLY descriptor" : "mmap a fresh buffer"))
		return;
	m = map_add(addr, b->pages, 0, i, prot, ro);
	map_verify_some(&S.maps[m]);
}

static void op_alloc(void)
{
	int f = chance(&S.rng, 10) ? 1 : 0, i = free_slot_buf();
	uint32_t mode = rand_mode(&S.rng);
	uint64_t len = rand_len(), bytes;
	struct memlab_allocation_data a;
	long ret, want = 0;
	char what[96];

	if (i < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = mode;
	a.length = len;
	if (chance(&S.rng, 30)) {	/* output fields carry no input */
		a.bytes = rnd(&S.rng);
		a.mmap_offset = rnd(&S.rng);
		a.phys = rnd(&S.rng);
		a.handle = rnd(&S.rng);
		a.order = rnd(&S.rng);
	}
	ret = SYSRET(ioctl(S.fd[f], MEMLAB_IOC_ALLOC, &a));
	bytes = (uint64_t)page << order_of(len);
	snprintf(what, sizeof(what), "ALLOC %llu bytes, mode %u, with %llu held",
		 (unsigned long long)len, mode, (unsigned long long)S.charged[f]);
	if (len > max_bytes)
		want = -E2BIG;
	else if (S.charged[f] + bytes > info0.quota_open_bytes)
		want = -EDQUOT;
	if (want == -E2BIG) {
		expect(C_ERRNO, ret, want, what);
	} else if (want == -EDQUOT || ret == -EDQUOT) {
		expect(C_QUOTA, ret, want, what);
	} else {
		check(C_ERRNO, ret == 0 || ret == -ENOSPC || ret == -ENOMEM ||
		      ((mode & MEMLAB_CACHE_MASK) && ret == -EOPNOTSUPP), "%s: got %s", what,
		      rname(ret, (char[32]){ 0 }, 32));
	}
	if (ret)
		return;
	alloc_reply_check(&a, mode, len, S.priv);
	check(C_REPLY, held_on(0, a.handle) < 0 && held_on(1, a.handle) < 0,
	      "ALLOC returned handle %u, which is live already", a.handle);
	S.bufs[i] = (struct buf){ .used = true, .held = true, .f = f, .handle = a.handle,
				  .order = order_of(len), .cache = mode, .bytes = bytes,
				  .pages = bytes / page };
	S.bufs[i].seeds = calloc(S.bufs[i].pages, sizeof(uint64_t));
	if (!S.bufs[i].seeds)
		abort();
	S.charged[f] += bytes;
	if (chance(&S.rng, 85))
		buf_map_fresh(i);
}

/* Malformed ALLOCs: EINVAL for the structure, E2BIG for the length. */
static void op_alloc_bad(void)
{
	struct memlab_allocation_data a;
	long want = -EINVAL, ret;
	char what[96];
	int how = below(&S.rng, 7);

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.length = 1 + below(&S.rng, 4 * page);
	switch (how) {
	case 0:		/* wrong size */
		a.size = chance(&S.rng, 50) ? sizeof(a) - 8 * (1 + below(&S.rng, 4)) :
			 (uint32_t)rnd(&S.rng);
		if (a.size == sizeof(a))
			a.size = 0;
		break;
	case 1:		/* a reserved word */
		a.reserved[below(&S.rng, 4)] = rnd(&S.rng) | 1;
		break;
	case 2:		/* an unknown flag */
		/* with the lowest bit no flag has */
		a.flags = (uint32_t)(rnd(&S.rng) & ~MEMLAB_ALLOC_FLAGS) |
			  (~MEMLAB_ALLOC_FLAGS & (MEMLAB_ALLOC_FLAGS + 1));
		break;
	case 3:		/* a cache mode that does not exist */
		a.flags = MEMLAB_CACHE_MASK;
		break;
	case 4:		/* nothing */
		a.length = 0;
		break;
	case 5:		/* more than the largest block */
		a.length = chance(&S.rng, 50) ? max_bytes + 1 + below(&S.rng, max_bytes) :
			   ~0ULL - below(&S.rng, 4096);
		want = -E2BIG;
		break;
	default:	/* too big, and malformed too: the structure is checked first */
		a.length = ~0ULL;
		a.reserved[3] = 1;
		break;
	}
	ret = SYSRET(ioctl(S.fd[0], MEMLAB_IOC_ALLOC, &a));
	snprintf(what, sizeof(what), "malformed ALLOC (case %d: size %u flags %#x length %#llx)",
		 how, a.size, a.flags, (unsigned long long)a.length);
	expect(C_ERRNO, ret, want, what);
	if (!ret)	/* a bug: keep the books right anyway */
		dev_free(S.fd[0], a.handle);
}

/* ALLOC, INFO and FREE with pointers the kernel cannot use: EFAULT. */
static void op_ioctl_fault(void)
{
	static const unsigned long cmds[] = { MEMLAB_IOC_INFO, MEMLAB_IOC_ALLOC, MEMLAB_IOC_FREE };
	unsigned long cmd = cmds[below(&S.rng, 3)];
	struct memlab_info in;
	char what[96];
	void *p;
	long ret;

	switch (below(&S.rng, 3)) {
	case 0:
		p = NULL;
		break;
	case 1:
		p = S.guard + page;
		break;
	default:	/* readable, not writable: the reply cannot be copied out */
		if (cmd != MEMLAB_IOC_ALLOC)
			return;	/* it holds an ALLOC request: EINVAL for the others */
		p = S.ropage;
		break;
	}
	ret = SYSRET(ioctl(S.fd[0], cmd, p));
	snprintf(what, sizeof(what), "ioctl %#lx with %s pointer", cmd,
		 p == S.ropage ? "a read-only" : p ? "an unmapped" : "a NULL");
	if (p == S.ropage && cmd == MEMLAB_IOC_ALLOC) {
		/* The page asks for one page; an ALLOC not copied out is undone. */
		if (S.charged[0] + page > info0.quota_open_bytes)
			expect(C_QUOTA, ret, -EDQUOT, what);
		else
			check(C_ERRNO, ret == -EFAULT || ret == -ENOSPC || ret == -ENOMEM,
			      "%s: got %s", what, rname(ret, (char[32]){ 0 }, 32));
		if (!dev_info(S.fd[0], &in))
			check(C_QUOTA, in.used_open_bytes == S.charged[0],
			      "after an ALLOC that could not be copied out, the file holds %llu "
			      "bytes, not %llu", (unsigned long long)in.used_open_bytes,
			      (unsigned long long)S.charged[0]);
	} else {
		expect(C_ERRNO, ret, -EFAULT, what);
	}
}

static void op_info(void)
{
	int f = chance(&S.rng, 20) ? 1 : 0, how = below(&S.rng, 4);
	struct memlab_info in;
	long ret, want = -EINVAL;

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	switch (how) {
	case 0:
	case 1:
		ret = SYSRET(ioctl(S.fd[f], MEMLAB_IOC_INFO, &in));
		if (expect(C_ERRNO, ret, 0, "INFO"))
			info_check(&in, S.charged[f]);
		return;
	case 2:
		in.size = chance(&S.rng, 50) ? sizeof(in) - 8 : (uint32_t)rnd(&S.rng);
		if (in.size == sizeof(in))
			in.size++;
		break;
	default:
		if (chance(&S.rng, 30))
			in.__pad = 1 + below(&S.rng, 1000);
		else
			in.reserved[below(&S.rng, 8)] = rnd(&S.rng) | 1;
		break;
	}
	ret = SYSRET(ioctl(S.fd[f], MEMLAB_IOC_INFO, &in));
	expect(C_ERRNO, ret, want, how == 2 ? "INFO with a wrong size" :
	       "INFO with __pad or a reserved word set");
}

/* FREE a handle of ours, a stale one or a random one. */
static void op_free(void)
{
	int how = below(&S.rng, 10), i, f = 0;
	uint64_t h;
	long ret;
	char what[96];

	if (how < 6) {
		i = pick(buf_held, MAX_BUFS);
		if (i < 0)
			return;
		f = S.bufs[i].f;
		h = S.bufs[i].handle;
	} else if (how < 8 && S.nstale) {
		h = S.stale[below(&S.rng, S.nstale < MAX_STALE ? S.nstale : MAX_STALE)];
	} else {
		h = chance(&S.rng, 20) ? 0 : chance(&S.rng, 50) ? below(&S.rng, 64) :
		    (uint32_t)rnd(&S.rng);
	}
	if (how == 9)
		f = 1;		/* maybe another file's handle */
	i = h ? held_on(f, h) : -1;
	ret = dev_free(S.fd[f], h);
	snprintf(what, sizeof(what), "FREE handle %llu on descriptor %d (%s)",
		 (unsigned long long)h, f, i >= 0 ? "held" : "not held");
	expect(C_ERRNO, ret, i >= 0 ? 0 : -ENOENT, what);
	if (i >= 0 && !ret)
		buf_dropped(i);
}

static void op_free_bad(void)
{
	int i = pick(buf_held, MAX_BUFS);
	struct memlab_free fr = { .size = sizeof(fr) };
	long ret;

	fr.handle = i >= 0 ? S.bufs[i].handle : 1 + below(&S.rng, 64);
	if (chance(&S.rng, 50))
		fr.size = chance(&S.rng, 50) ? sizeof(fr) + 8 : (uint32_t)rnd(&S.rng) | 1;
	else
		fr.reserved[below(&S.rng, 2)] = rnd(&S.rng) | 1;
	if (fr.size == sizeof(fr) && !fr.reserved[0] && !fr.reserved[1])
		fr.size = 0;
	ret = SYSRET(ioctl(S.fd[i >= 0 ? S.bufs[i].f : 0], MEMLAB_IOC_FREE, &fr));
	expect(C_ERRNO, ret, -EINVAL, "FREE with a wrong size or a reserved word");
	if (!ret && i >= 0)
		buf_dropped(i);
}

static void op_ioctl_unknown(void)
{
	unsigned long cmd;
	uint64_t scratch[64] = { 0 };
	long ret;
	char what[64];

	do {
		cmd = _IOC(below(&S.rng, 4), MEMLAB_IOC_MAGIC, chance(&S.rng, 50) ?
			   below(&S.rng, 4) : below(&S.rng, 256), below(&S.rng, sizeof(scratch)));
	} while (cmd == MEMLAB_IOC_INFO || cmd == MEMLAB_IOC_ALLOC || cmd == MEMLAB_IOC_FREE ||
		 cmd == MEMLAB_IOC_SYNC || cmd == MEMLAB_IOC_EXPORT);
	ret = SYSRET(ioctl(S.fd[0], cmd, scratch));
	snprintf(what, sizeof(what), "unknown ioctl %#lx", cmd);
	expect(C_ERRNO, ret, -ENOTTY, what);
}

/* ---- mappings ------------------------------------------------------- */

static void op_mmap(void)
{
	int f = chance(&S.rng, 15) ? 1 : 0, kind = below(&S.rng, 10), i = -1;
	int prot, flags = chance(&S.rng, 10) ? MAP_PRIVATE : MAP_SHARED;
	size_t bpages, pgoff, npages, len, reg_pg = S.reg_off / page;
	uint64_t cookie, off;
	bool names, own = false;
	long ret, want;
	char *addr, what[160];
	int cat = C_ERRNO;

	switch (kind) {
	case 0 ... 4:	/* a buffer of ours, held or only mapped */
		i = pick(buf_used, MAX_BUFS);
		if (i < 0)
			return;
		if (chance(&S.rng, 70))
			f = S.bufs[i].f;
		cookie = S.bufs[i].handle;
		bpages = S.bufs[i].pages;
		break;
	case 5:		/* a handle freed earlier */
		if (!S.nstale)
			return;
		cookie = S.stale[below(&S.rng, S.nstale < MAX_STALE ? S.nstale : MAX_STALE)];
		bpages = 1;
		break;
	case 6 ... 7:	/* the shared buffer */
		cookie = 0;
		bpages = info0.shared_bytes / page;
		break;
	default:	/* anything */
		cookie = chance(&S.rng, 50) ? below(&S.rng, 1024) :
			 below(&S.rng, (1ULL << 30) - 1) + 1;
		bpages = 1 + below(&S.rng, 16);
		break;
	}
	if (cookie && (i = held_on(f, cookie)) >= 0)
		bpages = S.bufs[i].pages;
	else if (!cookie)	/* "anything" may draw 0 too */
		bpages = info0.shared_bytes / page;
	names = !cookie || (cookie <= HANDLE_MAX && i >= 0);

	if (!cookie && chance(&S.rng, 80)) {	/* inside our part */
		size_t rp = S.reg_len / page;

		pgoff = reg_pg + below(&S.rng, rp);
		npages = 1 + below(&S.rng, reg_pg + rp - pgoff);
		own = true;
	} else if (chance(&S.rng, 80)) {
		pgoff = below(&S.rng, bpages);
		npages = 1 + below(&S.rng, bpages - pgoff);
	} else {		/* past the end */
		pgoff = below(&S.rng, bpages + 4);
		npages = pgoff < bpages ? bpages - pgoff + 1 + below(&S.rng, 4) :
			 1 + below(&S.rng, 4);
	}
	len = npages * page - (chance(&S.rng, 20) ? below(&S.rng, page) : 0);
	off = (cookie << COOKIE_SHIFT) + pgoff * page;
	if (kind == 9)
		off += 1 + below(&S.rng, page - 1);
	switch (below(&S.rng, 10)) {
	case 0:
		prot = PROT_NONE;
		break;
	case 1 ... 3:
		prot = PROT_READ;
		break;
	default:
		prot = f && chance(&S.rng, 70) ? PROT_READ : PROT_READ | PROT_WRITE;
		break;
	}
	/* Checks in the order the kernel makes them. */
	if (off % page)
		want = -EINVAL;
	else if (flags == MAP_SHARED && (prot & PROT_WRITE) && f == 1)
		want = -EACCES;
	else if (flags == MAP_PRIVATE)
		want = -EINVAL;
	else if (!names)
		want = -ENXIO;
	else if (pgoff >= bpages || npages > bpages - pgoff)
		want = -EOVERFLOW;
	else
		want = 0;
	if (!want && free_slot_map() < 0)
		return;
	if (f == 1 && flags == MAP_SHARED && !(prot & PROT_WRITE))
		cat = C_ROMAP;
	ret = do_mmap(&addr, len, prot, flags, S.fd[f], off);
	snprintf(what, sizeof(what),
		 "mmap %zu bytes at offset %#llx (%s, pages %zu+%zu of %zu), prot %d, %s, %s",
		 len, (unsigned long long)off, !cookie ? "shared" : names ? "held" : "not held",
		 pgoff, npages, bpages, prot, flags == MAP_SHARED ? "MAP_SHARED" : "MAP_PRIVATE",
		 f ? "O_RDONLY" : "O_RDWR");
	expect(cat, ret, want, what);
	if (ret)
		return;
	if (want || (!cookie && !own)) {	/* not ours to track */
		munmap(addr, len);
		return;
	}
	map_verify_some(&S.maps[map_add(addr, npages, pgoff, cookie ? i : -1, prot, f == 1)]);
}

static void op_munmap(void)
{
	int i = pick(map_used, MAX_MAPS);
	struct map *m;
	size_t a, b;

	if (i < 0)
		return;
	m = &S.maps[i];
	switch (below(&S.rng, 4)) {
	case 0:
	case 1:
		a = 0;
		b = m->pages;
		break;
	case 2:		/* the head */
		a = 0;
		b = 1 + below(&S.rng, m->pages);
		break;
	default:	/* the tail, or the middle */
		a = below(&S.rng, m->pages);
		b = a + 1 + below(&S.rng, m->pages - a);
		break;
	}
	if (a > 0 && b < m->pages && free_slot_map() < 0)
		b = m->pages;
	map_verify(m, a, b);
	if (!expect(C_ERRNO, SYSRET(munmap(m->addr + a * page, (b - a) * page)), 0, "munmap"))
		return;
	if (a == 0 && b == m->pages) {
		map_forget(i);
	} else if (a == 0) {
		m->addr += b * page;
		m->pgoff += b;
		m->pages -= b;
	} else if (b == m->pages) {
		m->pages = a;
	} else {
		map_add(m->addr + b * page, m->pages - b, m->pgoff + b, m->buf, m->prot, m->ro);
		S.maps[i].pages = a;
	}
}

static void op_verify(void)
{
	int i = pick(map_used, MAX_MAPS);
	size_t a;

	if (i < 0)
		return;
	a = below(&S.rng, S.maps[i].pages);
	map_verify(&S.maps[i], a, a + 1 + below(&S.rng, S.maps[i].pages - a < 16 ?
						   S.maps[i].pages - a : 16));
}

static void op_write_map(void)
{
	int i = pick(map_writable, MAX_MAPS);
	size_t a, n;

	if (i < 0)
		return;
	a = below(&S.rng, S.maps[i].pages);
	n = 1 + below(&S.rng, S.maps[i].pages - a < 8 ? S.maps[i].pages - a : 8);
	map_write(&S.maps[i], a, a + n, rnd(&S.rng) | 1);
	map_verify(&S.maps[i], a, a + n);
}

/* Grow (EFAULT: VM_DONTEXPAND), shrink, or move a mapping. */
static void op_mremap(void)
{
	int i = pick(map_used, MAX_MAPS), how = below(&S.rng, 4);
	struct map *m;
	size_t len, nlen;
	void *p, *to;

	if (i < 0)
		return;
	m = &S.maps[i];
	len = m->pages * page;
	if (how < 2) {
		nlen = len + page * (1 + below(&S.rng, 4));
		p = mremap(m->addr, len, nlen, how ? MREMAP_MAYMOVE : 0);
		expect(C_ERRNO, p == MAP_FAILED ? -errno : 0, -EFAULT, "mremap to grow a mapping");
		if (p != MAP_FAILED) {	/* a bug; keep the books right */
			munmap(p, nlen);
			map_forget(i);
		}
	} else if (how == 2 && m->pages > 1) {
		nlen = (1 + below(&S.rng, m->pages - 1)) * page;
		map_verify(m, nlen / page, m->pages);
		p = mremap(m->addr, len, nlen, 0);
		if (expect(C_ERRNO, p == MAP_FAILED ? -errno : 0, 0, "mremap to shrink a mapping"))
			m->pages = nlen / page;
	} else if (how == 3) {
		to = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (to == MAP_FAILED)
			return;
		p = mremap(m->addr, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
		if (expect(C_ERRNO, p == MAP_FAILED ? -errno : 0, 0, "mremap to move a mapping")) {
			m->addr = p;
			map_verify(m, 0, m->pages < 4 ? m->pages : 4);
		} else {
			munmap(to, len);
		}
	}
}

static void op_mprotect(void)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE };
	int i = pick(map_used, MAX_MAPS), prot = prots[below(&S.rng, 3)];
	bool refused;
	struct map *m;

	if (i < 0)
		return;
	m = &S.maps[i];
	refused = m->ro && (prot & PROT_WRITE);
	/* A refused mprotect leaves the mapping as it was. */
	if (expect(C_ERRNO, SYSRET(mprotect(m->addr, m->pages * page, prot)),
		   refused ? -EACCES : 0,
		   m->ro ? "mprotect a mapping of an O_RDONLY descriptor" : "mprotect") &&
	    !refused)
		m->prot = prot;
}

/* A handle is good only on its own file and that file's duplicates. */
static void op_other_file(void)
{
	int i = pick(buf_held, MAX_BUFS), fd, dfd;
	struct memlab_info in;
	struct buf *b;
	char *addr;
	long ret;

	if (i < 0)
		return;
	b = &S.bufs[i];
	fd = open(DEV_PATH, O_RDWR);
	if (!check(C_ERRNO, fd >= 0, "open " DEV_PATH ": %s", strerror(errno)))
		return;
	ret = do_mmap(&addr, page, PROT_READ, MAP_SHARED, fd, (uint64_t)b->handle << COOKIE_SHIFT);
	expect(C_ERRNO, ret, -ENXIO, "mmap another file's buffer");
	if (!ret)
		munmap(addr, page);
	expect(C_ERRNO, dev_free(fd, b->handle), -ENOENT, "FREE another file's handle");
	if (!dev_info(fd, &in))
		info_check(&in, 0);
	close(fd);

	dfd = dup(S.fd[b->f]);
	if (dfd < 0 || free_slot_map() < 0) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	ret = do_mmap(&addr, b->bytes, PROT_READ, MAP_SHARED, dfd,
		      (uint64_t)b->handle << COOKIE_SHIFT);
	close(dfd);
	if (expect(b->f ? C_ROMAP : C_ERRNO, ret, 0, "mmap a buffer through a dup()ed descriptor"))
		map_verify_some(&S.maps[map_add(addr, b->pages, 0, i, PROT_READ, b->f == 1)]);
}

/* ---- the shared buffer through read/write/lseek --------------------- */

static void rand_bytes(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rnd(&S.rng) >> 56;
}

/* A random range [*off, *off + *len) of our part, at most @max bytes. */
static void reg_range(size_t max, size_t *off, size_t *len)
{
	*len = 1 + below(&S.rng, S.reg_len < max ? S.reg_len : max);
	*off = S.reg_off + below(&S.rng, S.reg_len - *len + 1);
}

/* Read back [off, off + len) and compare with the shadow. */
static void reg_verify(size_t off, size_t len, const char *after)
{
	long ret = SYSRET(pread(S.fd[0], S.tmp, len, off));

	if (expect(C_DATA, ret, len, "pread"))
		check(C_DATA, !memcmp(S.tmp, S.shadow + off - S.reg_off, len),
		      "shared bytes %zu+%zu differ from what this process wrote, after %s",
		      off, len, after);
}

static void op_rw(void)
{
	size_t size = info0.shared_bytes, off, len, i;
	int how = below(&S.rng, 10);
	char what[96];
	long ret;

	reg_range(16384, &off, &len);
	switch (how) {
	case 0:
	case 1:		/* pwrite, then read back */
		rand_bytes(S.tmp, len);
		ret = SYSRET(pwrite(S.fd[0], S.tmp, len, off));
		if (expect(C_ERRNO, ret, len, "pwrite inside the shared buffer"))
			memcpy(S.shadow + off - S.reg_off, S.tmp, len);
		reg_verify(off, len, "pwrite");
		break;
	case 2:		/* lseek and write */
		rand_bytes(S.tmp, len);
		if (!expect(C_ERRNO, SYSRET(lseek(S.fd[0], off, SEEK_SET)), off, "lseek SEEK_SET"))
			break;
		S.pos = off;
		ret = SYSRET(write(S.fd[0], S.tmp, len));
		if (expect(C_ERRNO, ret, len, "write inside the shared buffer")) {
			memcpy(S.shadow + off - S.reg_off, S.tmp, len);
			S.pos += len;
		}
		reg_verify(off, len, "write");
		break;
	case 3:		/* pread */
		reg_verify(off, len, "nothing");
		break;
	case 4:		/* lseek and read, in pieces */
		if (!expect(C_ERRNO, SYSRET(lseek(S.fd[0], off, SEEK_SET)), off, "lseek SEEK_SET"))
			break;
		S.pos = off;
		for (i = 0; i < len; i += ret) {
			ret = SYSRET(read(S.fd[0], S.tmp + i, 1 + below(&S.rng, len - i)));
			if (!check(C_ERRNO, ret > 0, "read inside the shared buffer: %ld", ret))
				return;
			S.pos += ret;
		}
		check(C_DATA, !memcmp(S.tmp, S.shadow + off - S.reg_off, len),
		      "read of shared bytes %zu+%zu differs from what this process wrote", off, len);
		break;
	case 5:		/* at or past the end */
		off = size + (chance(&S.rng, 30) ? 0 : below(&S.rng, 1 << 20));
		ret = SYSRET(pwrite(S.fd[0], S.tmp, 1 + below(&S.rng, 64), off));
		snprintf(what, sizeof(what), "pwrite at %zu, the end is %zu", off, size);
		expect(C_ERRNO, ret, -ENOSPC, what);
		expect(C_ERRNO, SYSRET(pwrite(S.fd[0], S.tmp, 0, off)), 0, "pwrite of 0 bytes at the end");
		expect(C_ERRNO, SYSRET(pread(S.fd[0], S.tmp, 64, off)), 0, "pread at the end");
		break;
	case 6:		/* across the end: short, if the end is ours */
		if (S.reg_off + S.reg_len != size)
			break;
		len = 1 + below(&S.rng, 4096);
		off = size - len;
		i = 1 + below(&S.rng, 4096);
		rand_bytes(S.tmp, len + i);
		ret = SYSRET(pwrite(S.fd[0], S.tmp, len + i, off));
		if (expect(C_ERRNO, ret, len, "pwrite across the end of the shared buffer"))
			memcpy(S.shadow + off - S.reg_off, S.tmp, len);
		reg_verify(off, len, "a write across the end");
		break;
	case 7:		/* negative offsets */
		expect(C_ERRNO, SYSRET(pwrite(S.fd[0], S.tmp, 8, -(off_t)(1 + below(&S.rng, 4096)))),
		       -EINVAL, "pwrite at a negative offset");
		expect(C_ERRNO, SYSRET(pread(S.fd[0], S.tmp, 8, -(off_t)(1 + below(&S.rng, 4096)))),
		       -EINVAL, "pread at a negative offset");
		break;
	case 8:		/* the read-only descriptor reads, does not write */
		ret = SYSRET(pread(S.fd[1], S.tmp, len, off));
		if (expect(C_ERRNO, ret, len, "pread on the O_RDONLY descriptor"))
			check(C_DATA, !memcmp(S.tmp, S.shadow + off - S.reg_off, len),
			      "shared bytes %zu+%zu read through O_RDONLY differ", off, len);
		expect(C_ERRNO, SYSRET(pwrite(S.fd[1], S.tmp, len, off)), -EBADF,
		       "pwrite on the O_RDONLY descriptor");
		break;
	default:	/* whole pages through our mapping of our part */
		for (i = 0; i < MAX_MAPS; i++)
			if (S.maps[i].used && S.maps[i].buf < 0 && (S.maps[i].prot & PROT_READ))
				map_verify(&S.maps[i], 0, S.maps[i].pages < 4 ? S.maps[i].pages : 4);
		break;
	}
}

/*
 * Writes from a buffer that is readable only in part must change exactly
 * the bytes they report written; reads into a buffer that is writable only
 * in part deliver what they report.
 */
static void op_rw_fault(void)
{
	size_t k = 1 + below(&S.rng, page - 1), m = 1 + below(&S.rng, page), off, len, r;
	unsigned char *src = (unsigned char *)S.guard + page - k;
	int how = below(&S.rng, 4);
	char what[128];
	long ret;

	reg_range(16384, &off, &len);
	if (off + k + m > S.reg_off + S.reg_len)
		off = S.reg_off + S.reg_len - k - m;
	switch (how) {
	case 0:		/* k readable bytes, then m unreadable ones */
	case 1:		/* nothing readable */
		if (how == 1) {
			src = (unsigned char *)S.guard + page;
			k = 0;
		} else {
			rand_bytes(src, k);
		}
		ret = SYSRET(pwrite(S.fd[0], src, k + m, off));
		snprintf(what, sizeof(what), "pwrite of %zu bytes, %zu readable, at %zu", k + m, k,
			 off);
		check(C_ERRNO, ret == -EFAULT || (ret > 0 && (size_t)ret <= k), "%s: got %s", what,
		      rname(ret, (char[32]){ 0 }, 32));
		r = ret > 0 ? (size_t)ret : 0;
		if (!expect(C_DATA, SYSRET(pread(S.fd[0], S.tmp, k + m, off)), k + m, "pread"))
			break;
		check(C_WRITE, !memcmp(S.tmp, src, r) &&
		      !memcmp(S.tmp + r, S.shadow + off - S.reg_off + r, k + m - r),
		      "%s reported %s; the buffer changed beyond what it wrote", what,
		      rname(ret, (char[32]){ 0 }, 32));
		memcpy(S.shadow + off - S.reg_off, src, r);
		/* Put back what the kernel may have destroyed. */
		expect(C_DATA, SYSRET(pwrite(S.fd[0], S.shadow + off - S.reg_off, k + m, off)),
		       k + m, "pwrite");
		break;
	case 2:		/* k writable bytes, then m unwritable ones */
		ret = SYSRET(pread(S.fd[0], src, k + m, off));
		check(C_ERRNO, ret == -EFAULT || (ret > 0 && (size_t)ret <= k),
		      "pread of %zu bytes into %zu writable: got %s", k + m, k,
		      rname(ret, (char[32]){ 0 }, 32));
		if (ret > 0)
			check(C_DATA, !memcmp(src, S.shadow + off - S.reg_off, ret),
			      "a short pread delivered the wrong bytes");
		break;
	default:	/* nothing writable */
		expect(C_ERRNO, SYSRET(pread(S.fd[0], S.ropage, 1 + below(&S.rng, page), off)),
		       -EFAULT, "pread into a read-only page");
		break;
	}
}

static void op_lseek(void)
{
	static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE, 5, 42 };
	static const char *const names[] = { "SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA",
					     "SEEK_HOLE", "whence 5", "whence 42" };
	long long size = info0.shared_bytes, o, target;
	int wi = below(&S.rng, 7), cat = C_ERRNO;
	long ret, want;
	char what[96];

	switch (below(&S.rng, 4)) {
	case 0:
		o = -(long long)below(&S.rng, 1 << 20) - 1;
		break;
	case 1:
		o = size + 1 + below(&S.rng, 1 << 20);
		break;
	default:
		o = below(&S.rng, size);
		break;
	}
	if (wi == 1 || wi == 2)		/* relative: keep it mostly inside */
		o -= wi == 1 ? S.pos : size;
	target = wi == 1 ? S.pos + o : wi == 2 ? size + o : o;
	if (wi > 4)
		want = -EINVAL;
	else if ((wi == 3 || wi == 4) && (target < 0 || target >= size))
		want = -ENXIO;	/* as for a regular file */
	else if (target < 0 || target > size)
		want = -EINVAL;
	else if (wi == 3)
		want = target, cat = C_SEEK;
	else if (wi == 4)
		want = size, cat = C_SEEK;
	else
		want = target;
	ret = SYSRET(lseek(S.fd[0], o, whences[wi]));
	snprintf(what, sizeof(what), "lseek(%lld, %s) from %lld, size %lld", o, names[wi],
		 (long long)S.pos, size);
	expect(cat, ret, want, what);
	if (ret >= 0)
		S.pos = ret;
}

/* ---- fork ----------------------------------------------------------- */

/*
 * A child checks inherited mappings, writes new patterns through one of
 * them and into our part of the shared buffer through the inherited
 * descriptor, allocates and frees on it, and exits holding a mapping.
 */
static void op_fork(void)
{
	int i = pick(map_writable, MAX_MAPS), st, j, k;
	uint64_t seed = rnd(&S.rng) | 1;
	size_t a = 0, n = 0, off, len, p;
	pid_t pid;

	reg_range(8192, &off, &len);
	rand_bytes(S.tmp, len);
	if (i >= 0) {
		a = below(&S.rng, S.maps[i].pages);
		n = 1 + below(&S.rng, S.maps[i].pages - a < 8 ? S.maps[i].pages - a : 8);
	}
	rep->forks[me_w]++;
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		me_t = 9;
		me_what = "fork child";
		for (j = 0; j < MAX_MAPS; j++)
			if (S.maps[j].used)
				map_verify(&S.maps[j], 0, S.maps[j].pages < 4 ? S.maps[j].pages : 4);
		if (i >= 0)
			map_write(&S.maps[i], a, a + n, seed);
		expect(C_DATA, SYSRET(pwrite(S.fd[0], S.tmp, len, off)), len,
		       "pwrite through the inherited descriptor");
		if (chance(&S.rng, 50)) {
			me_what = "fork child alloc";
			j = free_slot_buf();
			if (j >= 0) {
				op_alloc();
				if (S.bufs[j].used)
					expect(C_ERRNO, dev_free(S.fd[S.bufs[j].f], S.bufs[j].handle),
					       0, "FREE in a fork child");
				for (k = 0; k < MAX_MAPS; k++)
					if (S.bufs[j].used && S.maps[k].buf == j &&
					    map_writable(k))
						map_write(&S.maps[k], 0, 1, seed);
			}
		}
		if (chance(&S.rng, 50) && (j = pick(map_used, MAX_MAPS)) >= 0)
			munmap(S.maps[j].addr, S.maps[j].pages * page);
		_exit(0);
	}
	if (!check(C_DATA, waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
		   "fork child: status %#x", st))
		return;
	/* What the child wrote, in its order: the mapping, then pwrite(). */
	for (p = a; i >= 0 && p < a + n; p++)
		if (S.maps[i].buf >= 0)
			S.bufs[S.maps[i].buf].seeds[S.maps[i].pgoff + p] = seed;
		else
			shadow_fill(&S.maps[i], p, seed);
	memcpy(S.shadow + off - S.reg_off, S.tmp, len);
	if (i >= 0)
		map_verify(&S.maps[i], a, a + n);
	reg_verify(off, len, "a fork child's write");
}

/* ---- racing threads ------------------------------------------------- */

struct racers {
	int w, fd, stop;
	uint32_t last;		/* the last handle one of them was given */
	uint64_t seed;
	unsigned long ops;
};

struct racer_arg {
	struct racers *r;
	int t;
};

/* ALLOC on a descriptor the other racer frees the next handles of. */
static void *racer(void *arg)
{
	struct racers *r = ((struct racer_arg *)arg)->r;
	uint64_t rng = r->seed + ((struct racer_arg *)arg)->t * 0x9e3779b97f4a7c15ULL;
	uint32_t held[RACER_BUFS], h;
	struct memlab_allocation_data a;
	struct memlab_info in;
	int n = 0, k;
	long ret;
	char *addr;

	me_w = r->w;
	me_t = ((struct racer_arg *)arg)->t;
	me_what = "racer";
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		me_op++;
		switch (below(&rng, 8)) {
		case 0 ... 2: {
			uint32_t mode = rand_mode(&rng);
			uint64_t len = 1 + below(&rng, 4 * page);

			if (n == RACER_BUFS) {
				ret = dev_free(r->fd, held[0]);
				check(C_ERRNO, !ret || ret == -ENOENT, "racing FREE: %ld", ret);
				memmove(held, held + 1, --n * sizeof(held[0]));
			}
			ret = dev_alloc(r->fd, len, mode, &a);
			check(C_ERRNO, !ret || ret == -ENOSPC || ret == -ENOMEM ||
			      ((mode & MEMLAB_CACHE_MASK) && ret == -EOPNOTSUPP), "racing ALLOC: got %s",
			      rname(ret, (char[32]){ 0 }, 32));
			if (ret)
				break;
			alloc_reply_check(&a, mode, len, S.priv);
			held[n++] = a.handle;
			__atomic_store_n(&r->last, a.handle, __ATOMIC_RELEASE);
			break;
		}
		case 3 ... 4:	/* the handles the other racer gets next, likely */
			for (k = 0; k < 16; k++) {
				h = __atomic_load_n(&r->last, __ATOMIC_ACQUIRE) + below(&rng, 3);
				if (k & 1)	/* the lowest free handle is handed out next */
					h = 1 + below(&rng, 32);
				ret = dev_free(r->fd, h);
				check(C_ERRNO, !ret || ret == -ENOENT, "racing FREE of %u: %ld",
				      h, ret);
			}
			break;
		case 5:
			if (!n)
				break;
			k = below(&rng, n);
			ret = dev_free(r->fd, held[k]);
			check(C_ERRNO, !ret || ret == -ENOENT, "racing FREE of %u: %ld", held[k], ret);
			held[k] = held[--n];
			break;
		case 6:		/* racers never write: a page mapped is zero */
			if (!n)
				break;
			h = held[below(&rng, n)];
			ret = do_mmap(&addr, page, PROT_READ, MAP_SHARED, r->fd,
				      (uint64_t)h << COOKIE_SHIFT);
			check(C_ERRNO, !ret || ret == -ENXIO, "racing mmap of %u: %ld", h, ret);
			if (ret)
				break;
			check(C_ZERO, page_bad((void *)addr, 0, 0) < 0,
			      "a fresh buffer (handle %u) mapped by a racer is not zero", h);
			munmap(addr, page);
			break;
		default:
			if (!dev_info(r->fd, &in))
				info_check(&in, -1);
			break;
		}
		__atomic_fetch_add(&r->ops, 1, __ATOMIC_RELAXED);
	}
	while (n--) {
		ret = dev_free(r->fd, held[n]);
		check(C_ERRNO, !ret || ret == -ENOENT, "racing FREE: %ld", ret);
	}
	return NULL;
}

/* ---- a worker process ----------------------------------------------- */

static const struct {
	void (*fn)(void);
	const char *name;
	unsigned int weight;
} ops[] = {
	{ op_alloc, "alloc", 10 },
	{ op_alloc_bad, "malformed alloc", 4 },
	{ op_ioctl_fault, "ioctl with a bad pointer", 2 },
	{ op_info, "info", 3 },
	{ op_free, "free", 6 },
	{ op_free_bad, "malformed free", 2 },
	{ op_ioctl_unknown, "unknown ioctl", 1 },
	{ op_mmap, "mmap", 10 },
	{ op_munmap, "munmap", 6 },
	{ op_verify, "verify", 6 },
	{ op_write_map, "write through a mapping", 6 },
	{ op_mremap, "mremap", 2 },
	{ op_mprotect, "mprotect", 2 },
	{ op_other_file, "other file, dup", 1 },
	{ op_fork, "fork", 2 },
	{ op_rw, "read and write", 8 },
	{ op_rw_fault, "read and write with bad buffers", 3 },
	{ op_lseek, "lseek", 4 },
};

/* A fault in a worker or child: say where and in which operation, then die of it. */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	char line[200];
	int n;

	(void)uc;
	n = snprintf(line, sizeof(line), "# worker %d thread %d op %lu (%s): signal %d at %p\n",
		     me_w, me_t, me_op, me_what, sig, si->si_addr);
	if (n > 0)
		(void)!write(STDOUT_FILENO, line, n < (int)sizeof(line) ? n : (int)sizeof(line) - 1);
	if (getenv("MEMLAB_FUZZ_MAPS")) {
		int fd = open("/proc/self/maps", O_RDONLY);

		while (fd >= 0 && (n = read(fd, line, sizeof(line))) > 0)
			(void)!write(STDOUT_FILENO, line, n);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int worker(int w, double end, uint64_t seed)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	struct racers rs = { .w = w, .seed = seed ^ 0x5851f42d4c957f2dULL };
	struct racer_arg ra[RACERS];
	pthread_t th[RACERS];
	unsigned int total = 0, k;
	struct memlab_allocation_data *req;
	struct memlab_info in;
	size_t region;
	char *addr;
	int i, t;

	me_w = w;
	S.rng = seed | 1;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	if (w >= WORKERS / 2 && geteuid() == 0 && become_nobody())
		return 2;
	S.priv = geteuid() == 0;
	S.fd[0] = open(DEV_PATH, O_RDWR);
	S.fd[1] = open(DEV_PATH, O_RDONLY);
	rs.fd = open(DEV_PATH, O_RDWR);
	if (S.fd[0] < 0 || S.fd[1] < 0 || rs.fd < 0)
		return 3;
	region = info0.shared_bytes / WORKERS / page * page;
	S.reg_off = w * region;
	S.reg_len = w == WORKERS - 1 ? info0.shared_bytes - S.reg_off : region;
	S.shadow = malloc(S.reg_len);
	S.tmp = malloc(S.reg_len + 2 * page);
	S.guard = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	S.ropage = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!S.shadow || !S.tmp || S.guard == MAP_FAILED || S.ropage == MAP_FAILED ||
	    mprotect(S.guard + page, page, PROT_NONE))
		return 4;
	/* The read-only page holds a valid one-page ALLOC request. */
	req = (struct memlab_allocation_data *)S.ropage;
	req->size = sizeof(*req);
	req->length = page;
	if (mprotect(S.ropage, page, PROT_READ))
		return 4;

	/* Our part of the shared buffer: a known pattern, and a mapping of it. */
	rand_bytes(S.shadow, S.reg_len);
	if (!expect(C_DATA, SYSRET(pwrite(S.fd[0], S.shadow, S.reg_len, S.reg_off)), S.reg_len,
		    "pwrite our part of the shared buffer"))
		return 5;
	if (do_mmap(&addr, S.reg_len, PROT_READ | PROT_WRITE, MAP_SHARED, S.fd[0], S.reg_off))
		return 6;
	map_verify(&S.maps[map_add(addr, S.reg_len / page, S.reg_off / page, -1,
				   PROT_READ | PROT_WRITE, false)], 0, S.reg_len / page);

	for (t = 0; t < RACERS; t++) {
		ra[t] = (struct racer_arg){ .r = &rs, .t = t + 1 };
		if (pthread_create(&th[t], NULL, racer, &ra[t]))
			return 7;
	}
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		total += ops[k].weight;
	while (now() < end) {
		unsigned int r = below(&S.rng, total);

		for (k = 0; r >= ops[k].weight; k++)
			r -= ops[k].weight;
		me_op++;
		me_what = ops[k].name;
		ops[k].fn();
	}
	__atomic_store_n(&rs.stop, 1, __ATOMIC_RELEASE);
	for (t = 0; t < RACERS; t++)
		pthread_join(th[t], NULL);

	me_what = "the end";
	for (i = 0; i < MAX_MAPS; i++)
		if (S.maps[i].used)
			map_verify(&S.maps[i], 0, S.maps[i].pages < 64 ? S.maps[i].pages : 64);
	for (i = 0; i < 2; i++)
		if (!dev_info(S.fd[i], &in))
			info_check(&in, S.charged[i]);
	reg_verify(S.reg_off, S.reg_len, "everything");
	rep->ops[w] = me_op;
	rep->racer_ops[w] = rs.ops;
	/* Half the time, leave everything to the kernel's cleanup. */
	if (chance(&S.rng, 50)) {
		for (i = 0; i < MAX_MAPS; i++)
			if (S.maps[i].used)
				expect(C_ERRNO, SYSRET(munmap(S.maps[i].addr, S.maps[i].pages * page)),
				       0, "munmap at the end");
		for (i = 0; i < MAX_BUFS; i++)
			if (S.bufs[i].used && S.bufs[i].held)
				expect(C_ERRNO, dev_free(S.fd[S.bufs[i].f], S.bufs[i].handle), 0,
				       "FREE at the end");
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int seconds = argc > 1 ? (unsigned int)atoi(argv[1]) : 4;
	unsigned long long seed = argc > 2 ? strtoull(argv[2], NULL, 0) :
				  (unsigned long long)time(NULL) * 2654435761ULL ^ getpid();
	struct memlab_info in;
	pid_t pids[WORKERS];
	int i, st, fd, alive, bad = 0;
	unsigned int j;
	struct buf_row rows[4];
	double end;

	page = sysconf(_SC_PAGESIZE);
	tap_begin();
	/* Open, workers, one per category, INFO and its two, buffers, check. */
	tap_plan(2 + NR_CATS + 3 + 2);
	tap_diag("seed %llu (replay: dev_fuzz_test %u %llu)", seed, seconds, seed);
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fd = open(DEV_PATH, O_RDWR);
	if (!tap_ok(rep != MAP_FAILED && fd >= 0 && !dev_info(fd, &info0),
		    "open " DEV_PATH " and read INFO"))
		return tap_done();
	max_bytes = (uint64_t)info0.page_size << info0.max_order;
	tap_diag("pool %llu bytes, %llu free, largest buffer %llu, shared %llu, quotas %llu/%llu",
		 (unsigned long long)info0.pool_bytes, (unsigned long long)info0.pool_free_bytes,
		 (unsigned long long)max_bytes, (unsigned long long)info0.shared_bytes,
		 (unsigned long long)info0.quota_open_bytes,
		 (unsigned long long)info0.quota_global_bytes);

	end = now() + seconds;
	fflush(stdout);
	for (i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(worker(i, end, seed + (i + 1) * 0x9e3779b97f4a7c15ULL));
	}
	/* Watch the global charge from outside while they run. */
	me_what = "watching";
	for (alive = WORKERS; alive;) {
		for (i = 0; i < WORKERS; i++) {
			if (pids[i] <= 0 || waitpid(pids[i], &st, WNOHANG) != pids[i])
				continue;
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				tap_diag("worker %d (%s): %s %d", i, i < WORKERS / 2 ? "root" : "uid 65534",
					 WIFSIGNALED(st) ? "killed by signal" : "exit status",
					 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
				bad++;
			}
			pids[i] = 0;
			alive--;
		}
		if (!dev_info(fd, &in))
			info_check(&in, 0);
		usleep(20000);
	}
	close(fd);
	for (i = 0; i < WORKERS; i++)
		tap_diag("worker %d (%s): %lu operations, %lu forks, racers %lu operations", i,
			 i < WORKERS / 2 ? "root" : "uid 65534", rep->ops[i], rep->forks[i],
			 rep->racer_ops[i]);
	tap_ok(!bad, "%d processes (%d as uid %d), %d threads each, ran %u s to the end",
	       WORKERS, WORKERS / 2, NOBODY, RACERS + 1, seconds);
	for (i = 0; i < NR_CATS; i++) {
		tap_ok(!rep->cat[i].fails, "%s (%lu checks, %u failed)", cat_desc[i],
		       rep->cat[i].checks, rep->cat[i].fails);
		for (j = 0; j < FIRST && j < rep->cat[i].fails; j++)
			tap_diag("%s", rep->cat[i].first[j]);
	}

	/* Everything is closed: the pool has every byte back. */
	fd = open(DEV_PATH, O_RDWR);
	if (tap_ok(fd >= 0 && !dev_info(fd, &in), "INFO from a fresh descriptor")) {
		tap_ok(in.pool_free_bytes == info0.pool_free_bytes,
		       "the pool's free bytes are back at the starting figure (%llu, now %llu)",
		       (unsigned long long)info0.pool_free_bytes,
		       (unsigned long long)in.pool_free_bytes);
		tap_ok(!in.used_global_bytes && !in.nr_buffers && !in.used_open_bytes,
		       "no private buffer is left (%u buffers, %llu bytes)", in.nr_buffers,
		       (unsigned long long)in.used_global_bytes);
	}
	if (fd >= 0)
		close(fd);
	if (geteuid() == 0 && !access(DBG "/dev/buffers", R_OK)) {
		tap_ok(buffers_parse(rows, 4) == 1, "buffers: only the shared buffer is left");
		tap_ok(check_ok(), "the pool's check is ok");
	} else {
		tap_skip("needs root and debugfs", "buffers: only the shared buffer is left");
		tap_skip("needs root and debugfs", "the pool's check is ok");
	}
	return tap_done();
}
