#include "structure/documents.h"

#include <boost/url/pct_string_view.hpp>

namespace orgtwin::structure {

std::string DecodeDocument(std::string_view text) {
  if (text.empty() || text.front() == '{') return std::string(text);
  auto pct = boost::urls::make_pct_string_view(text);
  if (!pct) return std::string(text);
  return pct->decode();
}

}  // namespace orgtwin::structure
