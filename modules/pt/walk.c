// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_pt live walks: the pt/walk and pt/vmas reports.
 *
 * Kernel addresses are translated from the table TTBR1_EL1 names, so no
 * unexported symbol (swapper_pg_dir, init_mm) is needed. Kernel tables,
 * which cannot be locked, are copied with copy_from_kernel_nofault() one
 * table at a time.
 *
 * User addresses are translated from mm->pgd as GUP-fast does, and only
 * inside a VMA found under mmap_read_lock(). The lock does not keep the
 * tables alive: munmap() frees them after downgrading it to read, and
 * khugepaged retracts PTE tables without it. arm64 frees user tables
 * after an RCU grace period, or, when it cannot batch them, after an IPI
 * to every CPU; interrupts off across a walk hold off both, so every table
 * reached from the root stays allocated until the walk ends. The tables
 * are still copied fault-safe, as the kernel's are. One walk, or the count
 * of one PTE table's range, runs with interrupts off at a time.
 *
 * Every entry is read once; a concurrent change shows as the old or the
 * new value, never as a mix.
 */
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "arm64.h"
#include "compat.h"
#include "pt.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* What a walk query found, for its memlab_pt_query event */
struct memlab_pt_answer {
	enum memlab_pt_outcome outcome;
	const char *level;		/* Linux's name, "-" without a walk */
};

static void memlab_pt_answer_walk(struct memlab_pt_answer *a, const struct memlab_pt_geo *geo,
				  const struct memlab_pt_walk *w)
{
	static const enum memlab_pt_outcome outcomes[] = {
		[MEMLAB_PT_MAPPED]	= MEMLAB_PT_OUT_MAPPED,
		[MEMLAB_PT_NOT_MAPPED]	= MEMLAB_PT_OUT_INVALID,
		[MEMLAB_PT_UNREADABLE]	= MEMLAB_PT_OUT_UNREADABLE,
	};

	a->outcome = outcomes[w->result];
	a->level = memlab_pt_level_name(geo, w->step[w->nr - 1].level);
}

/*
 * The tables of one interrupts-off section, a buffer each: a walk and the
 * count that follows it reach the same few tables (one per level), and
 * each copies only the entries it reads.
 */
struct memlab_pt_tables {
	unsigned int n;
	u64 addr[MEMLAB_PT_MAX_LEVELS];
	u64 buf[MEMLAB_PT_MAX_LEVELS][MEMLAB_PT_ENTRIES];
};

static const u64 *memlab_pt_map_tables(void *ctx, u64 table, unsigned int entries,
				       unsigned int first, unsigned int nr)
{
	struct memlab_pt_tables *t = ctx;
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->addr[i] == table)
			break;
	if (i == MEMLAB_PT_MAX_LEVELS)
		return NULL;
	if (!memlab_pt_map_copy(t->buf[i], table, entries, first, nr))
		return NULL;
	if (i == t->n)
		t->addr[t->n++] = table;
	return t->buf[i];
}

/* Linux's five names, and the hardware level each would have unfolded. */
static const char *const memlab_pt_names[] = { "pgd", "p4d", "pud", "pmd", "pte" };

static int memlab_pt_name_level(const struct memlab_pt_geo *geo, unsigned int i)
{
	/* folded names translate with the root's entry, as pXd_offset() does */
	return i ? max_t(int, i - 1, geo->start_level) : geo->start_level;
}

static const struct memlab_pt_step *memlab_pt_step_at(const struct memlab_pt_walk *w,
						      int level)
{
	unsigned int i;

	for (i = 0; i < w->nr; i++)
		if (w->step[i].level == level)
			return &w->step[i];
	return NULL;
}

