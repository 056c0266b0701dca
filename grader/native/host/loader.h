/* The driver loader (loader.c): maps the student's relocatable object into the host. */
#ifndef AG_LOADER_H
#define AG_LOADER_H

#include <stddef.h>

/* What a driver may link against; generated at build time (exports.c) from the model library. */
struct ag_export {
	const char *name;
	void *address;
	int data; /* a variable: reachable only PC-relative or through the GOT, never through a stub */
};
extern const struct ag_export ag_exports[];

/* Loads the object and hands its entry points to the model; -1 and a message in error on failure. */
int ag_load_driver(const unsigned char *file, size_t size, char *error, size_t error_size);

#endif
