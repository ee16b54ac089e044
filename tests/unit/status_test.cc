#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace lamina {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Code::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.aws_type(), "");
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusTest, ConstructorsCarryCodeMessageAndAwsType) {
  EXPECT_EQ(InvalidArgument("m").code(), Code::kInvalidArgument);
  EXPECT_EQ(NotFound("m").code(), Code::kNotFound);
  EXPECT_EQ(AlreadyExists("m").code(), Code::kAlreadyExists);
  EXPECT_EQ(FailedPrecondition("m").code(), Code::kFailedPrecondition);
  EXPECT_EQ(Conflict("m").code(), Code::kConflict);
  EXPECT_EQ(Unauthenticated("m").code(), Code::kUnauthenticated);
  EXPECT_EQ(TooLarge("m").code(), Code::kTooLarge);
  EXPECT_EQ(Internal("m").code(), Code::kInternal);

  Status s = NotFound("Function not found: fn", "ResourceNotFoundException");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "Function not found: fn");
  EXPECT_EQ(s.aws_type(), "ResourceNotFoundException");
}

TEST(StatusTest, ToStringNamesEveryCode) {
  EXPECT_EQ(Status(Code::kInvalidArgument, "").ToString(), "INVALID_ARGUMENT");
  EXPECT_EQ(Status(Code::kNotFound, "").ToString(), "NOT_FOUND");
  EXPECT_EQ(Status(Code::kAlreadyExists, "").ToString(), "ALREADY_EXISTS");
  EXPECT_EQ(Status(Code::kFailedPrecondition, "").ToString(), "FAILED_PRECONDITION");
  EXPECT_EQ(Status(Code::kConflict, "").ToString(), "CONFLICT");
  EXPECT_EQ(Status(Code::kUnauthenticated, "").ToString(), "UNAUTHENTICATED");
  EXPECT_EQ(Status(Code::kPermissionDenied, "").ToString(), "PERMISSION_DENIED");
  EXPECT_EQ(Status(Code::kTooLarge, "").ToString(), "TOO_LARGE");
  EXPECT_EQ(Status(Code::kResourceExhausted, "").ToString(), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(Status(Code::kUnavailable, "").ToString(), "UNAVAILABLE");
  EXPECT_EQ(Status(Code::kInternal, "").ToString(), "INTERNAL");
  EXPECT_EQ(NotFound("no fn", "ResourceNotFoundException").ToString(),
            "NOT_FOUND (ResourceNotFoundException): no fn");
  EXPECT_EQ(Internal("disk").ToString(), "INTERNAL: disk");
}

TEST(StatusOrTest, HoldsAValueOrAnError) {
  StatusOr<std::string> value(std::string("v"));
  ASSERT_TRUE(value.ok());
  EXPECT_TRUE(value.status().ok());
  EXPECT_EQ(*value, "v");
  EXPECT_EQ(value->size(), 1u);
  value.value() += "w";
  EXPECT_EQ(value.value(), "vw");

  StatusOr<std::string> error(NotFound("gone"));
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), Code::kNotFound);
  EXPECT_EQ(error.status().message(), "gone");
}

TEST(StatusOrTest, MovesOutMoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> holder(std::make_unique<int>(7));
  ASSERT_TRUE(holder.ok());
  std::unique_ptr<int> taken = std::move(holder).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 7);
}

Status FailIf(bool fail) { return fail ? Conflict("busy") : Status::Ok(); }

Status Chain(bool fail, int* reached) {
  RETURN_IF_ERROR(FailIf(fail));
  *reached = 1;
  return Status::Ok();
}

StatusOr<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument("odd");
  return n / 2;
}

StatusOr<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int half, Half(n));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusMacrosTest, ReturnIfErrorStopsOnError) {
  int reached = 0;
  EXPECT_EQ(Chain(true, &reached).code(), Code::kConflict);
  EXPECT_EQ(reached, 0);
  EXPECT_TRUE(Chain(false, &reached).ok());
  EXPECT_EQ(reached, 1);
}

TEST(StatusMacrosTest, AssignOrReturnPropagatesOrAssigns) {
  EXPECT_EQ(*Quarter(12), 3);
  StatusOr<int> odd = Quarter(6);  // 6 / 2 = 3 is odd
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(odd.status().message(), "odd");
}

}  // namespace
}  // namespace lamina
