#ifndef TLSTOP_CZLIB_SHIM_H
#define TLSTOP_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro (it passes the library version and the struct size); Swift needs a
   function. windowBits 15 + 32: accept a gzip or zlib header, detected from the data. */
static inline int tlstop_inflate_init_auto(z_stream *stream) { return inflateInit2(stream, 15 + 32); }

#endif
