#include "common/token_bucket.h"

#include <gtest/gtest.h>

namespace lamina {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TokenBucketTest, StartsFullThenRefillsContinuouslyUpToCapacity) {
  TokenBucket bucket(2, seconds(10));  // 0.2 tokens a second
  auto t = TokenBucket::Clock::now();
  EXPECT_TRUE(bucket.Take(t));
  EXPECT_TRUE(bucket.Take(t));
  EXPECT_FALSE(bucket.Take(t));
  EXPECT_FALSE(bucket.Take(t + milliseconds(4900)));  // 0.98 of a token
  EXPECT_TRUE(bucket.Take(t + milliseconds(5100)));
  // A long quiet spell banks no more than the capacity.
  t += seconds(3600);
  EXPECT_TRUE(bucket.Full(t));
  EXPECT_TRUE(bucket.Take(t));
  EXPECT_FALSE(bucket.Full(t));
  EXPECT_TRUE(bucket.Take(t));
  EXPECT_FALSE(bucket.Take(t));
}

}  // namespace
}  // namespace lamina
