/* SPDX-License-Identifier: MIT */
/*
 * Loading a testcase file a person named: text if it says so (a *.tc name
 * and the header line), binary otherwise. Binary always decodes, so a
 * corpus file or a crash input from any fuzzer loads as is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testcase.h"

/* Far more than any testcase; stops `gatecrash convert /dev/zero`. */
#define MAX_FILE_SIZE (1u << 20)

static int read_fd(int fd, char *buf, size_t cap, size_t *len)
{
	size_t got = 0;

	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*len = got;
	return 0;
}

/* Reads up to MAX_FILE_SIZE + 1 bytes, so the caller can tell "too big". */
static char *read_whole_file(const char *path, size_t *len, char *err,
			     size_t errlen)
{
	char *buf = malloc(MAX_FILE_SIZE + 1);
	int is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	int saved;

	if (!buf || fd < 0 || read_fd(fd, buf, MAX_FILE_SIZE + 1, len)) {
		saved = buf ? errno : ENOMEM;
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(saved));
		free(buf);
		if (fd >= 0 && !is_stdin)
			close(fd);
		return NULL;
	}
	if (!is_stdin)
		close(fd);
	return buf;
}

static int has_tc_suffix(const char *path)
{
	size_t n = strlen(path);

	return n >= 3 && !strcmp(path + n - 3, ".tc");
}

static int starts_with_header(const char *buf, size_t len)
{
	size_t hlen = strlen(TC_TEXT_HEADER);

	if (len < hlen || memcmp(buf, TC_TEXT_HEADER, hlen))
		return 0;
	if (len > hlen && buf[hlen] == '\r')
		hlen++;
	return len == hlen || buf[hlen] == '\n';
}

static int load_text(const char *path, const char *buf, size_t len,
		     struct gc_testcase *out, struct tc_context *ctx,
		     char *err, size_t errlen)
{
	char why[512];

	if (len > MAX_FILE_SIZE) {
		snprintf(err, errlen,
			 "%s: larger than %u bytes; not a testcase", path,
			 MAX_FILE_SIZE);
		return -1;
	}
	if (tc_parse_text_ctx(buf, len, out, ctx, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	/* Every printed testcase names its mechanism first: a file without
	 * it was cut short (or never finished), not a default testcase. */
	if (!ctx->mechanism_line) {
		snprintf(err, errlen,
			 "%s: no 'mechanism = ...' line; a text testcase names "
			 "its mechanism (is the file cut short?)",
			 path);
		return -1;
	}
	return 0;
}

int tc_load_file(const char *path, struct gc_testcase *out, int *is_text,
		 char *err, size_t errlen)
{
	struct tc_context ignored;

	return tc_load_file_ctx(path, out, is_text, &ignored, err, errlen);
}

int tc_load_file_ctx(const char *path, struct gc_testcase *out, int *is_text,
		     struct tc_context *ctx, char *err, size_t errlen)
{
	int text, ret = 0;
	size_t len;
	char *buf;

	if (errlen)
		err[0] = '\0';
	memset(ctx, 0, sizeof(*ctx));
	buf = read_whole_file(path, &len, err, errlen);
	if (!buf)
		return -1;
	/* Empty bytes decode (the default testcase, for fuzzers); an empty
	 * file a person names is a mistake, not a testcase. */
	if (!len) {
		snprintf(err, errlen, "%s: empty file; not a testcase", path);
		free(buf);
		return -1;
	}
	/* "-" is standard input: text if it starts with the header. */
	text = (has_tc_suffix(path) || !strcmp(path, "-")) &&
	       starts_with_header(buf, len);
	if (text)
		ret = load_text(path, buf, len, out, ctx, err, errlen);
	else
		tc_decode((const uint8_t *)buf, len, out);
	if (!text && has_tc_suffix(path))
		fprintf(stderr,
			"gatecrash: note: %s does not start with '%s'; "
			"reading it as a binary testcase\n",
			path, TC_TEXT_HEADER);
	if (is_text)
		*is_text = text;
	free(buf);
	return ret;
}
