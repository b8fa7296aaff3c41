// limbo::app::Config over a CLI11 tree like limbod's: precedence (flags > environment > file > defaults),
// one LIMBO_* variable per flag, file errors naming the line, and masked secrets.
#include "app/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace limbo::app {
namespace {

namespace fs = std::filesystem;

// A small limbod: `serve` with the kinds of options limbod has, and `fsck` sharing --data.
struct Fixture {
  CLI::App root{"test server", "limbod"};
  std::string data, db, listen = "127.0.0.1:8080";
  int threads = 4;
  bool dev_clock = false, repair = false;
  std::vector<std::string> proxies;
  CLI::App* serve = nullptr;
  CLI::App* fsck = nullptr;

  Fixture() {
    root.require_subcommand(1);
    serve = root.add_subcommand("serve", "Run");
    serve->add_option("--data", data, "Data")->required();
    serve->add_option("--db", db, "Database URL");
    serve->add_option("--listen", listen, "Address");
    serve->add_option("--threads", threads, "Threads")->check(CLI::Range(1, 64));
    serve->add_option("--trusted-proxy", proxies, "CIDRs")->delimiter(',');
    serve->add_flag("--dev-clock", dev_clock, "Dev clock");
    fsck = root.add_subcommand("fsck", "Check");
    fsck->add_option("--data", data, "Data")->required();
    fsck->add_flag("--repair", repair, "Repair");
  }
};

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("limbo-config-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    for (const char* v : {"LIMBO_DATA", "LIMBO_DB", "LIMBO_LISTEN", "LIMBO_THREADS", "LIMBO_TRUSTED_PROXY",
                          "LIMBO_DEV_CLOCK", "LIMBO_CONFIG", "LIMBO_REPAIR", "LIMBO_API_KEY"}) {
      ::unsetenv(v);
    }
  }
  void TearDown() override {
    SetUp();
    fs::remove_all(dir_);
  }
  std::string File(const std::string& text) {
    std::string path = (dir_ / "limbod.toml").string();
    std::ofstream(path) << text;
    return path;
  }
  // Runs Config::Parse on argv (after "limbod"); returns the exit code (-1: go on) and keeps stderr/stdout.
  int Run(Fixture& f, std::vector<std::string> args) {
    config_ = std::make_unique<Config>(f.root, "serve");
    std::vector<const char*> argv{"limbod"};
    for (const auto& a : args) argv.push_back(a.c_str());
    std::stringstream err, out;
    auto* old_err = std::cerr.rdbuf(err.rdbuf());
    auto* old_out = std::cout.rdbuf(out.rdbuf());
    auto done = config_->Parse(static_cast<int>(argv.size()), argv.data());
    std::cerr.rdbuf(old_err);
    std::cout.rdbuf(old_out);
    err_ = err.str();
    out_ = out.str();
    return done ? *done : -1;
  }
  const Setting& Get(const std::string& key) {
    for (const auto& s : config_->settings()) {
      if (s.key == key) return s;
    }
    static Setting none;
    ADD_FAILURE() << "no setting " << key;
    return none;
  }

  fs::path dir_;
  std::unique_ptr<Config> config_;
  std::string err_, out_;
};

TEST_F(ConfigTest, EnvNameIsTheLongFlagInCapitals) {
  EXPECT_EQ(EnvName("sweep-interval"), "LIMBO_SWEEP_INTERVAL");
  EXPECT_EQ(EnvName("data"), "LIMBO_DATA");
}

