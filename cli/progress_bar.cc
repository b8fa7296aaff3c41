#include "progress_bar.h"

#include <algorithm>
#include <string>

#include "format.h"

namespace limbo::cli {

void ProgressBar::Draw(std::size_t done_files, std::uint64_t sent_bytes) {
  constexpr std::size_t kWidth = 30;
  sent_bytes = std::min(sent_bytes, total_bytes_);
  std::size_t filled = total_bytes_ == 0 ? (total_files_ == 0 ? kWidth : kWidth * done_files / total_files_)
                                         : static_cast<std::size_t>(kWidth * sent_bytes / total_bytes_);
  filled = std::min(filled, kWidth);
  out_ << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, '-') << "]  " << done_files << "/"
       << total_files_ << " files  " << FormatBytes(sent_bytes) << " / " << FormatBytes(total_bytes_) << "\x1b[K"
       << std::flush;
}

void ProgressBar::Finish(std::size_t done_files, std::uint64_t sent_bytes) {
  Draw(done_files, sent_bytes);
  out_ << '\n';
}

}  // namespace limbo::cli
