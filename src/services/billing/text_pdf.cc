#include "services/billing/text_pdf.h"

#include <cstdio>

namespace orgtwin::services::billing {
namespace {

constexpr size_t kLinesPerPage = 60;
constexpr int kFontSize = 10;
constexpr int kLeading = 12;
constexpr int kLeft = 50;
constexpr int kTop = 800;  // A4 is 595 x 842 points

// A PDF literal string: ( ) and \ escaped, anything but printable ASCII as '?'.
std::string Literal(std::string_view text) {
  std::string out = "(";
  for (char c : text) {
    if (c == '(' || c == ')' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c >= 0x20 && c < 0x7f) {
      out += c;
    } else {
      out += '?';
    }
  }
  return out + ")";
}

}  // namespace

std::string TextPdf(std::string_view title, const std::vector<std::string>& lines) {
  const size_t pages = lines.empty() ? 1 : (lines.size() + kLinesPerPage - 1) / kLinesPerPage;
  // Objects: 1 catalog, 2 page tree, 3 font, 4 document info, then a page and its content
  // stream for each page (5 + 2i, 6 + 2i).
  std::vector<std::string> objects;
  std::string kids;
  for (size_t i = 0; i < pages; ++i) kids += std::to_string(5 + 2 * i) + " 0 R ";
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  objects.push_back("<< /Title " + Literal(title) + " /Producer (orgtwin) >>");
  for (size_t i = 0; i < pages; ++i) {
    std::string content = "BT /F1 " + std::to_string(kFontSize) + " Tf " +
                          std::to_string(kLeading) + " TL " + std::to_string(kLeft) + " " +
                          std::to_string(kTop) + " Td\n";
    for (size_t n = i * kLinesPerPage; n < lines.size() && n < (i + 1) * kLinesPerPage; ++n) {
      content += Literal(lines[n]) + " Tj T*\n";
    }
    content += "ET\n";
    objects.push_back(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font "
        "<< /F1 3 0 R >> >> /Contents " +
        std::to_string(6 + 2 * i) + " 0 R >>");
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content +
                      "endstream");
  }
  // The header's second line marks the file as binary for transfer programs.
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t offset : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof(entry), "%010zu 00000 n \n", offset);
    pdf += entry;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R /Info 4 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

}  // namespace orgtwin::services::billing