static void memlab_pt_show_levels(struct seq_file *m, const struct memlab_pt_geo *geo,
				  const struct memlab_pt_walk *w, u64 mair)
{
	const struct memlab_pt_step *s;
	char attrs[160];
	unsigned int i;
	int level;

	seq_puts(m, "# level hw table              index desc               type    attributes\n");
	for (i = 0; i < ARRAY_SIZE(memlab_pt_names); i++) {
		level = memlab_pt_name_level(geo, i);
		if (i && level == memlab_pt_name_level(geo, 0)) {
			seq_printf(m, "%-7s -  folded\n", memlab_pt_names[i]);
			continue;
		}
		s = memlab_pt_step_at(w, level);
		if (!s)
			break;
		if (w->result == MEMLAB_PT_UNREADABLE && s == &w->step[w->nr - 1]) {
			seq_printf(m, "%-7s %-2d 0x%016llx %-5u -                  unreadable -\n",
				   memlab_pt_names[i], level, s->table, s->index);
			break;
		}
		memlab_pt_format_attrs(attrs, sizeof(attrs), geo, level, s->desc, mair);
		seq_printf(m, "%-7s %-2d 0x%016llx %-5u 0x%016llx %-7s %s\n", memlab_pt_names[i],
			   level, s->table, s->index, s->desc, memlab_pt_type_name(s->type), attrs);
	}

	/* show_pte()'s line, folded levels repeating the entry they fold into */
	seq_printf(m, "show_pte [%016llx]", w->va);
	for (i = 0; i < ARRAY_SIZE(memlab_pt_names); i++) {
		s = memlab_pt_step_at(w, memlab_pt_name_level(geo, i));
		if (!s || (w->result == MEMLAB_PT_UNREADABLE && s == &w->step[w->nr - 1]))
			break;
		seq_printf(m, "%s%s=%016llx", i ? ", " : " ", memlab_pt_names[i], s->desc);
	}
	seq_putc(m, '\n');
}

static void memlab_pt_show_result(struct seq_file *m, const struct memlab_pt_geo *geo,
				  const struct memlab_pt_walk *w)
{
	const struct memlab_pt_step *last = &w->step[w->nr - 1];
	const char *name = memlab_pt_level_name(geo, last->level);
	char size[16], cont[16];

	switch (w->result) {
	case MEMLAB_PT_MAPPED:
		seq_printf(m, "result mapped phys 0x%016llx size %s cont %s level %s\n", w->phys,
			   memlab_pt_size_name(w->size, size, sizeof(size)),
			   memlab_pt_size_name(w->cont, cont, sizeof(cont)), name);
		break;
	case MEMLAB_PT_NOT_MAPPED:
		seq_printf(m, "result invalid level %s\n", name);
		break;
	default:
		seq_printf(m, "result unreadable level %s\n", name);
		break;
	}
}

/*
 * The struct page behind a mapped address. A reference is taken for the
 * reading so that the folio cannot be split or freed under us; a page
 * whose count is zero (free, a tail page of a block allocated without
 * __GFP_COMP, or frozen as recent kernels keep slab pages) is reported
 * without looking further. The counts are read without the folio lock and
 * may be moving: one read as below zero (a page changing hands between the
 * reference and the read) shows as 0.
 */
static void memlab_pt_show_page(struct seq_file *m, u64 phys)
{
	unsigned long pfn = PHYS_PFN(phys);
	struct folio *folio;
	struct page *page;
	const char *kind;

	if (!pfn_valid(pfn)) {
		seq_printf(m, "page pfn 0x%lx no-struct-page\n", pfn);
		return;
	}
	page = pfn_to_page(pfn);
	folio = page_folio(page);
	if (!folio_try_get(folio)) {
		seq_printf(m, "page pfn 0x%lx refcount 0 mapcount 0 kind %s lru 0 dirty 0 order 0\n",
			   pfn, folio_test_slab(folio) ? "slab" : "unreferenced");
		return;
	}
	if (unlikely(page_folio(page) != folio)) {
		/* split or freed and reused between the two reads: say so */
		folio_put(folio);
		seq_printf(m, "page pfn 0x%lx changing\n", pfn);
		return;
	}
	if (folio_test_slab(folio))
		kind = "slab";
	else if (folio_test_anon(folio))
		kind = "anon";
	else if (!folio_test_large(folio) && PageReserved(page))
		kind = "reserved";
	else if (folio->mapping)
		kind = "file";
	else
		kind = "kernel";
	seq_printf(m, "page pfn 0x%lx refcount %d mapcount %d kind %s lru %d dirty %d order %u\n",
		   pfn, max(folio_ref_count(folio) - 1, 0),
		   folio_test_slab(folio) ? 0 : max(memlab_pt_mapcount(folio, page), 0), kind,
		   folio_test_lru(folio), folio_test_dirty(folio), folio_order(folio));
	folio_put(folio);
}

