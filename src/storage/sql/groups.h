#pragma once

#include "domain/rows/group_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Groups final : public domain::GroupRows {
 public:
  explicit Groups(Db& db) : db_(db) {}

  std::vector<domain::Group> List(std::int64_t ws) override;
  std::optional<domain::Group> ById(std::int64_t ws, const std::string& id) override;
  void Insert(std::int64_t ws, const domain::Group& g, domain::TimeMs at) override;
  void Rename(std::int64_t ws, const std::string& id, const std::string& name) override;
  void Delete(std::int64_t ws, const std::string& id) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
