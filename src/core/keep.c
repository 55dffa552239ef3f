/* keep.c - big working arrays kept from one use to the next (keep.h). */
#include "core/keep.h"

#include <stdlib.h>

#include "core/memory.h"

struct hs_keep {
    void *a[HS_KEEP_SLOTS];
    size_t cap[HS_KEEP_SLOTS];
};

hs_keep *hs_keep_create(void)
{
    return calloc(1, sizeof(hs_keep));
}

void hs_keep_destroy(hs_keep *k)
{
    if (!k)
        return;
    for (int s = 0; s < HS_KEEP_SLOTS; s++)
        free(k->a[s]);
    free(k);
}

void *hs_keep_get(hs_keep *k, int slot, size_t bytes)
{
    if (!k || slot < 0 || slot >= HS_KEEP_SLOTS)
        return NULL;
    bytes = bytes ? bytes : 1;
    if (bytes > k->cap[slot]) {
        /* free, then malloc: realloc would copy contents no one wants */
        free(k->a[slot]);
        k->cap[slot] = 0;
        if (!(k->a[slot] = malloc(bytes)))
            return NULL;
        k->cap[slot] = bytes;
        hs_advise_huge(k->a[slot], bytes);
    }
    return k->a[slot];
}