static void memlab_pt_show_hw(struct seq_file *m, const struct memlab_pt_walk *w, bool user)
{
	struct memlab_pt_par p;

	memlab_pt_par_decode(memlab_pt_at(w->va, user), &p);
	seq_printf(m, "hw at %s par 0x%016llx ", user ? "s1e0r" : "s1e1r", p.par);
	if (p.fault)
		seq_printf(m, "fault %s level %d", p.fst, p.fault_level);
	else
		seq_printf(m, "phys 0x%016llx attr 0x%02x", p.phys | (w->va & ~PAGE_MASK), p.attr);
	seq_printf(m, " agree %s\n", memlab_pt_hw_agrees(w, &p, user) ? "yes" : "no");
}

static int memlab_pt_walk_kernel(struct seq_file *m, const struct memlab_pt_query *q,
				 const struct memlab_pt_regs *r, struct memlab_pt_answer *a)
{
	struct memlab_pt_walk *w;
	struct memlab_pt_geo geo;
	u64 root, *buf;
	int ret;

	ret = memlab_pt_geo_from_tcr(&geo, r->tcr, true);
	if (ret)
		return ret;
	if (!memlab_pt_va_valid(&geo, q->va))
		return -EINVAL;
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	buf = kmalloc_array(MEMLAB_PT_ENTRIES, sizeof(u64), GFP_KERNEL);
	if (!w || !buf) {
		kfree(w);
		kfree(buf);
		return -ENOMEM;
	}
	root = memlab_pt_ttbr_base(r->ttbr1, geo.ds);
	memlab_pt_walk(&geo, root, q->va, memlab_pt_map_copy, buf, w);
	kfree(buf);
	memlab_pt_answer_walk(a, &geo, w);

	seq_printf(m, "query kernel 0x%016llx\n", q->va);
	seq_printf(m, "space kernel pid - root 0x%016llx va_bits %u levels %u granule 4K\n",
		   root, geo.va_bits, memlab_pt_levels(&geo));
	memlab_pt_show_levels(m, &geo, w, r->mair);
	memlab_pt_show_result(m, &geo, w);
	if (w->result == MEMLAB_PT_MAPPED)
		memlab_pt_show_page(m, w->phys);
	memlab_pt_show_hw(m, w, false);
	kfree(w);
	return 0;
}

/* One user walk, interrupts off, as GUP-fast walks (see the top of the file). */
static void memlab_pt_walk_user_tables(const struct memlab_pt_geo *geo, u64 root, u64 va,
				       struct memlab_pt_tables *t, struct memlab_pt_walk *w)
{
	unsigned long flags;

	local_irq_save(flags);
	t->n = 0;
	memlab_pt_walk(geo, root, va, memlab_pt_map_tables, t, w);
	local_irq_restore(flags);
}

/* A process's address space, held for a walk of its tables. */
struct memlab_pt_user {
	struct mm_struct *mm;
	struct memlab_pt_walk *w;
	struct memlab_pt_tables *t;
	char comm[TASK_COMM_LEN];
};

/*
 * The address space of @pid, referenced and read-locked, its task's name,
 * and room for a walk; memlab_pt_user_put() gives them back. Returns 0,
 * -ESRCH (gone, or no address space), -ENOMEM or -EINTR (killed).
 */
static int memlab_pt_user_get(struct pid *pid, struct memlab_pt_user *u)
{
	struct task_struct *task;
	int ret;

	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task)
		return -ESRCH;
	get_task_comm(u->comm, task);
	u->mm = get_task_mm(task);
	put_task_struct(task);
	if (!u->mm)
		return -ESRCH;
	u->w = kmalloc(sizeof(*u->w), GFP_KERNEL);
	u->t = kvmalloc(sizeof(*u->t), GFP_KERNEL);
	ret = u->w && u->t ? mmap_read_lock_killable(u->mm) : -ENOMEM;
	if (ret) {
		kvfree(u->t);
		kfree(u->w);
		mmput(u->mm);
	}
	return ret;
}

static void memlab_pt_user_put(struct memlab_pt_user *u)
{
	mmap_read_unlock(u->mm);
	kvfree(u->t);
	kfree(u->w);
	mmput(u->mm);
}

