// File: common/status.h
//
// Status and Result<T>: how every orgtwin module reports an expected failure (modelled on
// absl::Status / absl::StatusOr). No exception crosses a module boundary; a function that can
// fail returns one of these, and callers propagate with OT_RETURN_IF_ERROR / OT_ASSIGN_OR_RETURN.
//
// A Status carries a generic ErrorCode for the layer that produced it, a message, and, when a
// service already knows the exact AWS error, that error's wire code (`aws_code`, e.g.
// "NoSuchEntity") plus optional extra fields (e.g. Organizations' `Reason`). The protocol layer
// turns such a Status into the service's wire error using the HTTP status from the model.
//
// Thread-safety: values; safe to copy and move between threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace orgtwin {

// Generic failure categories. Storage and the policy engine use only these; services attach the
// AWS code on top.
enum class ErrorCode {
  kOk = 0,
  kInvalidInput,     // the caller sent something malformed or out of range (HTTP 400)
  kNotFound,         // the named entity does not exist (404 in rest-json, 400/404 elsewhere)
  kAlreadyExists,    // a create named an entity that already exists (409)
  kConflict,         // the request conflicts with current state, e.g. a concurrent update (409)
  kLimitExceeded,    // a quota would be exceeded (409 in IAM, 400 elsewhere)
  kAccessDenied,     // authentication passed, authorization denied (403)
  kUnauthenticated,  // the request could not be authenticated (403)
  kUnavailable,      // transient: the store is busy or closing; a retry may succeed (503)
  kInternal,         // a bug or an environment failure; never caused by input alone (500)
};

// Returns a stable lowercase name for logs, e.g. "invalid_input".
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // The AWS error code to put on the wire, when the producer knows it ("" otherwise).
  const std::string& aws_code() const { return aws_code_; }
  Status& WithAwsCode(std::string aws_code) & {
    aws_code_ = std::move(aws_code);
    return *this;
  }
  Status&& WithAwsCode(std::string aws_code) && {
    aws_code_ = std::move(aws_code);
    return std::move(*this);
  }

  // Extra top-level error members some services define (Organizations `Reason`, Account
  // `reason`/`fieldList` are added by the protocol layer from this map).
  const std::map<std::string, std::string>& fields() const { return fields_; }
  Status&& WithField(std::string name, std::string value) && {
    fields_[std::move(name)] = std::move(value);
    return std::move(*this);
  }

  // "invalid_input: message" for logs.
  std::string ToString() const;

  // Convenience: makes the call site read like the check it performs.
  void IgnoreError() const {}

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::string aws_code_;
  std::map<std::string, std::string> fields_;
};

inline Status InvalidInputError(std::string message) {
  return Status(ErrorCode::kInvalidInput, std::move(message));
}
inline Status NotFoundError(std::string message) {
  return Status(ErrorCode::kNotFound, std::move(message));
}
inline Status AlreadyExistsError(std::string message) {
  return Status(ErrorCode::kAlreadyExists, std::move(message));
}
inline Status ConflictError(std::string message) {
  return Status(ErrorCode::kConflict, std::move(message));
}
inline Status LimitExceededError(std::string message) {
  return Status(ErrorCode::kLimitExceeded, std::move(message));
}
inline Status AccessDeniedError(std::string message) {
  return Status(ErrorCode::kAccessDenied, std::move(message));
}
inline Status UnauthenticatedError(std::string message) {
  return Status(ErrorCode::kUnauthenticated, std::move(message));
}
inline Status UnavailableError(std::string message) {
  return Status(ErrorCode::kUnavailable, std::move(message));
}
inline Status InternalError(std::string message) {
  return Status(ErrorCode::kInternal, std::move(message));
}

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    // INVARIANT: a Result built from a Status is an error; an OK status has no value to carry.
    if (std::get<Status>(state_).ok()) {
      state_ = Status(ErrorCode::kInternal, "Result constructed from an OK status");
    }
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }

  // Precondition: ok().
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace orgtwin

#define OT_STATUS_CONCAT_INNER_(a, b) a##b
#define OT_STATUS_CONCAT_(a, b) OT_STATUS_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` (a Status) is not OK.
#define OT_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::orgtwin::Status ot_status_ = (expr);   \
    if (!ot_status_.ok()) return ot_status_; \
  } while (0)

// Declares/assigns `lhs` from a Result<T> expression, or returns its Status.
#define OT_ASSIGN_OR_RETURN(lhs, expr) \
  OT_ASSIGN_OR_RETURN_IMPL_(OT_STATUS_CONCAT_(ot_result_, __LINE__), lhs, expr)
// `tmp` is a name and `lhs` may be a declaration (`auto x`): neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define OT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
