#include "support/fault_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <vector>

namespace sqlproof_test {
namespace {

using call = fault_vfs::call;

// A write or truncation not yet synced (crash simulation only).
struct pending_op {
  bool truncate = false;
  sqlite3_int64 offset = 0;  // the new size for a truncation
  std::vector<unsigned char> data;
};

struct state {
  sqlite3_vfs* real = nullptr;
  sqlite3_vfs vfs{};
  sqlite3_io_methods methods{};
  std::array<std::uint64_t, fault_vfs::call_kinds> counts{};
  fault_vfs::fault planned = fault_vfs::fault::io_error;
  std::uint64_t fail_at = 0;  // 0: no fault planned
  unsigned kinds = fault_vfs::all_kinds;
  bool fired = false;
  call fired_call = call::read;
  bool holding = false;  // crash simulation: writes wait for xSync
  bool crashed = false;
  // Unsynced writes by file path; kept across xClose, since closing a file does not make its
  // data durable.
  std::map<std::string, std::vector<pending_op>> pending;
  // What a torn crash let reach the disk, applied by `reset` once the connection is closed.
  std::map<std::string, std::vector<pending_op>> survivors;
};

state& global() {
  static state s;
  return s;
}

int error_for(call c, fault_vfs::fault f) noexcept {
  switch (c) {
    case call::read: return SQLITE_IOERR_READ;
    case call::write: return f == fault_vfs::fault::disk_full ? SQLITE_FULL : SQLITE_IOERR_WRITE;
    case call::sync: return SQLITE_IOERR_FSYNC;
    case call::truncate: return SQLITE_IOERR_TRUNCATE;
    case call::lock: return SQLITE_IOERR_LOCK;
    case call::file_size: return SQLITE_IOERR_FSTAT;
    case call::open: return SQLITE_CANTOPEN;
    case call::remove: return SQLITE_IOERR_DELETE;
    case call::access: return SQLITE_IOERR_ACCESS;
    case call::shm_map: return SQLITE_IOERR_SHMMAP;
    case call::shm_lock: return SQLITE_IOERR_SHMLOCK;
  }
  return SQLITE_IOERR;
}

// Counts a call of kind `c`; returns the error to report, or SQLITE_OK to go on.
int gate(call c) noexcept {
  state& s = global();
  if (s.crashed) return error_for(c, s.planned);
  ++s.counts[static_cast<std::size_t>(c)];
  if (s.fail_at == 0 || s.fired || (s.kinds & fault_vfs::bit(c)) == 0) return SQLITE_OK;
  if (fault_vfs::calls(s.kinds) != s.fail_at) return SQLITE_OK;
  s.fired = true;
  s.fired_call = c;
  if (s.planned == fault_vfs::fault::crash || s.planned == fault_vfs::fault::torn_crash) {
    s.crashed = true;
    // The power failed: what was not synced is gone, or for a torn crash, an arbitrary part
    // of it reached the disk (a deterministic choice per operation and crash point).
    if (s.planned == fault_vfs::fault::torn_crash) {
      std::uint64_t random = s.fail_at * 0x9E3779B97F4A7C15u + 1;
      for (auto& [path, ops] : s.pending) {
        for (auto& op : ops) {
          random ^= random << 13;
          random ^= random >> 7;
          random ^= random << 17;
          if ((random & 1) != 0) s.survivors[path].push_back(std::move(op));
        }
      }
    }
    s.pending.clear();
  }
  return error_for(c, s.planned);
}

struct fault_file {
  sqlite3_file base;     // pMethods: this VFS's methods
  sqlite3_file* real;    // the wrapped file, stored after this struct
  std::string path;      // empty for temporary files
  bool held;             // writes wait for xSync (crash simulation, durable files only)
};

constexpr std::size_t real_offset = (sizeof(fault_file) + 15) / 16 * 16;

fault_file& as_fault(sqlite3_file* f) { return *reinterpret_cast<fault_file*>(f); }

std::vector<pending_op>* pending_of(const fault_file& f) {
  if (!f.held) return nullptr;
  auto it = global().pending.find(f.path);
  return it == global().pending.end() || it->second.empty() ? nullptr : &it->second;
}

// Applies `ops` to a real file, in order.
int apply(sqlite3_file* real, std::vector<pending_op>& ops) {
  for (const auto& op : ops) {
    const int rc = op.truncate ? real->pMethods->xTruncate(real, op.offset)
                               : real->pMethods->xWrite(real, op.data.data(),
                                                        static_cast<int>(op.data.size()), op.offset);
    if (rc != SQLITE_OK) return rc;
  }
  ops.clear();
  return SQLITE_OK;
}

// ---- file methods ------------------------------------------------------------------------

int file_close(sqlite3_file* f) {
  fault_file& ff = as_fault(f);
  const int rc = ff.real->pMethods->xClose(ff.real);
  ff.~fault_file();
  return rc;
}

int file_read(sqlite3_file* f, void* buffer, int amount, sqlite3_int64 offset) {
  if (const int rc = gate(call::read); rc != SQLITE_OK) return rc;
  fault_file& ff = as_fault(f);
  std::vector<pending_op>* ops = pending_of(ff);
  if (ops == nullptr) return ff.real->pMethods->xRead(ff.real, buffer, amount, offset);

  // The file as the writer sees it: the real content with the unsynced operations on top.
  sqlite3_int64 size = 0;
  if (const int rc = ff.real->pMethods->xFileSize(ff.real, &size); rc != SQLITE_OK) return rc;
  int rc = ff.real->pMethods->xRead(ff.real, buffer, amount, offset);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) return rc;
  auto* out = static_cast<unsigned char*>(buffer);
  const sqlite3_int64 end = offset + amount;
  for (const auto& op : *ops) {
    if (op.truncate) {
      size = op.offset;
      if (op.offset < end) {
        const sqlite3_int64 from = std::max(op.offset, offset);
        std::memset(out + (from - offset), 0, static_cast<std::size_t>(end - from));
      }
      continue;
    }
    const sqlite3_int64 op_end = op.offset + static_cast<sqlite3_int64>(op.data.size());
    size = std::max(size, op_end);
    const sqlite3_int64 from = std::max(op.offset, offset);
    const sqlite3_int64 to = std::min(op_end, end);
    if (from < to) {
      std::memcpy(out + (from - offset), op.data.data() + (from - op.offset),
                  static_cast<std::size_t>(to - from));
    }
  }
  if (size >= end) return SQLITE_OK;
  const sqlite3_int64 valid = std::max(size, offset);
  std::memset(out + (valid - offset), 0, static_cast<std::size_t>(end - valid));
  return SQLITE_IOERR_SHORT_READ;
}

int file_write(sqlite3_file* f, const void* buffer, int amount, sqlite3_int64 offset) {
  if (const int rc = gate(call::write); rc != SQLITE_OK) return rc;
  fault_file& ff = as_fault(f);
  if (!ff.held) return ff.real->pMethods->xWrite(ff.real, buffer, amount, offset);
  const auto* bytes = static_cast<const unsigned char*>(buffer);
  global().pending[ff.path].push_back({false, offset, {bytes, bytes + amount}});
  return SQLITE_OK;
}

int file_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (const int rc = gate(call::truncate); rc != SQLITE_OK) return rc;
  fault_file& ff = as_fault(f);
  if (!ff.held) return ff.real->pMethods->xTruncate(ff.real, size);
  global().pending[ff.path].push_back({true, size, {}});
  return SQLITE_OK;
}

