/* lmrec — UTF-8 validation and Latin-1 conversion. */
#include <stdint.h>
#include <string.h>

#include "utf8.h"

/* True when none of the 8 bytes at p has its high bit set. */
static int ascii8(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof w);
	return (w & UINT64_C(0x8080808080808080)) == 0;
}

int lmrec_utf8_valid(const char *str, size_t len, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		if (i + 8 <= len && ascii8(s + i)) {
			i += 8;
			continue;
		}
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t need;
		unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0; /* overlong */
			else if (c == 0xED)
				hi = 0x9F; /* surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90; /* overlong */
			else if (c == 0xF4)
				hi = 0x8F; /* above U+10FFFF */
		} else {
			goto invalid;
		}
		if (len - i <= need || s[i + 1] < lo || s[i + 1] > hi)
			goto invalid;
		for (size_t k = 2; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				goto invalid;
		i += need + 1;
	}
	return 1;
invalid:
	if (bad)
		*bad = i;
	return 0;
}

size_t lmrec_utf8_count_high(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] >> 7;
	return n;
}

size_t lmrec_utf8_from_latin1(char *dst, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	unsigned char *d = (unsigned char *)dst;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned c = s[i];
		if (c < 0x80) {
			d[o++] = (unsigned char)c;
		} else {
			d[o++] = (unsigned char)(0xC0 | c >> 6);
			d[o++] = (unsigned char)(0x80 | (c & 0x3F));
		}
	}
	return o;
}
