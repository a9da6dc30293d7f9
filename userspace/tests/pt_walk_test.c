// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl walk on this process's own addresses (a touched page, a page
 * of a PROT_NONE mapping never touched, an address unmapped again) and on
 * a kernel address: the text is memlab/pt/walk's answer; the SVG is parsed
 * as XML and its levels, tables, indices and descriptors checked against
 * that text; the JSON is parsed and checked against every field of it,
 * value and type; bad input gets the documented message and exit status.
 * Prints TAP.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <stdarg.h>
#include <sys/mman.h>

#include "memlab_test.h"
#include "xml_json.h"

#define DBG		"/sys/kernel/debug/memlab"
#define WALK		DBG "/pt/walk"
#define SVG_FILE	"/tmp/pt_walk_test.svg"

static char ctl[512];

static char *run(int *status, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static char *run(int *status, int err, const char *fmt, ...)
{
	char args[512], cmd[1200], *out;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s %s", ctl, args, err ? "2>&1" : "2>/dev/null");
	out = run_cmd(cmd, status);
	return out ? out : strdup("");
}

/* The words of @text's line that starts with @key + ' ' (at most @max); their number. */
static int line_words(const char *text, const char *key, char **w, int max, char *buf, size_t len)
{
	const char *p = text;
	size_t k = strlen(key);
	char *save, *t;
	int n = 0;

	while (p && *p) {
		if (!strncmp(p, key, k) && p[k] == ' ') {
			snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
			for (t = strtok_r(buf, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save))
				w[n++] = t;
			return n;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

static int is_level(const char *w)
{
	return !strcmp(w, "pgd") || !strcmp(w, "p4d") || !strcmp(w, "pud") ||
	       !strcmp(w, "pmd") || !strcmp(w, "pte");
}

/* Each level line's words, in order; the number of lines. */
static int level_lines(const char *text, char w[5][24][24], int nw[5])
{
	const char *p = text;
	int n = 0;

	while (p && *p && n < 5) {
		char line[256], *save, *t;
		int k = 0;

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
		t = strtok_r(line, " ", &save);
		if (t && is_level(t)) {
			for (; t && k < 24; t = strtok_r(NULL, " ", &save))
				snprintf(w[n][k++], 24, "%s", t);
			nw[n++] = k;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return n;
}

/* The element of class @cls inside element @parent, or -1. */
static int child_of_class(const struct xml_doc *d, int parent, const char *cls)
{
	int i;

	for (i = parent + 1; i < d->n; i++)
		if (xml_has_class(&d->el[i], cls) && xml_within(d, i, "level") &&
		    d->el[i].parent == parent)
			return i;
	return -1;
}

static void check_svg(const char *what, const char *text, const char *result)
{
	char *svg = slurp(SVG_FILE), lw[5][24][24], want[160];
	int nw[5], nl = level_lines(text, lw, nw), i, k, ok, el;
	struct xml_doc d;
	const char *why;

	if (!tap_ok(svg != NULL, "%s --svg: wrote %s", what, SVG_FILE))
		return;
	ok = xml_parse(svg, &d) == 0;
	if (!tap_ok(ok, "%s --svg: well-formed XML, every tag closed where it was opened", what))
		tap_diag("%s", d.err);
	if (!ok) {
		free(svg);
		return;
	}
	why = svg_self_contained(&d);
	if (!tap_ok(!why, "%s --svg: SVG 1.1, a title, every element classed, nothing external", what))
		tap_diag("%s", why);
	tap_ok(d.el[1].text && strstr(d.el[1].text, " -> ") && strstr(svg, " -&gt; "),
	       "%s --svg: the title, its '>' escaped as &gt;", what);
	tap_ok(xml_count(&d, "registers") == 1 && xml_count(&d, "register tcr") == 1 &&
	       xml_count(&d, "register ttbr") == 1,
	       "%s --svg: the registers, TTBR and TCR", what);
	tap_ok(xml_count(&d, "level") == nl, "%s --svg: a level element per level line (%d, %d)",
	       what, xml_count(&d, "level"), nl);

	/* Each level's box, in order: its name, table, index and descriptor. */
	ok = 1;
	k = 0;
	for (i = 0; i < d.n && ok; i++) {
		if (!xml_has_class(&d.el[i], "level"))
			continue;
		ok = k < nl && xml_has_class(&d.el[i], lw[k][0]);
		if (ok && nw[k] == 3) {
			ok = xml_has_class(&d.el[i], "folded");
		} else if (ok) {
			snprintf(want, sizeof(want), "table at %s", lw[k][2]);
			el = child_of_class(&d, i, "table");
			ok = el >= 0 && d.el[el].text && !strcmp(d.el[el].text, want);
			snprintf(want, sizeof(want), "[index %s]", lw[k][3]);
			el = child_of_class(&d, i, "index");
			ok = ok && el >= 0 && d.el[el].text && !strcmp(d.el[el].text, want);
			snprintf(want, sizeof(want), "descriptor %s", lw[k][4]);
			el = child_of_class(&d, i, "descriptor");
			ok = ok && el >= 0 && d.el[el].text && !strcmp(d.el[el].text, want);
			el = child_of_class(&d, i, "type");
			ok = ok && el >= 0 && d.el[el].text && !strcmp(d.el[el].text, lw[k][5]);
		}
		if (!ok)
			tap_diag("level element %d does not match level line %d (%s)", i, k,
				 k < nl ? lw[k][0] : "none");
		k++;
	}
	tap_ok(ok && k == nl,
	       "%s --svg: each level in order, with the text's table, index, descriptor and type", what);
	if (!strcmp(result, "mapped"))
		tap_ok(xml_count(&d, "page") == 1 && !xml_count(&d, "result"),
		       "%s --svg: the page, mapped", what);
	else
		tap_ok(!xml_count(&d, "page") && xml_count(&d, "result") == 1 &&
		       xml_count(&d, result) == 1,
		       "%s --svg: no page: one result element of class %s", what, result);
	tap_ok(xml_count(&d, "va-field") >= 3 && xml_count(&d, "legend") == 1,
	       "%s --svg: the address cut into fields, and a legend", what);
	xml_free(&d);
	free(svg);
}

/* Every line of @text in @j, each word with its type (docs/dev.rst). */
static void check_json(const char *what, const char *text, const char *out)
{
	char lw[5][24][24], buf[512], *w[32], err[160], key[64];
	int nw[5], nl = level_lines(text, lw, nw), n, i, k, ok;
	static const char *const cols[] = { "level", "hw", "table", "index", "desc", "type" };
	struct json *j, *o, *levels, *attrs;

	j = json_parse(out, err);
	if (!tap_ok(j && j->type == JSON_OBJECT, "%s --json: one JSON object", what)) {
		tap_diag("%s", j ? "not an object" : err);
		return;
	}
	tap_ok(json_is_word(json_get(j, "report"), "walk") && json_is_word(json_get(j, "source"), WALK),
	       "%s --json: report \"walk\", source " WALK, what);

	n = line_words(text, "query", w, 32, buf, sizeof(buf));
	o = json_get(j, "query");
	tap_ok(n == 3 && json_is_word(json_get(o, "target"), w[1]) &&
	       json_is_word(json_get(o, "va"), w[2]), "%s --json: query target and va", what);

	/* space, result, hw: the first word is the line's own when the count is odd */
	ok = 1;
	for (k = 0; k < 3; k++) {
		static const char *const led[] = { "space", "result", "hw" };

		n = line_words(text, led[k], w, 32, buf, sizeof(buf));
		if (!n)
			continue;
		o = json_get(j, led[k]);
		i = 1;
		if (n % 2 == 0) {
			ok &= json_is_word(json_get(o, led[k]), w[1]);
			i = 2;
		}
		for (; i + 1 < n; i += 2) {
			json_key_of(w[i], key, sizeof(key));
			if (!json_is_word(json_get(o, key), w[i + 1])) {
				tap_diag("%s.%s is not %s", led[k], key, w[i + 1]);
				ok = 0;
			}
		}
		ok &= o && o->n == n / 2;
	}
	tap_ok(ok, "%s --json: space, result and hw: every field, decimals as numbers, hex as strings",
	       what);

	n = line_words(text, "page", w, 32, buf, sizeof(buf));
	o = json_get(j, "page");
	ok = !n == !o;
	for (i = 1; n && i + 1 < n; i += 2) {
		json_key_of(w[i], key, sizeof(key));
		ok &= json_is_word(json_get(o, key), w[i + 1]);
	}
	if (n % 2 == 0 && n)
		ok &= json_is_word(json_get(o, "state"), w[n - 1]);
	tap_ok(ok, "%s --json: page: every field", what);

	levels = json_get(j, "levels");
	ok = nl ? levels && levels->type == JSON_ARRAY && levels->n == nl : !levels;
	for (k = 0; ok && k < nl; k++) {
		o = levels->val[k];
		if (nw[k] == 3) {
			ok = json_is_word(json_get(o, "level"), lw[k][0]) &&
			     json_is_word(json_get(o, "hw"), lw[k][1]) &&
			     json_is_word(json_get(o, "type"), lw[k][2]);
			continue;
		}
		for (i = 0; i < 6 && ok; i++)
			ok = json_is_word(json_get(o, cols[i]), lw[k][i]);
		attrs = json_get(o, "attributes");
		ok = ok && attrs && attrs->type == JSON_ARRAY && attrs->n == nw[k] - 6;
		for (i = 6; ok && i < nw[k]; i++)
			ok = attrs->val[i - 6]->type == JSON_STRING &&
			     !strcmp(attrs->val[i - 6]->str, lw[k][i]);
		if (!ok)
			tap_diag("levels[%d] differs from the %s line", k, lw[k][0]);
	}
	tap_ok(ok, "%s --json: levels[], line for line: hw and index numbers, table and desc strings, attributes",
	       what);

	n = line_words(text, "show_pte", w, 32, buf, sizeof(buf));
	o = json_get(j, "show_pte");
	ok = n >= 2 && o && json_get(o, "address") && !strncmp(w[1] + 1, json_get(o, "address")->str, 16);
	for (i = 2; ok && i < n; i++) {
		char name[8], val[24];
		struct json *v;

		/* hex without 0x, a string even when its digits are all decimal */
		ok = sscanf(w[i], "%7[a-z0-9]=%23[0-9a-f]", name, val) == 2 &&
		     (v = json_get(o, name)) && v->type == JSON_STRING && !strcmp(v->str, val);
		if (!ok)
			tap_diag("show_pte entry %s", w[i]);
	}
	if (!n)
		ok = !o;
	tap_ok(ok, "%s --json: show_pte: the address and each entry, hex strings as printed", what);
}

/*
 * memlabctl walk @target @va as text, JSON and SVG. The answer can change
 * between two runs (a page's lru flag, its count): JSON is compared with
 * a text run before and after it that agree.
 */
static void walk_case(const char *what, const char *target, unsigned long long va,
		      const char *result)
{
	char *t1 = NULL, *t2 = NULL, *js = NULL, want[64];
	int status, s1, s2, try;

	for (try = 0; try < 5; try++) {
		free(t1);
		free(t2);
		free(js);
		t1 = run(&s1, 0, "walk %s 0x%llx", target, va);
		js = run(&status, 0, "walk %s 0x%llx --json", target, va);
		t2 = run(&s2, 0, "walk %s 0x%llx", target, va);
		if (!strcmp(t1, t2))
			break;
	}
	snprintf(want, sizeof(want), "\nresult %s", result);
	if (!tap_ok(s1 == 0 && !strncmp(t1, "query ", 6) && strstr(t1, want),
		    "%s: status 0, the answer, result %s", what, result))
		tap_diag("status %d:\n%s", s1, t1);
	tap_ok(status == 0, "%s --json: status 0", what);
	check_json(what, t1, js);
	free(js);
	js = run(&status, 1, "walk %s 0x%llx --svg " SVG_FILE, target, va);
	if (!tap_ok(status == 0 && !*js, "%s --svg FILE: status 0, nothing printed", what))
		tap_diag("%s", js);
	check_svg(what, t1, result);
	free(t1);
	free(t2);
	free(js);
	unlink(SVG_FILE);
}

static void expect_error(const char *args, int want_status, const char *want)
{
	int status;
	char *out = run(&status, 1, "%s", args);

	if (!tap_ok(status == want_status && strstr(out, want), "%s: status %d, says '%s'", args,
		    want_status, want))
		tap_diag("status %d: %s", status, out);
	free(out);
}

/* swapper_pg_dir's virtual address from memlab/pt/layout: a kernel address mapped. */
static unsigned long long kernel_va(void)
{
	char *layout = slurp(DBG "/pt/layout"), *p;
	unsigned long long va = 0;

	if (layout && (p = strstr(layout, "\nswapper_pg_dir ")))
		va = strtoull(p + 16, NULL, 16);
	free(layout);
	return va;
}

int main(int argc, char **argv)
{
	long pg = sysconf(_SC_PAGESIZE);
	char self[256], pid[16], args[128];
	unsigned long long kva;
	char *touched, *none, *gone;

	tap_begin();
	if (access(WALK, R_OK | W_OK))
		tap_skip_all("no " WALK " (memlab_pt not loaded, or not root)");
	snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "");
	snprintf(ctl, sizeof(ctl), "%s/../bin/memlabctl", dirname(self));
	if (access(ctl, X_OK))
		snprintf(ctl, sizeof(ctl), "memlabctl");
	snprintf(pid, sizeof(pid), "%d", getpid());

	touched = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gone = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (touched == MAP_FAILED || none == MAP_FAILED || gone == MAP_FAILED)
		tap_bail("mmap failed");
	memset(touched, 0x5a, pg);
	munmap(gone, pg);

	walk_case("walk PID touched-page", pid, (unsigned long)touched, "mapped");
	walk_case("walk PID never-touched PROT_NONE page", pid, (unsigned long)none, "invalid");
	walk_case("walk PID unmapped address", pid, (unsigned long)gone, "outside-vma");
	kva = kernel_va();
	if (kva) {
		walk_case("walk 0 swapper_pg_dir", "0", kva, "mapped");
		walk_case("walk kernel swapper_pg_dir", "kernel", kva, "mapped");
	} else {
		tap_skip("no memlab/pt/layout", "walk 0 swapper_pg_dir");
	}

	expect_error("walk --help", 0, "usage: memlabctl walk PID VA [--svg FILE | --json]");
	expect_error("walk 2147483647 0x1000", 1,
		     WALK ": ESRCH (No such process): no such process");
	snprintf(args, sizeof(args), "walk %s 0xzz", pid);
	expect_error(args, 1, WALK ": EINVAL (Invalid argument): address must be 0x<hex> or decimal");
	expect_error("walk 0 0x1000", 1,
		     WALK ": EINVAL (Invalid argument): not a kernel address (TTBR1 range)");
	expect_error("walk bogus 0x1000", 2, "bad PID 'bogus': a decimal pid, self, 0 or kernel");
	expect_error("walk 01 0x1000", 2, "bad PID '01'");
	snprintf(args, sizeof(args), "walk %s 0x%lx --svg /nonexistent/walk.svg", pid,
		 (unsigned long)touched);
	expect_error(args, 1, "open /nonexistent/walk.svg: ENOENT");
	expect_error("walk 1", 2, "walk takes a PID and a VA");
	expect_error("walk '1 2' 0x1000", 2, "PID and VA are single words");
	expect_error("walk 1 0x1000 --svg x --json", 2, "--svg and --json exclude each other");
	return tap_done();
}
