// When a failed action run is tried again: exponential backoff with jitter,
// capped, for at most max_attempts attempts. Pure, so it is tested alone.
#pragma once

#include <chrono>

namespace hub {

struct RetryPolicy {
  std::chrono::milliseconds initial{1000};  // after the first failure
  std::chrono::milliseconds max{10 * 60 * 1000};
  int max_attempts = 12;  // with the defaults: about an hour of trying
  double jitter = 0.2;    // +-20%, so runs that failed together spread out
};

// The wait after the `attempts`-th failed attempt (attempts >= 1):
// initial * 2^(attempts-1), capped at max, then scaled by 1 + jitter * (2u - 1)
// with u in [0, 1) (tests pass u = 0.5 for no jitter).
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempts, double u);

}  // namespace hub
