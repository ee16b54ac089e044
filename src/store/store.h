// The Store: Lamina's durable, versioned key-value state (function registry, IAM, ...).
//
// Every key has a value and a version: the store-wide revision of the commit that last wrote it
// (like etcd's mod_revision), so compare-and-swap works the same on SQLite and, later, on etcd.
// A Commit applies all of its operations atomically and durably, or none of them: once it
// returns OK the change survives kill -9 and power loss. All methods are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lamina::store {

struct Entry {
  std::string key;
  std::string value;
  int64_t version = 0;
};

// A condition on a key that must hold for a Commit to apply.
struct Precondition {
  enum class Kind { kNone, kAbsent, kPresent, kVersion };
  Kind kind = Kind::kNone;
  int64_t version = 0;

  static Precondition None() { return {}; }
  static Precondition Absent() { return {Kind::kAbsent, 0}; }
  static Precondition Present() { return {Kind::kPresent, 0}; }
  static Precondition Version(int64_t v) { return {Kind::kVersion, v}; }
};

struct Op {
  enum class Type { kPut, kDelete };
  Type type;
  std::string key;
  std::string value;  // for kPut
  Precondition precondition;

  static Op Put(std::string key, std::string value, Precondition p = Precondition::None()) {
    return {Type::kPut, std::move(key), std::move(value), p};
  }
  static Op Delete(std::string key, Precondition p = Precondition::None()) {
    return {Type::kDelete, std::move(key), {}, p};
  }
};

class Store {
 public:
  virtual ~Store() = default;

  // The entry at `key`, or nullopt.
  virtual StatusOr<std::optional<Entry>> Get(std::string_view key) = 0;
  // Entries whose key starts with `prefix` and sorts after `start_after`, in key order; at most
  // `limit` of them (0: no limit).
  virtual StatusOr<std::vector<Entry>> List(std::string_view prefix, std::string_view start_after,
                                            size_t limit) = 0;
  // Applies `ops` atomically. Returns the new revision. Preconditions are checked against the
  // state before the commit (an earlier op of the same commit does not change what a later
  // precondition sees). When a precondition fails nothing is applied and the status is
  // kFailedPrecondition with the failing key as its message.
  virtual StatusOr<int64_t> Commit(const std::vector<Op>& ops) = 0;
};

}  // namespace lamina::store
