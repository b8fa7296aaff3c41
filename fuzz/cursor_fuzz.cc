// Cursor decoding: any string a client sends as ?cursor=. A decoded cursor re-encodes to one that
// decodes to the same key and id.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/json_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string cursor(reinterpret_cast<const char*>(data), size);
  std::string key;
  std::int64_t id = 0;
  if (!limbo::http::DecodeCursor(cursor, &key, &id)) return 0;
  std::string key2;
  std::int64_t id2 = 0;
  if (!limbo::http::DecodeCursor(limbo::http::EncodeCursor(key, id), &key2, &id2)) std::abort();
  if (key2 != key || id2 != id) std::abort();
  return 0;
}
