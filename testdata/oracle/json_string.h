/* Shared by the libbpf oracles: prints a C string as a JSON string
 * (quotes, backslashes and control bytes escaped). */
#ifndef BPFC_ORACLE_JSON_STRING_H
#define BPFC_ORACLE_JSON_STRING_H

#include <stdio.h>

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

#endif
