#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "domain/blob_store.h"
#include "domain/model_artifacts.h"

namespace limbo::storage::blob {

class FileBlobStore;
class S3Client;

// The image blobs and the model files, where `--blobs` puts them.
struct BlobStores {
  std::unique_ptr<domain::BlobStore> blobs;
  std::unique_ptr<domain::ModelArtifacts> models;
  FileBlobStore* files = nullptr;  // `blobs` when it is a folder, else null
  std::shared_ptr<S3Client> s3;    // the client of both when they are in S3, else null
  std::string description;         // for the log: "file:DIR" or "s3://BUCKET/PREFIX at ENDPOINT" (no secret)
};

// `url` is "" (the default, file:DATA/blobs with the model files in DATA/models), `file:DIR`, or
// `s3://BUCKET[/PREFIX]?endpoint=URL[&region=R]` with the credentials from AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. An error's message says what is wrong with the URL or
// which variable is missing.
core::Result<BlobStores> OpenBlobStores(const std::string& url, const std::string& data_dir);

}  // namespace limbo::storage::blob
