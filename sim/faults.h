// The fault words shared by the world file ([[fault]] kind = "...") and the
// CLI (`fault KIND [SECONDS]`): the names of host::FaultKind, plus
// "hub-500".."hub-599" for hub-5xx with that status. sim/README.md
// ("Faults") says what each does.
#pragma once

#include <optional>     // parse result
#include <string>       // descriptions
#include <string_view>  // words

#include "env.h"

namespace bh::sim {

// The fault a word names (window: from 0 on), or nullopt.
std::optional<host::Fault> fault_from_word(std::string_view word);
// What the fault does, in a few words: "the hub answers 503".
std::string describe_fault(const host::Fault& f);
// "ap-down, wrong-password, ..." for error messages.
const char* fault_words();

}  // namespace bh::sim
