// The one error vocabulary of Lamina.
//
// A Status is a canonical code, a human message and, optionally, the exact AWS error name a
// service should put on the wire (e.g. "InvalidParameterValueException"). Modules return Status or
// StatusOr<T>; each service translates them to its wire shape in exactly one place. No exception
// crosses a module boundary: code that calls a throwing library catches at the call site.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace lamina {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // the caller sent something wrong (400)
  kNotFound,            // the named thing does not exist (404)
  kAlreadyExists,       // create of something that exists (409)
  kFailedPrecondition,  // a condition such as a RevisionId did not hold (412)
  kConflict,            // the resource is busy or changed underneath (409)
  kUnauthenticated,     // no or bad credentials (403 on AWS)
  kPermissionDenied,    // authenticated but not allowed (403)
  kTooLarge,            // a body or document over its limit (413)
  kResourceExhausted,   // throttled (429)
  kUnavailable,         // shutting down or overloaded (503)
  kInternal,            // a broken invariant or an environment failure (500)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::string aws_type = {})
      : code_(code), message_(std::move(message)), aws_type_(std::move(aws_type)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The AWS error name to render, or empty to let the service choose from the code.
  const std::string& aws_type() const { return aws_type_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string aws_type_;
};

// Convenience constructors, named after the codes.
inline Status InvalidArgument(std::string m, std::string t = {}) {
  return {Code::kInvalidArgument, std::move(m), std::move(t)};
}
inline Status NotFound(std::string m, std::string t = {}) {
  return {Code::kNotFound, std::move(m), std::move(t)};
}
inline Status AlreadyExists(std::string m, std::string t = {}) {
  return {Code::kAlreadyExists, std::move(m), std::move(t)};
}
inline Status FailedPrecondition(std::string m, std::string t = {}) {
  return {Code::kFailedPrecondition, std::move(m), std::move(t)};
}
inline Status Conflict(std::string m, std::string t = {}) {
  return {Code::kConflict, std::move(m), std::move(t)};
}
inline Status Unauthenticated(std::string m, std::string t = {}) {
  return {Code::kUnauthenticated, std::move(m), std::move(t)};
}
inline Status PermissionDenied(std::string m, std::string t = {}) {
  return {Code::kPermissionDenied, std::move(m), std::move(t)};
}
inline Status TooLarge(std::string m, std::string t = {}) {
  return {Code::kTooLarge, std::move(m), std::move(t)};
}
inline Status Internal(std::string m, std::string t = {}) {
  return {Code::kInternal, std::move(m), std::move(t)};
}

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace lamina

#define LAMINA_CONCAT_INNER(a, b) a##b
#define LAMINA_CONCAT(a, b) LAMINA_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)      \
  do {                             \
    ::lamina::Status _st = (expr); \
    if (!_st.ok()) return _st;     \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(LAMINA_CONCAT(_status_or_, __LINE__), lhs, expr)
