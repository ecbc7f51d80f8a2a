// File: verify/report_page.h
//
// `orgtwin report`: verify's report as one self-contained HTML page a person can read -- the
// organization tree, the capability matrix (a colour per cell, its evidence on click), the root
// custody coalitions, the reach graph (keys held, roles assumed, escalations) drawn as SVG, the
// alert paths, the findings, the claims, and the playbook's state. The page carries its data as
// JSON and draws itself with a little script (no network, no library), so what a browser shows
// is exactly what verify computed.
//
// Thread-safety: a pure function.
#pragma once

#include <string>

#include <boost/json.hpp>

namespace orgtwin::verify {

// `report` is ToJson(Report) (verify.h); `context` adds {"name", "file", "generated",
// "playbook": [{"id", "title", "owner", "status", "note"}]}.
std::string ReportPage(const boost::json::object& report, const boost::json::object& context);

}  // namespace orgtwin::verify