int file_sync(sqlite3_file* f, int flags) {
  if (const int rc = gate(call::sync); rc != SQLITE_OK) return rc;
  fault_file& ff = as_fault(f);
  if (std::vector<pending_op>* ops = pending_of(ff)) {
    if (const int rc = apply(ff.real, *ops); rc != SQLITE_OK) return rc;
  }
  // The real fsync is skipped: a power loss is simulated above, never a real one, and
  // syncing to the disk made the loops several times slower.
  (void)flags;
  return SQLITE_OK;
}

int file_size(sqlite3_file* f, sqlite3_int64* size) {
  if (const int rc = gate(call::file_size); rc != SQLITE_OK) return rc;
  fault_file& ff = as_fault(f);
  const int rc = ff.real->pMethods->xFileSize(ff.real, size);
  if (rc != SQLITE_OK) return rc;
  if (const std::vector<pending_op>* ops = pending_of(ff)) {
    for (const auto& op : *ops) {
      *size = op.truncate ? op.offset
                          : std::max(*size, op.offset + static_cast<sqlite3_int64>(op.data.size()));
    }
  }
  return SQLITE_OK;
}

int file_lock(sqlite3_file* f, int level) {
  if (const int rc = gate(call::lock); rc != SQLITE_OK) return rc;
  fault_file& ff = as_fault(f);
  return ff.real->pMethods->xLock(ff.real, level);
}

int file_unlock(sqlite3_file* f, int level) {
  fault_file& ff = as_fault(f);
  return ff.real->pMethods->xUnlock(ff.real, level);
}

