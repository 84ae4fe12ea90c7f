// SPDX-License-Identifier: MIT
/*
 * The LDT (E10, E15): one kernel-managed table of GC_LDT_ENTRIES code/data
 * descriptors, written only through modify_ldt's checks, so user selectors
 * can name 16-bit, not-present or odd segments. Also the one place that
 * knows whether a selector would load, so the kernel never takes a ring-0
 * fault on a segment load it chose to make.
 */
#include "kernel.h"
#include "arch/desc.h"
#include "arch/processor.h"
#include "arch/segment.h"

static struct seg_desc ldt[GC_LDT_ENTRIES] __attribute__((aligned(16)));

extern struct seg_desc gdt[GDT_ENTRIES];

/* The GDT's LDT descriptor; desc_init() calls this, then LLDT. */
void ldt_install_descriptor(void)
{
	struct sys_desc64 *d = (struct sys_desc64 *)&gdt[GDT_ENTRY_LDT];
	uint64_t base = (uintptr_t)ldt;

	*d = (struct sys_desc64){
		.limit0 = sizeof(ldt) - 1,
		.base0 = base & 0xffff,
		.base1 = (base >> 16) & 0xff,
		.type = SYS_TYPE_LDT,
		.p = 1,
		.base2 = (base >> 24) & 0xff,
		.base3 = base >> 32,
	};
	lldt(__LDT_SEL);
}

static bool is_conforming_code(const struct seg_desc *d)
{
	return (d->type & (SEG_TYPE_CODE | SEG_TYPE_DC)) ==
	       (SEG_TYPE_CODE | SEG_TYPE_DC);
}

/* The testcase entries the table was last built from (ldt_reset). */
static uint64_t ldt_built_from[GC_LDT_ENTRIES];
static bool ldt_built_from_valid;

/*
 * What Linux's modify_ldt lets in (arch/x86/kernel/ldt.c write_ldt and
 * fill_ldt): an all-zero descriptor clears the entry; otherwise only code
 * and data segments (S = 1: no system descriptors, so no call gates), a
 * conforming code segment only if not present, DPL forced to 3 and the
 * accessed bit set, as fill_ldt builds them. Returns 0 or -EINVAL.
 */
int64_t ldt_write_entry(uint64_t index, uint64_t raw)
{
	struct seg_desc d;

	if (index >= GC_LDT_ENTRIES)
		return -GC_EINVAL;
	memcpy(&d, &raw, sizeof(d));
	if (raw && (!d.s || (is_conforming_code(&d) && d.p)))
		return -GC_EINVAL;
	if (raw) {
		d.dpl = 3;
		d.type |= SEG_TYPE_ACCESSED;
	}
	ldt[index] = d;
	ldt_built_from_valid = false; /* modify_ldt: the table moved on */
	return 0;
}

/*
 * Each run starts from the testcase's table, as if the process had called
 * modify_ldt for each entry; entries it would refuse stay empty. Every run
 * asks, and most ask for the table already there: under TCG the checks
 * and stores are not free, so an unchanged request returns at once.
 */
void ldt_reset(const uint64_t entries[GC_LDT_ENTRIES])
{
	bool same = ldt_built_from_valid;

	for (unsigned i = 0; i < GC_LDT_ENTRIES; i++)
		same = same && ldt_built_from[i] == entries[i];
	if (same)
		return;
	memset(ldt, 0, sizeof(ldt));
	for (unsigned i = 0; i < GC_LDT_ENTRIES; i++)
		ldt_write_entry(i, entries[i]);
	memcpy(ldt_built_from, entries, sizeof(ldt_built_from));
	ldt_built_from_valid = true;
}

static const struct seg_desc *descriptor_of(uint16_t sel)
{
	unsigned index = sel >> 3;

	if (sel & SEG_TI_LDT)
		return index < GC_LDT_ENTRIES ? &ldt[index] : NULL;
	return index < GDT_ENTRIES ? &gdt[index] : NULL;
}

/*
 * Would `mov sel, %ds` (or ES, FS, GS) succeed at CPL 0? The checks of SDM
 * Vol. 2 MOV "IF DS, ES, FS, or GS is loaded with non-NULL selector": in
 * the table's limit, a data or readable code segment, for data and
 * non-conforming code max(CPL, RPL) <= DPL (CPL is 0 here), present.
 */
bool selector_loads_as_data(uint16_t sel)
{
	const struct seg_desc *d;

	if ((sel & ~SEG_RPL_MASK) == 0)
		return true; /* null: loads, whatever the RPL */
	d = descriptor_of(sel);
	if (!d || !d->s)
		return false;
	if ((d->type & SEG_TYPE_CODE) && !(d->type & SEG_TYPE_RW))
		return false;
	if (!is_conforming_code(d) && d->dpl < (sel & SEG_RPL_MASK))
		return false;
	return d->p;
}

/* The segment's last valid offset (SDM Vol. 3A 3.4.5: G scales by 4 KiB). */
static uint64_t segment_limit(const struct seg_desc *d)
{
	uint64_t limit = ((uint64_t)d->limit1 << 16) | d->limit0;

	return d->g ? (limit << 12) | 0xfff : limit;
}

/*
 * Would an IRET or far return to CPL 3 load cs and ss, with cs a 16- or
 * 32-bit code segment? The checks of SDM Vol. 2 IRET (return to outer
 * privilege level) that come before its "tempEIP beyond code segment
 * limit" check, so the #GP(0) of that check is what the CPU raises only
 * when these pass. *limit is the code segment's limit.
 */
bool selector_is_legacy_user_code(uint16_t cs, uint16_t ss, uint64_t *limit)
{
	const struct seg_desc *c = descriptor_of(cs), *s = descriptor_of(ss);

	if ((cs & SEG_RPL_MASK) != 3 || (ss & SEG_RPL_MASK) != 3 || !c || !s ||
	    !(cs & ~SEG_RPL_MASK) || !(ss & ~SEG_RPL_MASK))
		return false;
	if (!c->s || !(c->type & SEG_TYPE_CODE) || !c->p || c->l ||
	    (is_conforming_code(c) ? c->dpl > 3 : c->dpl != 3))
		return false;
	if (!s->s || (s->type & SEG_TYPE_CODE) || !(s->type & SEG_TYPE_RW) ||
	    s->dpl != 3 || !s->p)
		return false;
	*limit = segment_limit(c);
	return true;
}

/*
 * After the LDT changed, DS and ES may hold descriptors that no longer
 * exist: Linux's refresh_ldt_segments() reloads each that names the LDT,
 * and loadsegment's fixup leaves 0 where the reload would fault (E15a:
 * "the selector must read 0"). FS and GS are left alone on 64-bit, as in
 * Linux (a reload would also reset their bases).
 */
void ldt_refresh_segments(void)
{
	uint16_t ds = read_ds(), es = read_es();

	if (ds & SEG_TI_LDT)
		write_ds(selector_loads_as_data(ds) ? ds : 0);
	if (es & SEG_TI_LDT)
		write_es(selector_loads_as_data(es) ? es : 0);
}
