// File: model/embedded_models.h
//
// The raw bytes of the botocore models embedded in the binary by models/CMakeLists.txt (an
// assembler file with one `.incbin` per JSON). Internal to model/: use Registry::Embedded().
//
// Thread-safety: the table is built on first use (function-local static) and immutable after.
#pragma once

#include <string_view>
#include <vector>

namespace orgtwin::model::internal {

struct EmbeddedModelFile {
  std::string_view service;          // folder name under models/, e.g. "organizations"
  std::string_view api_version;      // "2016-11-28"
  std::string_view service_json;     // service-2.json bytes (NUL-terminated in memory)
  std::string_view paginators_json;  // paginators-1.json bytes, empty when absent
};

// Defined in the generated embedded_models.cc (models/CMakeLists.txt).
const std::vector<EmbeddedModelFile>& EmbeddedModelFiles();

}  // namespace orgtwin::model::internal