static int memlab_pt_walk_user(struct seq_file *m, const struct memlab_pt_query *q,
			       const struct memlab_pt_regs *r, struct pid *pid,
			       struct memlab_pt_answer *a)
{
	struct memlab_pt_user u;
	struct memlab_pt_walk *w;
	struct memlab_pt_geo geo;
	struct mm_struct *mm;
	pid_t nr;
	u64 root;
	int ret;

	ret = memlab_pt_geo_from_tcr(&geo, r->tcr, false);
	if (ret)
		return ret;
	if (!memlab_pt_va_valid(&geo, q->va))
		return -EINVAL;
	ret = memlab_pt_user_get(pid, &u);
	if (ret)
		return ret;
	mm = u.mm;
	w = u.w;

	root = virt_to_phys(mm->pgd);
	nr = pid_vnr(pid);
	if (q->target == MEMLAB_PT_TARGET_SELF)
		seq_printf(m, "query self 0x%016llx\n", q->va);
	else
		seq_printf(m, "query %d 0x%016llx\n", nr, q->va);
	seq_printf(m, "space user pid %d root 0x%016llx va_bits %u levels %u granule 4K\n",
		   nr, root, geo.va_bits, memlab_pt_levels(&geo));
	/* outside every VMA the tables may be on their way to being freed */
	if (!vma_lookup(mm, q->va)) {
		seq_puts(m, "result outside-vma\n");
		a->outcome = MEMLAB_PT_OUT_OUTSIDE_VMA;
		goto out;
	}
	memlab_pt_walk_user_tables(&geo, root, q->va, u.t, w);
	memlab_pt_answer_walk(a, &geo, w);
	memlab_pt_show_levels(m, &geo, w, r->mair);
	memlab_pt_show_result(m, &geo, w);
	if (w->result == MEMLAB_PT_MAPPED)
		memlab_pt_show_page(m, w->phys);
	/* The AT instruction translates through this CPU's TTBR0: our own mm. */
	if (mm == current->mm)
		memlab_pt_show_hw(m, w, true);
	else
		seq_puts(m, "hw skipped other-address-space\n");
out:
	memlab_pt_user_put(&u);
	return 0;
}

/**
 * memlab_pt_show_walk() - the pt/walk report for a query
 * @m: where it goes
 * @q: the query
 * @pid: the process, for self and pid queries
 *
 * Each call is one memlab_pt_query event, with what the walk found or the
 * error.
 *
 * Context: Process context; takes the target's mmap lock.
 * Return: 0; -ESRCH when the process has gone or lost its address space;
 * -EINVAL for an address outside the half the query names; -EINTR when
 * killed waiting for the mmap lock; -ENOMEM.
 */
int memlab_pt_show_walk(struct seq_file *m, const struct memlab_pt_query *q, struct pid *pid)
{
	struct memlab_pt_answer a = { .outcome = MEMLAB_PT_OUT_ERROR, .level = "-" };
	struct memlab_pt_regs r;
	int ret;

	memlab_pt_read_regs(&r);
	if (q->target == MEMLAB_PT_TARGET_KERNEL)
		ret = memlab_pt_walk_kernel(m, q, &r, &a);
	else
		ret = memlab_pt_walk_user(m, q, &r, pid, &a);
	if (ret)
		a.outcome = MEMLAB_PT_OUT_ERROR;
	trace_memlab_pt_query(q->target == MEMLAB_PT_TARGET_KERNEL ? NULL : pid, q->va,
			      a.outcome, a.level, ret);
	return ret;
}

static void memlab_pt_vma_name(struct seq_file *m, struct mm_struct *mm,
			       struct vm_area_struct *vma)
{
	const char *name = NULL;

