#include "store/sqlite_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "scoped_temp_dir.h"

namespace lamina::store {
namespace {

using namespace std::string_literals;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // Closes and opens the database again, as a daemon restart does.
  void Reopen() {
    store_.reset();
    auto opened = SqliteStore::Open(dir_.Join("lamina.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  int64_t Put(const std::string& key, const std::string& value) {
    auto revision = store_->Commit({Op::Put(key, value)});
    EXPECT_TRUE(revision.ok()) << revision.status().ToString();
    return revision.ok() ? *revision : -1;
  }

  std::optional<Entry> Get(const std::string& key) {
    auto entry = store_->Get(key);
    EXPECT_TRUE(entry.ok()) << entry.status().ToString();
    return entry.ok() ? *entry : std::nullopt;
  }

  std::vector<std::string> Keys(std::string_view prefix, std::string_view start_after = "",
                                size_t limit = 0) {
    auto entries = store_->List(prefix, start_after, limit);
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    std::vector<std::string> keys;
    if (entries.ok()) {
      for (const Entry& e : *entries) keys.push_back(e.key);
    }
    return keys;
  }

  test_util::ScopedTempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, GetOfAnAbsentKeyIsEmpty) { EXPECT_FALSE(Get("nothing").has_value()); }

TEST_F(SqliteStoreTest, PutGetDelete) {
  int64_t revision = Put("fn/a", "value-a");
  std::optional<Entry> entry = Get("fn/a");
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->key, "fn/a");
  EXPECT_EQ(entry->value, "value-a");
  EXPECT_EQ(entry->version, revision);

  ASSERT_TRUE(store_->Commit({Op::Delete("fn/a")}).ok());
  EXPECT_FALSE(Get("fn/a").has_value());
}

TEST_F(SqliteStoreTest, ValuesAreBytes) {
  std::string binary = "\0\x01\xff{\"json\": true}\n"s;
  Put("blob", binary);
  EXPECT_EQ(Get("blob")->value, binary);
  Put("empty", "");
  ASSERT_TRUE(Get("empty").has_value());
  EXPECT_EQ(Get("empty")->value, "");
}

TEST_F(SqliteStoreTest, PutReplaces) {
  Put("k", "one");
  Put("k", "two");
  EXPECT_EQ(Get("k")->value, "two");
}

TEST_F(SqliteStoreTest, DeletingAnAbsentKeyIsFine) {
  EXPECT_TRUE(store_->Commit({Op::Delete("never-there")}).ok());
}

TEST_F(SqliteStoreTest, RevisionsIncreaseAndVersionsTrackTheLastWrite) {
  int64_t r1 = Put("a", "1");
  int64_t r2 = Put("b", "1");
  int64_t r3 = Put("a", "2");
  EXPECT_GT(r1, 0);
  EXPECT_EQ(r2, r1 + 1);
  EXPECT_EQ(r3, r2 + 1);
  EXPECT_EQ(Get("a")->version, r3);
  EXPECT_EQ(Get("b")->version, r2) << "an untouched key keeps its version";

  auto r4 = store_->Commit({Op::Put("c", "1"), Op::Put("d", "1")});
  ASSERT_TRUE(r4.ok());
  EXPECT_EQ(*r4, r3 + 1) << "one commit, one revision";
  EXPECT_EQ(Get("c")->version, *r4);
  EXPECT_EQ(Get("d")->version, *r4);
}

TEST_F(SqliteStoreTest, ListHonoursPrefixStartAfterAndLimit) {
  for (const char* key : {"fn/b", "fn/a", "fn/c", "fn2/a", "fo", "f", "other/x", "fn/", "fn/a/b"}) {
    Put(key, "v");
  }
  EXPECT_EQ(Keys("fn/"), (std::vector<std::string>{"fn/", "fn/a", "fn/a/b", "fn/b", "fn/c"}));
  EXPECT_EQ(Keys("fn/", "fn/a"), (std::vector<std::string>{"fn/a/b", "fn/b", "fn/c"}));
  EXPECT_EQ(Keys("fn/", "fn/a/b", 1), (std::vector<std::string>{"fn/b"}));
  EXPECT_EQ(Keys("fn/", "fn/aa"), (std::vector<std::string>{"fn/b", "fn/c"}))
      << "start_after need not exist";
  EXPECT_EQ(Keys("fn/", "fn/c"), std::vector<std::string>{});
  EXPECT_EQ(Keys("fn/", "", 2), (std::vector<std::string>{"fn/", "fn/a"}));
  EXPECT_EQ(Keys("").size(), 9u) << "an empty prefix lists everything";
  EXPECT_EQ(Keys("zzz"), std::vector<std::string>{});
}

TEST_F(SqliteStoreTest, ListOrderIsByteOrder) {
  for (const char* key : {"k/b", "k/B", "k/a", "k/_", "k/~", "k/\xC3\xA9", "k/Z"}) Put(key, "v");
  EXPECT_EQ(Keys("k/"),
            (std::vector<std::string>{"k/B", "k/Z", "k/_", "k/a", "k/b", "k/~", "k/\xC3\xA9"}));
}

TEST_F(SqliteStoreTest, ListPrefixIsLiteral) {
  for (const char* key : {"a%b/1", "axb/1", "a_b/1", "aab/1", "A%B/1"}) Put(key, "v");
  EXPECT_EQ(Keys("a%b/"), (std::vector<std::string>{"a%b/1"}));
  EXPECT_EQ(Keys("a_b/"), (std::vector<std::string>{"a_b/1"}));
  EXPECT_EQ(Keys("a%"), (std::vector<std::string>{"a%b/1"})) << "case-sensitive";
}

TEST_F(SqliteStoreTest, ListPrefixMayHoldNonAsciiCharacters) {
  for (const char* key : {"tag/\xC3\xA9t\xC3\xA9/1", "tag/\xC3\xA9t\xC3\xA9/2", "tag/ete/1",
                          "tag/\xE1\x88\xB4/1", "tag/\xC3\xA9/x"}) {
    Put(key, "v");
  }
  EXPECT_EQ(Keys("tag/\xC3\xA9t\xC3\xA9/"),
            (std::vector<std::string>{"tag/\xC3\xA9t\xC3\xA9/1", "tag/\xC3\xA9t\xC3\xA9/2"}));
  EXPECT_EQ(Keys("tag/\xE1\x88\xB4"), (std::vector<std::string>{"tag/\xE1\x88\xB4/1"}));
  EXPECT_EQ(Keys("tag/\xC3\xA9").size(), 3u);
}

TEST_F(SqliteStoreTest, PaginationVisitsEveryKeyOnce) {
  std::vector<std::string> all;
  for (int i = 0; i < 25; ++i) {
    std::string key = "page/" + std::to_string(100 + i);
    Put(key, "v");
    all.push_back(key);
  }
  std::vector<std::string> seen;
  std::string marker;
  for (;;) {
    std::vector<std::string> page = Keys("page/", marker, 7);
    if (page.empty()) break;
    EXPECT_LE(page.size(), 7u);
    seen.insert(seen.end(), page.begin(), page.end());
    marker = page.back();
  }
  EXPECT_EQ(seen, all);
}

TEST_F(SqliteStoreTest, AbsentPrecondition) {
  EXPECT_TRUE(store_->Commit({Op::Put("k", "1", Precondition::Absent())}).ok());
  auto again = store_->Commit({Op::Put("k", "2", Precondition::Absent())});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(again.status().message(), "k");
  EXPECT_EQ(Get("k")->value, "1");
}

TEST_F(SqliteStoreTest, PresentPrecondition) {
  auto missing = store_->Commit({Op::Put("k", "1", Precondition::Present())});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kFailedPrecondition);
  EXPECT_FALSE(Get("k").has_value());

