// The one exception type of the simulator's setup code: a file or an option
// that cannot be used. Its text says what to fix; main() prints it and exits
// with status 2. (The firmware core never sees it: it does not throw.)
#pragma once

#include <stdexcept>  // std::runtime_error
#include <string>     // messages

namespace bh::sim {

struct SimError : std::runtime_error {
  explicit SimError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace bh::sim
