#pragma once
/// @file
/// SQLite: see sqlite/statement_cache.hpp (this path is kept for existing includes).

#include "sqlite/statement_cache.hpp"
