#include "retry.h"

#include <algorithm>
#include <cmath>

namespace hub {

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempts, double u) {
  const double base = static_cast<double>(policy.initial.count());
  const double cap = static_cast<double>(policy.max.count());
  const int doublings = std::clamp(attempts - 1, 0, 62);
  double delay = std::min(cap, base * std::pow(2.0, doublings));
  delay *= 1.0 + policy.jitter * (2.0 * std::clamp(u, 0.0, 1.0) - 1.0);
  return std::chrono::milliseconds(static_cast<long long>(std::max(0.0, std::round(delay))));
}

}  // namespace hub
