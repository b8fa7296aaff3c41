#pragma once

#include <string>

namespace limbo::app {

// `limbod blobs list`: every blob name in the store `blobs_url` names (one per line); with `models`, every
// model file's job id and size in bytes instead ("ID SIZE" lines).
int BlobsList(const std::string& data_dir, const std::string& blobs_url, bool models);

// `limbod blobs migrate --to URL`: copies every blob (and model file) of the store `from_url` into the
// store `to_url`. Each source file is hashed and must match its name (a mismatch is reported, not
// copied); the copy is sent with that hash, so the destination refuses bytes that arrive changed.
// Blobs already in the destination are skipped (by a HEAD; with `verify`, read back and hashed),
// so an interrupted run simply runs again. Prints one JSON line; 0 when everything is there.
int BlobsMigrate(const std::string& data_dir, const std::string& from_url, const std::string& to_url, bool verify,
                 int threads);

}  // namespace limbo::app
