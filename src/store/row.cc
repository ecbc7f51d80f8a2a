// File: store/row.cc
//
// Row's typed accessors. A value is read back by its storage type; the accessors convert only
// between the two numeric kinds and never format or parse text (see store.h). Also the Store
// interface's default (non-batching) SubmitWrite.
#include <string>
#include <variant>

#include "store/store.h"

namespace orgtwin::store {

int64_t Row::Int(size_t i) const {
  const Value& v = values_.at(i);
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  return 0;
}

double Row::Double(size_t i) const {
  const Value& v = values_.at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<int64_t>(&v)) return static_cast<double>(*n);
  return 0.0;
}

const std::string& Row::Text(size_t i) const {
  // A function-local static, so the reference stays valid for the caller's whole use.
  static const std::string* const kEmpty = new std::string();
  const Value& v = values_.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return *kEmpty;
}

// By value, as the interface has it: SqliteStore keeps the job for its writer thread.
void Store::SubmitWrite(WriteJob job) {  // NOLINT(performance-unnecessary-value-param)
  job.work();
  job.done(Status::Ok());
}

}  // namespace orgtwin::store
