// SPDX-License-Identifier: MIT
/* modify_ldt for an execution (ldt.h). */
#include <sys/syscall.h>
#include <unistd.h>

#include "ldt.h"

int lr_ldt_install(const struct lr_ldt *l)
{
	for (unsigned i = 0; i < l->n && i < LR_LDT_MAX; i++) {
		struct user_desc d = l->e[i];

		if (syscall(SYS_modify_ldt, 0x11, &d, sizeof(d)))
			return -1;
	}
	return 0;
}
