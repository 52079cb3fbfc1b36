#include "wal_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace hub {
namespace {

constexpr const char* kName = "buttonhook-wal";
// Gathered bytes are written once they reach this much (a big transaction
// spilling its cache), so the buffer stays small.
constexpr std::size_t kMaxPending = 1u << 20;
// The most one write hands the base VFS: the unix VFS writes at most
// 0x1ffff bytes per pwrite (it masks the count: a bigger write comes back
// short and fails as SQLITE_FULL), since SQLite itself never writes more
// than a 64 KiB page. A commit of 28 frames of 4 KiB pages is one write.
constexpr std::size_t kMaxWrite = 120u << 10;

sqlite3_vfs* g_base = nullptr;  // the default VFS, set once
std::atomic<std::uint64_t> g_buffered{0}, g_written{0};

// SQLite allocates szOsFile bytes for each file and hands them to xOpen
// uninitialized; for a WAL file they hold this header, then the base VFS's
// own file object. Plain data only: nothing here has a constructor.
struct WalFile {
  sqlite3_file base;  // pMethods = &kMethods
  sqlite3_file* real;
  char* pending;            // bytes not yet written, from offset `start`
  std::size_t length;
  std::size_t capacity;
  sqlite3_int64 start;
};

constexpr std::size_t kRealOffset = (sizeof(WalFile) + 15) & ~std::size_t{15};

WalFile* wal(sqlite3_file* f) {
  return reinterpret_cast<WalFile*>(f);
}

int flush(WalFile* f) {
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < f->length && rc == SQLITE_OK;) {
    const std::size_t n = std::min(kMaxWrite, f->length - done);
    rc = f->real->pMethods->xWrite(f->real, f->pending + done, static_cast<int>(n),
                                   f->start + static_cast<sqlite3_int64>(done));
    if (rc == SQLITE_OK) g_written.fetch_add(1, std::memory_order_relaxed);
    done += n;
  }
  // Written or not, the bytes leave the buffer: SQLite answers a failed
  // write by rolling back, and writes again what it still needs.
  f->length = 0;
  return rc;
}

int x_close(sqlite3_file* file) {
  WalFile* f = wal(file);
  const int flushed = flush(f);
  const int closed = f->real->pMethods->xClose(f->real);
  std::free(f->pending);
  f->pending = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}

int x_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  WalFile* f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int x_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* f = wal(file);
  if (amount <= 0) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  const std::size_t n = static_cast<std::size_t>(amount);
  // Only a write that continues the gathered bytes joins them.
  if (f->length > 0 && offset != f->start + static_cast<sqlite3_int64>(f->length)) {
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  if (f->length + n > f->capacity) {
    std::size_t capacity = f->capacity ? f->capacity : 64u << 10;
    while (capacity < f->length + n) capacity *= 2;
    char* grown = static_cast<char*>(std::realloc(f->pending, capacity));
    if (!grown) {
      if (const int rc = flush(f); rc != SQLITE_OK) return rc;
      return f->real->pMethods->xWrite(f->real, data, amount, offset);
    }
    f->pending = grown;
    f->capacity = capacity;
  }
  if (f->length == 0) f->start = offset;
  std::memcpy(f->pending + f->length, data, n);
  f->length += n;
  g_buffered.fetch_add(1, std::memory_order_relaxed);
  return f->length >= kMaxPending ? flush(f) : SQLITE_OK;
}

int x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  WalFile* f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xTruncate(f->real, size);
}

int x_sync(sqlite3_file* file, int flags) {
  WalFile* f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xSync(f->real, flags);
}

int x_file_size(sqlite3_file* file, sqlite3_int64* size) {
  WalFile* f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileSize(f->real, size);
}

int x_lock(sqlite3_file* file, int level) {
  return wal(file)->real->pMethods->xLock(wal(file)->real, level);
}

int x_unlock(sqlite3_file* file, int level) {
  return wal(file)->real->pMethods->xUnlock(wal(file)->real, level);
}

int x_check_reserved_lock(sqlite3_file* file, int* out) {
  return wal(file)->real->pMethods->xCheckReservedLock(wal(file)->real, out);
}

int x_file_control(sqlite3_file* file, int op, void* arg) {
  WalFile* f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileControl(f->real, op, arg);
}

int x_sector_size(sqlite3_file* file) {
  return wal(file)->real->pMethods->xSectorSize(wal(file)->real);
}

