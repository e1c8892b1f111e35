/* lmrec — matrix products on 8-bit integers: y = x W^T with W in 7-bit
 * codes (a scale per row of W) and each row of x quantised on the fly to
 * 8-bit unsigned codes between its minimum and its maximum.
 *
 * OpenBLAS has no integer product; this is the kernel of the encoder's int8
 * mode (tests/bench/RESULTS.md has the measurements that chose it over
 * dequantising to floats for sgemm). With AVX2, vpmaddubsw multiplies the
 * unsigned activation codes by the signed weight codes and adds pairs into
 * 16 bits; weights of 7 bits (|code| <= 63) keep a pair within 2 * 255 * 63
 * = 32130, so it never saturates, and vpmaddwd widens to 32 bits. The sums
 * are exact integers, so the portable C version (the *_ref name) gives the
 * same bits, and tests/unit/q8.c holds the two to that.
 *
 * For a row of x with minimum m and step s = (max - m) / 255, codes
 * u_k = round((x_k - m) / s), and a row of W with scale w and codes c_k:
 *   y = w (s sum_k u_k c_k + m sum_k c_k). */
#ifndef LMREC_Q8_H
#define LMREC_Q8_H

#include <stddef.h>
#include <stdint.h>

/* W (out, in) packed for the kernel: groups of 16 rows, in blocks of 4
 * columns, zero-padded. */
struct lmrec_q8w {
	size_t out, in;
	size_t kq;       /* in / 4, rounded up */
	size_t groups;   /* out / 16, rounded up */
	int8_t *codes;   /* (groups, kq, 16, 4) */
	float *scale;    /* (groups * 16) max |row| / 63, 0 for a zero row */
	int32_t *sum;    /* (groups * 16) sum of each row's codes */
};

void lmrec_q8w_pack(struct lmrec_q8w *q, const float *w, size_t out, size_t in);
void lmrec_q8w_free(struct lmrec_q8w *q);
size_t lmrec_q8w_bytes(const struct lmrec_q8w *q);
/* The weights the packed codes stand for: w (out, in) = codes * scale. */
void lmrec_q8w_unpack(float *w, const struct lmrec_q8w *q);

/* Bytes of work lmrec_q8_gemm needs for rows rows of x. */
size_t lmrec_q8_work(size_t rows, const struct lmrec_q8w *q);
/* y (rows, q->out) = x (rows, q->in) W^T; work as above. */
void lmrec_q8_gemm(float *y, const float *x, size_t rows, const struct lmrec_q8w *q, void *work);
void lmrec_q8_gemm_ref(float *y, const float *x, size_t rows, const struct lmrec_q8w *q,
		       void *work);

#endif
