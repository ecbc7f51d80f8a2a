// File: playbook/invoice_archive.h
//
// The archive of an account's invoices before it leaves its organization (the seed's step III.8:
// the billing history stays with the old payer). Through the public API only (invoicing's
// ListInvoiceSummaries and GetInvoicePDF, then the presigned URLs), so it runs against AWS as
// against the twin: `orgtwin billing archive` and the playbook's task III.8 both use it.
//
// The folder holds each invoice as ID.pdf and ID.csv (the line items) and manifest.json:
//   {"AccountId": "...", "Invoices": [{"InvoiceId", "BillingPeriod", "TotalAmount",
//    "CurrencyCode", "Files": [{"Name", "Sha256"}]}]}
// Every file is written whole or not at all, and the manifest after each invoice, so a run
// stopped anywhere resumes: an invoice whose files are present and match their checksums is
// not fetched again.
//
// Thread-safety: none; one archive per folder at a time.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "client/client.h"
#include "common/status.h"

namespace orgtwin::playbook {

// One invoicing call as some principal (a client::Client, or a structure::Session's party).
using InvoicingCall = std::function<client::Outcome<boost::json::object>(
    std::string_view operation, const boost::json::object& input)>;

struct ArchiveReport {
  size_t invoices = 0;  // in the manifest
  size_t already = 0;   // found archived and not fetched again
};

// Called after each invoice: done of total, `already` of them found archived.
using ArchiveProgress = std::function<void(size_t done, size_t total, size_t already)>;

// Archives every invoice of `account_id` (which the caller receives as its payer) into `dir`.
// Errors: kAccessDenied when a call is refused, its message naming what the caller lacks (the
// action, and for an IAM principal the billing access its root user must activate);
// kUnavailable when a document cannot be fetched; kInternal when a file cannot be written.
Result<ArchiveReport> ArchiveInvoices(const InvoicingCall& call, const std::string& account_id,
                                      const std::filesystem::path& dir,
                                      const ArchiveProgress& progress = {});

// Whether `dir` holds a complete archive of `account_id`'s invoices as of its manifest (every
// listed file present with its checksum). The precondition of leaving an organization.
bool HasArchive(const std::string& account_id, const std::filesystem::path& dir);

}  // namespace orgtwin::playbook
