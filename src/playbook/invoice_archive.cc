#include "playbook/invoice_archive.h"

#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "auth/sigv4.h"
#include "client/http_transport.h"
#include "common/json_fields.h"

namespace orgtwin::playbook {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using json_fields::Arr;
using json_fields::Obj;
using json_fields::Str;

std::string Sha256File(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return auth::Sha256Hex(bytes.str());
}

// Writes `bytes` to `path` whole or not at all (a temporary file renamed over it).
Status WriteAtomically(const fs::path& path, const std::string& bytes) {
  const fs::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return InternalError("cannot write " + partial.string());
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) return InternalError("cannot rename " + partial.string() + ": " + ec.message());
  return Status::Ok();
}

// GETs a presigned URL (no signature of ours: the URL carries its own).
Result<std::string> Download(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const size_t path_at =
      scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
  OT_ASSIGN_OR_RETURN(client::Endpoint endpoint, client::ParseEndpoint(url.substr(0, path_at)));
  HttpRequest request;
  request.method = "GET";
  request.target = path_at == std::string::npos ? "/" : url.substr(path_at);
  request.headers.emplace_back("Host", endpoint.HostHeader());
  client::HttpTransport transport;
  OT_ASSIGN_OR_RETURN(HttpResponse response, transport.Send(endpoint, request));
  if (response.status != 200) {
    return UnavailableError("GET " + request.target.substr(0, request.target.find('?')) +
                            " answered " + std::to_string(response.status) + ": " +
                            response.body.substr(0, 200));
  }
  return response.body;
}

// A refused call as the archive reports it: the error, then what the caller needs: the root
// user's billing setting when that refused it, else the action.
Status Refusal(const client::Error& error, std::string_view action) {
  std::string message = error.code + ": " + error.message;
  if (error.code != "AccessDeniedException" && error.code != "AccessDenied") {
    return UnavailableError(message);
  }
  if (error.message.find("IAM user and role access to Billing") != std::string::npos) {
    message +=
        "\n  the account's root user must activate IAM user and role access to Billing "
        "information: while it is off, no policy lets an IAM user or role read invoices";
  } else {
    message += "\n  the caller needs " + std::string(action) +
               " (the archive calls invoicing:ListInvoiceSummaries and "
               "invoicing:GetInvoicePDF)";
  }
  return AccessDeniedError(message);
}

json::object LoadManifest(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value parsed = json::parse(text.str(), ec);
  return !ec && parsed.is_object() ? parsed.as_object() : json::object{};
}

// Whether a manifest entry's files are all present and match their checksums.
bool FilesIntact(const json::object& entry, const fs::path& dir) {
  const json::array& files = Arr(entry, "Files");
  if (files.empty()) return false;
  for (const json::value& file : files) {
    if (!file.is_object()) return false;
    const fs::path path = dir / Str(file.as_object(), "Name");
    if (!fs::exists(path) || Sha256File(path) != Str(file.as_object(), "Sha256")) return false;
  }
  return true;
}

// The files of invoice `id` in an earlier manifest, when they are all present and intact (each
// checked against its checksum once, here).
std::optional<json::array> ArchivedFiles(const json::object& manifest, const std::string& id,
                                         const fs::path& dir) {
  for (const json::value& entry : Arr(manifest, "Invoices")) {
    if (entry.is_object() && Str(entry.as_object(), "InvoiceId") == id) {
      if (!FilesIntact(entry.as_object(), dir)) return std::nullopt;
      return Arr(entry.as_object(), "Files");
    }
  }
  return std::nullopt;
}

json::object EntryOf(const json::object& summary, json::array files) {
  const json::object& money = Obj(summary, "BaseCurrencyAmount");
  const json::value* period = summary.if_contains("BillingPeriod");
  return json::object{{"InvoiceId", Str(summary, "InvoiceId")},
                      {"BillingPeriod", period != nullptr ? *period : json::value()},
                      {"TotalAmount", Str(money, "TotalAmount")},
                      {"CurrencyCode", Str(money, "CurrencyCode")},
                      {"Files", std::move(files)}};
}

