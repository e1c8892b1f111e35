/* lmrec — calendar dates and times as seconds since the epoch, in UTC
 * (no time zone, no locale: the C library's TZ is never consulted). */
#ifndef LMREC_DATETIME_H
#define LMREC_DATETIME_H

#include <stddef.h>
#include <stdint.h>

/* Days from 1970-01-01 to year-month-day of the proleptic Gregorian
 * calendar (month 1..12, day 1..31); negative before 1970. */
int64_t lmrec_datetime_days(int64_t year, int month, int day);

/* Reads p[0..len) with strptime(3) format fmt ("%Y-%m-%d %H:%M:%S") as a
 * UTC time; the whole text must match. Returns 0 and the seconds in *ts,
 * or -1. Fields the format lacks are the start of their period (day 1,
 * 00:00:00). Texts of 128 bytes or more are refused. */
int lmrec_datetime_parse(const char *fmt, const char *p, size_t len, int64_t *ts);

#endif
