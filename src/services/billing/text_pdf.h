// File: services/billing/text_pdf.h
//
// A PDF of lines of text: what an invoice document needs. PDF 1.4, one Helvetica (a standard
// font every reader has, so nothing is embedded), 10 points, 60 lines a page, ASCII text; any
// other byte prints as '?'. Written by hand because the whole format needed is a catalog, a
// page tree, a font, one content stream a page and the cross-reference table (Debian's PDF
// library, libharu 2.3, is a decade old); `pdftotext` reads the result back in the tests.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orgtwin::services::billing {

// The bytes of a PDF whose pages show `lines`, top to bottom, titled `title` (document info).
std::string TextPdf(std::string_view title, const std::vector<std::string>& lines);

}  // namespace orgtwin::services::billing
