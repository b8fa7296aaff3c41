// The server's HTTP/1.1 request parsing (http::RequestReader, the code each connection feeds what it
// reads), without sockets: the input is a byte stream of one or more pipelined requests, fed in
// pieces whose sizes come from the first byte. Findings: an exception or crash, an answer other than
// a JSON 400/413/431, a body over the admitted limit, or more unconsumed input buffered than the
// header limit (the bound that keeps a huge trailer or chunk line out of memory).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/server.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t piece = 1 + (data[0] % 16) * 97;  // 1 .. 1456 bytes per read
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  limbo::http::ServerOptions opts;
  opts.header_limit = 4096;
  opts.max_body_bytes = 4096;
  const std::size_t limit = 1024 + (data[0] >> 4) * 256;  // what the admit hook allows this time
  std::string buffer;
  std::size_t offset = 0;
  int requests = 0;
  while (requests < 16) {
    limbo::http::RequestReader reader(opts);
    bool done = false;
    while (!done) {
      limbo::http::RequestReader::State st;
      std::size_t used = reader.Put(buffer, &st);
      Check(used <= buffer.size());
      buffer.erase(0, used);
      switch (st) {
        case limbo::http::RequestReader::State::kNeedMore:
          Check(buffer.size() <= opts.header_limit);
          if (offset >= input.size()) {
            auto eof = reader.PutEof();
            Check(eof != limbo::http::RequestReader::State::kNeedMore);
            return 0;
          }
          buffer.append(input.substr(offset, piece));
          offset += piece;
          break;
        case limbo::http::RequestReader::State::kHeaderDone: {
          limbo::http::Admission a;
          a.body_limit = limit;
          if (!reader.Admit(a)) {
            Check(reader.Failure().status == 413);
            return 0;
          }
          break;
        }
        case limbo::http::RequestReader::State::kComplete:
          Check(reader.request().body.size() <= limit);
          Check(!reader.request().method.empty());
          done = true;
          break;
        case limbo::http::RequestReader::State::kFailed: {
          const auto& f = reader.Failure();
          Check(f.status == 400 || f.status == 413 || f.status == 431);
          Check(f.body.rfind("{\"error\":{\"code\":\"", 0) == 0);
          return 0;
        }
      }
    }
    ++requests;
    if (!reader.KeepAlive()) return 0;
  }
  return 0;
}
