// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl walk PID VA [--svg FILE | --json]: memlab/pt/walk's answer for
 * one address (docs/pt.rst). As text, the answer itself; as SVG, the
 * translation drawn: the registers it starts from, the address cut into
 * its indices, each level's table, index, descriptor and attributes, and
 * the page it ends at; as JSON, every field of the answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memlabctl.h"

#define WALK_PATH	DBG "/pt/walk"
#define MMU_PATH	DBG "/pt/mmu"
#define WORDS		24
#define LEVELS		5

static const char walk_help[] =
	"usage: memlabctl walk PID VA [--svg FILE | --json]\n"
	"Walk the page tables for virtual address VA of process PID (0 or\n"
	"'kernel': the kernel's tables, 'self': memlabctl's own) through\n"
	"memlab/pt/walk (root: debugfs) and show the answer.\n"
	"  (no option)  the answer as memlab_pt prints it\n"
	"  --svg FILE   the translation drawn as SVG (FILE - : standard output)\n"
	"  --json       the answer as one JSON object\n"
	"VA is 0x<hex> or decimal. An answer the module refuses exits with status 1\n"
	"and its errno name and reason.\n";

static const char *const level_names[LEVELS] = { "pgd", "p4d", "pud", "pmd", "pte" };

static int is_level(const char *w)
{
	int i;

	for (i = 0; i < LEVELS; i++)
		if (!strcmp(w, level_names[i]))
			return 1;
	return 0;
}

/* Ask memlab_pt; the answer (caller frees), or NULL after a message and *ret set. */
static char *walk_ask(const char *target, const char *va, int *ret)
{
	char query[128], *ans = NULL, line[256];
	size_t len = 0;
	ssize_t n;
	int fd, werr = 0;
	FILE *mem;

	*ret = 1;
	fd = open(WALK_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fail("open " WALK_PATH, errno);
		return NULL;
	}
	snprintf(query, sizeof(query), "%s %s\n", target, va);
	if (write(fd, query, strlen(query)) < 0)
		werr = errno;
	mem = open_memstream(&ans, &len);
	if (!mem) {
		close(fd);
		fail("read " WALK_PATH, errno);
		return NULL;
	}
	while ((n = read(fd, line, sizeof(line))) > 0)
		fwrite(line, 1, n, mem);
	if (n < 0)
		werr = werr ?: errno;
	fclose(mem);
	close(fd);
	if (ans && !strncmp(ans, "error ", 6)) {
		/* "error ENAME reason": name and reason as the module gave them */
		char *name = ans + 6, *reason = name + strcspn(name, " \n");

		if (*reason == ' ')
			*reason++ = '\0';
		else
			*reason = '\0';
		reason[strcspn(reason, "\n")] = '\0';
		fprintf(stderr, "memlabctl: %s: %s (%s): %s\n", WALK_PATH, name,
			strerror(ctl_errno(name)), *reason ? reason : "?");
		free(ans);
		return NULL;
	}
	if (werr) {
		fail(WALK_PATH, werr);
		free(ans);
		return NULL;
	}
	*ret = 0;
	return ans;
}

/* --- JSON ------------------------------------------------------------ */

/* "space user pid 1 ...", "result mapped phys ...": the first word is the line's own value. */
static void json_led_line(struct jw *j, char **w, int n)
{
	jw_object(j, w[0], 1);
	if (n % 2 == 0) {
		jw_word(j, w[0], w[1]);
		jw_pairs(j, w + 2, n - 2);
	} else {
		jw_pairs(j, w + 1, n - 1);
	}
	jw_object_end(j);
}

static void json_level(struct jw *j, char **w, int n)
{
	static const char *const col[] = { "level", "hw", "table", "index", "desc", "type" };
	int i;

	jw_object(j, NULL, 1);
	if (n == 3) {		/* "p4d - folded" */
		jw_word(j, "level", w[0]);
		jw_word(j, "hw", w[1]);
		jw_word(j, "type", w[2]);
	} else {
		for (i = 0; i < n && i < 6; i++)
			jw_word(j, col[i], w[i]);
		jw_array(j, "attributes", 1);
		for (i = 6; i < n; i++)
			jw_str(j, NULL, w[i]);
		jw_array_end(j);
	}
	jw_object_end(j);
}

