/* Poison for the package tests: a consumer of the SQLite library alone puts this directory
   first on its include path, so any #include <libpq-fe.h> on its way fails to compile. */
#error "sqlproof: libpq-fe.h was included by a consumer that uses only sqlproof::sqlproof (SQLite)"
