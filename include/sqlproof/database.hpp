#pragma once
/// @file
/// SQLite: see sqlite/database.hpp (this path is kept for existing includes).

#include "sqlite/database.hpp"
