#pragma once
/// @file
/// SQLite: see sqlite/maintenance.hpp (this path is kept for existing includes).

#include "sqlite/maintenance.hpp"
