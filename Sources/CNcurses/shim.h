#ifndef TLSTOP_CNCURSES_SHIM_H
#define TLSTOP_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncurses.h>

/* Macros and globals that Swift cannot import or that Swift 6 rejects as unsafe. */
static inline WINDOW *tlstop_stdscr(void) { return stdscr; }
static inline int tlstop_lines(void) { return LINES; }
static inline int tlstop_cols(void) { return COLS; }
static inline attr_t tlstop_a_bold(void) { return A_BOLD; }
static inline attr_t tlstop_a_reverse(void) { return A_REVERSE; }
static inline attr_t tlstop_a_underline(void) { return A_UNDERLINE; }
static inline attr_t tlstop_a_dim(void) { return A_DIM; }
static inline attr_t tlstop_color_pair(short n) { return COLOR_PAIR(n); }

#endif
