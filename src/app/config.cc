#include "app/config.h"

#include <toml++/toml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace limbo::app {
namespace {

// An invalid configuration; the message names the flag, variable or file line at fault.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const std::set<std::string>& NotConfigurable() {
  static const std::set<std::string> names{"help", "help-all", "version", "config"};
  return names;
}

bool Configurable(const CLI::Option* opt) {
  return !opt->get_lnames().empty() && NotConfigurable().count(opt->get_lnames().front()) == 0;
}

void VisitApps(CLI::App& app, const std::function<void(CLI::App&)>& fn) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    fn(*sub);
    VisitApps(*sub, fn);
  }
}

std::string CommandPath(const CLI::App& app) {
  std::string path;
  for (const CLI::App* a = &app; a != nullptr; a = a->get_parent()) {
    path = a->get_name() + (path.empty() ? "" : " " + path);
  }
  return path;
}

// The kind of value an option takes, from CLI11's type name ("INT", "TEXT:...", ...).
enum class Kind { kFlag, kInt, kFloat, kText };

Kind KindOf(const CLI::Option* opt) {
  if (opt->get_expected_max() == 0) return Kind::kFlag;
  std::string type = opt->get_type_name();
  type = type.substr(0, type.find(':'));
  if (type == "INT" || type == "UINT") return Kind::kInt;
  if (type == "FLOAT") return Kind::kFloat;
  return Kind::kText;
}

bool IsList(const CLI::Option* opt) { return opt->get_items_expected_max() > 1; }

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// The option's effective value written as TOML.
std::string Render(const CLI::Option* opt) {
  const std::string& key = opt->get_lnames().front();
  std::vector<std::string> items;
  if (opt->count() > 0) {
    items = opt->reduced_results();
  } else if (!opt->get_default_str().empty() && !(IsList(opt) && opt->get_default_str() == "[]")) {
    items = {opt->get_default_str()};
  }
  auto one = [&](std::string v) {
    bool secret = IsSecretKey(key) && !v.empty();
    switch (KindOf(opt)) {
      case Kind::kFlag: {
        bool on = false;
        return CLI::detail::lexical_cast(v, on) && on ? std::string("true") : std::string("false");
      }
      case Kind::kInt:
      case Kind::kFloat:
        if (!secret && !v.empty()) return v;
        break;
      case Kind::kText:
        break;
    }
    return Quote(secret ? "********" : MaskSecrets(v));
  };
  if (IsList(opt)) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + one(items[i]);
    return out + "]";
  }
  return one(items.empty() ? std::string() : items.back());
}

}  // namespace

// One key of the file: its values as text (an array gives several), their TOML types and its line.
struct Config::FileValue {
  std::vector<std::string> items;
  std::vector<toml::node_type> types;
  bool is_array = false;
  std::string spelled;  // the key as written
  int line = 0;
};

