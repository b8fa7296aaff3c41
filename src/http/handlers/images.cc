#include <unistd.h>

#include "http/handlers/handlers.h"
#include "http/multipart.h"
#include "http/paging.h"

namespace limbo::http::handlers {

namespace {
// A file removed when the handler returns.
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
    LIMBO_HTTP_TRY(auto bytes, c.svc.content.ImageContent(c.A(), c.Param("id")));
    Response r;
    r.body = std::move(bytes);
    auto dot = img.name.rfind('.');
    std::string ext = dot == std::string::npos ? "" : img.name.substr(dot + 1);
    if (r.body.rfind("\x89PNG", 0) == 0) {
      r.content_type = "image/png";
    } else if (r.body.rfind("\xff\xd8", 0) == 0) {
      r.content_type = "image/jpeg";
    } else if (r.body.rfind("GIF", 0) == 0) {
      r.content_type = "image/gif";
    } else {
      r.content_type = "image/bmp";
    }
    r.SetHeader("Cache-Control", "private, max-age=86400, immutable");
    r.SetHeader("ETag", "\"" + img.sha256 + "\"");
    return r;
  });
}

}  // namespace limbo::http::handlers
