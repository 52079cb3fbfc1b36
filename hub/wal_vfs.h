// An SQLite VFS over the default one that writes a WAL file's frames with
// one write(2) per commit instead of two per page. SQLite writes each WAL
// frame as a 24-byte header and then the page, each with its own pwrite:
// 28 system calls for a commit of 14 pages (46 us on the bench machine,
// 5 us as one). This VFS keeps a WAL file's consecutive writes in memory
// and hands them to the default VFS as one write (up to 120 KiB each: the
// unix VFS writes no more at once) before anything else
// touches the file: a sync, a read, a size, a truncate, a file control,
// the close. Every other file passes straight through.
//
// Only for a connection with synchronous=FULL: there SQLite syncs the WAL
// at every commit, before it publishes the commit to readers in the
// wal-index, so no reader (in this process or another, through any VFS)
// can look for a frame that is still in memory. With a lower setting a
// commit would be published before its frames reach the file.
#pragma once

#include <cstdint>

namespace hub {

// Registers the VFS (once; not as the default) and returns its name for
// sqlite3_open_v2; nullptr if SQLite has no default VFS to wrap.
const char* wal_write_buffer_vfs();

// Counts, for tests and benchmarks: writes SQLite made to WAL files through
// the VFS, and writes the VFS made to the files.
struct WalWriteCounts {
  std::uint64_t buffered = 0, written = 0;
};
WalWriteCounts wal_write_counts();

}  // namespace hub