/* show_pte [0000ffff8f7a9000] pgd=..., pud=...: hex as printed, no 0x. */
static void json_show_pte(struct jw *j, char **w, int n)
{
	char addr[32], *eq;
	int i;

	jw_object(j, "show_pte", 1);
	if (n > 1) {
		snprintf(addr, sizeof(addr), "%.*s", (int)strcspn(w[1] + 1, "]"), w[1] + 1);
		jw_str(j, "address", addr);
	}
	for (i = 2; i < n; i++) {
		w[i][strcspn(w[i], ",")] = '\0';
		eq = strchr(w[i], '=');
		if (!eq)
			continue;
		*eq = '\0';
		jw_str(j, w[i], eq + 1);
	}
	jw_object_end(j);
}

static int walk_json(const char *ans)
{
	char *copy = strdup(ans), *line, *save, *w[WORDS];
	int n, in_levels = 0;
	struct jw j;

	if (!copy)
		return fail("JSON", ENOMEM);
	jw_begin(&j, stdout, "walk", WALK_PATH);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		n = split_words(line, w, WORDS);
		if (!n || w[0][0] == '#')
			continue;
		if (is_level(w[0])) {
			if (!in_levels++)
				jw_array(&j, "levels", 0);
			json_level(&j, w, n);
			continue;
		}
		if (in_levels) {
			jw_array_end(&j);
			in_levels = 0;
		}
		if (!strcmp(w[0], "query") && n == 3) {
			jw_object(&j, "query", 1);
			jw_word(&j, "target", w[1]);
			jw_word(&j, "va", w[2]);
			jw_object_end(&j);
		} else if (!strcmp(w[0], "show_pte")) {
			json_show_pte(&j, w, n);
		} else if (!strcmp(w[0], "page") && n % 2 == 0) {
			/* "page pfn 0x1 no-struct-page": the last word says why there is no more */
			jw_object(&j, "page", 1);
			jw_pairs(&j, w + 1, n - 2);
			jw_word(&j, "state", w[n - 1]);
			jw_object_end(&j);
		} else {
			json_led_line(&j, w, n);
		}
	}
	if (in_levels)
		jw_array_end(&j);
	free(copy);
	return jw_end(&j);
}

/* --- SVG ------------------------------------------------------------- */

struct walk_level {
	char *w[WORDS];
	int n;
	int folded;
};

struct walk {
	char *text;		/* the answer, split in place */
	char *query[3], *space[WORDS], *result[WORDS], *page[WORDS], *hw[WORDS];
	int nquery, nspace, nresult, npage, nhw;
	char *show_pte;
	struct walk_level lv[LEVELS];
	int nlv;
	char *mmu;		/* memlab/pt/mmu, or NULL */
};

static void walk_parse(struct walk *wk, char *text)
{
	char *line, *save, *w[WORDS];
	int n;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "show_pte ", 9)) {
			wk->show_pte = line;
			continue;
		}
		n = split_words(line, w, WORDS);
		if (!n || w[0][0] == '#')
			continue;
		if (is_level(w[0]) && wk->nlv < LEVELS) {
			memcpy(wk->lv[wk->nlv].w, w, n * sizeof(*w));
			wk->lv[wk->nlv].n = n;
			wk->lv[wk->nlv++].folded = n == 3 && !strcmp(w[2], "folded");
		} else if (!strcmp(w[0], "query") && n == 3) {
			memcpy(wk->query, w, sizeof(wk->query));
			wk->nquery = n;
		} else if (!strcmp(w[0], "space")) {
			memcpy(wk->space, w, n * sizeof(*w));
			wk->nspace = n;
		} else if (!strcmp(w[0], "result")) {
			memcpy(wk->result, w, n * sizeof(*w));
			wk->nresult = n;
		} else if (!strcmp(w[0], "page")) {
			memcpy(wk->page, w, n * sizeof(*w));
			wk->npage = n;
		} else if (!strcmp(w[0], "hw")) {
			memcpy(wk->hw, w, n * sizeof(*w));
			wk->nhw = n;
		}
	}
}

