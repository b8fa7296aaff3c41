#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace limbo::cli {

// A plain text table for people: a header row, columns padded to their widest cell
// (counted in UTF-8 code points), two spaces between columns, no trailing spaces.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }
  void Print(std::ostream& out, const std::string& indent = "") const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace limbo::cli
