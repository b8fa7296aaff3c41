#include "http/handlers/handlers.h"

namespace limbo::http::handlers {

namespace {
Json MemberJson(const std::pair<domain::Member, domain::Role>& m) { return ToJson(m.first, m.second); }
}  // namespace

void RegisterMembers(Api& api) {
  // Members and invitations: members join only by accepting an invitation in the web app (T17).
  api.Add("GET", "/:ws/members", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(auto list, c.svc.accounts.ListMembers(c.A()));
    LIMBO_HTTP_TRY(auto invitations, c.svc.accounts.ListInvitations(c.A()));
    Json out = Json::array();
    for (const auto& m : list) out.push_back(MemberJson(m));
    for (const auto& v : invitations) out.push_back(ToJson(v));
    return JsonResponse(200, out);
  });
  api.Add("POST", "/:ws/members", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    for (const char* field : {"password", "name"}) {
      if (body.contains(field)) {
        return ErrorResponse(core::Error::Invalid(std::string("Field '") + field +
                                                      "' is not accepted: members join by invitation and choose "
                                                      "their own name and password when they accept it.",
                                                  "invitation_only")
                                 .WithHint("Send {\"email\", \"role\"}; operators can use `limbod member add`."));
      }
    }
    LIMBO_HTTP_TRY(auto email, ReqString(body, "email"));
    LIMBO_HTTP_TRY(auto role, OptString(body, "role"));
    LIMBO_HTTP_TRY(auto inv, c.svc.accounts.Invite(c.A(), email, role.value_or(std::string(domain::kMemberRole))));
    Json j = ToJson(inv.view);
    if (!inv.token.empty()) j["inviteUrl"] = InviteUrl(inv.token);
    return JsonResponse(201, j);
  });
  api.Add("PATCH", "/:ws/members/:email", Access::kApi, [](Ctx& c) {
    LIMBO_HTTP_TRY(Json body, c.Body());
    if (body.contains("name")) {
      return ErrorResponse(core::Error::Invalid(
          "A workspace changes only a member's role; the name belongs to the person's account.", "account_field"));
    }
    domain::MemberPatch patch;
    LIMBO_HTTP_TRY(patch.role, OptString(body, "role"));
    LIMBO_HTTP_TRY(auto m, c.svc.accounts.PatchMember(c.A(), c.Param("email"), patch));
    return JsonResponse(200, MemberJson(m));
  });
  api.Add("DELETE", "/:ws/members/:email", Access::kApi, [](Ctx& c) {
    auto removed = c.svc.accounts.RemoveMember(c.A(), c.Param("email"));
    if (!removed && removed.error().code == "not_found") {
      // Not a member: perhaps a pending invitation, which this revokes.
      LIMBO_HTTP_TRY(bool revoked, c.svc.accounts.RevokeInvitation(c.A(), c.Param("email")));
      if (revoked) return JsonResponse(200, Json{{"revoked", true}, {"email", c.Param("email")}});
    }
    LIMBO_HTTP_CHECK(removed);
    return JsonResponse(200, Json{{"removed", true}, {"email", c.Param("email")}});
  });
}

}  // namespace limbo::http::handlers
