// The soak's QueueProbe for the real firmware: reads the core's press queue
// (bh::PressLog, firmware/core/rtc_layout.h) out of the board's RTC memory,
// as a debugger would, checksum and all.
#pragma once

#include "ledger.h"

namespace bh::soak {

// nullopt when RTC memory holds no valid PressLog (or the core has none).
std::optional<QueueState> probe_core_queue(Machine& machine);

}  // namespace bh::soak
