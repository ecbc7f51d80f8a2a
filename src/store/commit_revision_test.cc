#include "store/commit_revision.h"

#include <gtest/gtest.h>

namespace orgtwin::store {
namespace {

TEST(CommitRevisionTest, OwnCommitsAreNoNews) {
  CommitRevision revision(5);
  revision.OwnCommit(6);
  revision.OwnCommit(7);
  EXPECT_EQ(revision.Observe(7), 0u);
}

TEST(CommitRevisionTest, ARevisionAboveAllKnownIsAnotherNodesCommit) {
  CommitRevision revision(0);
  EXPECT_EQ(revision.Observe(0), 0u);
  EXPECT_EQ(revision.Observe(3), 1u);  // three commits, one finding: caches drop once
  EXPECT_EQ(revision.Observe(3), 1u);
  revision.OwnCommit(4);
  EXPECT_EQ(revision.Observe(4), 1u);
}

// Another node committed between our last look and our own commit: the gap our commit's revision
// leaves is that commit, found even though no read saw it.
TEST(CommitRevisionTest, AGapBeforeOurOwnCommitIsAnotherNodesCommit) {
  CommitRevision revision(10);
  revision.OwnCommit(12);
  EXPECT_EQ(revision.Observe(12), 1u);
}

// A read that sees our own commit before we accounted for it counts it as foreign (a cache
// dropped once too often), and our late accounting does not count it again.
TEST(CommitRevisionTest, OurCommitSeenBeforeItsAccountingCountsOnce) {
  CommitRevision revision(1);
  EXPECT_EQ(revision.Observe(2), 1u);
  revision.OwnCommit(2);
  EXPECT_EQ(revision.Observe(2), 1u);
}

}  // namespace
}  // namespace orgtwin::store