	if (vma->vm_file) {
		seq_file_path(m, vma->vm_file, "\n");
		return;
	}
	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (!name && vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk)
		name = "[heap]";
	if (!name && vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		name = "[stack]";
	seq_puts(m, name ? name : "[anon]");
}

static void memlab_pt_show_counts(struct seq_file *m, const struct memlab_pt_counts *c)
{
	u64 present = 0;
	unsigned int k;

	for (k = 0; k < MEMLAB_PT_KIND_NR; k++)
		present += c->pages[k];
	seq_printf(m, "%llu", present);
	for (k = 0; k < MEMLAB_PT_KIND_NR; k++)
		seq_printf(m, " %llu", c->pages[k]);
}

/*
 * Counts the present pages of [@start, @end), one PTE table's range (or
 * one larger block, or one invalid upper entry) per interrupts-off
 * section, rescheduling between them. A walk to @va first finds the entry
 * that covers it; the count then reads the tables that walk copied.
 */
static void memlab_pt_count_user(const struct memlab_pt_geo *geo, u64 root, u64 start,
				 u64 end, struct memlab_pt_tables *t, struct memlab_pt_walk *w,
				 struct memlab_pt_counts *c)
{
	const u64 pte_table_span = BIT_ULL(memlab_pt_level_shift(2));
	const struct memlab_pt_step *last;
	unsigned long flags;
	u64 va, next;

	for (va = start; va < end; va = next) {
		next = min((va | (pte_table_span - 1)) + 1, end);
		local_irq_save(flags);
		t->n = 0;
		memlab_pt_walk(geo, root, va, memlab_pt_map_tables, t, w);
		last = &w->step[w->nr - 1];
		/* an entry above the PTE tables covers all of its span */
		if (last->level < 3)
			next = min((va | (BIT_ULL(memlab_pt_level_shift(last->level)) - 1)) + 1,
				   end);
		if (w->result == MEMLAB_PT_UNREADABLE)
			c->unreadable++;
		else if (w->result == MEMLAB_PT_MAPPED || last->level == 3)
			memlab_pt_count(geo, root, va, next, memlab_pt_map_tables, t, c);
		local_irq_restore(flags);
		cond_resched();
	}
}

/**
 * memlab_pt_show_vmas() - the pt/vmas report for a process
 * @m: where it goes
 * @pid: the process
 *
 * Context: Process context; takes the target's mmap lock.
 * Return: 0, -ESRCH when the process has gone or has no address space,
 * -EINTR when killed waiting for the mmap lock.
 */
int memlab_pt_show_vmas(struct seq_file *m, struct pid *pid)
{
	struct memlab_pt_counts total = {};
	struct vm_area_struct *vma;
	struct memlab_pt_user u;
	struct memlab_pt_regs r;
	struct memlab_pt_geo geo;
	struct mm_struct *mm;
	u64 root;
	int ret;

	memlab_pt_read_regs(&r);
	ret = memlab_pt_geo_from_tcr(&geo, r.tcr, false);
	if (ret)
		return ret;
	ret = memlab_pt_user_get(pid, &u);
	if (ret)
		return ret;
	mm = u.mm;

	root = virt_to_phys(mm->pgd);
	seq_printf(m, "pid %d comm %s root 0x%016llx va_bits %u levels %u\n", pid_vnr(pid),
		   u.comm, root, geo.va_bits, memlab_pt_levels(&geo));
	seq_puts(m, "# start          end              perm flags      present 4K 64K 2M 32M 1G name\n");
	{
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			struct memlab_pt_counts c = {};
			unsigned int k;

			memlab_pt_count_user(&geo, root, vma->vm_start, vma->vm_end, u.t, u.w, &c);
			for (k = 0; k < MEMLAB_PT_KIND_NR; k++)
				total.pages[k] += c.pages[k];
			total.unreadable += c.unreadable;

			seq_printf(m, "%016lx %016lx %c%c%c%c 0x%08lx ", vma->vm_start,
				   vma->vm_end, vma->vm_flags & VM_READ ? 'r' : '-',
				   vma->vm_flags & VM_WRITE ? 'w' : '-',
				   vma->vm_flags & VM_EXEC ? 'x' : '-',
				   vma->vm_flags & VM_MAYSHARE ? 's' : 'p',
				   (unsigned long)vma->vm_flags);
			memlab_pt_show_counts(m, &c);
			seq_putc(m, ' ');
			memlab_pt_vma_name(m, mm, vma);
			seq_putc(m, '\n');
		}
	}
	seq_puts(m, "total ");
	memlab_pt_show_counts(m, &total);
	seq_printf(m, " unreadable %llu\n", total.unreadable);
	memlab_pt_user_put(&u);
	return 0;
}
