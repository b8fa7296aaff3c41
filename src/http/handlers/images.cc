#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "domain/process_metrics.h"
#include "http/handlers/handlers.h"
#include "http/multipart.h"
#include "http/paging.h"
#include "http/range.h"

namespace limbo::http::handlers {

namespace {
// A file removed when the handler returns.
// An image's bytes from the blob store, as the server writes them.
class BlobBody final : public BodySource {
 public:
  BlobBody(std::unique_ptr<domain::BlobReader> reader, std::string image_id)
      : reader_(std::move(reader)), image_id_(std::move(image_id)) {}
  std::int64_t Read(char* buf, std::size_t max) override {
    auto n = reader_->Read(buf, max);
    if (!n) {
      domain::CountBlobStoreError("get");
      spdlog::error("{{\"event\":\"blob_read_failed\",\"image\":\"{}\",\"code\":\"{}\",\"detail\":{}}}", image_id_,
                    n.error().code, Json(n.error().detail).dump(-1, ' ', false, Json::error_handler_t::replace));
      return -1;
    }
    return static_cast<std::int64_t>(*n);
  }

 private:
  std::unique_ptr<domain::BlobReader> reader_;
  std::string image_id_;
};

struct TempFile {
  std::string path;
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};
}  // namespace

void RegisterImages(Api& api) {
  api.Add(
      "POST", "/:ws/:project/upload", Access::kApi,
      [](Ctx& c) {
        std::string name;
        if (auto* q = c.req.Query("name")) name = *q;
        std::string_view ctype = c.req.Header("content-type");
        bool multipart = ctype.rfind("multipart/form-data", 0) == 0;
        std::string declared(ctype);  // the media type the client gave the image, if any
        if (!c.req.body_file.empty()) {
          // The server streamed the body to a file (and removes it after this answer).
          domain::UploadedFile file{c.req.body_file, c.req.body_file_size, c.req.body_file_sha256};
          TempFile part_file;
          if (multipart) {
            part_file.path = c.req.body_file + ".part";
            auto part = ExtractMultipartField(ctype, c.req.body_file, "file", part_file.path);
            if (!part) return ErrorResponse(core::Error::Invalid("The multipart body has no 'file' field."));
            file = {part_file.path, part->size, part->sha256};
            if (name.empty()) name = part->filename;
            declared = part->content_type;
          }
          if (file.size == 0) return ErrorResponse(core::Error::Invalid("The upload is empty."));
          LIMBO_HTTP_TRY(auto r, c.svc.content.UploadFile(c.A(), c.Param("project"), name, file, declared));
          Json j{{"image", ToJson(r.image)}};
          if (r.duplicate) j["duplicate"] = true;
          return JsonResponse(r.duplicate ? 200 : 201, j);
        }
        // A body in memory (Api::Handle called without the server's admit hook: fuzzing, tools).
        std::string_view bytes = c.req.body;
        if (multipart) {
          auto part = FindMultipartField(ctype, c.req.body, "file");
          if (!part) return ErrorResponse(core::Error::Invalid("The multipart body has no 'file' field."));
          bytes = part->data;
          if (name.empty()) name = part->filename;
          declared = part->content_type;
        }
        if (bytes.empty()) return ErrorResponse(core::Error::Invalid("The upload is empty."));
        LIMBO_HTTP_TRY(auto r, c.svc.content.Upload(c.A(), c.Param("project"), name, bytes, declared));
        Json j{{"image", ToJson(r.image)}};
        if (r.duplicate) j["duplicate"] = true;
        return JsonResponse(r.duplicate ? 200 : 201, j);
      },
      BodyKind::kUploadFile);

  api.Add("POST", "/:ws/:project/images", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto ids, OptStrings(body, "images"));
    if (!ids) return ErrorResponse(core::Error::Invalid("Field 'images' is required."));
    LIMBO_HTTP_TRY(int linked, c.svc.content.LinkImages(c.A(), c.Param("project"), *ids));
    LIMBO_HTTP_TRY(auto p, c.svc.content.GetProject(c.A(), c.Param("project")));
    return JsonResponse(200, Json{{"linked", linked}, {"project", ToJson(p, c.A().workspace.url)}});
  });

  api.Add("GET", "/:ws/images", Access::kApi, [](Ctx& c) {
    std::optional<std::string> project;
    if (auto* q = c.req.Query("project")) project = *q;
    // The cursor is the last image id of the page before.
    LIMBO_HTTP_TRY(auto page, ReadPage(c.req, {.fallback = 100, .min = 1, .max = 1000}));
    LIMBO_HTTP_TRY(auto list, c.svc.content.ListImages(c.A(), project, page.limit, page.cursor));
    Json out = Json::array();
    for (const auto& i : list.items) out.push_back(ToJson(i));
    Json next = nullptr;
    if (list.more) next = list.items.back().id;
    return JsonResponse(200, Json{{"images", out}, {"nextCursor", next}});
  });

  api.Add("GET", "/:ws/images/:id", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto img, c.svc.content.GetImage(c.A(), c.Param("id")));
    return JsonResponse(200, Json{{"image", ToJson(img)}});
  });

  api.Add("GET", "/:ws/images/:id/content", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto img, c.svc.content.GetImage(c.A(), c.Param("id")));
    auto size = static_cast<std::uint64_t>(std::max<std::int64_t>(img.size_bytes, 0));
    std::string etag = "\"" + img.sha256 + "\"";
    auto dress = [&](Response& r) {
      r.SetHeader("Accept-Ranges", "bytes");
      r.SetHeader("ETag", etag);
      r.SetHeader("Cache-Control", "private, max-age=86400, immutable");
    };
    if (std::string_view inm = c.req.Header("if-none-match"); !inm.empty() && IfNoneMatchMatches(inm, etag)) {
      Response r;
      r.status = 304;
      r.content_type.clear();
      dress(r);
      return r;
    }
    // A Range under an If-Range that names other bytes is ignored: the whole image.
    std::string_view if_range = c.req.Header("if-range");
    RangeChoice range;
    if (if_range.empty() || if_range == etag) range = ParseRange(c.req.Header("range"), size);
    if (range.kind == RangeChoice::kUnsatisfiable) {
      Response r = ErrorResponse(
          core::Error::Invalid("The range asked for is not within the image's " + std::to_string(size) + " bytes.",
                               "range_not_satisfiable")
              .WithHint("Ask for bytes=FIRST-LAST with FIRST below the image's size."));
      r.status = 416;
      r.SetHeader("Content-Range", "bytes */" + std::to_string(size));
      dress(r);
      return r;
    }
    std::uint64_t offset = range.kind == RangeChoice::kPartial ? range.first : 0;
    std::uint64_t length = range.kind == RangeChoice::kPartial ? range.last - range.first + 1 : size;
    bool head = c.req.method == "HEAD";
    LIMBO_HTTP_TRY(auto bytes, c.svc.content.OpenImageContent(img, offset, head ? 0 : length));
    Response r;
    r.content_type = bytes.media_type;
    r.source = std::make_shared<BlobBody>(std::move(bytes.reader), img.id);
    r.source_size = length;
    if (range.kind == RangeChoice::kPartial) {
      r.status = 206;
      r.SetHeader("Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
                                       std::to_string(size));
    }
    dress(r);
    return r;
  });
}

}  // namespace limbo::http::handlers
