#include "store/sql_text.h"

#include <string>

#include <gtest/gtest.h>

namespace orgtwin::store {
namespace {

std::string Numbered(const std::string& sql, int expected_count) {
  int count = -1;
  std::string out = NumberPlaceholders(sql, &count);
  EXPECT_EQ(count, expected_count) << sql;
  return out;
}

TEST(SqlTextTest, NumbersPlaceholdersOutsideLiteralsAndComments) {
  EXPECT_EQ(Numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?)", 3),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
  EXPECT_EQ(Numbered("SELECT '?', 'it''s ?', \"odd?name\" FROM t WHERE x = ?", 1),
            "SELECT '?', 'it''s ?', \"odd?name\" FROM t WHERE x = $1");
  EXPECT_EQ(Numbered("SELECT 1 -- why?\nWHERE y = ? /* and? */ AND z = ?", 2),
            "SELECT 1 -- why?\nWHERE y = $1 /* and? */ AND z = $2");
  EXPECT_EQ(Numbered("", 0), "");
  // An unterminated literal is the server's error to report; nothing in it is numbered.
  EXPECT_EQ(Numbered("SELECT 'open ?", 0), "SELECT 'open ?");
}

TEST(SqlTextTest, RecognizesTransactionControl) {
  EXPECT_TRUE(IsTransactionControl("  commit"));
  EXPECT_TRUE(IsTransactionControl("ROLLBACK TO x"));
  EXPECT_TRUE(IsTransactionControl("savepoint a"));
  EXPECT_FALSE(IsTransactionControl("SELECT 'COMMIT'"));
  EXPECT_FALSE(IsTransactionControl("BEGINNING"));
  EXPECT_EQ(FirstKeyword("\n  select 1"), "SELECT");
  EXPECT_EQ(FirstKeyword("(SELECT 1)"), "SELECT");
}

}  // namespace
}  // namespace orgtwin::store
