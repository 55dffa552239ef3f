/*
 * categories.h - the mapping from crime types / offence codes to groups
 * (internal).
 *
 * Loaded from a CSV with columns value,group[,note] (data/categories.csv is
 * the default); lines whose first field starts with '#' are comments.
 * Values match case-insensitively after trimming spaces.  A value longer
 * than 255 bytes or a group name longer than 63 is an error (never cut).  Group ids are
 * dense (0..ngroups-1) in order of first appearance in the file.
 *
 * Ownership: caller owns the hs_categories (hs_categories_destroy, NULL ok).
 */
#ifndef HOTSPOT_CATEGORIES_H
#define HOTSPOT_CATEGORIES_H

#include <stddef.h>

#include "hotspot/hs_error.h"

typedef struct hs_categories hs_categories;

hs_categories *hs_categories_load(const char *path, hs_error *err);
/* Same, from memory (tests, fuzzing); name is used in messages. */
hs_categories *hs_categories_load_mem(const char *data, size_t len,
                                      const char *name, hs_error *err);
void hs_categories_destroy(hs_categories *c);

/* Group id of value[0..len) or -1 if the value is not in the mapping. */
int hs_categories_group_of(const hs_categories *c, const char *value,
                           size_t len);

size_t hs_categories_ngroups(const hs_categories *c);
const char *hs_categories_group_name(const hs_categories *c, int group);
/* Group id by name (case-insensitive) or -1. */
int hs_categories_find_group(const hs_categories *c, const char *name);

#endif
