// File: common/ascii.h
//
// ASCII case folding, as AWS compares the names it treats case-insensitively (IAM names, action
// names, header names): only A-Z change; other bytes, UTF-8 included, pass through.
#pragma once

#include <string>
#include <string_view>

namespace orgtwin {

inline void AsciiLower(std::string* text) {
  for (char& c : *text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

inline std::string AsciiLowerCopy(std::string_view text) {
  std::string out(text);
  AsciiLower(&out);
  return out;
}

}  // namespace orgtwin
