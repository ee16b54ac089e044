#include "auth/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "common/file_util.h"
#include "scoped_temp_dir.h"

namespace lamina::auth {
namespace {

constexpr char kAccount[] = "000000000000";

int ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

bool IsBase32Upper(char c) { return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'); }

class AdminCredentialsTest : public ::testing::Test {
 protected:
  StatusOr<AdminCredentials> Load(const std::string& data_dir, bool* created) {
    return AdminCredentials::LoadOrCreate(data_dir, kAccount, created);
  }
  test_util::ScopedTempDir dir_;
};

TEST_F(AdminCredentialsTest, FirstStartCreatesAPrivateSharedCredentialsFile) {
  bool created = false;
  auto admin = Load(dir_.path(), &created);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  EXPECT_TRUE(created);
  EXPECT_EQ(admin->credentials_path(), dir_.Join("credentials"));
  EXPECT_EQ(ModeOf(admin->credentials_path()), 0600);

  const Credential& key = admin->admin();
  ASSERT_EQ(key.access_key_id.size(), 20u) << key.access_key_id;
  EXPECT_EQ(key.access_key_id.substr(0, 4), "LKIA");
  for (char c : key.access_key_id) EXPECT_TRUE(IsBase32Upper(c)) << key.access_key_id;
  EXPECT_EQ(key.secret_access_key.size(), 40u);
  EXPECT_EQ(key.secret_access_key.find('/'), std::string::npos);
  EXPECT_EQ(key.principal_arn, "arn:aws:iam::000000000000:root");
  EXPECT_EQ(key.user_id, kAccount);

  std::string text;
  ASSERT_TRUE(ReadFile(admin->credentials_path(), text).ok());
  EXPECT_EQ(text, "[default]\naws_access_key_id = " + key.access_key_id +
                      "\naws_secret_access_key = " + key.secret_access_key + "\n");
}

TEST_F(AdminCredentialsTest, LaterStartsReloadTheSameKey) {
  bool created = false;
  auto first = Load(dir_.path(), &created);
  ASSERT_TRUE(first.ok());
  auto second = Load(dir_.path(), &created);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(created);
  EXPECT_EQ(second->admin().access_key_id, first->admin().access_key_id);
  EXPECT_EQ(second->admin().secret_access_key, first->admin().secret_access_key);
  EXPECT_EQ(second->admin().principal_arn, first->admin().principal_arn);
}

TEST_F(AdminCredentialsTest, EachDataDirGetsItsOwnKey) {
  bool created = false;
  auto a = Load(dir_.Join("a"), &created);
  auto b = Load(dir_.Join("b"), &created);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->admin().access_key_id, b->admin().access_key_id);
  EXPECT_NE(a->admin().secret_access_key, b->admin().secret_access_key);
}

TEST_F(AdminCredentialsTest, CreatesAMissingDataDirectory) {
  bool created = false;
  std::string data_dir = dir_.Join("not/yet/there");
  auto admin = Load(data_dir, &created);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  EXPECT_TRUE(created);
  EXPECT_EQ(ModeOf(data_dir), 0700);
  EXPECT_EQ(ModeOf(data_dir + "/credentials"), 0600);
}

TEST_F(AdminCredentialsTest, FindKnowsOnlyTheAdminKey) {
  bool created = false;
  auto admin = Load(dir_.path(), &created);
  ASSERT_TRUE(admin.ok());
  std::optional<Credential> found = admin->Find(admin->admin().access_key_id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->secret_access_key, admin->admin().secret_access_key);
  EXPECT_FALSE(admin->Find("AKIDEXAMPLE").has_value());
  EXPECT_FALSE(admin->Find("").has_value());
  EXPECT_FALSE(admin->Find(admin->admin().access_key_id + "X").has_value());
}

TEST_F(AdminCredentialsTest, ReadsAHandWrittenFile) {
  ASSERT_TRUE(WriteFileDurably(dir_.Join("credentials"),
                               "# edited by hand\r\n[default]\r\n"
                               "aws_access_key_id=LKIAHANDWRITTEN00001\r\n"
                               "  aws_secret_access_key =\tsecret+with/slash \r\n",
                               0600)
                  .ok());
  bool created = true;
  auto admin = Load(dir_.path(), &created);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  EXPECT_FALSE(created);
  EXPECT_EQ(admin->admin().access_key_id, "LKIAHANDWRITTEN00001");
  EXPECT_EQ(admin->admin().secret_access_key, "secret+with/slash");
}

TEST_F(AdminCredentialsTest, AFileWithoutAKeyIsAnError) {
  ASSERT_TRUE(WriteFileDurably(dir_.Join("credentials"), "[default]\nregion = us-east-1\n").ok());
  bool created = true;
  auto admin = Load(dir_.path(), &created);
  ASSERT_FALSE(admin.ok());
  EXPECT_EQ(admin.status().code(), Code::kInternal);
  EXPECT_FALSE(created);
}

}  // namespace
}  // namespace lamina::auth
