// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_pt: a page-table inspector in debugfs, /sys/kernel/debug/memlab/pt/
 *
 *   walk    write a query ("<pid> <vaddr>", "self <vaddr>", "kernel <vaddr>"),
 *           read the translation level by level, the page behind it and
 *           what the AT instruction says
 *   vmas    write "<pid>" or "self", read the VMAs with their present pages
 *           by mapping size
 *   mmu     the MMU registers, field by field
 *   layout  the kernel's virtual memory layout
 *
 * walk and vmas keep their query per open file, so that several users, or
 * several threads of one program, each get the answer to their own
 * question. A failed write answers with its errno and leaves the reason
 * for the next read. The formats are documented in docs/pt.rst.
 *
 * walk and vmas show the physical pages of any process: they open only for
 * an opener with CAP_SYS_ADMIN, checked once at open against the file's
 * credentials, as /proc/<pid>/pagemap decides whether to show PFNs; a
 * descriptor passed on keeps the opener's right. mmu and layout show the
 * KASLR offset and table addresses: they refuse to open when the kernel is
 * locked down for confidentiality, as /proc/kcore does.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <memlab/core.h>

#include "arm64.h"
#include "pt.h"

struct memlab_pt_file {
	struct mutex lock;		/* the fields below */
	bool have_query;
	struct memlab_pt_query q;
	struct pid *pid;		/* self and pid queries */
	int err;			/* of the last write, 0 when it succeeded */
	const char *why;		/* its reason, a static string */
	bool rewind;			/* a write since the last read */
};

static struct dentry *memlab_pt_dir;

/* The errors a write leaves for the next read */
static const char *memlab_pt_errname(int err)
{
	switch (err) {
	case -EINVAL:
		return "EINVAL";
	case -ESRCH:
		return "ESRCH";
	case -EFAULT:
		return "EFAULT";
	default:
		WARN_ON_ONCE(1);
		return "EIO";
	}
}

/*
 * Resolve a parsed query against the running system: the process must
 * exist and own an address space, the address must lie in the half its
 * target translates. Returns with a reference on *pidp for self and pid
 * queries.
 */
static int memlab_pt_resolve(const struct memlab_pt_query *q, bool want_va,
			     struct pid **pidp, const char **why)
{
	struct memlab_pt_regs r;
	struct memlab_pt_geo geo;
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;
	bool kthread;

	if (want_va) {
		memlab_pt_read_regs(&r);
		if (memlab_pt_geo_from_tcr(&geo, r.tcr, q->target == MEMLAB_PT_TARGET_KERNEL)) {
			*why = "this translation regime is not 4 KiB-granule";
			return -EINVAL;
		}
		if (!memlab_pt_va_valid(&geo, q->va)) {
			*why = q->target == MEMLAB_PT_TARGET_KERNEL ?
			       "not a kernel address (TTBR1 range)" :
			       "not a user address (TTBR0 range)";
			return -EINVAL;
		}
	}
	*pidp = NULL;
	if (q->target == MEMLAB_PT_TARGET_KERNEL)
		return 0;
	if (q->target == MEMLAB_PT_TARGET_SELF)
		pid = get_pid(task_tgid(current));
	else
		pid = find_get_pid(q->pid);
	task = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
	if (!task) {
		put_pid(pid);
		*why = "no such process";
		return -ESRCH;
	}
	kthread = task->flags & PF_KTHREAD;
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm) {
		put_pid(pid);
		if (kthread) {
			*why = "a kernel thread: it has no user address space";
			return -EINVAL;
		}
		*why = "the process is exiting: it has no address space";
		return -ESRCH;
	}
	mmput(mm);
	*pidp = pid;
	return 0;
}

static ssize_t memlab_pt_write(struct file *file, const char __user *ubuf, size_t len,
			       loff_t *ppos, bool want_va)
{
	struct seq_file *m = file->private_data;
	struct memlab_pt_file *pf = m->private;
	char buf[MEMLAB_PT_QUERY_MAX];
	struct memlab_pt_query q;
	const char *why = NULL;
	struct pid *pid = NULL, *old;
	int err;

	if (len >= MEMLAB_PT_QUERY_MAX) {
		why = "query too long";
		err = -EINVAL;
		goto store;
	}
	if (copy_from_user(buf, ubuf, len)) {
		why = "bad user buffer";
		err = -EFAULT;
		goto store;
	}
	err = memlab_pt_parse_query(buf, len, want_va, &q, &why);
	if (!err)
		err = memlab_pt_resolve(&q, want_va, &pid, &why);

store:

	mutex_lock(&pf->lock);
	old = pf->pid;
	pf->pid = pid;
	pf->have_query = !err;
	pf->err = err;
	pf->why = why;
	pf->rewind = true;
	if (!err)
		pf->q = q;
	mutex_unlock(&pf->lock);
	put_pid(old);
	return err ? err : len;
}

/*
 * The next read after a write starts the answer (or the error line) from
 * the beginning. The write cannot rewind the file itself: write(2) drops
 * the position a failed ->write() leaves, so it is done here.
 */
static ssize_t memlab_pt_read(struct file *file, char __user *ubuf, size_t len,
			      loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	struct memlab_pt_file *pf = m->private;
	bool rewind;

	mutex_lock(&pf->lock);
	rewind = pf->rewind;
	pf->rewind = false;
	mutex_unlock(&pf->lock);
	if (rewind)
		*ppos = 0;
	return seq_read(file, ubuf, len, ppos);
}

