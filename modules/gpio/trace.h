/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_gpio's tracepoints, in the memlab trace system
 * (/sys/kernel/tracing/events/memlab/): levels driven through the
 * gpio_chip and interrupts taken in the chained handler. core.c defines
 * them (CREATE_TRACE_POINTS); docs/gpio.rst lists the fields.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM memlab

#if !defined(_TRACE_MEMLAB_GPIO_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_MEMLAB_GPIO_H

#include <linux/device.h>
#include <linux/tracepoint.h>

#include <memlab/trace_compat.h>

#include "internal.h"

/* Line @line of @mg's gpio_chip driven to @value */
TRACE_EVENT(memlab_gpio_set,
	    TP_PROTO(const struct memlab_gpio *mg, unsigned int line, int value),
	    TP_ARGS(mg, line, value),
	    TP_STRUCT__entry(__string(dev, dev_name(mg->dev))
			     __field(unsigned int, line)
			     __field(int, value)),
	    TP_fast_assign(memlab_assign_str(dev, dev_name(mg->dev));
			   __entry->line = line;
			   __entry->value = value;),
	    TP_printk("dev=%s line=%u value=%d", __get_str(dev), __entry->line, __entry->value)
);

/* An interrupt of line @line of @mg, handled in the chained handler */
TRACE_EVENT(memlab_gpio_irq,
	    TP_PROTO(const struct memlab_gpio *mg, unsigned int line),
	    TP_ARGS(mg, line),
	    TP_STRUCT__entry(__string(dev, dev_name(mg->dev))
			     __field(unsigned int, line)),
	    TP_fast_assign(memlab_assign_str(dev, dev_name(mg->dev));
			   __entry->line = line;),
	    TP_printk("dev=%s line=%u", __get_str(dev), __entry->line)
);

#endif /* _TRACE_MEMLAB_GPIO_H */

/* Outside the guard: define_trace.h reads this file again from here */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
