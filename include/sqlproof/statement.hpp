#pragma once
/// @file
/// SQLite: see sqlite/statement.hpp (this path is kept for existing includes).

#include "sqlite/statement.hpp"
