#pragma once
// A test-only SQLite VFS that wraps the default one and injects I/O failures, or simulates a
// power loss, at the Nth I/O call.
//
// It is registered (not as the default) under `fault_vfs::name`; a database reaches it through
// a URI, `fault_vfs::uri(path)`, opened with `options::uri = true`. Every file SQLite opens
// through it (main database, rollback journal, WAL, statement journals, temporary files) goes
// through the same counter, so "call N" is a position in the whole sequence of I/O the
// connection performs, which is the same on every run of the same workload.
//
// Counted calls, with the error a failure returns:
//   read       xRead                  SQLITE_IOERR_READ
//   write      xWrite                 SQLITE_IOERR_WRITE, or SQLITE_FULL (disk_full)
//   sync       xSync                  SQLITE_IOERR_FSYNC
//   truncate   xTruncate              SQLITE_IOERR_TRUNCATE
//   lock       xLock (taking a lock)  SQLITE_IOERR_LOCK
//   file_size  xFileSize              SQLITE_IOERR_FSTAT
//   open       VFS xOpen              SQLITE_CANTOPEN
//   remove     VFS xDelete            SQLITE_IOERR_DELETE (deleting the journal is the commit
//                                      point of DELETE mode)
//   access     VFS xAccess            SQLITE_IOERR_ACCESS (the hot-journal and WAL probes)
//   shm_map    xShmMap                SQLITE_IOERR_SHMMAP (WAL index)
//   shm_lock   xShmLock (taking)      SQLITE_IOERR_SHMLOCK (WAL reader and writer locks)
// Not counted, so never failed: calls that only release or describe (xClose, xUnlock,
// xShmLock releasing, xShmUnmap, xShmBarrier, xCheckReservedLock, xFileControl,
// xSectorSize, xDeviceCharacteristics, xFullPathname, xRandomness, xSleep, xCurrentTime):
// a failure there cannot change what is on disk, and SQLite ignores most of their results.
//
// The file methods are offered as version 2 (no xFetch): SQLite then never memory-maps a
// file opened through this VFS, so every page read is an xRead that can fail.
//
// Crash simulation (`crash_at`): writes and truncations of the main database, the rollback
// journal and the WAL are held in memory until that file's xSync, which applies them and syncs;
// reads see them. At call N the "power fails": everything not yet synced is discarded (or, for
// a torn crash, a pseudo-random half of the held writes and truncations, chosen per operation,
// reaches the disk: writes between two syncs may land in any order), and that call and every
// later one fails, until `reset`. The connection is then closed (its close cannot write
// anything) and the database reopened with the real VFS. File creation and deletion take
// effect at once (SQLite syncs the directory where it matters).
//
// xSync never reaches the disk (a real power loss is not what is tested), which keeps the
// loops fast.
//
// Single-threaded: the state is global, like the VFS registration.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sqlproof_test {

class fault_vfs {
 public:
  static constexpr const char* name = "sqlproof_fault";

  enum class call : unsigned char {
    read, write, sync, truncate, lock, file_size, open, remove, access, shm_map, shm_lock
  };
  static constexpr std::size_t call_kinds = 11;
  static std::string_view call_name(call c) noexcept;

  /// What happens at the chosen call.
  enum class fault {
    io_error,   ///< that call fails with its SQLITE_IOERR_* code; later calls succeed
    disk_full,  ///< like io_error, but a failing write returns SQLITE_FULL
    crash,      ///< power loss: unsynced writes are lost, that call and all later ones fail
    torn_crash, ///< like crash, but an arbitrary part of the unsynced writes reached the disk
  };

  /// Registers the VFS on first use.
  static void install();

  /// `file:<path>?vfs=sqlproof_fault`, with the path percent-encoded as a URI needs.
  static std::string uri(std::string_view path);

  /// Counts from 0 again, with no fault planned. Writes still held by a crash simulation
  /// that did not crash are applied (as the operating system eventually would).
  static void reset();
  /// Plans `f` at counted call `n` (1-based) of the kinds in `kinds` (a mask of
  /// `bit(call)`; all kinds by default). `crash` also starts holding unsynced writes.
  static void plan(fault f, std::uint64_t n, unsigned kinds = all_kinds);

  static constexpr unsigned bit(call c) noexcept { return 1u << static_cast<unsigned>(c); }
  static constexpr unsigned all_kinds = (1u << call_kinds) - 1;

  /// Calls counted since `reset`, of the kinds in `kinds`.
  static std::uint64_t calls(unsigned kinds = all_kinds) noexcept;
  /// True once the planned fault has happened.
  static bool fired() noexcept;
  /// The kind of call the fault happened at.
  static call fired_call() noexcept;
};

}  // namespace sqlproof_test
