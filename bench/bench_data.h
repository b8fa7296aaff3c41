#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "domain/store.h"

namespace limbo::bench {

// Writes rows straight through the storage layer (one transaction per call) so that large data sets
// take seconds, not hours. Every generator keeps the counters consistent, as the services would.

// A project with `images` images (rows, blob references and links; `blob_root` set: tiny files too).
std::string MakeProjectWithImages(domain::Store& store, std::int64_t ws, const std::string& url, std::int64_t images,
                                  std::int64_t first_seed, const std::string& blob_root, core::TimeMs now);
// `n` empty projects moved to the Trash at distinct times (one ms apart), plus every tenth a version.
void MakeTrashItems(domain::Store& store, std::int64_t ws, std::int64_t n, const std::string& user_id,
                    core::TimeMs now);
// A fake sha256: 64 hex characters derived from a number.
std::string FakeSha(std::int64_t n);

// What the drivers time and print: microseconds between two instants, and `"k":v` for their JSON.
using Clock = std::chrono::steady_clock;
inline double Micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}
std::string Num(const char* k, double v);

}  // namespace limbo::bench
