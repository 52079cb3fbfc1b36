#include "core_probe.h"

#if __has_include("rtc_layout.h")
#include "rtc_layout.h"
#define BH_CORE_HAS_PRESS_LOG 1
#endif

namespace bh::soak {

std::optional<QueueState> probe_core_queue(Machine& machine) {
#ifdef BH_CORE_HAS_PRESS_LOG
  PressLog log;
  if (!rtc_load(machine, rtc::kPressLogOffset, &log, sizeof log, rtc::kPressLogType)) {
    return std::nullopt;
  }
  QueueState q;
  q.boot = log.boot;
  q.next_seq = log.next_seq;
  q.drops_unreported = log.dropped;
  for (size_t i = 0; i < log.count && i < sizes::kPressQueueMax; ++i) {
    q.queued.push_back(log.queue[i].seq);
    q.drops_unreported += log.queue[i].dropped;
  }
  return q;
#else
  (void)machine;
  return std::nullopt;  // a core without a press queue
#endif
}

}  // namespace bh::soak
