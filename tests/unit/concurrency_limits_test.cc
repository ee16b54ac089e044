#include "invoke/concurrency_limits.h"

#include <gtest/gtest.h>

namespace lamina::invoke {
namespace {

using Slot = ConcurrencyLimits::Slot;

TEST(ConcurrencyLimitsTest, ReservedFunctionRunsAtMostItsReservation) {
  ConcurrencyLimits limits(1000);
  limits.SetReserved("f", 2);
  Slot a, b, c;
  EXPECT_FALSE(limits.Acquire("f", a));
  EXPECT_FALSE(limits.Acquire("f", b));
  EXPECT_EQ(limits.Acquire("f", c), "ReservedFunctionConcurrentInvocationLimitExceeded");
  limits.Release(a);
  EXPECT_FALSE(limits.Acquire("f", c));
}

TEST(ConcurrencyLimitsTest, ZeroReservationBlocksEverything) {
  ConcurrencyLimits limits(1000);
  limits.SetReserved("f", 0);
  Slot s;
  EXPECT_EQ(limits.Acquire("f", s), "ReservedFunctionConcurrentInvocationLimitExceeded");
}

TEST(ConcurrencyLimitsTest, UnreservedFunctionsShareWhatReservationsLeave) {
  ConcurrencyLimits limits(3);
  Slot a, b, c, d;
  EXPECT_FALSE(limits.Acquire("x", a));
  EXPECT_FALSE(limits.Acquire("y", b));
  EXPECT_FALSE(limits.Acquire("x", c));
  EXPECT_EQ(limits.Acquire("z", d), "ConcurrentInvocationLimitExceeded");
  limits.Release(b);
  EXPECT_FALSE(limits.Acquire("z", d));
  // A reservation shrinks the pool even while its function is idle.
  ConcurrencyLimits shared(5);
  shared.SetReserved("r", 4);
  EXPECT_EQ(shared.Unreserved(), 1);
  Slot e, f;
  EXPECT_FALSE(shared.Acquire("x", e));
  EXPECT_EQ(shared.Acquire("y", f), "ConcurrentInvocationLimitExceeded");
}

TEST(ConcurrencyLimitsTest, ReservationsKeepOneHundredUnreserved) {
  ConcurrencyLimits limits(1000);
  EXPECT_TRUE(limits.CheckReservation("a", 900).ok());
  EXPECT_FALSE(limits.CheckReservation("a", 901).ok());
  limits.SetReserved("a", 900);
  EXPECT_FALSE(limits.CheckReservation("b", 1).ok());
  EXPECT_TRUE(limits.CheckReservation("a", 899).ok());  // a's own counts out
  limits.SetReserved("a", std::nullopt);
  EXPECT_EQ(limits.Unreserved(), 1000);
  Status s = limits.CheckReservation("b", 950);
  EXPECT_EQ(s.aws_type(), "InvalidParameterValueException");
}

TEST(ConcurrencyLimitsTest, ASlotReturnsToThePoolItCameFrom) {
  ConcurrencyLimits limits(200);
  Slot unreserved;
  EXPECT_FALSE(limits.Acquire("f", unreserved));
  limits.SetReserved("f", 1);  // reserved while an unreserved invocation runs
  Slot reserved;
  EXPECT_FALSE(limits.Acquire("f", reserved));
  limits.Release(unreserved);
  limits.Release(reserved);
  // Both pools are whole again: f's reservation of 1, and all 199 the rest.
  Slot again, twice;
  EXPECT_FALSE(limits.Acquire("f", again));
  EXPECT_TRUE(limits.Acquire("f", twice));
  Slot others[199];
  for (Slot& s : others) EXPECT_FALSE(limits.Acquire("g", s));
  Slot over;
  EXPECT_EQ(limits.Acquire("g", over), "ConcurrentInvocationLimitExceeded");
}

}  // namespace
}  // namespace lamina::invoke
