/* lmrec — calendar dates and times in UTC. */
#define _XOPEN_SOURCE 700 /* strptime */
#include <string.h>
#include <time.h>

#include "datetime.h"

int64_t lmrec_datetime_days(int64_t y, int m, int d)
{
	/* Eras of 400 years (146097 days) make the count exact without tables. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int lmrec_datetime_parse(const char *fmt, const char *p, size_t len, int64_t *ts)
{
	char buf[128];
	if (len == 0 || len >= sizeof buf || memchr(p, '\0', len))
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_mday = 1;
	const char *end = strptime(buf, fmt, &tm);
	if (!end || *end || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 ||
	    tm.tm_sec > 60)
		return -1;
	*ts = lmrec_datetime_days((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
	      (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
	return 0;
}
