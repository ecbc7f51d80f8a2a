#include "store/commit_revision.h"

#include <atomic>
#include <future>
#include <thread>
#include <vector>

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

TEST(CoalescedReadsTest, EachCallerAloneRunsItsOwnRead) {
  CoalescedReads reads;
  int runs = 0;
  for (uint64_t i = 1; i <= 3; ++i) {
    Result<uint64_t> got = reads.Read([&]() -> Result<uint64_t> { return ++runs; });
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, i);
  }
}

// The promise: a caller is never answered by a read that began before it arrived (that read could
// miss a commit acknowledged just before the caller's request).
TEST(CoalescedReadsTest, ACallerArrivingDuringAReadGetsALaterOne) {
  CoalescedReads reads;
  std::promise<void> first_began;
  std::promise<void> release_first;
  std::shared_future<void> released = release_first.get_future().share();
  std::atomic<int> runs{0};
  std::thread first([&] {
    Result<uint64_t> got = reads.Read([&]() -> Result<uint64_t> {
      ++runs;
      first_began.set_value();
      released.wait();
      return uint64_t{1};  // what the database said before the later callers came
    });
    EXPECT_TRUE(got.ok() && *got == 1u);
  });
  first_began.get_future().wait();
  // These arrive while the first read is in flight: they must get a read that began after them.
  std::vector<std::future<Result<uint64_t>>> later;
  later.reserve(4);
  for (int i = 0; i < 4; ++i) {
    later.push_back(std::async(std::launch::async, [&] {
      return reads.Read([&]() -> Result<uint64_t> {
        ++runs;
        return uint64_t{2};
      });
    }));
  }
  release_first.set_value();
  for (auto& got : later) {
    Result<uint64_t> value = got.get();
    ASSERT_TRUE(value.ok());
    EXPECT_EQ(*value, 2u);
  }
  first.join();
  EXPECT_LE(runs.load(), 5);  // one read each at most; usually one serves all four
}

TEST(CoalescedReadsTest, AFailedReadFailsTheCallersItServes) {
  CoalescedReads reads;
  Result<uint64_t> got =
      reads.Read([]() -> Result<uint64_t> { return UnavailableError("database gone"); });
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUnavailable);
  // The next caller reads again.
  Result<uint64_t> again = reads.Read([]() -> Result<uint64_t> { return uint64_t{7}; });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 7u);
}

}  // namespace
}  // namespace orgtwin::store
