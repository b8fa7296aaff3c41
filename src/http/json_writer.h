#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace limbo::http {

// Writes JSON straight into a string, for the hottest responses (the Trash listing, the reads a client
// polls), where building a DOM and serialising it cost most of the request. Strings must be valid
// UTF-8 (they come from validated JSON input); control characters, quotes and backslashes are
// escaped as nlohmann::json escapes them, so that an answer written either way has the same bytes.
class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(std::string_view k);
  JsonWriter& String(std::string_view v);
  JsonWriter& Int(std::int64_t v);
  // As nlohmann::json writes a double (shortest round trip, "1.0" for a whole number, null if not finite).
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // An already serialised JSON value.
  JsonWriter& Raw(std::string_view json);
  // A copy of what was written between two offsets (size() before and after a value), as one value.
  JsonWriter& Copy(std::size_t from, std::size_t to);
  std::size_t size() const { return out_.size(); }
  void Reserve(std::size_t n) { out_.reserve(n); }

  std::string Take() { return std::move(out_); }

 private:
  JsonWriter& Open(char c);
  JsonWriter& Close(char c);
  void Separate();
  void Escaped(std::string_view s);

  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace limbo::http
