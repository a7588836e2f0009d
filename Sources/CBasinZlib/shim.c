// Intentionally empty: the module only exposes <zlib.h>.