int file_check_reserved_lock(sqlite3_file* f, int* out) {
  fault_file& ff = as_fault(f);
  return ff.real->pMethods->xCheckReservedLock(ff.real, out);
}

int file_control(sqlite3_file* f, int op, void* arg) {
  fault_file& ff = as_fault(f);
  // A size hint makes the real VFS extend the file on disk at once; with writes held in
  // memory that would bypass the simulation. It is only a hint.
  if (ff.held && op == SQLITE_FCNTL_SIZE_HINT) return SQLITE_OK;
  return ff.real->pMethods->xFileControl(ff.real, op, arg);
}

int file_sector_size(sqlite3_file* f) {
  fault_file& ff = as_fault(f);
  return ff.real->pMethods->xSectorSize(ff.real);
}

int file_device_characteristics(sqlite3_file* f) {
  fault_file& ff = as_fault(f);
  return ff.real->pMethods->xDeviceCharacteristics(ff.real);
}

int file_shm_map(sqlite3_file* f, int page, int page_size, int extend, void volatile** out) {
  if (const int rc = gate(call::shm_map); rc != SQLITE_OK) return rc;
  fault_file& ff = as_fault(f);
  return ff.real->pMethods->xShmMap(ff.real, page, page_size, extend, out);
}

int file_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  if ((flags & SQLITE_SHM_LOCK) != 0) {
    if (const int rc = gate(call::shm_lock); rc != SQLITE_OK) return rc;
  }
  fault_file& ff = as_fault(f);
  return ff.real->pMethods->xShmLock(ff.real, offset, n, flags);
}

void file_shm_barrier(sqlite3_file* f) {
  fault_file& ff = as_fault(f);
  ff.real->pMethods->xShmBarrier(ff.real);
}

int file_shm_unmap(sqlite3_file* f, int delete_flag) {
  fault_file& ff = as_fault(f);
  return ff.real->pMethods->xShmUnmap(ff.real, delete_flag);
}

// ---- VFS methods -------------------------------------------------------------------------

int vfs_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  f->pMethods = nullptr;  // SQLite calls xClose only when this is set
  if (const int rc = gate(call::open); rc != SQLITE_OK) return rc;
  state& s = global();
  auto* real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + real_offset);
  const int rc = s.real->xOpen(s.real, name, real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (real->pMethods != nullptr) real->pMethods->xClose(real);
    return rc;
  }
  const bool durable =
      (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL)) != 0;
  auto* ff = new (f) fault_file{{&s.methods}, real, name != nullptr ? name : "", false};
  ff->held = s.holding && durable && !ff->path.empty();
  return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (const int rc = gate(call::remove); rc != SQLITE_OK) return rc;
  state& s = global();
  s.pending.erase(name);
  return s.real->xDelete(s.real, name, sync_dir);
}

int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  if (const int rc = gate(call::access); rc != SQLITE_OK) return rc;
  state& s = global();
  const int rc = s.real->xAccess(s.real, name, flags, out);
  // A file whose only content is held in memory exists for SQLite already.
  if (rc == SQLITE_OK && *out == 0 && flags == SQLITE_ACCESS_EXISTS) {
    auto it = s.pending.find(name);
    if (it != s.pending.end() && !it->second.empty()) *out = 1;
  }
  return rc;
}

int vfs_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return global().real->xFullPathname(global().real, name, size, out);
}
void* vfs_dl_open(sqlite3_vfs*, const char* name) {
  return global().real->xDlOpen(global().real, name);
}
void vfs_dl_error(sqlite3_vfs*, int size, char* out) {
  global().real->xDlError(global().real, size, out);
}
void (*vfs_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return global().real->xDlSym(global().real, handle, symbol);
}
void vfs_dl_close(sqlite3_vfs*, void* handle) { global().real->xDlClose(global().real, handle); }
int vfs_randomness(sqlite3_vfs*, int size, char* out) {
  return global().real->xRandomness(global().real, size, out);
}
int vfs_sleep(sqlite3_vfs*, int microseconds) {
  return global().real->xSleep(global().real, microseconds);
}
int vfs_current_time(sqlite3_vfs*, double* out) {
  return global().real->xCurrentTime(global().real, out);
}
int vfs_get_last_error(sqlite3_vfs*, int size, char* out) {
  return global().real->xGetLastError(global().real, size, out);
}
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return global().real->xCurrentTimeInt64(global().real, out);
}

