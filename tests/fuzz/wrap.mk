# The linker options of the fuzz harnesses and of their replay
# (tests/unit/fuzz_replay): calls wrapped so that a harness can release
# what a reader that died was holding (tests/fuzz/harness.h says how).
FUZZ_WRAP = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free \
	-Wl,--wrap=gzdopen,--wrap=gzclose,--wrap=gzclose_r \
	-Wl,--wrap=mmap,--wrap=munmap,--wrap=csv_init,--wrap=csv_free
