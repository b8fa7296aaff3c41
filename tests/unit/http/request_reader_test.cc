#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/crypto.h"
#include "http/server.h"

namespace limbo::http {
namespace {

using State = RequestReader::State;

// Feeds `in` in pieces of `piece` bytes the way a connection does; admits with `limit`.
struct Fed {
  State state = State::kNeedMore;
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

Fed Feed(const std::string& in, std::size_t limit, std::size_t piece = 7, ServerOptions opts = {}) {
  RequestReader r(opts);
  std::string buffer;
  std::size_t off = 0;
  Fed out;
  while (true) {
    std::size_t used = r.Put(buffer, &out.state);
    buffer.erase(0, used);
    if (out.state == State::kNeedMore) {
      if (off >= in.size()) return out;
      buffer += in.substr(off, piece);
      off += piece;
    } else if (out.state == State::kHeaderDone) {
      Admission a;
      a.body_limit = limit;
      if (!r.Admit(a)) {
        out.state = State::kFailed;
        out.status = r.Failure().status;
        return out;
      }
    } else {
      if (out.state == State::kFailed) out.status = r.Failure().status;
      out.body = r.request().body;
      out.headers = r.request().headers;
      return out;
    }
  }
}

TEST(RequestReader, ParsesHeadersAndBodiesInAnyPieces) {
  for (std::size_t piece : {1, 3, 64, 100000}) {
    auto f = Feed("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Mixed-Case: v\r\n\r\nhello", 1024, piece);
    ASSERT_EQ(f.state, State::kComplete) << piece;
    EXPECT_EQ(f.body, "hello");
    ASSERT_EQ(f.headers.size(), 3u);
    EXPECT_EQ(f.headers[2].first, "x-mixed-case");
  }
  auto chunked =
      Feed("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;e=1\r\nde\r\n0\r\n\r\n", 1024);
  ASSERT_EQ(chunked.state, State::kComplete);
  EXPECT_EQ(chunked.body, "abcde");
}

TEST(RequestReader, TrailersAreDroppedAndLimitedLikeTheHeader) {
  auto small = Feed("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nAuthorization: Bearer x\r\n\r\n", 1024);
  ASSERT_EQ(small.state, State::kComplete);
  for (const auto& [k, v] : small.headers) EXPECT_NE(k, "authorization");
  // One field over 64 KiB (Beast's basic_fields threw std::length_error here), fed whole or in pieces.
  std::string huge =
      "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + std::string(70000, 'a') + "\r\n\r\n";
  for (std::size_t piece : {1000, 100000}) {
    auto f = Feed(huge, 1024, piece);
    EXPECT_EQ(f.state, State::kFailed);
    EXPECT_EQ(f.status, 431);
  }
  std::string many = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  for (int i = 0; i < 3000; ++i) many += "T" + std::to_string(i) + ": vvvv\r\n";
  EXPECT_EQ(Feed(many + "\r\n", 1024, 100000).status, 431);
  EXPECT_EQ(Feed("GET / HTTP/1.1\r\nX: " + std::string(70000, 'b') + "\r\n\r\n", 1024, 4096).status, 431);
}

TEST(RequestReader, BadContentLengthsAreA400) {
  for (const char* cl : {"Content-Length: 18446744073709551616\r\n", "Content-Length: -1\r\n", "Content-Length: x\r\n",
                         "Content-Length: 1\r\nContent-Length: 2\r\n"}) {
    auto f = Feed(std::string("POST / HTTP/1.1\r\n") + cl + "\r\nab", 1024);
    EXPECT_EQ(f.state, State::kFailed) << cl;
    EXPECT_EQ(f.status, 400) << cl;
  }
}

TEST(RequestReader, BodiesOverTheAdmittedLimitAreA413) {
  EXPECT_EQ(Feed("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world", 10).status, 413);
  EXPECT_EQ(
      Feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", 10).status,
      413);
  EXPECT_EQ(Feed("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nhelloworld", 10).state, State::kComplete);
}

TEST(RequestReader, StreamsABodyToAFileWithItsHash) {
  core::InitCrypto();
  auto dir = std::filesystem::temp_directory_path() / ("limbo-reader-" + core::RandomToken(8));
  std::filesystem::create_directories(dir);
  ServerOptions opts;
  opts.temp_dir = dir.string();
  std::string body(300000, 'z');
  std::string in = "POST /u HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string path;
  {
    RequestReader r(opts);
    State st;
    std::size_t used = r.Put(in, &st);
    ASSERT_EQ(st, State::kHeaderDone);
    Admission a;
    a.body_limit = 1 << 20;
    a.body_to_file = true;
    ASSERT_TRUE(r.Admit(a));
    r.Put(std::string_view(in).substr(used), &st);
    ASSERT_EQ(st, State::kComplete);
    EXPECT_TRUE(r.request().body.empty());
    path = r.request().body_file;
    EXPECT_EQ(r.request().body_file_size, body.size());
    EXPECT_EQ(r.request().body_file_sha256, core::Sha256Hex(body));
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    EXPECT_EQ(ss.str(), body);
  }
  EXPECT_FALSE(std::filesystem::exists(path));  // removed with the reader
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace limbo::http
