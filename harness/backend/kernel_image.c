// SPDX-License-Identifier: MIT
/*
 * The test kernel's ELF: where to find it, and its symbol table so reports
 * can say "entry_SYSCALL_64+0x3c" instead of a bare address. The file is
 * read whole and every offset, size and string is bounds-checked before
 * use: a truncated or corrupt kernel gives an error, never a crash.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "paths.h"

#define KI_MAX_FILE (256u << 20)

struct ki_sym {
	uint64_t addr;
	uint32_t name; /* offset into ki.strtab, NUL-terminated within it */
	uint32_t rank; /* at one address the highest rank names it */
};

static struct {
	struct ki_sym *syms;
	size_t nsyms;
	char *strtab;
	uint64_t lo, hi; /* span of the allocated sections */
	uint64_t cov_start, cov_end; /* from .gc_cov_bounds (kernel.ld) */
} ki;

static char ki_default[PATH_MAX];

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *kernel_image_default_path(void)
{
	const char *env = getenv("GATECRASH_KERNEL");
	char exe[PATH_MAX - 64]; /* room for the suffix in ki_default */
	char *slash;
	ssize_t n;

	if (env && *env)
		return env;
	/* An installed tree first: a build path compiled in may be stale. */
	if (gc_path_helpers()) {
		snprintf(ki_default, sizeof(ki_default),
			 "%.*s/gatecrash-kernel.elf", PATH_MAX - 32,
			 gc_path_helpers());
		return ki_default;
	}
#ifdef GC_KERNEL_BUILD_PATH
	if (GC_KERNEL_BUILD_PATH[0] && file_exists(GC_KERNEL_BUILD_PATH))
		return GC_KERNEL_BUILD_PATH;
#endif
	/* Last resort: the build tree's layout seen from harness/. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return "gatecrash-kernel.elf";
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(ki_default, sizeof(ki_default),
		 "%s/../kernel-under-test/gatecrash-kernel.elf", exe);
	return ki_default;
}

static void ki_reset(void)
{
	free(ki.syms);
	free(ki.strtab);
	memset(&ki, 0, sizeof(ki));
}

/* [off, off + size) lies within a buffer of len bytes. */
static int in_bounds(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

static int read_file(const char *path, uint8_t **buf, size_t *len, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "rb");
	long sz;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 ||
	    (unsigned long)sz > KI_MAX_FILE || fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s: not a readable file of sane size",
			 path);
		fclose(f);
		return -1;
	}
	*buf = malloc(sz ? (size_t)sz : 1);
	if (!*buf || fread(*buf, 1, (size_t)sz, f) != (size_t)sz) {
		snprintf(err, errlen, "%s: read failed", path);
		free(*buf);
		fclose(f);
		return -1;
	}
	*len = (size_t)sz;
	fclose(f);
	return 0;
}

static const Elf64_Shdr *elf_sections(const uint8_t *buf, size_t len,
				      const char **why)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		*why = "not an ELF file";
		return NULL;
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64) {
		*why = "not an x86-64 ELF64 file";
		return NULL;
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff % 8 ||
	    !in_bounds(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr),
		       len)) {
		*why = "section header table is truncated or corrupt";
		return NULL;
	}
	return (const Elf64_Shdr *)(buf + eh->e_shoff);
}