// Applies held writes to the files on disk: after a run that ended without a crash (the
// operating system would write them eventually), or what survived a torn crash.
void flush(std::map<std::string, std::vector<pending_op>>& files) {
  state& s = global();
  for (auto& [path, ops] : files) {
    if (ops.empty()) continue;
    std::unique_ptr<char[]> storage(new char[static_cast<std::size_t>(s.real->szOsFile)]);
    auto* real = reinterpret_cast<sqlite3_file*>(storage.get());
    real->pMethods = nullptr;
    int rc = s.real->xOpen(s.real, path.c_str(), real, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB,
                           nullptr);
    if (rc == SQLITE_OK) rc = apply(real, ops);
    if (real->pMethods != nullptr) real->pMethods->xClose(real);
    if (rc != SQLITE_OK) throw std::runtime_error("fault_vfs: cannot write held pages of " + path);
  }
  files.clear();
}

}  // namespace

std::string_view fault_vfs::call_name(call c) noexcept {
  static constexpr std::array<std::string_view, call_kinds> names{
      "read", "write", "sync", "truncate", "lock", "file_size",
      "open", "delete", "access", "shm_map", "shm_lock"};
  return names[static_cast<std::size_t>(c)];
}

void fault_vfs::install() {
  state& s = global();
  if (s.real != nullptr) return;
  s.real = sqlite3_vfs_find(nullptr);
  if (s.real == nullptr || s.real->iVersion < 2) {
    throw std::runtime_error("fault_vfs: no default VFS of version 2 or later");
  }

  sqlite3_io_methods& m = s.methods;
  m.iVersion = 2;  // no xFetch/xUnfetch: no memory-mapped reads that bypass xRead
  m.xClose = file_close;
  m.xRead = file_read;
  m.xWrite = file_write;
  m.xTruncate = file_truncate;
  m.xSync = file_sync;
  m.xFileSize = file_size;
  m.xLock = file_lock;
  m.xUnlock = file_unlock;
  m.xCheckReservedLock = file_check_reserved_lock;
  m.xFileControl = file_control;
  m.xSectorSize = file_sector_size;
  m.xDeviceCharacteristics = file_device_characteristics;
  m.xShmMap = file_shm_map;
  m.xShmLock = file_shm_lock;
  m.xShmBarrier = file_shm_barrier;
  m.xShmUnmap = file_shm_unmap;

  sqlite3_vfs& v = s.vfs;
  v.iVersion = 2;
  v.szOsFile = static_cast<int>(real_offset) + s.real->szOsFile;
  v.mxPathname = s.real->mxPathname;
  v.zName = name;
  v.xOpen = vfs_open;
  v.xDelete = vfs_delete;
  v.xAccess = vfs_access;
  v.xFullPathname = vfs_full_pathname;
  v.xDlOpen = vfs_dl_open;
  v.xDlError = vfs_dl_error;
  v.xDlSym = vfs_dl_sym;
  v.xDlClose = vfs_dl_close;
  v.xRandomness = vfs_randomness;
  v.xSleep = vfs_sleep;
  v.xCurrentTime = vfs_current_time;
  v.xGetLastError = vfs_get_last_error;
  v.xCurrentTimeInt64 = vfs_current_time_int64;
  if (sqlite3_vfs_register(&v, 0) != SQLITE_OK) {
    throw std::runtime_error("fault_vfs: sqlite3_vfs_register failed");
  }
}

std::string fault_vfs::uri(std::string_view path) {
  // https://sqlite.org/uri.html: '%', '?' and '#' must be escaped in the path.
  std::string out = "file:";
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      static constexpr char hex[] = "0123456789ABCDEF";
      out += '%';
      out += hex[static_cast<unsigned char>(c) >> 4];
      out += hex[static_cast<unsigned char>(c) & 15];
    } else {
      out += c;
    }
  }
  out += "?vfs=";
  out += name;
  return out;
}

void fault_vfs::reset() {
  install();
  state& s = global();
  if (!s.crashed) flush(s.pending);
  s.pending.clear();
  flush(s.survivors);
  s.counts = {};
  s.fail_at = 0;
  s.kinds = all_kinds;
  s.fired = false;
  s.holding = false;
  s.crashed = false;
}

void fault_vfs::plan(fault f, std::uint64_t n, unsigned kinds) {
  reset();
  state& s = global();
  s.planned = f;
  s.fail_at = n;
  s.kinds = kinds;
  s.holding = f == fault::crash || f == fault::torn_crash;
}

std::uint64_t fault_vfs::calls(unsigned kinds) noexcept {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i != call_kinds; ++i) {
    if ((kinds & (1u << i)) != 0) n += global().counts[i];
  }
  return n;
}

bool fault_vfs::fired() noexcept { return global().fired; }

fault_vfs::call fault_vfs::fired_call() noexcept { return global().fired_call; }

}  // namespace sqlproof_test
