// Unit tests of the CLI's pieces that need no server: references, settings, tables, formats,
// confirmations.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "format.h"
#include "object_ref.h"
#include "session.h"
#include "settings.h"
#include "table.h"
#include "terminal.h"

namespace limbo::cli {
namespace {

TEST(ParseRef, ReadsFullAndShortProjectReferences) {
  auto full = ParseRef("acme/cats", RefKind::kProject);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->workspace, "acme");
  EXPECT_EQ(full->name, "cats");
  auto short_ref = ParseRef("cats", RefKind::kProject);
  ASSERT_TRUE(short_ref);
  EXPECT_EQ(short_ref->workspace, "");
  EXPECT_EQ(short_ref->ToString(), "cats");
}

TEST(ParseRef, ReadsVersionsWithOrWithoutWorkspace) {
  auto full = ParseRef("acme/cats/3", RefKind::kVersion);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->workspace, "acme");
  EXPECT_EQ(full->name, "cats");
  EXPECT_EQ(full->version, "3");
  auto short_ref = ParseRef("cats/12", RefKind::kVersion);
  ASSERT_TRUE(short_ref);
  EXPECT_EQ(short_ref->workspace, "");
  EXPECT_EQ(short_ref->version, "12");
}

TEST(ParseRef, RejectsMalformedReferencesWithExitCode1) {
  for (const char* text : {"", "/", "acme//cats", "a/b/c", "acme/"}) {
    auto ref = ParseRef(text, RefKind::kProject);
    ASSERT_FALSE(ref) << text;
    EXPECT_EQ(ref.error().exit_code, kExitError);
  }
  for (const char* text : {"cats", "acme/cats/x", "acme/cats/0", "acme/cats/-1", "acme/cats/03", "a/b/c/4"}) {
    EXPECT_FALSE(ParseRef(text, RefKind::kVersion)) << text;
  }
}

TEST(ParseRef, ReadsTrainingRunsByVersionAndIdOrByIdAlone) {
  auto full = ParseRef("acme/cats/3/j_4k2m9", RefKind::kTraining);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->workspace, "acme");
  EXPECT_EQ(full->name, "cats");
  EXPECT_EQ(full->version, "3");
  EXPECT_EQ(full->training, "j_4k2m9");
  EXPECT_EQ(full->ToString(), "acme/cats/3/j_4k2m9");
  auto short_ref = ParseRef("cats/3/j_1", RefKind::kTraining);
  ASSERT_TRUE(short_ref);
  EXPECT_EQ(short_ref->workspace, "");
  EXPECT_EQ(short_ref->ToString(), "cats/3/j_1");
  auto by_id = ParseRef("acme/j_1", RefKind::kTraining);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->workspace, "acme");
  EXPECT_EQ(by_id->name, "");
  EXPECT_EQ(by_id->training, "j_1");
  EXPECT_EQ(by_id->ToString(), "acme/j_1");
  for (const char* text : {"", "acme/cats/x/j_1", "acme/cats/0/j_1", "a/b/3/c/d", "acme/cats/3/", "acme//j_1"}) {
    EXPECT_FALSE(ParseRef(text, RefKind::kTraining)) << text;
  }
}

TEST(Format, EpochSecondsReadAsUtcMinutes) {
  EXPECT_EQ(FormatEpochSeconds(0), "1970-01-01 00:00 UTC");
  EXPECT_EQ(FormatEpochSeconds(1796125951), "2026-12-01 11:52 UTC");
}

TEST(ConfigPath, UsesXdgConfigHomeElseHomeDotConfig) {
  Environment env;
  env.home = "/home/u";
  EXPECT_EQ(ConfigPath(env), "/home/u/.config/limbo/config.json");
  env.xdg_config_home = "/x";
  EXPECT_EQ(ConfigPath(env), "/x/limbo/config.json");
  env.xdg_config_home = "relative";  // not absolute: ignored, as the XDG spec says
  EXPECT_EQ(ConfigPath(env), "/home/u/.config/limbo/config.json");
}

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("limbo-cli-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    env_.xdg_config_home = dir_.string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  Environment env_;
};

TEST_F(SettingsTest, WritesTheConfigWithMode0600EvenOverAWiderFile) {
  auto path = ConfigPath(env_);
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "{}";
  ::chmod(path.c_str(), 0644);

  ASSERT_TRUE(WriteConfig(path, ConfigFile{"http://h:1", "lk_secret"}));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto read = ReadConfig(path);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->api_url, "http://h:1");
  EXPECT_EQ(read->api_key, "lk_secret");
}

TEST_F(SettingsTest, EnvironmentWinsOverTheConfigFileWhichWinsOverTheDefault) {
  auto defaults = LoadSettings(env_);
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->api_url, kDefaultApiUrl);
  EXPECT_EQ(defaults->api_key, "");

  ASSERT_TRUE(WriteConfig(ConfigPath(env_), ConfigFile{"http://saved:1/", "lk_saved"}));
  auto saved = LoadSettings(env_);
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->api_url, "http://saved:1");
  EXPECT_EQ(saved->key_source, "config file");

  env_.api_url = "http://env:2";
  env_.api_key = "lk_env";
  auto overridden = LoadSettings(env_);
  ASSERT_TRUE(overridden);
  EXPECT_EQ(overridden->api_url, "http://env:2");
  EXPECT_EQ(overridden->api_key, "lk_env");
  EXPECT_EQ(overridden->key_source, "LIMBO_API_KEY");
}

