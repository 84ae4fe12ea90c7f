// SPDX-License-Identifier: MIT
/*
 * Crash-safe files for the campaign directory. A kill -9 (or a power cut)
 * at any moment must leave every file either absent or whole, so each file
 * is written under a temporary name in its own directory (same file
 * system, so rename is atomic), fsync'd, renamed into place, and the
 * directory fsync'd so the rename itself is durable. Temporaries start with
 * '.', which every scanner skips.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"

int fs_mkdir_p(const char *path)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0777) && errno != EEXIST)
		return -1;
	return 0;
}

int fs_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

static int tmp_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/.tmp-%d-%s", dir, (int)getpid(), name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int commit(const char *tmp, const char *dir, const char *name)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= sizeof(path) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return fs_fsync_dir(dir);
}

int fs_write_atomic_stream(const char *dir, const char *name, fs_fill_fn fill,
			   const void *ctx)
{
	char tmp[4096];
	FILE *f;
	int bad;

	if (tmp_path(tmp, sizeof(tmp), dir, name))
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fill(f, ctx);
	bad = fflush(f) || ferror(f) || fsync(fileno(f));
	if (fclose(f) || bad) {
		unlink(tmp);
		return -1;
	}
	return commit(tmp, dir, name);
}

struct bytes {
	const void *buf;
	size_t len;
};

static void fill_bytes(FILE *f, const void *ctx)
{
	const struct bytes *b = ctx;

	fwrite(b->buf, 1, b->len, f);
}

int fs_write_atomic(const char *dir, const char *name, const void *buf,
		    size_t len)
{
	struct bytes b = {buf, len};

	return fs_write_atomic_stream(dir, name, fill_bytes, &b);
}

/* One write() with O_APPEND: concurrent appenders never interleave a line. */
int fs_append_sync(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0666);
	ssize_t n;
	int ret;

	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	ret = (n == (ssize_t)len && !fsync(fd)) ? 0 : -1;
	close(fd);
	return ret;
}

long fs_read_small(const char *path, void *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (got < cap && (n = read(fd, (char *)buf + got, cap - got)) > 0)
		got += (size_t)n;
	close(fd);
	return (long)got;
}