/* The value after @key in "key value" words, or @dflt. */
static const char *field(char *const *w, int n, const char *key, const char *dflt)
{
	int i;

	for (i = 1; i + 1 < n; i++)
		if (!strcmp(w[i], key))
			return w[i + 1];
	return dflt;
}

/* The rest of memlab/pt/mmu's line for @key ("TCR_EL1.T0SZ"), or "?". */
static const char *mmu_field(const struct walk *wk, const char *key, char *buf, size_t len)
{
	const char *p = wk->mmu;
	size_t k = strlen(key);

	while (p && *p) {
		if (!strncmp(p, key, k) && p[k] == ' ') {
			snprintf(buf, len, "%.*s", (int)strcspn(p + k + 1, "\n"), p + k + 1);
			return buf;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return "?";
}

/* The meaning memlab/pt/mmu gives field @key ("TCR_EL1.HA 1 on": "on"), or "?". */
static const char *mmu_meaning(const struct walk *wk, const char *key, char *buf, size_t len)
{
	const char *v = mmu_field(wk, key, buf, len), *sp = strrchr(v, ' ');

	return sp ? sp + 1 : "?";
}

/* memlab/pt/mmu, or NULL: the registers are a bonus, the walk is the answer. */
static char *read_mmu(void)
{
	FILE *m = fopen(MMU_PATH, "r"), *mem;
	char chunk[1024], *text = NULL;
	size_t n, len = 0;

	if (!m)
		return NULL;
	mem = open_memstream(&text, &len);
	while (mem && (n = fread(chunk, 1, sizeof(chunk), m)) > 0)
		fwrite(chunk, 1, n, mem);
	if (mem)
		fclose(mem);
	fclose(m);
	return text;
}

#define W_SVG		1000.0
#define X0		30.0
#define BOX_W		940.0
#define VA_Y		176.0
#define LEVEL_Y		236.0
#define LEVEL_H		62.0
#define FOLDED_H	24.0
#define GAP		22.0

static const char *level_fill(const char *type)
{
	if (!strcmp(type, "table"))
		return "#e3f2fd";
	if (!strcmp(type, "block") || !strcmp(type, "page"))
		return "#e8f5e9";
	return "#ffebee";
}

static void svg_registers(FILE *f, const struct walk *wk, int user)
{
	const char *pid = field(wk->space, wk->nspace, "pid", "?");
	char b[5][96];

	fputs("<g class=\"registers\">\n", f);
	svg_rect(f, "box", X0, 58, BOX_W, 84, "#fafafa", "#607d8b");
	svg_text(f, X0 + 8, 74, "register-heading", "font-weight=\"bold\"",
		 "registers (this CPU, memlab/pt/mmu) and the walk's space");
	if (user)
		svg_text(f, X0 + 8, 92, "register ttbr", NULL,
			 "TTBR0_EL1 while pid %s runs: root table %s (its mm->pgd)", pid,
			 field(wk->space, wk->nspace, "root", "?"));
	else
		svg_text(f, X0 + 8, 92, "register ttbr", NULL,
			 "TTBR1_EL1 %s: root table %s", mmu_field(wk, "TTBR1_EL1", b[0], 96),
			 field(wk->space, wk->nspace, "root", "?"));
	svg_text(f, X0 + 8, 110, "register tcr", NULL,
		 "TCR_EL1 %s: %s %s, %s %s, HA %s, HD %s", mmu_field(wk, "TCR_EL1", b[0], 96),
		 user ? "T0SZ" : "T1SZ",
		 mmu_field(wk, user ? "TCR_EL1.T0SZ" : "TCR_EL1.T1SZ", b[1], 96),
		 user ? "TG0" : "TG1", mmu_field(wk, user ? "TCR_EL1.TG0" : "TCR_EL1.TG1", b[2], 96),
		 mmu_meaning(wk, "TCR_EL1.HA", b[3], 96), mmu_meaning(wk, "TCR_EL1.HD", b[4], 96));
	svg_text(f, X0 + 8, 128, "register space", NULL,
		 "%s space: va_bits %s, %s levels, granule %s; MAIR_EL1 %s",
		 wk->nspace > 1 ? wk->space[1] : "?", field(wk->space, wk->nspace, "va_bits", "?"),
		 field(wk->space, wk->nspace, "levels", "?"),
		 field(wk->space, wk->nspace, "granule", "?"), mmu_field(wk, "MAIR_EL1", b[1], 96));
	fputs("</g>\n", f);
}

/* The name Linux gives hardware level @hw of a walk with @levels levels. */
static const char *hw_name(int hw, int levels)
{
	static const char *const n[] = { "p4d", "pud", "pmd", "pte" };

	if (hw == 4 - levels)
		return "pgd";
	return hw >= 0 && hw <= 3 ? n[hw] : "?";
}

static void svg_va_field(FILE *f, const char *cls, int hi, int lo, const char *label,
			 const char *value)
{
	double bit = BOX_W / 64, x = X0 + (63 - hi) * bit, w = (hi - lo + 1) * bit;

	fprintf(f, "<g class=\"va-field %s\">\n", cls);
	svg_rect(f, "field", x, VA_Y, w, 34, "#eceff1", "#455a64");
	svg_text(f, x + 3, VA_Y + 14, "bits", "font-size=\"10\"", "%s %d-%d", label, hi, lo);
	svg_text(f, x + 3, VA_Y + 29, "value", "font-size=\"11\"", "%s", value);
	fputs("</g>\n", f);
}

static void svg_va(FILE *f, const struct walk *wk, unsigned long long va, int user)
{
	int va_bits = atoi(field(wk->space, wk->nspace, "va_bits", "48"));
	int levels = atoi(field(wk->space, wk->nspace, "levels", "4"));
	char v[40];
	int hw, shift, hi;

	if (va_bits < 25 || va_bits > 52 || levels < 1 || levels > 5)
		return;
	fputs("<g class=\"va\">\n", f);
	svg_text(f, X0, VA_Y - 8, "va-heading", "font-weight=\"bold\"",
		 "the virtual address %s, cut into a table index per level", wk->query[2]);
	snprintf(v, sizeof(v), "%s", user ? "all 0: TTBR0" : "all 1: TTBR1");
	svg_va_field(f, "upper", 63, va_bits, "upper", v);
	for (hw = 4 - levels; hw <= 3; hw++) {
		shift = 12 + 9 * (3 - hw);
		hi = hw == 4 - levels ? va_bits - 1 : shift + 8;
		snprintf(v, sizeof(v), "%llu", (va >> shift) & ((1ULL << (hi - shift + 1)) - 1));
		svg_va_field(f, hw_name(hw, levels), hi, shift, hw_name(hw, levels), v);
	}
	snprintf(v, sizeof(v), "0x%03llx", va & 0xfff);
	svg_va_field(f, "offset", 11, 0, "offset", v);
	fputs("</g>\n", f);
}

static void svg_arrow(FILE *f, double y0, double y1)
{
	double x = X0 + 60;

	fprintf(f, "<path class=\"arrow\" d=\"M%.1f %.1fV%.1f\" stroke=\"#37474f\" "
		"stroke-width=\"1.5\" fill=\"none\"/>\n", x, y0, y1 - 6);
	fprintf(f, "<path class=\"arrowhead\" d=\"M%.1f %.1fl-5 -7h10z\" fill=\"#37474f\"/>\n",
		x, y1);
}

/* One level line as a box: table, index, descriptor, type, attributes. */
static double svg_level(FILE *f, const struct walk_level *l, double y, const char *root)
{
	char attrs[256] = "";
	int i;

	if (l->folded) {
		fprintf(f, "<g class=\"level %s folded\">\n", l->w[0]);
		svg_rect(f, "box", X0, y, BOX_W, FOLDED_H, "#f5f5f5", "#9e9e9e");
		svg_text(f, X0 + 8, y + 16, "name", NULL,
			 "%s folded: Linux has the level, this geometry does not; the %s entry stands for it",
			 l->w[0], root);
		fputs("</g>\n", f);
		return y + FOLDED_H;
	}
	for (i = 6; i < l->n; i++) {
		strncat(attrs, l->w[i], sizeof(attrs) - strlen(attrs) - 2);
		if (i + 1 < l->n)
			strcat(attrs, " ");
	}
	fprintf(f, "<g class=\"level %s\">\n", l->w[0]);
	svg_rect(f, "box", X0, y, BOX_W, LEVEL_H, l->n > 5 ? level_fill(l->w[5]) : "#ffebee",
		 "#455a64");
	svg_text(f, X0 + 8, y + 17, "name", "font-weight=\"bold\"", "%s (hardware level %s)",
		 l->w[0], l->n > 1 ? l->w[1] : "?");
	svg_text(f, X0 + 300, y + 17, "type", "font-weight=\"bold\"", "%s",
		 l->n > 5 ? l->w[5] : "?");
	svg_text(f, X0 + 8, y + 35, "table", NULL, "table at %s", l->n > 2 ? l->w[2] : "?");
	svg_text(f, X0 + 300, y + 35, "index", NULL, "[index %s]", l->n > 3 ? l->w[3] : "?");
	svg_text(f, X0 + 430, y + 35, "descriptor", NULL, "descriptor %s",
		 l->n > 4 ? l->w[4] : "?");
	svg_text(f, X0 + 8, y + 53, "attributes", NULL, "%s", attrs);
	fputs("</g>\n", f);
	return y + LEVEL_H;
}

static double svg_result(FILE *f, const struct walk *wk, double y)
{
	const char *r = wk->nresult > 1 ? wk->result[1] : "none";
	char rest[256] = "";
	int i;

	for (i = 2; i < wk->nresult; i++) {
		strncat(rest, wk->result[i], sizeof(rest) - strlen(rest) - 2);
		if (i + 1 < wk->nresult)
			strcat(rest, " ");
	}
	if (!strcmp(r, "mapped")) {
		fputs("<g class=\"page\">\n", f);
		svg_rect(f, "box", X0, y, BOX_W, LEVEL_H, "#c8e6c9", "#1b5e20");
		svg_text(f, X0 + 8, y + 17, "name", "font-weight=\"bold\"",
			 "the page: physical %s + offset", field(wk->result, wk->nresult, "phys", "?"));
		svg_text(f, X0 + 8, y + 35, "result-line", NULL, "result mapped %s", rest);
	} else {
		fprintf(f, "<g class=\"result %s\">\n", r);
		svg_rect(f, "box", X0, y, BOX_W, LEVEL_H, "#ffcdd2", "#b71c1c");
		svg_text(f, X0 + 8, y + 17, "name", "font-weight=\"bold\"", "no page: %s%s%s", r,
			 *rest ? ", " : "", rest);
		svg_text(f, X0 + 8, y + 35, "result-line", NULL, "%s",
			 !strcmp(r, "outside-vma") ? "the address is in no VMA: nothing is walked" :
			 "an invalid entry ended the walk: a fault here would allocate or refuse");
	}
	if (wk->npage) {
		rest[0] = '\0';
		for (i = 1; i < wk->npage; i++) {
			strncat(rest, wk->page[i], sizeof(rest) - strlen(rest) - 2);
			if (i + 1 < wk->npage)
				strcat(rest, " ");
		}
		svg_text(f, X0 + 8, y + 53, "struct-page", NULL, "struct page: %s", rest);
	}
	fputs("</g>\n", f);
	return y + LEVEL_H;
}

static void svg_walk_legend(FILE *f, double y)
{
	static const struct {
		const char *fill, *label;
	} item[] = {
		{ "#e3f2fd", "table entry" },
		{ "#e8f5e9", "block or page entry" },
		{ "#ffebee", "invalid or unreadable" },
		{ "#f5f5f5", "folded level" },
		{ "#c8e6c9", "the page" },
	};
	unsigned int i;

	fputs("<g class=\"legend\">\n", f);
	for (i = 0; i < sizeof(item) / sizeof(item[0]); i++) {
		fputs("<g class=\"legend-item\">\n", f);
		svg_rect(f, "swatch", X0 + i * 185, y - 10, 14, 12, item[i].fill, "#455a64");
		svg_text(f, X0 + i * 185 + 20, y, "label", NULL, "%s", item[i].label);
		fputs("</g>\n", f);
	}
	fputs("</g>\n", f);
}

static int walk_svg(char *ans, const char *path)
{
	struct walk wk = { 0 };
	char *buf = NULL, title[160];
	const char *root = "pgd";
	unsigned long long va;
	double y, height;
	size_t len = 0;
	int i, user, ret;
	FILE *f;

	walk_parse(&wk, ans);
	if (wk.nquery != 3 || wk.nspace < 2) {
		fprintf(stderr, "memlabctl: %s: not a walk answer\n", WALK_PATH);
		return 1;
	}
	va = strtoull(wk.query[2], NULL, 16);
	user = !strcmp(wk.space[1], "user");
	wk.mmu = read_mmu();
	for (i = 0; i < wk.nlv; i++)
		if (!wk.lv[i].folded) {
			root = wk.lv[i].w[0];
			break;
		}

	height = LEVEL_Y + GAP;
	for (i = 0; i < wk.nlv; i++)
		height += (wk.lv[i].folded ? FOLDED_H : LEVEL_H) + GAP;
	height += LEVEL_H + 80;
	f = open_memstream(&buf, &len);
	if (!f) {
		free(wk.mmu);
		return fail("SVG", errno);
	}
	if (user)
		snprintf(title, sizeof(title), "memlab walk: pid %s, VA %s -> %s",
			 field(wk.space, wk.nspace, "pid", "?"), wk.query[2],
			 wk.nresult > 1 ? wk.result[1] : "?");
	else
		snprintf(title, sizeof(title), "memlab walk: kernel VA %s -> %s", wk.query[2],
			 wk.nresult > 1 ? wk.result[1] : "?");
	svg_begin(f, "memlab-walk", W_SVG, height, title);
	svg_text(f, X0, 24, "heading", "font-size=\"16\" font-weight=\"bold\"", "%s", title);
	svg_text(f, X0, 44, "query", NULL, "query %s %s (%s)", wk.query[1], wk.query[2],
		 WALK_PATH);
	svg_registers(f, &wk, user);
	svg_va(f, &wk, va, user);
	y = LEVEL_Y;
	for (i = 0; i < wk.nlv; i++) {
		y = svg_level(f, &wk.lv[i], y, root);
		svg_arrow(f, y, y + GAP);
		y += GAP;
	}
	y = svg_result(f, &wk, y);
	if (wk.show_pte)
		svg_text(f, X0, y + 20, "show-pte", "font-size=\"10\"", "%s", wk.show_pte);
	if (wk.nhw) {
		char hw[256] = "";

		for (i = 0; i < wk.nhw; i++) {
			strncat(hw, wk.hw[i], sizeof(hw) - strlen(hw) - 2);
			if (i + 1 < wk.nhw)
				strcat(hw, " ");
		}
		svg_text(f, X0, y + 38, "hw", "font-size=\"10\"", "%s", hw);
	}
	svg_walk_legend(f, y + 64);
	ret = svg_end(f);
	fclose(f);
	free(wk.mmu);
	if (!ret)
		ret = output_write(path, buf, len);
	else
		ret = fail("SVG", -ret);
	free(buf);
	return ret;
}

/* A pid as memlab_pt takes it: decimal, 1 to 2^31 - 1, no sign, no leading zero. */
static int pid_ok(const char *s)
{
	char *end;
	long v;

	if (*s < '1' || *s > '9')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	return !*end && !errno && v <= 0x7fffffff;
}

/* An argument passed on to the query as it is: one word, printable. */
static int word_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

int cmd_walk(int argc, char **argv)
{
	const char *svg, *target;
	int json, ret;
	char *ans;

	ret = output_options(argc, argv, walk_help, &svg, &json);
	if (ret >= 0)
		return ret;
	if (optind != argc - 2)
		return usage_error("walk takes a PID and a VA");
	target = argv[optind];
	if (!word_ok(target) || !word_ok(argv[optind + 1]))
		return usage_error("PID and VA are single words");
	if (!strcmp(target, "0"))
		target = "kernel";
	else if (strcmp(target, "kernel") && strcmp(target, "self") && !pid_ok(target))
		return usage_error("bad PID '%s': a decimal pid, self, 0 or kernel", target);
	ans = walk_ask(target, argv[optind + 1], &ret);
	if (!ans)
		return ret;
	if (json)
		ret = walk_json(ans);
	else if (svg)
		ret = walk_svg(ans, svg);
	else
		ret = fputs(ans, stdout) < 0 ? fail("write", errno) : 0;
	free(ans);
	return ret;
}