int x_device_characteristics(sqlite3_file* file) {
  return wal(file)->real->pMethods->xDeviceCharacteristics(wal(file)->real);
}

// Shared memory belongs to the database file, never the WAL; passed on
// all the same so the methods are complete.
int x_shm_map(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  return wal(file)->real->pMethods->xShmMap(wal(file)->real, page, size, extend, out);
}

int x_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return wal(file)->real->pMethods->xShmLock(wal(file)->real, offset, n, flags);
}

void x_shm_barrier(sqlite3_file* file) {
  wal(file)->real->pMethods->xShmBarrier(wal(file)->real);
}

int x_shm_unmap(sqlite3_file* file, int remove) {
  return wal(file)->real->pMethods->xShmUnmap(wal(file)->real, remove);
}

const sqlite3_io_methods kMethods = {
    2,  // no xFetch/xUnfetch: SQLite never memory-maps a WAL file
    x_close,       x_read,      x_write,   x_truncate,    x_sync,
    x_file_size,   x_lock,      x_unlock,  x_check_reserved_lock,
    x_file_control, x_sector_size, x_device_characteristics,
    x_shm_map,     x_shm_lock,  x_shm_barrier, x_shm_unmap,
    nullptr,       nullptr,
};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if (!(flags & SQLITE_OPEN_WAL)) {
    // Everything but a WAL file is the base VFS's own object, in place.
    return g_base->xOpen(g_base, name, file, flags, out_flags);
  }
  WalFile* f = wal(file);
  std::memset(f, 0, sizeof *f);
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
  std::memset(f->real, 0, static_cast<std::size_t>(g_base->szOsFile));
  const int rc = g_base->xOpen(g_base, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real->pMethods) f->real->pMethods->xClose(f->real);
    f->base.pMethods = nullptr;
    return rc;
  }
  f->base.pMethods = &kMethods;
  return SQLITE_OK;
}

// Everything else the VFS does is the base VFS's.
int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_base->xDelete(g_base, name, sync_dir);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_base->xAccess(g_base, name, flags, out);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_base->xFullPathname(g_base, name, n, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) {
  return g_base->xDlOpen(g_base, name);
}
void x_dl_error(sqlite3_vfs*, int n, char* out) {
  g_base->xDlError(g_base, n, out);
}
void (*x_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_base->xDlSym(g_base, handle, symbol);
}
void x_dl_close(sqlite3_vfs*, void* handle) {
  g_base->xDlClose(g_base, handle);
}
int x_randomness(sqlite3_vfs*, int n, char* out) {
  return g_base->xRandomness(g_base, n, out);
}
int x_sleep(sqlite3_vfs*, int micros) {
  return g_base->xSleep(g_base, micros);
}
int x_current_time(sqlite3_vfs*, double* out) {
  return g_base->xCurrentTime(g_base, out);
}
int x_get_last_error(sqlite3_vfs*, int n, char* out) {
  return g_base->xGetLastError ? g_base->xGetLastError(g_base, n, out) : 0;
}
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_base->xCurrentTimeInt64(g_base, out);
}

sqlite3_vfs g_vfs;

}  // namespace

const char* wal_write_buffer_vfs() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    g_base = sqlite3_vfs_find(nullptr);
    if (!g_base || g_base->iVersion < 2 || !g_base->xCurrentTimeInt64) return;
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(kRealOffset) + g_base->szOsFile;
    g_vfs.mxPathname = g_base->mxPathname;
    g_vfs.zName = kName;
    g_vfs.xOpen = x_open;
    g_vfs.xDelete = x_delete;
    g_vfs.xAccess = x_access;
    g_vfs.xFullPathname = x_full_pathname;
    g_vfs.xDlOpen = x_dl_open;
    g_vfs.xDlError = x_dl_error;
    g_vfs.xDlSym = x_dl_sym;
    g_vfs.xDlClose = x_dl_close;
    g_vfs.xRandomness = x_randomness;
    g_vfs.xSleep = x_sleep;
    g_vfs.xCurrentTime = x_current_time;
    g_vfs.xGetLastError = x_get_last_error;
    g_vfs.xCurrentTimeInt64 = x_current_time_int64;
    ok = sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0) == SQLITE_OK;
  });
  return ok ? kName : nullptr;
}

WalWriteCounts wal_write_counts() {
  return {g_buffered.load(std::memory_order_relaxed), g_written.load(std::memory_order_relaxed)};
}

}  // namespace hub