Result<std::vector<json::object>> ListSummaries(const InvoicingCall& call,
                                                const std::string& account_id) {
  std::vector<json::object> summaries;
  json::object input{
      {"Selector", json::object{{"ResourceType", "ACCOUNT_ID"}, {"Value", account_id}}}};
  while (true) {
    auto page = call("ListInvoiceSummaries", input);
    if (!page.ok()) {
      return Refusal(page.error(), "invoicing:ListInvoiceSummaries on the account");
    }
    for (const json::value& item : Arr(*page, "InvoiceSummaries")) {
      if (item.is_object()) summaries.push_back(item.as_object());
    }
    const std::string next = Str(*page, "NextToken");
    if (next.empty()) return summaries;
    input["NextToken"] = next;
  }
}

// Fetches the PDF and the line items of invoice `id` into `dir` as `names`; returns the
// manifest's files, hashed from the bytes as downloaded.
Result<json::array> FetchInvoice(const InvoicingCall& call, const std::string& id,
                                 const fs::path& dir, const std::vector<std::string>& names) {
  auto pdf = call("GetInvoicePDF", json::object{{"InvoiceId", id}});
  if (!pdf.ok()) return Refusal(pdf.error(), "invoicing:GetInvoicePDF");
  const json::object& fields = Obj(*pdf, "InvoicePDF");
  std::vector<std::string> urls = {Str(fields, "DocumentUrl")};
  const json::array& extra = Arr(fields, "SupplementalDocuments");
  if (!extra.empty() && extra.front().is_object()) {
    urls.push_back(Str(extra.front().as_object(), "DocumentUrl"));
  }
  if (urls.size() != names.size()) {
    return UnavailableError("invoice " + id + " has no line items document");
  }
  json::array files;
  for (size_t i = 0; i < names.size(); ++i) {
    OT_ASSIGN_OR_RETURN(std::string bytes, Download(urls[i]));
    OT_RETURN_IF_ERROR(WriteAtomically(dir / names[i], bytes));
    files.push_back(json::object{{"Name", names[i]}, {"Sha256", auth::Sha256Hex(bytes)}});
  }
  return files;
}

}  // namespace

Result<ArchiveReport> ArchiveInvoices(const InvoicingCall& call, const std::string& account_id,
                                      const fs::path& dir, const ArchiveProgress& progress) {
  OT_ASSIGN_OR_RETURN(std::vector<json::object> summaries, ListSummaries(call, account_id));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return InternalError("cannot create " + dir.string() + ": " + ec.message());
  const fs::path manifest_path = dir / "manifest.json";
  const json::object previous = LoadManifest(manifest_path);
  ArchiveReport report;
  json::array entries;
  if (progress) progress(0, summaries.size(), 0);
  for (const json::object& summary : summaries) {
    const std::string id = Str(summary, "InvoiceId");
    const std::vector<std::string> names = {id + ".pdf", id + ".csv"};
    std::optional<json::array> files = ArchivedFiles(previous, id, dir);
    if (files.has_value()) {
      ++report.already;
    } else {
      OT_ASSIGN_OR_RETURN(files, FetchInvoice(call, id, dir, names));
    }
    entries.push_back(EntryOf(summary, std::move(*files)));
    // The manifest after every invoice: an interrupted run resumes from it.
    OT_RETURN_IF_ERROR(WriteAtomically(
        manifest_path,
        json::serialize(json::object{{"AccountId", account_id}, {"Invoices", entries}})));
    ++report.invoices;
    if (progress) progress(report.invoices, summaries.size(), report.already);
  }
  if (summaries.empty()) {
    OT_RETURN_IF_ERROR(WriteAtomically(
        manifest_path,
        json::serialize(json::object{{"AccountId", account_id}, {"Invoices", json::array()}})));
  }
  return report;
}

bool HasArchive(const std::string& account_id, const fs::path& dir) {
  const json::object manifest = LoadManifest(dir / "manifest.json");
  if (Str(manifest, "AccountId") != account_id) return false;
  for (const json::value& entry : Arr(manifest, "Invoices")) {
    if (!entry.is_object() || !FilesIntact(entry.as_object(), dir)) return false;
  }
  return true;
}

}  // namespace orgtwin::playbook
