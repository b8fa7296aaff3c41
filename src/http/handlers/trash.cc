#include <algorithm>
#include <limits>
#include <memory>

#include "core/clock.h"
#include "core/crypto.h"
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

// Everything a listing's bytes depend on besides the time: the workspace and its Trash generation,
// the caller's view (a different role or credential kind never shares a page) and the query.
std::string ListingKey(const domain::Actor& a, std::int64_t generation, const domain::TrashQuery& q) {
  std::string k = std::to_string(a.workspace.id);
  k += '|';
  k += std::to_string(generation);
  k += '|';
  k += a.role.permissions.Key();
  k += a.via_api_key ? "|key|" : "|session|";
  k += q.type ? domain::ItemTypeName(*q.type) : "";
  k += '|';
  k += std::to_string(static_cast<int>(q.sort));
  k += '|';
  k += std::to_string(q.limit);
  k += '|';
  k += q.after_key ? "k" + *q.after_key : "-";
  k += '|';
  k += q.after_id ? std::to_string(*q.after_id) : "-";
  k += '|';
  k += q.q;  // last: it may hold '|'
  return k;
}

// The first moment one of the page's `daysRemaining` would change.
core::TimeMs ValidUntil(const domain::TrashListing& listing) {
  core::TimeMs until = std::numeric_limits<core::TimeMs>::max();
  for (const auto& t : listing.page.items) {
    core::TimeMs left = t.cleanup_at - listing.now;
    if (left <= 0) continue;  // 0 days from now on
    core::TimeMs days = (left + core::kDayMs - 1) / core::kDayMs;
    until = std::min(until, t.cleanup_at - (days - 1) * core::kDayMs);
  }
  return until;
}

// Strong, opaque, and different after a restart of this server (its pages may have changed while
// it was down in ways a generation number alone would not tell, e.g. a restored backup).
std::string ListingETag(const std::string& key, core::TimeMs valid_until) {
  static const std::string kBoot = core::RandomToken(12);
  return "\"" + core::Sha256Hex(kBoot + '\n' + key + '\n' + std::to_string(valid_until)).substr(0, 32) + "\"";
}

// Whether If-None-Match names this entity tag (RFC 9110 13.1.2: weak comparison, a list, or "*").
bool NoneMatchHits(std::string_view header, std::string_view etag) {
  if (header.empty()) return false;
  std::size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == '\t' || header[i] == ',')) ++i;
    if (i >= header.size()) break;
    if (header[i] == '*') return true;
    if (header.substr(i, 2) == "W/") i += 2;
    std::size_t end = header.find(',', i);
    std::string_view tag = header.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == etag) return true;
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return false;
}

// 304 when the caller has these bytes already, else the page. Either way the caller may keep it
// but must ask again before using it (`no-cache`), and only for itself (`private`).
Response Conditional(const Request& req, const std::shared_ptr<const domain::ListingCache::Page>& page) {
  Response r;
  if (NoneMatchHits(req.Header("if-none-match"), page->etag)) {
    r.status = 304;
  } else {
    r.shared_body = std::shared_ptr<const std::string>(page, &page->body);  // the cache's bytes, not a copy
  }
  r.SetHeader("ETag", page->etag);
  r.SetHeader("Cache-Control", "private, no-cache");
  r.SetHeader("Vary", "Authorization, Cookie");
  return r;
}

// The listing as JSON text: building a JSON tree of 50 items cost most of the request. Each item
// is written once; the sections copy its bytes.
std::string ListingText(const domain::TrashListing& listing, const domain::TrashQuery& q) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  spans.reserve(listing.page.items.size());
  JsonWriter w;
  w.Reserve(1024 + 2 * 900 * listing.page.items.size());
  w.BeginObject().Key("items").BeginArray();
  for (const auto& t : listing.page.items) {
    std::size_t from = w.size() + (spans.empty() ? 0 : 1);  // after the comma
    WriteTrashItemJson(w, t, listing.now);
    spans.emplace_back(from, w.size());
  }
  w.EndArray().Key("sections").BeginObject();
  for (auto [type, key] :
       {std::pair{domain::ItemType::kProject, "projects"}, std::pair{domain::ItemType::kVersion, "versions"},
        std::pair{domain::ItemType::kWorkflow, "workflows"}, std::pair{domain::ItemType::kTraining, "trainings"}}) {
    w.Key(key).BeginArray();
    for (std::size_t i = 0; i < spans.size(); ++i) {
      if (listing.page.items[i].type == type) w.Copy(spans[i].first, spans[i].second);
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
  return w.Take();
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
    // The generation first, then the page (in the request's one read transaction): a page stored
    // under a generation is never older than it.
    LIMBO_HTTP_TRY(std::int64_t generation, c.svc.trash.ListingGeneration(c.A()));
    std::string key = ListingKey(c.A(), generation, q);
    auto& cache = c.svc.trash.listing_cache();
    if (generation <= 0) {  // no generation stored: nothing may be cached or validated
      LIMBO_HTTP_TRY(auto listing, c.svc.trash.List(c.A(), q));
      Response r;
      r.body = ListingText(listing, q);
      return r;
    }
    auto page = cache.Find(key, c.svc.trash.Now());
    if (!page) {
      LIMBO_HTTP_TRY(auto listing, c.svc.trash.List(c.A(), q));
      auto fresh = std::make_shared<domain::ListingCache::Page>();
      fresh->body = ListingText(listing, q);
      fresh->valid_until = ValidUntil(listing);
      fresh->etag = ListingETag(key, fresh->valid_until);
      page = fresh;
      cache.Put(key, std::move(fresh));
    }
    return Conditional(c.req, page);
  });

  // What cleanup removes for good on each of the next 30 days (UTC), for the Trash page's timeline.
  api.Add("GET", "/:ws/trash/timeline", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto timeline, c.svc.trash.Timeline(c.A()));
    Json days = Json::array();
    for (const auto& d : timeline.days) {
      days.push_back(Json{
          {"date", core::FormatIso8601(d.day * core::kDayMs).substr(0, 10)}, {"items", d.items}, {"bytes", d.bytes}});
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
