// File: store/sql_text.h
//
// Helpers on the text of the portable SQL (store.h) that every backend needs the same way: the
// snippet an error message quotes, and the check that keeps callers from running transaction
// control behind the Store's back.
//
// Thread-safety: plain functions.
#pragma once

#include <string>
#include <string_view>

namespace orgtwin::store {

// `sql` on one line (runs of whitespace collapsed), cut after about 80 characters: for messages.
std::string Snippet(std::string_view sql);

// True for statements that would end or start the enclosing transaction (BEGIN, COMMIT, END,
// ROLLBACK, SAVEPOINT, RELEASE): Begin() and Commit() own those.
bool IsTransactionControl(std::string_view sql);

// `sql` with each `?` placeholder outside string literals, quoted identifiers and comments
// numbered as PostgreSQL writes them ($1, $2, ...); *count gets how many there were.
std::string NumberPlaceholders(std::string_view sql, int* count);

// The first word of `sql`, upper-cased ("SELECT", "INSERT", ...); "" when there is none.
std::string FirstKeyword(std::string_view sql);

}  // namespace orgtwin::store
