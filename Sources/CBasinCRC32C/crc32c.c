// Hardware CRC32C for the write-ahead log, blocks and chunks. The instruction computes exactly
// the Castagnoli polynomial the formats use, eight bytes per step, about ten times faster than
// the table-driven loop in Swift. The functions are compiled for the instruction set with a
// target attribute, so the rest of the package needs no special flags, and callers check
// basin_crc32c_hw_available() once before using them.
#include "CBasinCRC32C.h"
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

int basin_crc32c_hw_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2")))
uint32_t basin_crc32c_update_hw(uint32_t crc, const void *bytes, size_t length) {
    const unsigned char *p = (const unsigned char *)bytes;
    uint64_t c = crc;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        length -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (length > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p);
        p += 1;
        length -= 1;
    }
    return c32;
}

#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>

int basin_crc32c_hw_available(void) { return 1; }

uint32_t basin_crc32c_update_hw(uint32_t crc, const void *bytes, size_t length) {
    const unsigned char *p = (const unsigned char *)bytes;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc = __crc32cd(crc, word);
        p += 8;
        length -= 8;
    }
    while (length > 0) {
        crc = __crc32cb(crc, *p);
        p += 1;
        length -= 1;
    }
    return crc;
}

#else

int basin_crc32c_hw_available(void) { return 0; }

uint32_t basin_crc32c_update_hw(uint32_t crc, const void *bytes, size_t length) {
    (void)bytes;
    (void)length;
    return crc;
}

#endif