TEST_F(ConfigTest, EveryFlagHasItsVariableAndAppearsInTheHelp) {
  Fixture f;
  f.serve->add_option("--metrics-listen", f.listen, "Added later");  // a flag no code of Config knows
  ::setenv("LIMBO_METRICS_LISTEN", "0.0.0.0:9100", 1);
  ASSERT_EQ(Run(f, {"serve", "--data", "/d"}), -1) << err_;
  for (const CLI::Option* opt : f.serve->get_options()) {
    std::string name = opt->get_lnames().front();
    if (name == "help" || name == "config") continue;
    EXPECT_NE(opt->get_description().find("(env " + EnvName(name) + ")"), std::string::npos) << name;
  }
  EXPECT_EQ(f.listen, "0.0.0.0:9100");
  EXPECT_EQ(Get("metrics-listen").source, "env LIMBO_METRICS_LISTEN");
  ::unsetenv("LIMBO_METRICS_LISTEN");
}

TEST_F(ConfigTest, DefaultsWhenNothingIsGiven) {
  Fixture f;
  ASSERT_EQ(Run(f, {"serve", "--data", "/d"}), -1) << err_;
  EXPECT_EQ(f.threads, 4);
  EXPECT_EQ(Get("threads").source, "default");
  EXPECT_EQ(Get("threads").value, "4");
  EXPECT_EQ(Get("data").source, "flag");
  EXPECT_EQ(Get("dev-clock").value, "false");
}

TEST_F(ConfigTest, FlagBeatsEnvironment) {
  Fixture f;
  ::setenv("LIMBO_THREADS", "7", 1);
  ASSERT_EQ(Run(f, {"serve", "--data", "/d", "--threads", "9"}), -1) << err_;
  EXPECT_EQ(f.threads, 9);
  EXPECT_EQ(Get("threads").source, "flag");
}

TEST_F(ConfigTest, FlagBeatsFile) {
  Fixture f;
  auto file = File("threads = 6\nlisten = \"0.0.0.0:1\"\n");
  ASSERT_EQ(Run(f, {"serve", "--data", "/d", "--config", file, "--threads", "9"}), -1) << err_;
  EXPECT_EQ(f.threads, 9);
  EXPECT_EQ(f.listen, "0.0.0.0:1");
  EXPECT_EQ(Get("listen").source, "file " + file + ":2");
}

TEST_F(ConfigTest, EnvironmentBeatsFile) {
  Fixture f;
  auto file = File("threads = 6\ndev-clock = true\n");
  ::setenv("LIMBO_THREADS", "7", 1);
  ::setenv("LIMBO_DEV_CLOCK", "false", 1);
  ASSERT_EQ(Run(f, {"serve", "--data", "/d", "--config", file}), -1) << err_;
  EXPECT_EQ(f.threads, 7);
  EXPECT_FALSE(f.dev_clock);
  EXPECT_EQ(Get("threads").source, "env LIMBO_THREADS");
}

TEST_F(ConfigTest, FileBeatsDefault) {
  Fixture f;
  auto file = File(
      "# comment\ndata = \"/srv/limbo\"\nthreads = 6\ndev_clock = true\ntrusted-proxy = [\"10.0.0.0/8\", "
      "\"fd00::/8\"]\n");
  ASSERT_EQ(Run(f, {"serve", "--config", file}), -1) << err_;
  EXPECT_EQ(f.data, "/srv/limbo");
  EXPECT_EQ(f.threads, 6);
  EXPECT_TRUE(f.dev_clock);
  EXPECT_EQ(f.proxies, (std::vector<std::string>{"10.0.0.0/8", "fd00::/8"}));
  EXPECT_EQ(Get("data").source, "file " + file + ":2");
  EXPECT_EQ(Get("trusted-proxy").value, "[\"10.0.0.0/8\", \"fd00::/8\"]");
}

TEST_F(ConfigTest, EnvironmentBeatsDefaultAndGivesRequiredOptions) {
  Fixture f;
  ::setenv("LIMBO_DATA", "/from/env", 1);
  ::setenv("LIMBO_TRUSTED_PROXY", "10.0.0.0/8,192.168.0.0/16", 1);
  ::setenv("LIMBO_DEV_CLOCK", "true", 1);
  ASSERT_EQ(Run(f, {"serve"}), -1) << err_;
  EXPECT_EQ(f.data, "/from/env");
  EXPECT_EQ(f.proxies, (std::vector<std::string>{"10.0.0.0/8", "192.168.0.0/16"}));
  EXPECT_TRUE(f.dev_clock);
}

