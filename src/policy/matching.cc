#include "policy/matching.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include <arpa/inet.h>

#include "common/http_message.h"

namespace orgtwin::policy {

std::string EncodeGlob(std::string_view raw) {
  std::string out(raw);
  for (auto& c : out) {
    if (c == '*') {
      c = kStar;
    } else if (c == '?') {
      c = kOne;
    }
  }
  return out;
}

bool IsLiteral(std::string_view encoded) {
  return encoded.find(kStar) == std::string_view::npos &&
         encoded.find(kOne) == std::string_view::npos;
}

bool GlobMatch(std::string_view p, std::string_view s) {
  // Classic iterative wildcard match with single backtrack point: linear in practice.
  size_t pi = 0, si = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == kOne || (p[pi] == s[si] && p[pi] != kStar))) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == kStar) {
      star_p = pi++;
      star_s = si;
    } else if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      si = ++star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == kStar) ++pi;
  return pi == p.size();
}

bool SplitArn(std::string_view arn, std::array<std::string_view, 6>* parts) {
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return false;
    (*parts)[i] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  (*parts)[5] = arn.substr(start);
  return true;
}

bool ArnMatch(std::string_view pattern, std::string_view value) {
  std::array<std::string_view, 6> p, v;
  if (SplitArn(pattern, &p) && SplitArn(value, &v)) {
    for (int i = 0; i < 6; ++i) {
      if (!GlobMatch(p[i], v[i])) return false;
    }
    return true;
  }
  return GlobMatch(pattern, value);
}

bool AsciiIEquals(std::string_view a, std::string_view b) { return EqualsIgnoreCase(a, b); }

namespace {

void AppendLiteral(TemplateString* t, std::string_view text, bool glob) {
  if (text.empty()) return;
  std::string enc = glob ? EncodeGlob(text) : std::string(text);
  if (!t->pieces.empty() && !t->pieces.back().is_variable) {
    t->pieces.back().text += enc;
  } else {
    TemplatePiece p;
    p.text = std::move(enc);
    t->pieces.push_back(std::move(p));
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

TemplateString ParseTemplate(std::string_view raw, bool variables, bool glob) {
  TemplateString t;
  size_t i = 0;
  while (i < raw.size()) {
    size_t open = variables ? raw.find("${", i) : std::string_view::npos;
    if (open == std::string_view::npos) {
      AppendLiteral(&t, raw.substr(i), glob);
      break;
    }
    size_t close = raw.find('}', open + 2);
    if (close == std::string_view::npos) {
      AppendLiteral(&t, raw.substr(i), glob);
      break;
    }
    AppendLiteral(&t, raw.substr(i, open - i), glob);
    std::string_view body = raw.substr(open + 2, close - open - 2);
    if (body == "*" || body == "?" || body == "$") {
      // AWS-COMPAT: ${*} ${?} ${$} are escapes for the literal characters.
      AppendLiteral(&t, body, false);
    } else {
      TemplatePiece p;
      p.is_variable = true;
      size_t comma = body.find(',');
      std::string_view key = Trim(body.substr(0, comma));
      p.text = AsciiLowerCopy(key);
      if (comma != std::string_view::npos) {
        std::string_view def = Trim(body.substr(comma + 1));
        if (def.size() >= 2 && def.front() == '\'' && def.back() == '\'') {
          p.has_default = true;
          p.default_value = std::string(def.substr(1, def.size() - 2));
        }
      }
      t.pieces.push_back(std::move(p));
      t.has_variables = true;
    }
    i = close + 1;
  }
  if (!t.has_variables) {
    t.literal = t.pieces.empty() ? std::string() : t.pieces.front().text;
  }
  return t;
}

bool ParseNumber(std::string_view s, double* out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (*b == '+') ++b;
  auto [ptr, ec] = std::from_chars(b, e, *out);
  return ec == std::errc() && ptr == e && std::isfinite(*out);
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

bool ParseDate(std::string_view s, double* out) {
  if (s.empty()) return false;
  if (s.find('-') == std::string_view::npos || s.size() < 10 || s[4] != '-') {
    return ParseNumber(s, out);  // epoch seconds
  }
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &mo) || s.size() < 10 ||
      s[7] != '-' || !Digits(s, 8, 2, &d)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  size_t pos = 10;
  double frac = 0;
  int offset = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return false;
    ++pos;
    if (!Digits(s, pos, 2, &h) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
        !Digits(s, pos + 3, 2, &mi)) {
      return false;
    }
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
      if (!Digits(s, pos + 1, 2, &sec)) return false;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        size_t start = pos;
        ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        double f;
        std::string tmp = "0" + std::string(s.substr(start, pos - start));
        if (!ParseNumber(tmp, &f)) return false;
        frac = f;
      }
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int oh, om = 0;
        if (!Digits(s, pos + 1, 2, &oh)) return false;
        size_t p2 = pos + 3;
        if (p2 < s.size() && s[p2] == ':') ++p2;
        if (p2 < s.size()) {
          if (!Digits(s, p2, 2, &om)) return false;
          p2 += 2;
        }
        offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
        pos = p2;
      } else {
        return false;
      }
    }
    if (pos != s.size() || h > 23 || mi > 59 || sec > 60) return false;
  }
  *out = static_cast<double>(DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) *
                                 86400 +
                             int64_t{h} * 3600 + int64_t{mi} * 60 + sec - offset) +
         frac;
  return true;
}

bool ParseIpNet(std::string_view s, IpNet* out) {
  std::string_view addr = s;
  int prefix = -1;
  size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    addr = s.substr(0, slash);
    auto pre = s.substr(slash + 1);
    int p = 0;
    auto [ptr, ec] = std::from_chars(pre.data(), pre.data() + pre.size(), p);
    if (ec != std::errc() || ptr != pre.data() + pre.size() || pre.empty()) return false;
    prefix = p;
  }
  if (addr.size() > 45) return false;
  char buf[64];
  std::memcpy(buf, addr.data(), addr.size());
  buf[addr.size()] = '\0';
  IpNet net;
  if (addr.find(':') == std::string_view::npos) {
    in_addr a4;
    if (inet_pton(AF_INET, buf, &a4) != 1) return false;
    net.v4 = true;
    std::memcpy(net.addr.data(), &a4, 4);
    if (prefix > 32) return false;
    net.prefix = prefix < 0 ? 32 : prefix;
  } else {
    in6_addr a6;
    if (inet_pton(AF_INET6, buf, &a6) != 1) return false;
    std::memcpy(net.addr.data(), &a6, 16);
    if (prefix > 128) return false;
    net.prefix = prefix < 0 ? 128 : prefix;
  }
  *out = net;
  return true;
}

bool IpInNet(const IpNet& ip, const IpNet& net) {
  if (ip.v4 != net.v4) return false;
  int bits = net.prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xFF : static_cast<uint8_t>(0xFF << (8 - bits));
    if ((ip.addr[static_cast<size_t>(i)] & mask) != (net.addr[static_cast<size_t>(i)] & mask)) {
      return false;
    }
  }
  return true;
}

}  // namespace orgtwin::policy
