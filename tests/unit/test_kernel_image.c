// SPDX-License-Identifier: MIT
/*
 * kernel_image: symbolization against an ELF that is always at hand (this
 * test binary: /proc/self/exe has a .symtab unless stripped), the real
 * kernel if it was built, and corrupt or truncated files, which must give
 * an error and never a crash.
 */
#include <elf.h>
#include <link.h>
#include <stdlib.h>
#include <unistd.h>

#include "test.h"

#include "backend.h"

/* A function whose address and name are known to the test. */
__attribute__((noinline, used)) int gc_kernel_image_marker(int x);
__attribute__((noinline, used)) int gc_kernel_image_marker(int x)
{
	return x * 3 + 1;
}

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = info->dlpi_addr;
	return 1; /* the main program comes first */
}

/* This binary's load bias: ELF symbol values + bias = run-time addresses. */
static uintptr_t load_bias(void)
{
	uintptr_t bias = 0;

	dl_iterate_phdr(first_object, &bias);
	return bias;
}

TEST(symbolize_self)
{
	uintptr_t fn = (uintptr_t)&gc_kernel_image_marker - load_bias();
	char err[256], buf[128];

	if (kernel_image_load_symbols("/proc/self/exe", err, sizeof(err)))
		FAIL("load /proc/self/exe: %s", err);
	ASSERT_STREQ(kernel_image_symbolize(fn, buf, sizeof(buf)),
		     "gc_kernel_image_marker+0x0");
	ASSERT_STREQ(kernel_image_symbolize(fn + 3, buf, sizeof(buf)),
		     "gc_kernel_image_marker+0x3");
	/* Far outside the image: no name. */
	ASSERT_STREQ(
		kernel_image_symbolize(0xffff800000001234ull, buf, sizeof(buf)),
		"0xffff800000001234");
	/* Short buffers truncate. */
	kernel_image_symbolize(fn, buf, 5);
	ASSERT_STREQ(buf, "gc_k");
}

TEST(symbolize_without_symbols)
{
	char err[256], buf[64];

	ASSERT(kernel_image_load_symbols("/nonexistent/kernel.elf", err,
					 sizeof(err)) < 0);
	ASSERT(strstr(err, "/nonexistent/kernel.elf") != NULL);
	ASSERT_STREQ(kernel_image_symbolize(0x100000, buf, sizeof(buf)),
		     "0x100000");
}

TEST(real_kernel)
{
	const char *path = kernel_image_default_path();
	char err[256], buf[128];

	if (access(path, R_OK)) {
		printf("(real kernel %s not built: skipped)\n", path);
		return;
	}
	if (kernel_image_load_symbols(path, err, sizeof(err)))
		FAIL("%s", err);
	/* PVH loads the kernel at 1 MiB: its code is named. */
	kernel_image_symbolize(GC_KERNEL_LOAD + 0x10, buf, sizeof(buf));
	printf("kernel: 0x%x+0x10 = %s\n", GC_KERNEL_LOAD, buf);
	ASSERT(strchr(buf, '+') != NULL);
}

/* strip (Debian's dh_strip) must not cost the coverage block (kernel.ld's
 * .gc_cov_bounds): the stripped kernel gives the same bounds. */
TEST(stripped_kernel_keeps_coverage_bounds)
{
	const char *path = kernel_image_default_path();
	char stripped[] = "/tmp/gc-test-stripped-XXXXXX";
	char err[256], cmd[1024];
	uint64_t start, end;
	int fd;

	if (access(path, R_OK) || system("strip --version >/dev/null 2>&1")) {
		printf("(real kernel %s or strip missing: skipped)\n", path);
		return;
	}
	if (kernel_image_load_symbols(path, err, sizeof(err)))
		FAIL("%s", err);
	start = kernel_image_symbol_address("__gc_cov_start");
	end = kernel_image_symbol_address("__gc_cov_end");
	ASSERT(start && end > start);
	fd = mkstemp(stripped);
	ASSERT(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "strip -o %s %s", stripped, path);
	ASSERT(system(cmd) == 0);
	if (kernel_image_load_symbols(stripped, err, sizeof(err))) {
		unlink(stripped);
		FAIL("stripped kernel: %s", err);
	}
	unlink(stripped);
	ASSERT(kernel_image_symbol_address("pvh_start") == 0);
	ASSERT(kernel_image_symbol_address("__gc_cov_start") == start);
	ASSERT(kernel_image_symbol_address("__gc_cov_end") == end);
}

static uint8_t *self_image(size_t *len)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	uint8_t *buf = malloc(64 << 20);

	*len = f && buf ? fread(buf, 1, 64 << 20, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static int load_bytes(const uint8_t *p, size_t len, char *err, size_t errlen)
{
	char path[] = "/tmp/gc-test-elf-XXXXXX";
	int fd = mkstemp(path);
	int ret;

	if (fd < 0 || write(fd, p, len) != (ssize_t)len) {
		snprintf(err, errlen, "cannot write temp file");
		return 0;
	}
	close(fd);
	ret = kernel_image_load_symbols(path, err, errlen);
	unlink(path);
	return ret;
}

TEST(truncated_files)
{
	static const size_t cuts[] = {0, 1, 4, 63, 64, 65, 4096};
	size_t len;
	uint8_t *img = self_image(&len);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	char err[256];

	ASSERT(len > 4096);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		if (load_bytes(img, cuts[i], err, sizeof(err)) >= 0)
			FAIL("cut at %zu accepted", cuts[i]);
	/* Cut just before the section headers, or in the middle of them. */
	ASSERT(load_bytes(img, eh->e_shoff, err, sizeof(err)) < 0);
	ASSERT(load_bytes(img, eh->e_shoff + 100, err, sizeof(err)) < 0);
	ASSERT(strstr(err, "truncated") != NULL);
	free(img);
}

/* Flip header fields and random bytes; any answer is fine but a crash. */
TEST(corrupt_files)
{
	size_t len;
	uint8_t *img = self_image(&len), *copy = malloc(len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)copy;
	Elf64_Shdr *sh;
	char err[256];
	uint64_t seed = 42, shoff;

	ASSERT(copy && len > 4096);
	memcpy(copy, img, len);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	ASSERT(load_bytes(copy, len, err, sizeof(err)) < 0);
	memcpy(copy, img, len);
	eh->e_shoff = ~0ull - 10;
	ASSERT(load_bytes(copy, len, err, sizeof(err)) < 0);
	memcpy(copy, img, len);
	/* Point every section far away and give it a huge size. */
	sh = (Elf64_Shdr *)(copy + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		sh[i].sh_offset = ~0ull - 8;
		sh[i].sh_size = ~0ull - 8;
		sh[i].sh_link = 0xffff;
	}
	ASSERT(load_bytes(copy, len, err, sizeof(err)) < 0);
	for (unsigned round = 0; round < 50; round++) {
		memcpy(copy, img, len);
		for (unsigned j = 0; j < 64; j++) {
			seed = seed * 6364136223846793005ull + 1;
			copy[(seed >> 20) % len] ^= (uint8_t)(seed >> 56);
		}
		/* Hit the section headers too, not only the bulk. */
		seed = seed * 6364136223846793005ull + 1;
		shoff = ((const Elf64_Ehdr *)img)->e_shoff;
		copy[shoff + (seed >> 40) % (len - shoff)] ^= 0xff;
		load_bytes(copy, len, err, sizeof(err));
		kernel_image_symbolize(seed, err, sizeof(err));
	}
	free(copy);
	free(img);
}
