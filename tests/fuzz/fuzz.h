/**
 * \file
 * What every fuzz harness in tests/fuzz shares.
 *
 * A harness is one LLVMFuzzerTestOneInput() in its own file.  It is linked
 * either with libFuzzer (`make fuzz`, clang) or with tests/fuzz/driver.c
 * (`make check`, any compiler), which replays the seed corpus and a
 * bounded number of mutations of it.
 *
 * A harness must not crash and must not return early on odd input: it
 * checks the properties the headers promise and calls abort() through
 * FUZZ_CHECK when one fails, so a broken property is reported exactly
 * like a memory error, with the input that caused it.
 */
#ifndef FB_FUZZ_H
#define FB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/**
 * Run one input.
 * @param data: the bytes; the caller owns them, exactly size bytes long.
 * @param size: their number.
 * @return 0 (libFuzzer reserves other values).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Stop the process when a promised property does not hold. */
#define FUZZ_CHECK(cond) do { \
	if(!(cond)) { \
		fprintf(stderr, "%s:%d: property failed: %s\n", \
			__FILE__, __LINE__, #cond); \
		abort(); \
	} \
	} while(0)

#endif /* FB_FUZZ_H */