std::string EnvName(const std::string& long_name) {
  std::string env = "LIMBO_";
  for (char c : long_name) {
    env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return env;
}

bool IsSecretKey(const std::string& key) {
  for (const char* word : {"token", "password", "secret", "key"}) {
    if (key.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string MaskSecrets(const std::string& text) {
  // Up to the last @ of the word (an AWS secret may hold a /): too much masked, never too little.
  static const std::regex url_password(R"(([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)\S*@)");
  static const std::regex conninfo_password(R"((password\s*=\s*)('[^']*'|\S+))", std::regex::icase);
  std::string out = std::regex_replace(text, url_password, "$1****@");
  return std::regex_replace(out, conninfo_password, "$1****");
}

Config::Config(CLI::App& root, std::string service) : root_(root), service_(std::move(service)) {
  std::set<std::string> keys;
  const std::string config_help = "TOML file of settings: each key a flag without its dashes (env LIMBO_CONFIG)";
  VisitApps(root_, [&](CLI::App& app) {
    for (CLI::Option* opt : app.get_options()) {
      if (!Configurable(opt)) continue;
      keys.insert(opt->get_lnames().front());
      if (!opt->get_required()) opt->capture_default_str();  // a required flag's default is no value
      help_[opt] = opt->get_description();
      if (!opt->get_group().empty()) {
        opt->description(opt->get_description() + " (env " + EnvName(opt->get_lnames().front()) + ")");
      }
    }
    if (app.get_option_no_throw("--data") != nullptr) app.add_option("--config", config_help)->type_name("FILE");
  });
  keys_.assign(keys.begin(), keys.end());

  CLI::App* config = root_.add_subcommand("config", "Check the configuration");
  config->require_subcommand(1);
  check_ = config->add_subcommand(
      "check", "Print the configuration `limbod " + service_ +
                   "` would run with (each key, its value and where it came from: flag, env, file or default; "
                   "secrets masked) and exit; a non-zero exit status when it is invalid. Takes the flags of `" +
                   service_ + "` too.");
  check_->add_option("--config", config_help)->type_name("FILE");
  check_->allow_extras();
  example_ = config->add_subcommand("example",
                                    "Print an example configuration file: every key of `limbod " + service_ +
                                        "` with its help, commented out at its default unless given as a flag here");
  example_->allow_extras();
}

std::optional<int> Config::Parse(int argc, const char* const* argv) {
  if (root_.get_name().empty() && argc > 0) {
    std::string name = argv[0];
    root_.name(name.substr(name.rfind('/') + 1));
  }
  program_ = root_.get_name();
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return ParseArgs(std::move(args), Mode::kRun);
}

std::optional<int> Config::ParseArgs(std::vector<std::string> args, Mode mode) {
  if (program_.empty()) program_ = root_.get_name();
  // CLI11 checks required options while it parses, before the environment and the file could give
  // them: it parses with none required, and Resolve checks them afterwards.
  std::vector<CLI::Option*> required;
  VisitApps(root_, [&](CLI::App& app) {
    for (CLI::Option* opt : app.get_options()) {
      if (opt->get_required()) {
        required.push_back(opt);
        opt->required(false);
      }
    }
  });
  auto restore = [&] {
    for (CLI::Option* opt : required) opt->required(true);
  };
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    root_.parse(std::move(reversed));
  } catch (const CLI::ParseError& e) {
    restore();
    return root_.exit(e);
  }
  restore();

  CLI::App* leaf = &root_;
  while (!leaf->get_subcommands().empty()) leaf = leaf->get_subcommands().front();
  if ((leaf == check_ || leaf == example_) && mode == Mode::kRun) {
    std::vector<std::string> service_args{service_};
    if (CLI::Option* file = leaf->get_option_no_throw("--config"); file != nullptr && file->count() > 0) {
      service_args.push_back("--config=" + file->as<std::string>());
    }
    for (const std::string& extra : leaf->remaining()) service_args.push_back(extra);
    if (leaf == example_) {
      // The example shows the defaults: neither the environment nor a file, and no required flag.
      for (CLI::Option* opt : required) opt->required(false);
      auto done = ParseArgs(std::move(service_args), Mode::kExample);
      restore();
      return done;
    }
    return ParseArgs(std::move(service_args), Mode::kCheck);
  }
  try {
    Resolve(*leaf, mode == Mode::kExample);
  } catch (const std::exception& e) {  // ConfigError, or anything unexpected: a message, never an abort
    std::cerr << CommandPath(*leaf) << ": " << MaskSecrets(e.what()) << "\n";
    return 2;
  }
  if (mode == Mode::kRun) return std::nullopt;
  if (mode == Mode::kExample) {
    PrintExample();
  } else {
    PrintCheck(*leaf);
  }
  return 0;
}

void Config::PrintCheck(const CLI::App& leaf) const {
  std::cout << "# " << CommandPath(leaf) << ": the effective configuration (key = value  # where it came from)\n";
  for (const Setting& s : settings_) {
    std::string line = s.key + " = " + s.value;
    if (line.size() < 44) line.resize(44, ' ');
    std::cout << line << "  # " << s.source << "\n";
  }
  std::cout << std::flush;
}

void Config::PrintExample() const {
  std::cout << "# " << program_ << " configuration (TOML), read by `" << program_ << " " << service_
            << " --config FILE`; the other\n"
            << "# subcommands given --config read the keys they share with it (data, db). Each key is a flag of\n"
            << "# `" << program_ << " " << service_
            << "` without its dashes (sweep-interval or sweep_interval); its LIMBO_* variable or\n"
            << "# the flag itself overrides the file. A key commented out keeps its default. Check a file with\n"
            << "# `" << program_ << " config check --config FILE`.\n";
  for (const Setting& s : settings_) {
    if (s.hidden) continue;
    std::cout << "\n";
    std::string text = s.help + (s.help.empty() || s.help.back() == '.' ? "" : ".") + " Env: " + s.env + ".";
    std::string line = "#";
    std::istringstream words(text);
    for (std::string word; words >> word;) {
      if (line.size() + 1 + word.size() > 100) {
        std::cout << line << "\n";
        line = "#";
      }
      line += " " + word;
    }
    std::cout << line << "\n" << (s.source == "default" ? "# " : "") << s.key << " = " << s.value << "\n";
  }
  std::cout << std::flush;
}

void Config::LoadFile(const std::string& path, std::map<std::string, FileValue>& out) const {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ConfigError("the config file " + path + " is a directory");
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read the config file " + path + ": " + std::strerror(errno));
  toml::table table;
  try {
    table = toml::parse(in, path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(path + " line " + std::to_string(e.source().begin.line) + ", column " +
                      std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
  }
  for (auto&& [k, node] : table) {
    std::string spelled(k.str());
    int line = static_cast<int>(k.source().begin.line);
    std::string where = path + " line " + std::to_string(line) + ": ";
    std::string key = spelled;
    std::replace(key.begin(), key.end(), '_', '-');
    if (node.is_table()) {
      throw ConfigError(where + "'" + spelled + "' is a table; " + program_ +
                        "'s keys are all at the top level (key = value), without [sections]");
    }
    if (!std::binary_search(keys_.begin(), keys_.end(), key)) {
      throw ConfigError(where + "unknown key '" + spelled + "' (the keys are " + program_ +
                        "'s flags without their dashes, such as data, db or listen)");
    }
    if (auto it = out.find(key); it != out.end()) {
      throw ConfigError(where + "'" + spelled + "' repeats '" + it->second.spelled + "' (line " +
                        std::to_string(it->second.line) + ")");
    }
    FileValue value;
    value.spelled = spelled;
    value.line = line;
    auto add = [&](const toml::node& n) {
      if (n.is_table() || n.is_array()) {
        throw ConfigError(where + "'" + spelled + "' must be a string, a number, true or false" +
                          (value.is_array ? " (or an array of them)" : ""));
      }
      std::string text;
      if (auto s = n.value<std::string>(); s && n.is_string()) {
        text = *s;
      } else if (n.is_boolean()) {
        text = *n.value<bool>() ? "true" : "false";
      } else {
        std::ostringstream os;
        n.visit([&os](auto&& v) { os << v; });
        text = os.str();
      }
      value.items.push_back(text);
      value.types.push_back(n.type());
    };
    if (const toml::array* array = node.as_array()) {
      value.is_array = true;
      for (const toml::node& n : *array) add(n);
    } else {
      add(node);
    }
    out.emplace(key, std::move(value));
  }
}

void Config::Resolve(CLI::App& leaf, bool flags_only) {
  settings_.clear();
  std::string file;
  if (CLI::Option* config = leaf.get_option_no_throw("--config"); config != nullptr && !flags_only) {
    if (config->count() > 0) {
      file = config->as<std::string>();
    } else if (const char* env = std::getenv("LIMBO_CONFIG"); env != nullptr && *env != '\0') {
      file = env;
    }
  }
  std::map<std::string, FileValue> values;
  if (!file.empty()) LoadFile(file, values);

  for (CLI::Option* opt : leaf.get_options()) {
    if (!Configurable(opt)) continue;
    const std::string& key = opt->get_lnames().front();
    Setting s{key, EnvName(key), "", "default", help_.count(opt) ? help_.at(opt) : "", opt->get_group().empty()};
    auto inject = [&](const std::vector<std::string>& items, const std::string& where) {
      try {
        for (const std::string& item : items) opt->add_result(item);
        opt->run_callback();
      } catch (const CLI::ParseError& e) {
        std::string why = e.what();
        if (IsSecretKey(key)) {
          for (const std::string& item : items) {
            for (auto at = why.find(item); !item.empty() && at != std::string::npos; at = why.find(item)) {
              why.replace(at, item.size(), "****");
            }
          }
        }
        throw ConfigError(where + ": " + why);
      }
    };
    if (opt->count() > 0) {
      s.source = "flag";
    } else if (const char* env = std::getenv(s.env.c_str()); !flags_only && env != nullptr && *env != '\0') {
      inject({env}, s.env + (IsSecretKey(key) ? "" : "=" + std::string(env)));
      s.source = "env " + s.env;
    } else if (auto it = values.find(key); it != values.end()) {
      const FileValue& v = it->second;
      std::string where = file + " line " + std::to_string(v.line);
      Kind kind = KindOf(opt);
      auto fits = [kind](toml::node_type t) {
        switch (kind) {
          case Kind::kFlag:
            return t == toml::node_type::boolean;
          case Kind::kInt:
            return t == toml::node_type::integer;
          case Kind::kFloat:
            return t == toml::node_type::integer || t == toml::node_type::floating_point;
          case Kind::kText:
            return t == toml::node_type::string;
        }
        return false;
      };
      static const char* kWanted[] = {"true or false", "an integer", "a number", "a string (in quotes)"};
      bool ok = (!v.is_array || IsList(opt)) && (v.is_array || v.items.size() == 1);
      for (toml::node_type t : v.types) ok = ok && fits(t);
      if (!ok) {
        std::string wanted = kWanted[static_cast<int>(kind)];
        throw ConfigError(where + ": '" + v.spelled + "' must be " +
                          (IsList(opt) ? wanted + " or an array of them" : wanted));
      }
      inject(v.items, where);
      s.source = "file " + file + ":" + std::to_string(v.line);
    }
    if (s.source == "default" && opt->get_required()) {
      throw ConfigError("--" + key + " is required: give the flag, set " + s.env + ", or set " + key +
                        " in the --config file");
    }
    s.value = Render(opt);
    settings_.push_back(std::move(s));
  }
}

}  // namespace limbo::app
