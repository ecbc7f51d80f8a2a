// Replays a libFuzzer corpus through LLVMFuzzerTestOneInput so that every committed corpus file
// and crash regression runs as an ordinary ctest case (DuckDB test/fuzzer, leveldb issues/).
// Usage: <target>_replay DIR_OR_FILE...
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {
int RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return 1;
}

int Replay(int argc, char** argv) {
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path root(argv[i]);
    if (std::filesystem::is_directory(root)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) files += RunFile(entry.path());
      }
    } else if (std::filesystem::exists(root)) {
      files += RunFile(root);
    } else {
      std::fprintf(stderr, "replay: no such corpus %s\n", argv[i]);
      return 2;
    }
  }
  std::printf("replayed %d inputs\n", files);
  return files > 0 ? 0 : 2;
}

}  // namespace

// An exception out of a fuzz target (which must not throw) or out of reading the corpus fails the
// case with its message instead of terminating without one.
int main(int argc, char** argv) {
  try {
    return Replay(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "replay: %s\n", e.what());
    return 1;
  }
}
