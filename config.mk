# lmrec build settings: edit here or override on the command line.
VERSION = 0.1.0

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DATADIR = $(PREFIX)/share/lmrec

CC = cc
CFLAGS = -std=c17 -O2 -g -Wall -Wextra -Werror -Wstrict-prototypes -Wshadow -Wvla
CPPFLAGS =
LDFLAGS =

# Debian ships the CBLAS header under the OpenBLAS include directory and
# LAPACKE in liblapacke-dev; pkg-config knows both.
BLAS_CFLAGS = $(shell pkg-config --cflags openblas 2>/dev/null || echo -I/usr/include/x86_64-linux-gnu)
BLAS_LIBS = $(shell pkg-config --libs openblas lapacke 2>/dev/null || echo -lopenblas -llapacke)
# jansson reads JSON (config.json and safetensors headers of encoders).
LIBS = -lz $(BLAS_LIBS) -ljansson -lm -lpthread
CSV_LIBS = -lcsv
# libcrypto (OpenSSL) computes the HMACs of lmrec-anon and of lmrec-forget's
# forget list, and only there.
CRYPTO_LIBS = -lcrypto

# make SANITIZE=1: AddressSanitizer and UndefinedBehaviorSanitizer.
SANITIZE =
