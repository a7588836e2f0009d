// Deflate for sealed record partitions: the system zlib (zlib1g), which the HTTP layer
// already links for gzip bodies.
#include <zlib.h>