static int sym_cmp(const void *a, const void *b)
{
	const struct ki_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static int sym_wanted(const Elf64_Sym *s, size_t strsz)
{
	unsigned type = ELF64_ST_TYPE(s->st_info);

	return (type == STT_FUNC || type == STT_NOTYPE) &&
	       s->st_shndx != SHN_UNDEF && s->st_shndx < SHN_LORESERVE &&
	       s->st_name != 0 && s->st_name < strsz;
}

/* The span of SHF_ALLOC sections: addresses outside it get no name. */
static void alloc_span(const Elf64_Shdr *sh, unsigned shnum)
{
	ki.lo = UINT64_MAX;
	ki.hi = 0;
	for (unsigned i = 0; i < shnum; i++) {
		if (!(sh[i].sh_flags & SHF_ALLOC) || !sh[i].sh_size)
			continue;
		if (sh[i].sh_addr < ki.lo)
			ki.lo = sh[i].sh_addr;
		if (sh[i].sh_addr + sh[i].sh_size > ki.hi)
			ki.hi = sh[i].sh_addr + sh[i].sh_size;
	}
}

static int load_symtab(const uint8_t *buf, size_t len, const Elf64_Shdr *sh,
		       unsigned shnum, const Elf64_Shdr *symsh,
		       const char **why)
{
	const Elf64_Shdr *strsh;
	const Elf64_Sym *syms;
	size_t n, strsz;

	if (symsh->sh_link >= shnum || symsh->sh_entsize != sizeof(Elf64_Sym) ||
	    symsh->sh_offset % 8 ||
	    !in_bounds(symsh->sh_offset, symsh->sh_size, len)) {
		*why = ".symtab is truncated or corrupt";
		return -1;
	}
	strsh = &sh[symsh->sh_link];
	if (strsh->sh_type != SHT_STRTAB || !strsh->sh_size ||
	    !in_bounds(strsh->sh_offset, strsh->sh_size, len)) {
		*why = ".strtab is truncated or corrupt";
		return -1;
	}
	strsz = strsh->sh_size;
	ki.strtab = malloc(strsz + 1);
	n = symsh->sh_size / sizeof(Elf64_Sym);
	ki.syms = calloc(n ? n : 1, sizeof(*ki.syms));
	if (!ki.strtab || !ki.syms) {
		*why = "out of memory";
		return -1;
	}
	/* A final NUL makes every name in range a terminated string. */
	memcpy(ki.strtab, buf + strsh->sh_offset, strsz);
	ki.strtab[strsz] = '\0';
	syms = (const Elf64_Sym *)(buf + symsh->sh_offset);
	for (size_t i = 0; i < n; i++) {
		if (!sym_wanted(&syms[i], strsz))
			continue;
		ki.syms[ki.nsyms].addr = syms[i].st_value;
		ki.syms[ki.nsyms].name = syms[i].st_name;
		/* A function beats a label such as __kernel_start. */
		ki.syms[ki.nsyms].rank =
			(ELF64_ST_TYPE(syms[i].st_info) == STT_FUNC) * 2 +
			(ELF64_ST_BIND(syms[i].st_info) != STB_LOCAL);
		ki.nsyms++;
	}
	qsort(ki.syms, ki.nsyms, sizeof(*ki.syms), sym_cmp);
	return 0;
}

/*
 * .gc_cov_bounds: two little-endian quads the linker wrote, the coverage
 * block's start and end. Found by section name, which strip keeps.
 */
static void load_cov_bounds(const uint8_t *buf, size_t len,
			    const Elf64_Shdr *sh, unsigned shnum)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
	const Elf64_Shdr *names;

	if (eh->e_shstrndx >= shnum)
		return;
	names = &sh[eh->e_shstrndx];
	if (!in_bounds(names->sh_offset, names->sh_size, len))
		return;
	for (unsigned i = 0; i < shnum; i++) {
		static const char want[] = ".gc_cov_bounds";

		if (sh[i].sh_name > names->sh_size - sizeof(want) ||
		    names->sh_size < sizeof(want) ||
		    memcmp(buf + names->sh_offset + sh[i].sh_name, want,
			   sizeof(want)) ||
		    sh[i].sh_size != 16 ||
		    !in_bounds(sh[i].sh_offset, 16, len))
			continue;
		memcpy(&ki.cov_start, buf + sh[i].sh_offset, 8);
		memcpy(&ki.cov_end, buf + sh[i].sh_offset + 8, 8);
		return;
	}
}

static int parse_elf(const uint8_t *buf, size_t len, const char **why)
{
	const Elf64_Shdr *sh = elf_sections(buf, len, why);
	unsigned shnum;

	if (!sh)
		return -1;
	shnum = ((const Elf64_Ehdr *)buf)->e_shnum;
	load_cov_bounds(buf, len, sh, shnum);
	for (unsigned i = 0; i < shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		if (load_symtab(buf, len, sh, shnum, &sh[i], why))
			return -1;
		alloc_span(sh, shnum);
		return 0;
	}
	/* Stripped: no names in reports, but coverage still works. */
	if (ki.cov_start && ki.cov_end > ki.cov_start)
		return 0;
	*why = "no symbol table and no .gc_cov_bounds (not a gatecrash "
	       "kernel?)";
	return -1;
}

int kernel_image_load_symbols(const char *path, char *err, size_t errlen)
{
	const char *why = NULL;
	uint8_t *buf;
	size_t len;
	int ret;

	ki_reset();
	if (!path)
		path = kernel_image_default_path();
	if (read_file(path, &buf, &len, err, errlen))
		return -1;
	/* ELF structures are read in place: malloc's alignment and the
	 * offset % 8 checks keep them aligned. */
	ret = parse_elf(buf, len, &why);
	free(buf);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, why);
		ki_reset();
	}
	return ret;
}

const char *kernel_image_symbolize(uint64_t rip, char *buf, size_t len)
{
	size_t lo = 0, hi = ki.nsyms;

	if (!ki.nsyms || rip < ki.lo || rip >= ki.hi || rip < ki.syms[0].addr) {
		snprintf(buf, len, "0x%" PRIx64, rip);
		return buf;
	}
	/* The last symbol whose address is <= rip. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ki.syms[mid].addr <= rip)
			lo = mid;
		else
			hi = mid;
	}
	snprintf(buf, len, "%s+0x%" PRIx64, ki.strtab + ki.syms[lo].name,
		 rip - ki.syms[lo].addr);
	return buf;
}

uint64_t kernel_image_symbol_address(const char *name)
{
	for (size_t i = 0; i < ki.nsyms; i++)
		if (!strcmp(ki.strtab + ki.syms[i].name, name))
			return ki.syms[i].addr;
	/* A stripped kernel: the bounds the linker wrote as data. */
	if (!strcmp(name, "__gc_cov_start"))
		return ki.cov_start;
	if (!strcmp(name, "__gc_cov_end"))
		return ki.cov_end;
	return 0;
}
