// File: testing/temp_dir.h
//
// TempDir: a fresh, empty directory under the system temp dir (mkdtemp), removed with everything
// in it when the TempDir is destroyed. Tests and benchmarks put their store files here, so every
// test is hermetic. Needs no gtest: a directory that cannot be made aborts the process with a
// message, since no test could run without it.
//
// Thread-safety: immutable after construction; destroy it only after whatever uses its files
// (stores, servers) is gone. Not copyable, movable.
#pragma once

#include <string>
#include <string_view>

namespace orgtwin::test {

class TempDir {
 public:
  // Makes <temp>/<prefix>-XXXXXX.
  explicit TempDir(std::string_view prefix = "orgtwin-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(std::string_view name) const;

 private:
  void Remove();

  std::string path_;  // empty once moved from
};

}  // namespace orgtwin::test
