/* Test helper: reads a PNG (8-bit greyscale, RGB or RGBA, not interlaced,
 * as Chromium writes screenshots) through zlib and prints
 *   width height share_of_pixels_that_are_not_near_white share_that_is_red
 * so a test can tell a rendered page from a blank one, and see red.
 * usage: pngstat FILE.png */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "lmrec.h"

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	if (argc != 2)
		lmrec_usage_error("usage: pngstat FILE.png");
	FILE *fp = fopen(argv[1], "rb");
	if (!fp)
		lmrec_die(LMREC_EXIT_FAIL, "%s: open:", argv[1]);
	unsigned char sig[8], hdr[8];
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (fread(sig, 1, 8, fp) != 8 || memcmp(sig, png, 8) != 0)
		lmrec_die(LMREC_EXIT_DATA, "%s: not a PNG file", argv[1]);
	uint32_t w = 0, h = 0;
	int channels = 0;
	unsigned char *idat = NULL;
	size_t ilen = 0, icap = 0;
	while (fread(hdr, 1, 8, fp) == 8) {
		uint32_t len = be32(hdr);
		unsigned char *data = lmrec_xmalloc((size_t)len + 4);
		if (fread(data, 1, (size_t)len + 4, fp) != (size_t)len + 4)
			lmrec_die(LMREC_EXIT_DATA, "%s: truncated chunk", argv[1]);
		if (memcmp(hdr + 4, "IHDR", 4) == 0) {
			w = be32(data);
			h = be32(data + 4);
			if (data[8] != 8 || data[12] != 0)
				lmrec_die(LMREC_EXIT_DATA, "%s: only 8-bit, non-interlaced images", argv[1]);
			channels = data[9] == 0 ? 1 : data[9] == 2 ? 3 : data[9] == 6 ? 4 : 0;
			if (!channels)
				lmrec_die(LMREC_EXIT_DATA, "%s: colour type %d not handled", argv[1], data[9]);
		} else if (memcmp(hdr + 4, "IDAT", 4) == 0) {
			LMREC_GROW(idat, icap, ilen + len);
			memcpy(idat + ilen, data, len);
			ilen += len;
		}
		free(data);
		if (memcmp(hdr + 4, "IEND", 4) == 0)
			break;
	}
	fclose(fp);
	if (!w || !h || !channels)
		lmrec_die(LMREC_EXIT_DATA, "%s: no image header", argv[1]);
	size_t stride = (size_t)w * (size_t)channels;
	uLongf rawlen = (uLongf)((stride + 1) * h);
	unsigned char *raw = lmrec_xmalloc(rawlen);
	if (uncompress(raw, &rawlen, idat, (uLong)ilen) != Z_OK || rawlen != (stride + 1) * h)
		lmrec_die(LMREC_EXIT_DATA, "%s: bad image data", argv[1]);
	/* undo the per-row filters in place */
	unsigned char *prev = NULL;
	size_t inked = 0, red = 0;
	for (uint32_t y = 0; y < h; y++) {
		unsigned char *row = raw + y * (stride + 1), f = row[0], *px = row + 1;
		for (size_t x = 0; x < stride; x++) {
			int a = x >= (size_t)channels ? px[x - channels] : 0;
			int b = prev ? prev[x] : 0;
			int c = prev && x >= (size_t)channels ? prev[x - channels] : 0;
			int v = px[x];
			switch (f) {
			case 0: break;
			case 1: v += a; break;
			case 2: v += b; break;
			case 3: v += (a + b) / 2; break;
			case 4: v += paeth(a, b, c); break;
			default: lmrec_die(LMREC_EXIT_DATA, "%s: bad filter %d", argv[1], f);
			}
			px[x] = (unsigned char)v;
		}
		for (uint32_t x = 0; x < w; x++) {
			const unsigned char *p = px + (size_t)x * (size_t)channels;
			int dark = 0;
			for (int k = 0; k < (channels == 4 ? 3 : channels); k++)
				dark |= p[k] < 240;
			inked += dark;
			red += channels >= 3 && p[0] > 150 && p[1] < 90 && p[2] < 90;
		}
		prev = px;
	}
	double area = (double)w * (double)h;
	printf("%u %u %.6f %.6f\n", w, h, (double)inked / area, (double)red / area);
	free(raw);
	free(idat);
	lmrec_close_stdout();
	return 0;
}
