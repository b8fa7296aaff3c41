#pragma once

#include "domain/rows/blob_refs.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Blobs final : public domain::BlobRefs {
 public:
  explicit Blobs(Db& db) : db_(db) {}

  void AddRef(const std::string& sha256, std::int64_t size) override;
  std::vector<std::string> DropRefs(const std::vector<std::string>& sha256s) override;
  bool Referenced(const std::string& sha256) override;

  std::optional<domain::BlobQueueEntry> QueueEntry(const std::string& sha256) override;
  void Announce(const std::string& sha256, domain::TimeMs not_before, const std::string& entry) override;
  void Enqueue(const std::string& sha256, domain::TimeMs not_before) override;
  void EnqueueAll(const std::vector<std::string>& sha256s, domain::TimeMs not_before) override;
  void Dequeue(const std::string& sha256) override;
  std::vector<std::string> Due(domain::TimeMs now, domain::TimeMs claimed_before, int limit) override;
  std::vector<std::string> ReferencedAmong(const std::vector<std::string>& sha256s) override;
  void DequeueAll(const std::vector<std::string>& sha256s) override;
  void Claim(const std::vector<std::string>& sha256s, const std::string& claim, domain::TimeMs now) override;
  int DequeueClaimed(const std::vector<std::string>& sha256s, const std::string& claim) override;
  domain::BlobQueueFigures QueueFigures(int cap) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