  auto missing_delete = store_->Commit({Op::Delete("k", Precondition::Present())});
  EXPECT_EQ(missing_delete.status().code(), Code::kFailedPrecondition);

  Put("k", "1");
  EXPECT_TRUE(store_->Commit({Op::Put("k", "2", Precondition::Present())}).ok());
  EXPECT_EQ(Get("k")->value, "2");
  EXPECT_TRUE(store_->Commit({Op::Delete("k", Precondition::Present())}).ok());
  EXPECT_FALSE(Get("k").has_value());
}

TEST_F(SqliteStoreTest, VersionPreconditionIsCompareAndSwap) {
  int64_t v1 = Put("k", "1");
  auto v2 = store_->Commit({Op::Put("k", "2", Precondition::Version(v1))});
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(Get("k")->value, "2");

  auto stale = store_->Commit({Op::Put("k", "3", Precondition::Version(v1))});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(stale.status().message(), "k");
  EXPECT_EQ(Get("k")->value, "2");

  auto stale_delete = store_->Commit({Op::Delete("k", Precondition::Version(v1))});
  EXPECT_EQ(stale_delete.status().code(), Code::kFailedPrecondition);
  EXPECT_TRUE(Get("k").has_value());

  EXPECT_TRUE(store_->Commit({Op::Delete("k", Precondition::Version(*v2))}).ok());
  EXPECT_FALSE(Get("k").has_value());

  auto on_absent = store_->Commit({Op::Put("k", "4", Precondition::Version(*v2))});
  EXPECT_EQ(on_absent.status().code(), Code::kFailedPrecondition) << "no version on no key";
  auto version_zero = store_->Commit({Op::Put("k", "4", Precondition::Version(0))});
  EXPECT_EQ(version_zero.status().code(), Code::kFailedPrecondition);
}

TEST_F(SqliteStoreTest, FailingPreconditionAppliesNothing) {
  int64_t before = Put("existing", "old");
  auto failed = store_->Commit({
      Op::Put("new1", "x"),
      Op::Delete("existing"),
      Op::Put("new2", "y", Precondition::Absent()),
      Op::Put("existing", "z", Precondition::Absent()),  // fails: it existed
      Op::Put("new3", "w"),
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(failed.status().message(), "existing");
  EXPECT_FALSE(Get("new1").has_value());
  EXPECT_FALSE(Get("new2").has_value());
  EXPECT_FALSE(Get("new3").has_value());
  ASSERT_TRUE(Get("existing").has_value());
  EXPECT_EQ(Get("existing")->value, "old");
  EXPECT_EQ(Get("existing")->version, before);

  EXPECT_EQ(Put("after", "v"), before + 1) << "a failed commit uses up no revision";
}

TEST_F(SqliteStoreTest, PreconditionsSeeTheStateBeforeTheCommit) {
  // As in an etcd transaction, an earlier op of a commit does not satisfy a later precondition.
  auto put_then_present =
      store_->Commit({Op::Put("k", "1"), Op::Put("k", "2", Precondition::Present())});
  EXPECT_EQ(put_then_present.status().code(), Code::kFailedPrecondition);
  EXPECT_FALSE(Get("k").has_value());

  int64_t version = Put("k", "1");
  auto delete_then_absent =
      store_->Commit({Op::Delete("k"), Op::Put("k", "2", Precondition::Absent())});
  EXPECT_EQ(delete_then_absent.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(Get("k")->version, version);

  auto rewrite_then_cas =
      store_->Commit({Op::Put("k", "2"), Op::Put("k", "3", Precondition::Version(version))});
  ASSERT_TRUE(rewrite_then_cas.ok()) << "the version before the commit is the one compared";
  EXPECT_EQ(Get("k")->value, "3");
}

TEST_F(SqliteStoreTest, FirstOpFailingAppliesNothing) {
  auto failed = store_->Commit({Op::Put("a", "1", Precondition::Present()), Op::Put("b", "1")});
  ASSERT_FALSE(failed.ok());
  EXPECT_FALSE(Get("a").has_value());
  EXPECT_FALSE(Get("b").has_value());
}

TEST_F(SqliteStoreTest, ReopenPersistsEntriesAndRevision) {
  Put("a", "1");
  int64_t last = Put("b", "2");
  ASSERT_TRUE(store_->Commit({Op::Delete("a")}).ok());
  Reopen();
  EXPECT_FALSE(Get("a").has_value());
  ASSERT_TRUE(Get("b").has_value());
  EXPECT_EQ(Get("b")->value, "2");
  EXPECT_EQ(Get("b")->version, last);
  EXPECT_EQ(Put("c", "3"), last + 2) << "revisions continue after a restart";
}

TEST_F(SqliteStoreTest, OpenFailsWhereNoDatabaseCanBe) {
  auto opened = SqliteStore::Open(dir_.Join("no/such/dir/lamina.db"));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kInternal);
}

TEST_F(SqliteStoreTest, ConcurrentCompareAndSwapLosesNoUpdate) {
  Put("counter", "0");
  constexpr int kThreads = 4, kIncrements = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements;) {
        auto current = store_->Get("counter");
        ASSERT_TRUE(current.ok());
        int value = std::stoi((*current)->value);
        auto committed = store_->Commit({Op::Put("counter", std::to_string(value + 1),
                                                 Precondition::Version((*current)->version))});
        if (committed.ok()) {
          ++i;
        } else {
          ASSERT_EQ(committed.status().code(), Code::kFailedPrecondition);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(Get("counter")->value, std::to_string(kThreads * kIncrements));
}

}  // namespace
}  // namespace lamina::store
