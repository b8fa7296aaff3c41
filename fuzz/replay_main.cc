// A stand-in for libFuzzer's driver, so any compiler can run a fuzz target as a test: it feeds every
// corpus file to the target, then a fixed number of deterministic mutations of each (byte flips,
// truncations, insertions, splices; a fixed seed), so a run is repeatable and never flaky.
// Usage: <target> [-mutations=N] FILE_OR_DIR...
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void Run(const std::string& input) {
  // A copy of exactly `size` bytes, so a read past the end is visible to sanitizers.
  std::vector<std::uint8_t> copy(input.begin(), input.end());
  LLVMFuzzerTestOneInput(copy.empty() ? nullptr : copy.data(), copy.size());
}

constexpr char kSpecial[] = "\0\xff/|:*?&=%-\r\n\"{}[]";

std::string Mutate(const std::string& in, const std::vector<std::string>& all, std::mt19937& rng) {
  std::string s = in;
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 5) {
      case 0:
        if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:
        if (!s.empty()) s.resize(rng() % s.size());
        break;
      case 2:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(s.empty() ? 0 : rng() % (s.size() + 1)),
                 static_cast<char>(rng() % 256));
        break;
      case 3:
        // Bytes that mean something to the parsers; the terminating NUL is not one of the choices.
        if (!s.empty()) s[rng() % s.size()] = kSpecial[rng() % (sizeof kSpecial - 1)];
        break;
      default: {
        const std::string& other = all[rng() % all.size()];
        std::size_t cut = s.empty() ? 0 : rng() % (s.size() + 1);
        std::size_t from = other.empty() ? 0 : rng() % (other.size() + 1);
        s = s.substr(0, cut) + other.substr(from);
      }
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 0;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("-mutations=", 0) == 0) {
      mutations = std::stol(arg.substr(11));
      continue;
    }
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(arg)) {
      for (const auto& e : std::filesystem::directory_iterator(arg)) files.push_back(e.path());
      std::sort(files.begin(), files.end());
    } else {
      files.emplace_back(arg);
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", f.c_str());
        return 2;
      }
      inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: %s [-mutations=N] FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  std::mt19937 rng(20261127);
  long runs = 0;
  for (const auto& in : inputs) {
    Run(in);
    ++runs;
    for (long m = 0; m < mutations; ++m, ++runs) Run(Mutate(in, inputs, rng));
  }
  std::printf("%ld inputs ran (%zu corpus files, %ld mutations each)\n", runs, inputs.size(), mutations);
  return 0;
}