static int memlab_pt_open_file(struct inode *inode, struct file *file,
			       int (*show)(struct seq_file *, void *))
{
	struct memlab_pt_file *pf;
	int ret;

	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	mutex_init(&pf->lock);
	ret = single_open(file, show, pf);
	if (ret)
		kfree(pf);
	return ret;
}

static int memlab_pt_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct memlab_pt_file *pf = m->private;

	put_pid(pf->pid);
	mutex_destroy(&pf->lock);
	kfree(pf);
	return single_release(inode, file);
}

/* Returns true when the error of the last write was shown instead. */
static bool memlab_pt_show_error(struct seq_file *m, struct memlab_pt_file *pf)
{
	if (!pf->err)
		return false;
	seq_printf(m, "error %s %s\n", memlab_pt_errname(pf->err), pf->why);
	return true;
}

static int memlab_pt_walk_show(struct seq_file *m, void *v)
{
	struct memlab_pt_file *pf = m->private;
	int ret = 0;

	mutex_lock(&pf->lock);
	if (memlab_pt_show_error(m, pf))
		goto out;
	if (!pf->have_query) {
		seq_puts(m, "# write \"<pid> <vaddr>\", \"self <vaddr>\" or \"kernel <vaddr>\" to this open file, then read it\n");
		goto out;
	}
	ret = memlab_pt_show_walk(m, &pf->q, pf->pid);
out:
	mutex_unlock(&pf->lock);
	return ret;
}

static int memlab_pt_walk_open(struct inode *inode, struct file *file)
{
	return memlab_pt_open_file(inode, file, memlab_pt_walk_show);
}

static ssize_t memlab_pt_walk_write(struct file *file, const char __user *ubuf, size_t len,
				    loff_t *ppos)
{
	return memlab_pt_write(file, ubuf, len, ppos, true);
}

static const struct file_operations memlab_pt_walk_fops = {
	.owner		= THIS_MODULE,
	.open		= memlab_pt_walk_open,
	.read		= memlab_pt_read,
	.write		= memlab_pt_walk_write,
	.llseek		= seq_lseek,
	.release	= memlab_pt_release,
};

static int memlab_pt_vmas_show(struct seq_file *m, void *v)
{
	struct memlab_pt_file *pf = m->private;
	int ret = 0;

	mutex_lock(&pf->lock);
	if (memlab_pt_show_error(m, pf))
		goto out;
	/* without a query: the reading process */
	ret = memlab_pt_show_vmas(m, pf->have_query ? pf->pid : task_tgid(current));
out:
	mutex_unlock(&pf->lock);
	return ret;
}

static int memlab_pt_vmas_open(struct inode *inode, struct file *file)
{
	return memlab_pt_open_file(inode, file, memlab_pt_vmas_show);
}

static ssize_t memlab_pt_vmas_write(struct file *file, const char __user *ubuf, size_t len,
				    loff_t *ppos)
{
	return memlab_pt_write(file, ubuf, len, ppos, false);
}

static const struct file_operations memlab_pt_vmas_fops = {
	.owner		= THIS_MODULE,
	.open		= memlab_pt_vmas_open,
	.read		= memlab_pt_read,
	.write		= memlab_pt_vmas_write,
	.llseek		= seq_lseek,
	.release	= memlab_pt_release,
};

static int mmu_show(struct seq_file *m, void *v)
{
	struct memlab_pt_regs r;

	memlab_pt_read_regs(&r);
	memlab_pt_show_mmu(m, &r);
	return 0;
}

static int mmu_open(struct inode *inode, struct file *file)
{
	int ret = security_locked_down(LOCKDOWN_KCORE);

	return ret ? ret : single_open(file, mmu_show, NULL);
}

static const struct file_operations mmu_fops = {
	.owner		= THIS_MODULE,
	.open		= mmu_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
};

static int layout_open(struct inode *inode, struct file *file)
{
	int ret = security_locked_down(LOCKDOWN_KCORE);

	return ret ? ret : single_open(file, memlab_pt_show_layout, NULL);
}

static const struct file_operations layout_fops = {
	.owner		= THIS_MODULE,
	.open		= layout_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
};

static int __init memlab_pt_init(void)
{
	struct memlab_pt_regs r;
	struct memlab_pt_geo geo;

	memlab_pt_read_regs(&r);
	if (memlab_pt_geo_from_tcr(&geo, r.tcr, true)) {
		pr_err("memlab_pt: only the 4 KiB granule is supported (TCR_EL1 0x%016llx)\n",
		       r.tcr);
		return -EOPNOTSUPP;
	}
	memlab_pt_dir = debugfs_create_dir("pt", memlab_debugfs_root());
	if (IS_ERR(memlab_pt_dir))
		return PTR_ERR(memlab_pt_dir);
	debugfs_create_file("walk", 0600, memlab_pt_dir, NULL, &memlab_pt_walk_fops);
	debugfs_create_file("vmas", 0600, memlab_pt_dir, NULL, &memlab_pt_vmas_fops);
	debugfs_create_file("mmu", 0400, memlab_pt_dir, NULL, &mmu_fops);
	debugfs_create_file("layout", 0400, memlab_pt_dir, NULL, &layout_fops);
	return 0;
}
module_init(memlab_pt_init);

static void __exit memlab_pt_exit(void)
{
	debugfs_remove_recursive(memlab_pt_dir);
}
module_exit(memlab_pt_exit);

MODULE_DESCRIPTION("memlab page-table inspector: arm64 translations in debugfs");
MODULE_LICENSE("GPL");
