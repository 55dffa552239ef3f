/*
 * replay.c - main() for the harnesses in the normal (gcc) build: runs
 * LLVMFuzzerTestOneInput on each file named, or on every file in each
 * folder named (sorted, dot files skipped), once.  A crash aborts through
 * the sanitizers; otherwise it prints how many inputs ran and exits 0.
 * It fails if it ran nothing, so a missing corpus cannot pass unseen.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL &&
        fread(buf, 1, (size_t)n, f) == (size_t)n) {
        fclose(f);
        /* a copy of exactly n bytes, so reads past the end are caught */
        uint8_t *exact = malloc(n ? (size_t)n : 1);
        if (!exact)
            abort();
        memcpy(exact, buf, (size_t)n);
        free(buf);
        LLVMFuzzerTestOneInput(exact, (size_t)n);
        free(exact);
        return 1;
    }
    fprintf(stderr, "replay: cannot read '%s'\n", path);
    if (f)
        fclose(f);
    free(buf);
    exit(2);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    long ran = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: no such file or folder '%s'\n", argv[i]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            ran += run_file(argv[i]);
            continue;
        }
        struct dirent **list;
        int n = scandir(argv[i], &list, NULL, NULL);
        if (n < 0) {
            fprintf(stderr, "replay: cannot list '%s'\n", argv[i]);
            return 2;
        }
        char **names = malloc(sizeof *names * (size_t)(n ? n : 1));
        int m = 0;
        for (int j = 0; j < n; j++) {
            if (list[j]->d_name[0] != '.' && names) {
                size_t len = strlen(argv[i]) + strlen(list[j]->d_name) + 2;
                if ((names[m] = malloc(len)) != NULL)
                    snprintf(names[m++], len, "%s/%s", argv[i], list[j]->d_name);
            }
            free(list[j]);
        }
        free(list);
        if (!names)
            return 2;
        qsort(names, (size_t)m, sizeof *names, cmp);
        for (int j = 0; j < m; j++) {
            struct stat fs;
            if (stat(names[j], &fs) == 0 && S_ISREG(fs.st_mode))
                ran += run_file(names[j]);
            free(names[j]);
        }
        free(names);
    }
    printf("replay: %ld input(s), no crash\n", ran);
    return ran ? 0 : 1;
}
