/* Generates glibc-rand.txt: the reference outputs of the real glibc rand() that
 * GlibcRandomTests compares our GlibcRandom against. Data, not part of the build.
 *   gcc -O2 -o /tmp/glibc-rand-gen glibc-rand-gen.c && /tmp/glibc-rand-gen > glibc-rand.txt */
#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    static const unsigned seeds[] = { 1u, 42u, 0xffffffffu, 0x80000000u, 0u, 12345u, 0x7fffffffu, 0xdeadbeefu };
    const int per_seed = 1250;
    printf("# glibc rand() reference outputs, generated once by glibc-rand-gen.c (next to this file)\n");
    printf("# with glibc %s: for each seed, srand(seed) then %d calls to rand().\n", gnu_get_libc_version(), per_seed);
    printf("# Format: a line \"seed <u32 decimal>\" then one rand() value per line.\n");
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        srand(seeds[s]);
        printf("seed %u\n", seeds[s]);
        for (int i = 0; i < per_seed; i++)
            printf("%d\n", rand());
    }
    return 0;
}
