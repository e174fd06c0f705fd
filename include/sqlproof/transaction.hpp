#pragma once
/// @file
/// SQLite transactions: `sqlproof::transaction` and `tx_mode` (sqlite/database.hpp), the
/// generic `basic_transaction` and `retry_policy` (basic_transaction.hpp). This path is kept
/// for existing includes.

#include "basic_transaction.hpp"
#include "sqlite/database.hpp"
