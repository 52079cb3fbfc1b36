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
//
// A commit's sync can also be left to the caller (DeferredWalSync): the
// frames are written, the commit published, and the caller fdatasyncs the
// file later, on another thread, while the connection goes on writing.
#pragma once

#include <cstdint>

namespace hub {

// Registers the VFS (once; not as the default) and returns its name for
// sqlite3_open_v2; nullptr if SQLite has no default VFS to wrap.
const char* wal_write_buffer_vfs();

// While one is alive, a WAL sync that SQLite asks for on this thread (a
// commit's) writes the gathered frames but does not sync the file: it
// notes the file for the caller, who must fdatasync(fd()) before it tells
// anyone the commit is durable. The file's first sync (which also syncs
// its directory) is always done at once. Never around a checkpoint: one
// must sync the WAL before it copies pages into the database file, so the
// connection's checkpoints run outside (see SqliteStore::commit_open).
class DeferredWalSync {
 public:
  DeferredWalSync();
  ~DeferredWalSync();
  DeferredWalSync(const DeferredWalSync&) = delete;
  DeferredWalSync& operator=(const DeferredWalSync&) = delete;
  // The WAL file to fdatasync (a descriptor of its own, open as long as
  // the connection), or -1 when nothing was left unsynced.
  int fd() const { return fd_; }
  void note(int fd) { fd_ = fd; }

 private:
  DeferredWalSync* outer_;
  int fd_ = -1;
};

// Counts, for tests and benchmarks: writes SQLite made to WAL files through
// the VFS, writes the VFS made to the files, syncs it passed on to the base
// VFS, and syncs it left to a DeferredWalSync.
struct WalWriteCounts {
  std::uint64_t buffered = 0, written = 0, synced = 0, deferred = 0;
};
WalWriteCounts wal_write_counts();

}  // namespace hub
