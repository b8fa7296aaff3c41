#pragma once

#include "domain/rows/fsck_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Fsck final : public domain::FsckRows {
 public:
  explicit Fsck(Db& db) : db_(db) {}

  std::vector<std::pair<std::string, std::int64_t>> AllBlobRefs() override;
  std::vector<std::string> AllBlobGc() override;
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> ImageShaCounts() override;
  std::vector<std::pair<std::int64_t, domain::Usage>> RecountUsage() override;
  void SetBlobRefs(const std::string& sha256, std::int64_t refs, std::int64_t size) override;
  void SetUsage(std::int64_t ws, const domain::Usage& u) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
