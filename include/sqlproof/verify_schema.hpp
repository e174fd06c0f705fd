#pragma once
/// @file
/// SQLite: see sqlite/verify_schema.hpp (this path is kept for existing includes).

#include "sqlite/verify_schema.hpp"