TEST_F(ConfigTest, TheConfigFileMayBeNamedByTheEnvironmentAndServesEverySubcommand) {
  Fixture f;
  auto file = File("data = \"/srv/limbo\"\nthreads = 6\nrepair = true\n");
  ::setenv("LIMBO_CONFIG", file.c_str(), 1);
  ASSERT_EQ(Run(f, {"fsck"}), -1) << err_;
  EXPECT_EQ(f.data, "/srv/limbo");
  EXPECT_TRUE(f.repair);  // threads, a key of serve only, is left to serve
}

TEST_F(ConfigTest, AMissingRequiredOptionNamesEveryWayToGiveIt) {
  Fixture f;
  EXPECT_EQ(Run(f, {"serve"}), 2);
  EXPECT_NE(err_.find("--data is required"), std::string::npos) << err_;
  EXPECT_NE(err_.find("LIMBO_DATA"), std::string::npos) << err_;
}

TEST_F(ConfigTest, AnUnknownKeyIsAnErrorNamingItsLine) {
  Fixture f;
  auto file = File("data = \"/d\"\n\nthreadz = 4\n");
  EXPECT_EQ(Run(f, {"serve", "--config", file}), 2);
  EXPECT_NE(err_.find(file + " line 3: unknown key 'threadz'"), std::string::npos) << err_;
}

TEST_F(ConfigTest, AWrongTypeIsAnErrorNamingItsLine) {
  Fixture f;
  auto file = File("data = \"/d\"\nthreads = \"8\"\n");
  EXPECT_EQ(Run(f, {"serve", "--config", file}), 2);
  EXPECT_NE(err_.find(file + " line 2: 'threads' must be an integer"), std::string::npos) << err_;
  Fixture g;
  file = File("data = \"/d\"\ndev-clock = \"yes\"\n");
  EXPECT_EQ(Run(g, {"serve", "--config", file}), 2);
  EXPECT_NE(err_.find("line 2: 'dev-clock' must be true or false"), std::string::npos) << err_;
}

TEST_F(ConfigTest, AValueOutOfRangeNamesItsSource) {
  Fixture f;
  auto file = File("data = \"/d\"\nthreads = 100\n");
  EXPECT_EQ(Run(f, {"serve", "--config", file}), 2);
  EXPECT_NE(err_.find(file + " line 2: --threads: Value 100 not in range"), std::string::npos) << err_;
  Fixture g;
  ::setenv("LIMBO_THREADS", "many", 1);
  EXPECT_EQ(Run(g, {"serve", "--data", "/d"}), 2);
  EXPECT_NE(err_.find("LIMBO_THREADS=many: --threads"), std::string::npos) << err_;
}

TEST_F(ConfigTest, ASyntaxErrorNamesLineAndColumn) {
  Fixture f;
  auto file = File("data = \"/d\"\nthreads = = 4\n");
  EXPECT_EQ(Run(f, {"serve", "--config", file}), 2);
  EXPECT_NE(err_.find(file + " line 2, column"), std::string::npos) << err_;
  Fixture g;
  EXPECT_EQ(Run(g, {"serve", "--config", (dir_ / "missing.toml").string()}), 2);
  EXPECT_NE(err_.find("cannot read the config file"), std::string::npos) << err_;
  Fixture d;
  EXPECT_EQ(Run(d, {"serve", "--config", dir_.string()}), 2);
  EXPECT_NE(err_.find("is a directory"), std::string::npos) << err_;
  Fixture h;
  file = File("[serve]\ndata = \"/d\"\n");
  EXPECT_EQ(Run(h, {"serve", "--config", file}), 2);
  EXPECT_NE(err_.find("line 1: 'serve' is a table"), std::string::npos) << err_;
}

