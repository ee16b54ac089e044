#include "invoke/event_queue.h"

namespace lamina::invoke {

using store::SqliteDb;
using store::Statement;
using store::Transaction;

namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, function TEXT NOT "
    "NULL, qualifier TEXT NOT NULL, request_id TEXT NOT NULL, payload BLOB NOT NULL, received_ms "
    "INTEGER NOT NULL, attempts INTEGER NOT NULL, next_attempt_ms INTEGER NOT NULL, trace_header "
    "TEXT NOT NULL, origin TEXT NOT NULL)";

StatusOr<std::unique_ptr<SqliteDb>> OpenConnection(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path, /*read_only=*/false));
  // As the store: WAL lets the reader work beside the writer; synchronous=FULL makes a commit
  // durable (kill -9, power loss) before any 202 it acknowledges is sent.
  RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA busy_timeout=10000"));
  return db;
}

Status Insert(SqliteDb& db, QueuedEvent& e) {
  ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("INSERT INTO events (function, qualifier, request_id, payload, "
                 "received_ms, attempts, next_attempt_ms, trace_header, origin) VALUES "
                 "(?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  st.BindText(1, e.function)
      .BindText(2, e.qualifier)
      .BindText(3, e.request_id)
      .BindBlob(4, e.payload)
      .Bind(5, e.received_ms)
      .Bind(6, e.attempts)
      .Bind(7, e.next_attempt_ms)
      .BindText(8, e.trace_header)
      .BindText(9, e.origin);
  RETURN_IF_ERROR(st.Run());
  e.id = db.LastInsertRowid();
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<EventQueue>> EventQueue::Open(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> writer, OpenConnection(path));
  RETURN_IF_ERROR(writer->Exec(kSchema));
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> reader, OpenConnection(path));
  return std::unique_ptr<EventQueue>(new EventQueue(std::move(writer), std::move(reader)));
}

EventQueue::EventQueue(std::unique_ptr<SqliteDb> writer, std::unique_ptr<SqliteDb> reader)
    : writer_(std::move(writer)), reader_db_(std::move(reader)) {}

EventQueue::~EventQueue() = default;

void EventQueue::Store(std::vector<QueuedEvent> events, std::function<Status(SqliteDb&)> before,
                       Stored done) {
  auto shared = std::make_shared<std::vector<QueuedEvent>>(std::move(events));
  writer_.Submit(
      [shared, before = std::move(before)](SqliteDb& db) -> Status {
        if (before) RETURN_IF_ERROR(before(db));
        for (QueuedEvent& e : *shared) RETURN_IF_ERROR(Insert(db, e));
        return Status::Ok();
      },
      [shared, done = std::move(done)](Status s) {
        if (!s.ok()) return done(s);
        done(std::move(*shared));
      });
}

void EventQueue::Append(std::vector<QueuedEvent> events, Stored done) {
  Store(std::move(events), nullptr, std::move(done));
}

void EventQueue::Finish(int64_t id, std::vector<QueuedEvent> follow_ups, Stored done) {
  Store(
      std::move(follow_ups),
      [id](SqliteDb& db) -> Status {
        ASSIGN_OR_RETURN(Statement st, db.Prepare("DELETE FROM events WHERE id = ?"));
        st.Bind(1, id);
        return st.Run();
      },
      std::move(done));
}

void EventQueue::Reschedule(int64_t id, int attempts, int64_t next_attempt_ms, Done done) {
  writer_.Submit(
      [=](SqliteDb& db) -> Status {
        ASSIGN_OR_RETURN(Statement st, db.Prepare("UPDATE events SET attempts = ?, "
                                                  "next_attempt_ms = ? WHERE id = ?"));
        st.Bind(1, attempts).Bind(2, next_attempt_ms).Bind(3, id);
        return st.Run();
      },
      std::move(done));
}

StatusOr<std::vector<QueuedEvent>> EventQueue::LoadAll() {
  std::lock_guard lock(reader_mu_);
  ASSIGN_OR_RETURN(Statement st, reader_db_->Prepare(
                                     "SELECT id, function, qualifier, request_id, received_ms, "
                                     "attempts, next_attempt_ms, trace_header, origin FROM events "
                                     "ORDER BY id"));
  std::vector<QueuedEvent> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    QueuedEvent& e = out.emplace_back();
    e.id = st.Int(0);
    e.function = st.String(1);
    e.qualifier = st.String(2);
    e.request_id = st.String(3);
    e.received_ms = st.Int(4);
    e.attempts = static_cast<int>(st.Int(5));
    e.next_attempt_ms = st.Int(6);
    e.trace_header = st.String(7);
    e.origin = st.String(8);
  }
  return out;
}

StatusOr<std::string> EventQueue::Payload(int64_t id) {
  std::lock_guard lock(reader_mu_);
  ASSIGN_OR_RETURN(Statement st, reader_db_->Prepare("SELECT payload FROM events WHERE id = ?"));
  st.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status(Code::kNotFound, "no queued event " + std::to_string(id));
  return st.String(0);
}

StatusOr<int64_t> EventQueue::Count() {
  std::lock_guard lock(reader_mu_);
  ASSIGN_OR_RETURN(Statement st, reader_db_->Prepare("SELECT count(*) FROM events"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

}  // namespace lamina::invoke
