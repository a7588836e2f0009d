#ifndef CBASIN_CRC32C_H
#define CBASIN_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has a CRC32C instruction that basin_crc32c_update_hw can use, else 0.
int basin_crc32c_hw_available(void);

/// Continues a CRC32C (Castagnoli) over `length` bytes with the CPU's CRC32 instruction.
/// `crc` is the raw register value (already inverted by the caller); the result is raw too.
/// Only call it when basin_crc32c_hw_available() returned 1.
uint32_t basin_crc32c_update_hw(uint32_t crc, const void *bytes, size_t length);

#endif
