#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>

namespace limbo::cli {

// A one-line progress bar for a terminal, redrawn in place:
// "[##########----------]  3/10 files  1.2 MiB / 4.0 MiB". Not thread-safe: one thread draws.
class ProgressBar {
 public:
  ProgressBar(std::ostream& out, std::size_t total_files, std::uint64_t total_bytes)
      : out_(out), total_files_(total_files), total_bytes_(total_bytes) {}

  void Draw(std::size_t done_files, std::uint64_t sent_bytes);
  // Draws the final state and ends the line.
  void Finish(std::size_t done_files, std::uint64_t sent_bytes);

 private:
  std::ostream& out_;
  std::size_t total_files_;
  std::uint64_t total_bytes_;
};

}  // namespace limbo::cli
