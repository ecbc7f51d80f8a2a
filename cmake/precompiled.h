// The headers nearly every orgtwin translation unit includes, compiled once per build into a
// precompiled header (orgtwin_pch in cmake/OrgtwinTargets.cmake) that every orgtwin target
// reuses in the Clang builds. Parsing them is a third of the time of compiling a typical file:
// Boost.JSON alone is about half of a handler's 140,000 preprocessed lines.
//
// Each source still includes what it uses: the tidy preset builds without this header, so a
// missing include fails `make tidy`, and the GCC release build does not use it at all. Keep the
// list to headers used across the layers.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/json.hpp>
