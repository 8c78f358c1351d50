#ifndef TLSTOP_CNCURSES_SHIM_H
#define TLSTOP_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncurses.h>

/* Macros and globals that Swift cannot import, or that Swift 6 rejects as shared mutable state. */
static inline WINDOW *tlstop_stdscr(void) { return stdscr; }
static inline int tlstop_lines(void) { return LINES; }
static inline int tlstop_cols(void) { return COLS; }
static inline int tlstop_colors(void) { return COLORS; }
static inline int tlstop_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t tlstop_a_bold(void) { return A_BOLD; }
static inline attr_t tlstop_a_reverse(void) { return A_REVERSE; }
static inline attr_t tlstop_a_underline(void) { return A_UNDERLINE; }
static inline attr_t tlstop_a_dim(void) { return A_DIM; }
static inline attr_t tlstop_a_normal(void) { return A_NORMAL; }
static inline attr_t tlstop_color_pair(short n) { return COLOR_PAIR(n); }
static inline int tlstop_attrset(attr_t attributes) { return wattrset(stdscr, attributes); }
static inline int tlstop_mvaddwstr(int y, int x, const wchar_t *text) { return mvwaddwstr(stdscr, y, x, text); }
static inline int tlstop_keypad(void) { return keypad(stdscr, TRUE); }
static inline int tlstop_get_wch(wint_t *key) { return wget_wch(stdscr, key); }
static inline void tlstop_timeout(int milliseconds) { wtimeout(stdscr, milliseconds); }
static inline int tlstop_erase(void) { return werase(stdscr); }
static inline int tlstop_refresh(void) { return wrefresh(stdscr); }
static inline int tlstop_key_code_yes(void) { return KEY_CODE_YES; }

#endif
