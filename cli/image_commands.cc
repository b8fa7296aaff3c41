#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "format.h"
#include "progress_bar.h"
#include "verb.h"

namespace limbo::cli {
namespace {

struct UploadOptions : CommonOptions {
  std::vector<std::string> files;
  std::string project;
  int concurrency = 4;
  bool verbose = false;
};

struct Upload {
  std::filesystem::path file;
  std::uint64_t size = 0;
  std::atomic<std::uint64_t> sent{0};
  std::optional<client::Result<client::Response>> result;  // set once, by the worker that uploaded it
};

// Uploads every file with `concurrency` workers; `on_progress` runs on this thread about ten
// times a second until all are done.
void UploadAll(const client::Client& client, const std::string& path, std::vector<Upload>& uploads, int concurrency,
               const std::function<void(std::size_t done, std::uint64_t sent)>& on_progress) {
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::condition_variable finished;
  std::size_t done = 0;  // guarded by mutex

  auto worker = [&] {
    for (std::size_t i = next++; i < uploads.size(); i = next++) {
      Upload& upload = uploads[i];
      auto result = client.Upload(path, upload.file, client::GuessImageContentType(upload.file),
                                  {{"name", upload.file.filename().string()}},
                                  [&upload](std::uint64_t sent, std::uint64_t) { upload.sent = sent; });
      std::lock_guard lock(mutex);
      upload.sent = upload.size;
      upload.result = std::move(result);
      ++done;
      finished.notify_all();
    }
  };
  std::vector<std::thread> threads;
  std::size_t count = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, concurrency)), uploads.size());
  for (std::size_t i = 0; i < count; ++i) threads.emplace_back(worker);

  std::unique_lock lock(mutex);
  while (done < uploads.size()) {
    finished.wait_for(lock, std::chrono::milliseconds(100));
    std::uint64_t sent = 0;
    for (const Upload& upload : uploads) sent += upload.sent;
    std::size_t done_now = done;
    lock.unlock();
    if (on_progress) on_progress(done_now, sent);
    lock.lock();
  }
  lock.unlock();
  for (auto& thread : threads) thread.join();
}

int Run(Session& session, const UploadOptions& options) {
  auto target = session.TargetOf(options.project, RefKind::kProject);
  if (!target) return session.Report(target.error());
  const client::Client& client = *target->client;
  const ObjectRef& ref = target->ref;
  // Fail once, early, for a missing project or a bad key rather than once per file.
  auto project = client.Get(client::Path({ref.workspace, ref.name}));
  if (!project) return session.Report(project.error());

  std::vector<Upload> uploads(options.files.size());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < uploads.size(); ++i) {
    uploads[i].file = options.files[i];
    std::error_code ec;
    uploads[i].size = std::filesystem::file_size(uploads[i].file, ec);
    if (ec)
      return session.Report(Failure::Error("unreadable_file", "Cannot read " + options.files[i] + ": " + ec.message()));
    total += uploads[i].size;
  }

  bool show_bar = !session.json() && session.terminal().StdoutIsTerminal();
  ProgressBar bar(session.out(), uploads.size(), total);
  std::function<void(std::size_t, std::uint64_t)> on_progress;
  if (show_bar) on_progress = [&bar](std::size_t done, std::uint64_t sent) { bar.Draw(done, sent); };
  UploadAll(client, client::Path({ref.workspace, ref.name, "upload"}), uploads, options.concurrency, on_progress);
  if (show_bar) bar.Finish(uploads.size(), total);

  nlohmann::json uploaded = nlohmann::json::array();
  nlohmann::json failed = nlohmann::json::array();
  int exit_code = kExitOk;
  std::size_t duplicates = 0;
  for (const Upload& upload : uploads) {
    const auto& result = *upload.result;
    if (result) {
      bool duplicate = Flag(result->body, "duplicate");
      duplicates += duplicate ? 1 : 0;
      nlohmann::json image = Field(result->body, "image", nlohmann::json::object());
      uploaded.push_back({{"file", upload.file.string()}, {"image", image}, {"duplicate", duplicate}});
      if (options.verbose && !session.json()) {
        session.out() << (duplicate ? "duplicate  " : "uploaded   ") << upload.file.string() << "  "
                      << Text(image, "id") << '\n';
      }
      continue;
    }
    Failure failure = Failure::FromApi(result.error());
    if (exit_code == kExitOk || failure.exit_code == kExitAuth) exit_code = failure.exit_code;
    failed.push_back(
        {{"file", upload.file.string()},
         {"error", {{"status", result.error().status}, {"code", failure.code}, {"message", failure.message}}}});
    if (!session.json()) {
      session.out() << "failed     " << upload.file.string() << "  " << failure.message << " (" << failure.code
                    << ")\n";
    }
  }
  if (session.json()) {
    session.PrintJson({{"project", ref.ToString()}, {"uploaded", uploaded}, {"failed", failed}});
  } else {
    session.out() << "Uploaded " << uploaded.size() << " of " << uploads.size() << " images to " << ref.ToString();
    if (duplicates > 0) session.out() << " (" << duplicates << " already in the Asset Library)";
    session.out() << (failed.empty() ? ".\n" : "; " + std::to_string(failed.size()) + " failed.\n");
  }
  return exit_code;
}

}  // namespace

void AddImageCommands(CLI::App& app, Registry& registry) {
  CLI::App* noun = app.add_subcommand("image", "Images: upload into a project");
  noun->require_subcommand(1);

  auto upload = std::make_shared<UploadOptions>();
  CLI::App* verb = AddVerb(*noun, registry, "upload", "Upload image files into a project, several at a time", upload,
                           [upload](Session& s) { return Run(s, *upload); });
  verb->add_option("files", upload->files, "PNG, JPEG, GIF or BMP files")->required()->check(CLI::ExistingFile);
  verb->add_option("-p,--project", upload->project, "workspace/project or project")->required();
  verb->add_option("-j,--concurrency", upload->concurrency, "Uploads at a time")
      ->check(CLI::Range(1, 32))
      ->capture_default_str();
  verb->add_flag("-v,--verbose", upload->verbose, "Print one line per uploaded file");
  verb->footer("Example: limbo image upload photos/*.jpg --project acme/cats");
}

}  // namespace limbo::cli
