#include "app/demo.h"

#include <stb/stb_image_write.h>

#include <vector>

namespace limbo::app {

using core::Ok;
using core::Result;

namespace {

void AppendBytes(void* ctx, void* data, int size) {
  auto* out = static_cast<std::string*>(ctx);
  out->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

// A small PNG with a gradient and a colored square, different for every seed.
std::string DemoPng(int seed) {
  constexpr int kW = 96, kH = 72;
  std::vector<unsigned char> px(kW * kH * 3);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      unsigned char* p = &px[(y * kW + x) * 3];
      p[0] = static_cast<unsigned char>((x * 2 + seed * 37) % 256);
      p[1] = static_cast<unsigned char>((y * 3 + seed * 91) % 256);
      p[2] = static_cast<unsigned char>((seed * 53) % 256);
      int cx = 20 + (seed * 13) % 50, cy = 15 + (seed * 7) % 35;
      if (x > cx && x < cx + 22 && y > cy && y < cy + 18) p[0] = p[1] = p[2] = 250;
    }
  }
  std::string out;
  stbi_write_png_to_func(AppendBytes, &out, kW, kH, 3, px.data(), kW * 3);
  return out;
}

domain::Actor OwnerActor(domain::AccountService& accounts, const std::string& key, const std::string& ws) {
  auto p = accounts.AuthenticateApiKey(key);
  return accounts.ResolveActor(*p, ws).value();
}

}  // namespace

Result<DemoLogin> SeedDemo(domain::Store& store, domain::BlobStore& blobs, domain::ModelArtifacts& models,
                           core::TimeMs now) {
  core::ManualClock clock(now - 30 * core::kDayMs);
  domain::AccountService accounts(store, clock);
  domain::ContentService content(store, blobs, clock);
  domain::TrainingService training(store, models, clock, 20 * 60 * core::kSecondMs);
  domain::TrashService trash(store, blobs, models, clock);

  DemoLogin login{"demo", "owner@demo.limbo", "limbo-demo-password", "", false};
  auto boot = accounts.Bootstrap(login.workspace, login.email, login.password, "Demo Owner");
  if (!boot) {
    if (boot.error().code == "url_taken") return login;  // seeded on an earlier start
    return core::Fail(std::move(boot).error());
  }
  login.created = true;
  login.api_key = boot->api_key;
  domain::Actor owner = OwnerActor(accounts, boot->api_key, login.workspace);

  LIMBO_TRY(auto wildlife, accounts.CreateGroup(owner, "Wildlife"));
  LIMBO_TRY(auto factory, accounts.CreateGroup(owner, "Factory"));
  struct Spec {
    const char* name;
    const char* type;
    std::string group;
    int images;
  };
  std::vector<Spec> specs = {{"Bird Species", "single-label-classification", wildlife.id, 12},
                             {"Forest Cameras", "object-detection", wildlife.id, 10},
                             {"Weld Defects", "instance-segmentation", factory.id, 8},
                             {"Old Experiments", "object-detection", "", 6},
                             {"Parking Lots", "object-detection", "", 5}};
  int seed = 1;
  for (const auto& s : specs) {
    domain::NewProject np{s.name, s.type, s.name, std::nullopt, std::nullopt};
    if (!s.group.empty()) np.group = s.group;
    LIMBO_TRY(auto p, content.CreateProject(owner, np));
    for (int i = 0; i < s.images; ++i, ++seed) {
      LIMBO_RETURN_IF_ERROR(content.Upload(owner, p.url, "img_" + std::to_string(seed) + ".png", DemoPng(seed)));
    }
  }
  // Forest Cameras shares a few images with Bird Species.
  LIMBO_TRY(auto birds, content.ListImages(owner, std::string("bird-species"), 4, std::nullopt));
  std::vector<std::string> shared;
  for (const auto& img : birds.items) shared.push_back(img.id);
  LIMBO_RETURN_IF_ERROR(content.LinkImages(owner, "forest-cameras", shared));

  for (const char* url : {"bird-species", "forest-cameras", "weld-defects", "old-experiments"}) {
    LIMBO_RETURN_IF_ERROR(content.GenerateVersion(owner, url, std::nullopt));
  }
  LIMBO_RETURN_IF_ERROR(content.GenerateVersion(owner, "bird-species", std::string("balanced")));
  LIMBO_RETURN_IF_ERROR(content.GenerateVersion(owner, "weld-defects", std::nullopt));

  // A finished job with a serving model: twenty minutes of training, a day ago in the story.
  LIMBO_RETURN_IF_ERROR(training.Start(owner, "bird-species", 1));
  LIMBO_RETURN_IF_ERROR(training.Tick());
  clock.Advance(30 * 60 * core::kSecondMs);
  LIMBO_RETURN_IF_ERROR(training.Tick());

  LIMBO_RETURN_IF_ERROR(
      content.CreateWorkflow(owner, {"Count Birds", std::nullopt, R"({"steps":["detect","count"]})"}));
  LIMBO_RETURN_IF_ERROR(
      content.CreateWorkflow(owner, {"Weld QA", std::nullopt, R"({"steps":["segment","classify"]})"}));
  LIMBO_RETURN_IF_ERROR(content.CreateWorkflow(owner, {"Legacy Export", std::nullopt, R"({"steps":["export"]})"}));

  LIMBO_RETURN_IF_ERROR(accounts.AddMemberLocal(owner.workspace.url, "member@demo.limbo", "Demo Member",
                                                "limbo-demo-password", std::string(domain::kMemberRole)));

  // Trash items deleted 28, 9 and 1 days before now (2, 21 and 29 days left).
  clock.Set(now - 28 * core::kDayMs);
  LIMBO_RETURN_IF_ERROR(trash.TrashProject(owner, "old-experiments", true));
  clock.Set(now - 9 * core::kDayMs);
  LIMBO_RETURN_IF_ERROR(trash.TrashVersion(owner, "weld-defects", 1));
  clock.Set(now - 1 * core::kDayMs);
  LIMBO_RETURN_IF_ERROR(trash.TrashWorkflow(owner, "legacy-export"));
  return login;
}

}  // namespace limbo::app
