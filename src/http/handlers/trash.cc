#include "core/time_format.h"
#include "http/handlers/handlers.h"
#include "http/json_writer.h"
#include "http/paging.h"

namespace limbo::http::handlers {

namespace {

core::Result<domain::ItemRef> ParseRef(const Json& j) {
  if (!j.is_object()) return core::Error::Invalid("Each item must be an object with 'type' and 'id'.");
  domain::ItemRef r;
  LIMBO_TRY(std::string type, ReqString(j, "type"));
  auto t = domain::ParseItemType(type);
  if (!t) return core::Error::Invalid("Field 'type' must be 'project', 'version', 'training' or 'workflow'.");
  r.type = *t;
  auto id = j.find("id");
  if (id == j.end() || !(id->is_string() || id->is_number_integer())) {
    return core::Error::Invalid("Field 'id' is required (a string, or a version number).");
  }
  r.id = id->is_string() ? id->get<std::string>() : std::to_string(id->get<std::int64_t>());
  LIMBO_TRY(r.parent_id, OptString(j, "parentId"));
  LIMBO_TRY(r.new_url, OptString(j, "url"));
  return r;
}

core::Result<std::vector<domain::ItemRef>> ParseRefs(const Json& body) {
  auto items = body.find("items");
  if (items == body.end() || !items->is_array()) return core::Error::Invalid("Field 'items' must be an array.");
  if (items->size() > 10000) return core::Error::Invalid("At most 10000 items per request.");
  std::vector<domain::ItemRef> refs;
  for (const auto& j : *items) {
    LIMBO_TRY(auto r, ParseRef(j));
    refs.push_back(std::move(r));
  }
  return refs;
}

core::Result<domain::TrashQuery> ParseTrashQuery(const Request& req) {
  domain::TrashQuery q;
  if (auto* t = req.Query("type"); t && !t->empty()) {
    auto type = domain::ParseItemType(*t);
    if (!type) return core::Error::Invalid("Query parameter 'type' must be project, version, training or workflow.");
    q.type = type;
  }
  if (auto* s = req.Query("q")) {
    if (s->size() > 200) return core::Error::Invalid("Query parameter 'q' is too long.");
    q.q = *s;
  }
  if (auto* s = req.Query("sort"); s && !s->empty()) {
    if (*s == "deletedAt") {
      q.sort = domain::TrashSort::kDeletedAt;
    } else if (*s == "scheduledCleanupAt") {
      q.sort = domain::TrashSort::kScheduledCleanupAt;
    } else if (*s == "name") {
      q.sort = domain::TrashSort::kName;
    } else {
      return core::Error::Invalid("Query parameter 'sort' must be deletedAt, scheduledCleanupAt or name.");
    }
  }
  // Without `limit`, up to 1 000 items: Roboflow's client never sends one and never follows `nextCursor`.
  LIMBO_TRY(auto page, ReadPage(req, {.fallback = domain::kTrashPageMax,
                                      .min = 1,
                                      .max = domain::kTrashPageMax,
                                      .out_of_range = LimitRule::OutOfRange::kReject}));
  q.limit = page.limit;
  if (page.cursor) {
    bool numeric_key = q.sort != domain::TrashSort::kName;
    LIMBO_TRY(auto cursor, ParseCursor(*page.cursor, [numeric_key](const std::string& key) {
                return !numeric_key ||
                       (!key.empty() && key.find_first_not_of("0123456789-") == std::string::npos && key.size() <= 19);
              }));
    q.after_key = cursor.key;
    q.after_id = cursor.id;
  }
  return q;
}

std::string CursorKey(const domain::TrashItem& t, domain::TrashSort sort) {
  switch (sort) {
    case domain::TrashSort::kDeletedAt:
      return std::to_string(t.deleted_at);
    case domain::TrashSort::kScheduledCleanupAt:
      return std::to_string(t.cleanup_at);
    case domain::TrashSort::kName:
      return t.name;
  }
  return {};
}

void WakeCleanup(Ctx& c) {
  if (c.svc.background) c.svc.background->Wake();
}

}  // namespace

Json TrashedJson(const Ctx& c, const domain::TrashedResult& r, const char* type) {
  return Json{{"deleted", true},
              {"type", type},
              {"workspace", c.A().workspace.url},
              {"trash", true},
              {"scheduledCleanupAt", core::FormatIso8601(r.item.cleanup_at)}};
}

void RegisterTrash(Api& api) {
  api.Add("GET", "/:ws/trash", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto q, ParseTrashQuery(c.req));
    LIMBO_HTTP_TRY(auto listing, c.svc.trash.List(c.A(), q));
    // Written straight to text: building a JSON tree of 50 items cost most of the request.
    std::vector<std::string> items;
    items.reserve(listing.page.items.size());
    for (const auto& t : listing.page.items) items.push_back(TrashItemJsonText(t, listing.now));
    JsonWriter w;
    w.BeginObject().Key("items").BeginArray();
    for (const auto& j : items) w.Raw(j);
    w.EndArray().Key("sections").BeginObject();
    for (auto [type, key] :
         {std::pair{domain::ItemType::kProject, "projects"}, std::pair{domain::ItemType::kVersion, "versions"},
          std::pair{domain::ItemType::kWorkflow, "workflows"}, std::pair{domain::ItemType::kTraining, "trainings"}}) {
      w.Key(key).BeginArray();
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (listing.page.items[i].type == type) w.Raw(items[i]);
      }
      w.EndArray();
    }
    const auto& u = listing.counts;
    w.EndObject().Key("counts").BeginObject();
    w.Key("projects").Int(u.trash_projects).Key("versions").Int(u.trash_versions);
    w.Key("workflows").Int(u.trash_workflows).Key("trainings").Int(u.trash_trainings);
    w.Key("total").Int(u.trash_items).EndObject();
    w.Key("nextCursor");
    if (listing.page.more && !listing.page.items.empty()) {
      const auto& last = listing.page.items.back();
      w.String(EncodeCursor(CursorKey(last, q.sort), last.id));
    } else {
      w.Null();
    }
    w.EndObject();
    Response r;
    r.body = w.Take();
    return r;
  });

  // What cleanup removes for good on each of the next 30 days (UTC), for the Trash page's timeline.
  api.Add("GET", "/:ws/trash/timeline", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto timeline, c.svc.trash.Timeline(c.A()));
    Json days = Json::array();
    for (const auto& d : timeline.days) {
      days.push_back(
          Json{{"date", core::FormatIso8601(d.day * 86400000).substr(0, 10)}, {"items", d.items}, {"bytes", d.bytes}});
    }
    return JsonResponse(
        200, Json{{"days", std::move(days)}, {"timeZone", "UTC"}, {"now", core::FormatIso8601(timeline.now)}});
  });

  api.Add("POST", "/:ws/trash/restore", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    if (body.contains("items")) {
      LIMBO_HTTP_TRY(auto refs, ParseRefs(body));
      return JsonResponse(200, BatchJson(c.svc.trash.RestoreMany(c.A(), refs), "restored"));
    }
    LIMBO_HTTP_TRY(auto ref, ParseRef(body));
    LIMBO_HTTP_CHECK(c.svc.trash.Restore(c.A(), ref));
    return JsonResponse(200, Json{{"restored", true}, {"type", domain::ItemTypeName(ref.type)}, {"id", ref.id}});
  });

  api.Add("POST", "/:ws/trash/restore-all", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto result, c.svc.trash.RestoreAll(c.A()));
    return JsonResponse(200, BatchJson(result, "restored"));
  });

  // Web-only permanent deletion (T11): a session and its CSRF token; API keys are refused by Access.
  // Sudo mode on top: the password entered in this session within the last few minutes.
  api.Add("POST", "/app/api/:ws/trash/delete", Access::kWebOnly, [](Ctx& c) {
    LIMBO_HTTP_CHECK(c.svc.accounts.RequireRecentPassword(*c.principal));
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto refs, ParseRefs(body));
    auto result = c.svc.trash.DeletePermanently(c.A(), refs);
    WakeCleanup(c);
    return JsonResponse(200, BatchJson(result, "deleted"));
  });

  api.Add("POST", "/app/api/:ws/trash/empty", Access::kWebOnly, [](Ctx& c) {
    LIMBO_HTTP_CHECK(c.svc.accounts.RequireRecentPassword(*c.principal));
    LIMBO_HTTP_TRY(Json body, c.Body());
    LIMBO_HTTP_TRY(auto confirm, OptString(body, "confirm"));
    LIMBO_HTTP_TRY(auto result, c.svc.trash.EmptyTrash(c.A(), confirm.value_or("")));
    WakeCleanup(c);
    return JsonResponse(200, BatchJson(result, "deleted"));
  });
}

}  // namespace limbo::http::handlers
