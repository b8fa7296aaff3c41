#pragma once

namespace limbo::domain {

// A backup in progress (`limbod backup`, app/backup.cc) holds a lease named kBackupLeasePrefix plus
// an id of its own, renewed while it copies and judged on the system's real time like the cleanup
// lease. While any such lease is held, nothing removes a file that a database snapshot taken during
// the backup may reference: blob collection waits (TrashService::CollectBlobs) and purged trainings'
// model files stay on disk (removed later as orphans, when no backup holds: RemoveOrphanedModels). A
// killed backup stops renewing, so its hold ends by itself after kBackupHoldTtlMs.
inline constexpr const char* kBackupLeasePrefix = "backup:";
inline constexpr long long kBackupHoldTtlMs = 60'000;

}  // namespace limbo::domain
