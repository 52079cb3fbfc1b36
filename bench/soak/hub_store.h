// Reads what the hub stored, straight from its SQLite file (the events
// table, hub/README.md "Storage"), for the soak's books.
#pragma once

#include <filesystem>  // path

#include "ledger.h"

namespace bh::soak {

// Every event's Idempotency-Key, and the drops the firmware reported in
// value3 ("dropped=N"). Throws std::runtime_error if the file cannot be read.
StoredEvents read_stored_events(const std::filesystem::path& db);

}  // namespace bh::soak
