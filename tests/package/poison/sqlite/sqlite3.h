/* Poison for the package tests: a consumer of the PostgreSQL backend alone puts this directory
   first on its include path, so any #include <sqlite3.h> on its way fails to compile. */
#error "sqlproof: sqlite3.h was included by a consumer that uses only sqlproof::postgres (libpq)"
