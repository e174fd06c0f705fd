#pragma once
/// @file
/// SQLite: see sqlite/health.hpp.

#include "sqlite/health.hpp"