TEST_F(ConfigTest, CheckPrintsEveryKeyWithItsSourceAndMasksSecrets) {
  Fixture f;
  std::string token;
  f.serve->add_option("--metrics-token", token, "Token");
  auto file = File("data = \"/srv/limbo\"\nmetrics-token = \"tok-123456\"\n");
  ::setenv("LIMBO_DB", "postgresql://limbo:hunter2@db:5432/limbo", 1);
  ASSERT_EQ(Run(f, {"config", "check", "--config", file, "--threads", "8"}), 0) << err_;
  EXPECT_NE(out_.find("data = \"/srv/limbo\""), std::string::npos) << out_;
  EXPECT_NE(out_.find("# file " + file + ":1"), std::string::npos) << out_;
  EXPECT_NE(out_.find("db = \"postgresql://limbo:****@db:5432/limbo\""), std::string::npos) << out_;
  EXPECT_NE(out_.find("# env LIMBO_DB"), std::string::npos) << out_;
  EXPECT_NE(out_.find("metrics-token = \"********\""), std::string::npos) << out_;
  EXPECT_EQ(out_.find("hunter2"), std::string::npos) << out_;
  EXPECT_EQ(out_.find("tok-123456"), std::string::npos) << out_;
  EXPECT_NE(out_.find("listen = \"127.0.0.1:8080\""), std::string::npos) << out_;
  EXPECT_NE(out_.find("# default"), std::string::npos) << out_;
  EXPECT_NE(out_.find("# flag"), std::string::npos) << out_;
  EXPECT_EQ(f.threads, 8);
}

TEST_F(ConfigTest, CheckFailsOnAnInvalidConfiguration) {
  Fixture f;
  auto file = File("data = \"/d\"\nlisten = 8080\n");
  EXPECT_EQ(Run(f, {"config", "check", "--config", file}), 2);
  EXPECT_NE(err_.find("line 2: 'listen' must be a string"), std::string::npos) << err_;
  Fixture g;
  EXPECT_NE(Run(g, {"config", "check", "--data", "/d", "--threads", "0"}), 0);
}

TEST_F(ConfigTest, SecretsInErrorsAreMasked) {
  Fixture f;
  std::string password;
  f.serve->add_option("--admin-password", password, "Password")->check(CLI::IsMember({"a", "b"}));
  ::setenv("LIMBO_ADMIN_PASSWORD", "hunter2", 1);
  EXPECT_EQ(Run(f, {"serve", "--data", "/d"}), 2);
  EXPECT_EQ(err_.find("hunter2"), std::string::npos) << err_;
  EXPECT_NE(err_.find("LIMBO_ADMIN_PASSWORD"), std::string::npos) << err_;
  ::unsetenv("LIMBO_ADMIN_PASSWORD");
}

TEST_F(ConfigTest, MaskSecretsHidesUrlAndConninfoPasswords) {
  EXPECT_EQ(MaskSecrets("postgresql://limbo:s3cr:et@db/limbo"), "postgresql://limbo:****@db/limbo");
  EXPECT_EQ(MaskSecrets("postgresql://limbo:p@ss@db/limbo"), "postgresql://limbo:****@db/limbo");
  EXPECT_EQ(MaskSecrets("s3://AKIA:wJalr/K7@s3.example.com/b"), "s3://AKIA:****@s3.example.com/b");
  EXPECT_EQ(MaskSecrets("host=db password=x1 user=u"), "host=db password=**** user=u");
  EXPECT_EQ(MaskSecrets("postgresql://db/limbo"), "postgresql://db/limbo");
  EXPECT_TRUE(IsSecretKey("metrics-token"));
  EXPECT_TRUE(IsSecretKey("s3-secret-key"));
  EXPECT_FALSE(IsSecretKey("listen"));
}

}  // namespace
}  // namespace limbo::app