TEST_F(SettingsTest, ABrokenConfigFileIsAnErrorNotAnEmptyConfig) {
  auto path = ConfigPath(env_);
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "not json";
  auto settings = LoadSettings(env_);
  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().code, "invalid_config");
}

TEST(Table, PadsColumnsToTheWidestCellWithoutTrailingSpaces) {
  Table table({"A", "NAME"});
  table.AddRow({"long-value", "x"});
  table.AddRow({"é", ""});
  std::ostringstream out;
  table.Print(out, "  ");
  EXPECT_EQ(out.str(),
            "  A           NAME\n"
            "  long-value  x\n"
            "  é\n");
}

TEST(Format, BytesAndTimesReadWell) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(50ull << 20), "50 MiB");
  EXPECT_EQ(FormatTime("2026-11-27T04:08:08Z"), "2026-11-27 04:08 UTC");
  EXPECT_EQ(FormatTime("soon"), "soon");
  EXPECT_EQ(Days(1), "1 day");
  EXPECT_EQ(Days(30), "30 days");
}

TEST(Format, FieldFallsBackOnMissingNullOrMistypedValues) {
  auto answer = nlohmann::json::parse(R"({"items": [1], "job": null, "flag": true, "text": "x"})");
  EXPECT_EQ(Field(answer, "items", nlohmann::json::array()).size(), 1u);
  EXPECT_TRUE(Field(answer, "job", nlohmann::json::object()).empty());
  EXPECT_TRUE(Field(answer, "text", nlohmann::json::array()).empty());
  EXPECT_TRUE(Field(nlohmann::json(), "items", nlohmann::json::array()).empty());
  EXPECT_TRUE(Flag(answer, "flag"));
  EXPECT_FALSE(Flag(answer, "text"));
  EXPECT_FALSE(Flag(answer, "job"));
}

class ScriptedTerminal : public Terminal {
 public:
  ScriptedTerminal(bool tty, std::optional<std::string> answer) : tty_(tty), answer_(std::move(answer)) {}
  bool StdinIsTerminal() const override { return tty_; }
  bool StdoutIsTerminal() const override { return tty_; }
  std::optional<std::string> Ask(const std::string& question) override {
    asked_ = question;
    return answer_;
  }
  std::optional<std::string> AskSecret(const std::string& question) override { return Ask(question); }
  std::string asked_;

 private:
  bool tty_;
  std::optional<std::string> answer_;
};

struct ConfirmCase {
  bool tty;
  std::optional<std::string> answer;
  bool yes;
  bool ok;
  bool confirmed;
};

TEST(Session, ConfirmAsksOnATerminalAndRefusesWithoutOne) {
  const ConfirmCase cases[] = {
      {true, "y", false, true, true},
      {true, "YES", false, true, true},
      {true, "n", false, true, false},
      {true, "", false, true, false},
      {true, std::nullopt, false, true, false},
      {false, "y", false, false, false},        // no terminal, no --yes: refused, never asked
      {false, std::nullopt, true, true, true},  // --yes: never asked
  };
  for (const auto& c : cases) {
    ScriptedTerminal terminal(c.tty, c.answer);
    std::ostringstream out, err;
    Context context{Environment{}, terminal, out, err};
    CommonOptions common;
    Session session(context, common);
    auto confirmed = session.Confirm("Move it?", c.yes);
    ASSERT_EQ(static_cast<bool>(confirmed), c.ok);
    if (c.ok) {
      EXPECT_EQ(*confirmed, c.confirmed);
    } else {
      EXPECT_EQ(confirmed.error().exit_code, kExitError);
      EXPECT_NE(confirmed.error().hint.find("--yes"), std::string::npos);
      EXPECT_EQ(terminal.asked_, "");
    }
  }
}

TEST(Session, JsonModeReportsErrorsOnStdoutAsJson) {
  ScriptedTerminal terminal(false, std::nullopt);
  std::ostringstream out, err;
  Context context{Environment{}, terminal, out, err};
  CommonOptions common;
  common.json = true;
  Session session(context, common);
  client::ApiError error{404, "in_trash", "That project is in the Trash.", ""};
  EXPECT_EQ(session.Report(error), kExitNotFound);
  auto printed = nlohmann::json::parse(out.str());
  EXPECT_EQ(printed["error"]["code"], "in_trash");
  EXPECT_EQ(printed["error"]["status"], 404);
  EXPECT_NE(err.str().find("That project is in the Trash."), std::string::npos);
}

TEST(Failure, MapsStatusesToExitCodes) {
  EXPECT_EQ(Failure::FromApi({401, "unauthorized", "No.", ""}).exit_code, kExitAuth);
  EXPECT_EQ(Failure::FromApi({404, "not_found", "No.", ""}).exit_code, kExitNotFound);
  EXPECT_EQ(Failure::FromApi({403, "forbidden", "No.", ""}).exit_code, kExitError);
  EXPECT_EQ(Failure::FromApi({409, "restore_conflict", "No.", ""}).exit_code, kExitError);
  EXPECT_EQ(Failure::FromApi(client::ApiError::Network("refused")).exit_code, kExitError);
}

TEST(Session, NoApiKeyFailsWithExitCode2) {
  ScriptedTerminal terminal(false, std::nullopt);
  std::ostringstream out, err;
  Environment env;
  env.xdg_config_home = "/nonexistent-limbo-test";
  Context context{env, terminal, out, err};
  CommonOptions common;
  Session session(context, common);
  auto client = session.Connect();
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().exit_code, kExitAuth);
}

}  // namespace
}  // namespace limbo::cli
