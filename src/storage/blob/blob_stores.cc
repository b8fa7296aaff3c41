#include "storage/blob/blob_stores.h"

#include "storage/blob/file_blob_store.h"
#include "storage/blob/model_files.h"
#include "storage/blob/s3_blob_store.h"

namespace limbo::storage::blob {

core::Result<BlobStores> OpenBlobStores(const std::string& url, const std::string& data_dir) {
  BlobStores out;
  if (url.empty() || url.rfind("file:", 0) == 0) {
    std::string dir = url.empty() ? data_dir + "/blobs" : url.substr(5);
    if (dir.rfind("//", 0) == 0) dir = dir.substr(2);  // file:///abs/path
    if (dir.empty()) return core::Error::Invalid("--blobs file:DIR needs a folder (e.g. file:/srv/limbo/blobs)");
    auto files = std::make_unique<FileBlobStore>(dir);
    out.files = files.get();
    out.blobs = std::move(files);
    out.models = std::make_unique<ModelFiles>(data_dir + "/models");
    out.description = "file:" + dir;
    return out;
  }
  if (url.rfind("s3://", 0) != 0) {
    return core::Error::Invalid("--blobs: '" + url +
                                "' is neither file:DIR nor s3://BUCKET[/PREFIX]?endpoint=URL[&region=R]");
  }
  LIMBO_TRY(S3Config config, ParseS3Url(url));
  LIMBO_RETURN_IF_ERROR(CredentialsFromEnv(&config));
  out.description = "s3://" + config.bucket + (config.prefix.empty() ? "" : "/" + config.prefix) + " at " +
                    config.endpoint + " (" + config.region + ")";
  auto client = std::make_shared<S3Client>(std::move(config));
  out.blobs = std::make_unique<S3BlobStore>(client);
  out.models = std::make_unique<S3ModelArtifacts>(client);
  out.s3 = client;
  return out;
}

}  // namespace limbo::storage::blob
