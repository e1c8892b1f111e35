/* lmrec — UTF-8 validation and Latin-1 conversion.
 *
 * Valid UTF-8 here is RFC 3629: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF. A NUL byte is valid UTF-8;
 * refusing it is the caller's business. */
#ifndef LMREC_UTF8_H
#define LMREC_UTF8_H

#include <stddef.h>

/* Returns 1 when s[0..len) is valid UTF-8; otherwise returns 0 and stores
 * in *bad the offset of the first byte that cannot start or continue a
 * valid sequence (bad may be NULL). */
int lmrec_utf8_valid(const char *s, size_t len, size_t *bad);

/* Converts Latin-1 (ISO-8859-1) text to UTF-8: every byte >= 0x80 becomes
 * two bytes. dst needs room for 2 * len bytes and must not overlap src.
 * Returns the number of bytes written. */
size_t lmrec_utf8_from_latin1(char *dst, const char *src, size_t len);

/* Number of bytes >= 0x80 in s[0..len): the extra room a Latin-1 to UTF-8
 * conversion needs. */
size_t lmrec_utf8_count_high(const char *s, size_t len);

#endif
