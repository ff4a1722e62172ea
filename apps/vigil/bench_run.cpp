// bench_run.cpp — child processes, the scheduler loop, per-cell records and
// the progress line of `vigil bench`.
//
// Decisions:
// - Children are started with posix_spawn (no shell: paths with spaces or
//   quotes cannot break a command line) with stdout/stderr in files under
//   logs/, which stay for a failed cell's post-mortem.
// - The loop polls wait4(WNOHANG) every 50 ms: simple, and it lets one thread
//   handle timeouts, Ctrl-C and the live line without signals or threads.
// - Peak memory: the child's own VmHWM, which `vigil run --json` and the peer
//   scripts report. Not wait4's ru_maxrss: Linux carries the spawning
//   process's high-water mark across vfork/fork + exec into the child's
//   ru_maxrss, so every cell would read at least this process's own peak
//   (measured: a 258 MiB cell read as such under a 510 MiB parent). wait4's
//   figure is kept only for a child that reports none.
// - A cancelled cell (Ctrl-C) is not recorded at all: it neither counts as
//   finished nor as failed, and simply runs next time.
#include "bench_run.hpp"

#include "cli_common.hpp"

#include <vigil/framework/error.hpp>
#include <vigil/framework/host_services.hpp>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace vigil::bench {

namespace {

struct Running {
    const Cell *cell;
    pid_t pid;
    Clock::time_point start;
    std::string out, err, scores, scores_rel;
    bool timed_out = false;
};

std::string read_all(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The last lines of a child's stderr: enough to see why it failed.
std::string tail(const std::string &text, size_t max_chars = 2000) {
    std::string t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    if (t.size() > max_chars) t = "…" + t.substr(t.size() - max_chars);
    return t;
}

std::string last_line(const std::string &text) {
    std::string t = tail(text, 100000);
    const auto p = t.rfind('\n');
    return p == std::string::npos ? t : t.substr(p + 1);
}

pid_t spawn(const std::vector<std::string> &argv, const std::string &out, const std::string &err) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw_input(argv[0] + ": cannot start: " + std::strerror(rc));
    return pid;
}

std::string now_utc() {
    char buf[32];
    const std::time_t t = std::time(nullptr);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

std::string duration(double s) {
    char buf[32];
    if (s < 90) std::snprintf(buf, sizeof buf, "%.0f s", s);
    else if (s < 5400) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
    else std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
    return buf;
}

std::string fmt4(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
}

json base_record(const Cell &c, int threads) {
    return {{"id", c.id},       {"pipeline", c.pipeline}, {"label", c.label},
            {"group", c.group}, {"dataset", c.dataset},   {"normal", c.normal ? json(*c.normal) : json(nullptr)},
            {"seed", c.seed},   {"kind", c.peer ? "peer" : "vigil"},
            {"pipeline_hash", c.hash}, {"spec", c.spec}, {"threads", threads}};
}

// Fills a finished Vigil cell's record from `vigil run --json`.
void read_vigil(json &rec, const std::string &stdout_text) {
    const json j = json::parse(stdout_text);
    for (const char *k : {"n_train", "n_test", "n_test_normal", "n_test_anomalous", "load_seconds", "fit_seconds", "score_seconds",
                          "metrics", "backends", "peak_rss_mib"})
        if (j.contains(k)) rec[k] = j[k];
    rec["plugins"] = j.value("stages", json::array());
    // The detector's backend stands for the cell (extractors may differ; "plugins" has each).
    std::string backend;
    for (const auto &s : rec["plugins"])
        if (s.value("kind", "") == "detector") backend = s.value("backend", "");
    rec["backend"] = backend;
}

// Fills a finished peer cell's record: its own JSON line, then Vigil's
// evaluators on the scores it wrote.
void read_peer(json &rec, const std::string &stdout_text, const std::string &scores_path, const Cell &c, const Registry &reg) {
    const std::string line = last_line(stdout_text);
    const json j = json::parse(line);
    for (const char *k : {"n_train", "n_test", "fit_seconds", "score_seconds", "peak_rss_mib"})
        if (j.contains(k)) rec[k] = j[k];
    rec["peer"] = j.value("peer", "");
    if (j.contains("auroc")) rec["peer_auroc"] = j["auroc"];
    std::vector<float> scores;
    std::vector<int32_t> labels;
    cli::read_scores_csv(scores_path, scores, labels);
    rec["metrics"] = cli::metrics_json(cli::evaluate_scores(reg, c.evaluate, scores, labels));
    int64_t normal = 0;
    for (auto l : labels) normal += l == 0;
    rec["n_test_normal"] = normal;
    rec["n_test_anomalous"] = static_cast<int64_t>(labels.size()) - normal;
    rec["backend"] = "python";
    json plugins = json::array();
    if (j.contains("versions") && j["versions"].is_object())
        for (const auto &[k, v] : j["versions"].items()) plugins.push_back({{"kind", "peer"}, {"name", k}, {"version", v}, {"backend", "cpu"}});
    rec["plugins"] = plugins;
}

} // namespace

RunSummary run_cells(const Matrix &m, const std::vector<const Cell *> &cells, Results &results, const RunOptions &opts,
                     const Registry &reg) {
    RunSummary sum;
    for (const char *sub : {"pipelines", "scores", "logs"}) fs::create_directories(fs::path(opts.out_dir) / sub);
    std::vector<const Cell *> todo;
    for (const Cell *c : cells) {
        const json *rec = results.cell(c->id);
        if (!opts.force && rec && rec->value("status", "") == "ok" && rec->value("pipeline_hash", "") == c->hash) ++sum.skipped;
        else todo.push_back(c);
    }
    const bool tty = isatty(STDERR_FILENO) && !opts.quiet;
    const size_t total = todo.size();
    if (!opts.quiet)
        std::fprintf(stderr, "vigil bench: %zu cells to run, %d already finished (results: %s); %d at once, %d threads each\n", total,
                     sum.skipped, results.path.c_str(), opts.jobs, opts.threads);
    std::vector<Running> running;
    size_t next = 0, done = 0;
    double finished_wall = 0;
    const auto t0 = Clock::now();
    auto last_live = Clock::now() - std::chrono::seconds(10);

    auto eta = [&]() -> std::string {
        if (done == 0) return "ETA ?";
        const double per = finished_wall / done;
        return "ETA " + duration(per * static_cast<double>(total - done) / std::max(1, opts.jobs));
    };
    auto clear_live = [&]() {
        if (tty) std::fprintf(stderr, "\r\033[K");
    };

    auto start = [&](const Cell *c) {
        Running r{c, 0, Clock::now(), "", "", "", ""};
        const std::string stem = file_stem(c->id);
        r.out = (fs::path(opts.out_dir) / "logs" / (stem + ".out")).string();
        r.err = (fs::path(opts.out_dir) / "logs" / (stem + ".err")).string();
        r.scores_rel = "scores/" + stem + ".csv";
        r.scores = (fs::path(opts.out_dir) / r.scores_rel).string();
        std::vector<std::string> argv;
        if (c->peer) {
            argv.push_back(opts.python);
            argv.insert(argv.end(), c->peer_argv.begin(), c->peer_argv.end());
            argv.insert(argv.end(), {"--threads", std::to_string(opts.threads), "--scores-out", r.scores});
        } else {
            const std::string pipe = (fs::path(opts.out_dir) / "pipelines" / (stem + ".json")).string();
            write_file_atomic(pipe, runnable_pipeline(m, *c).dump(2) + "\n");
            argv = {opts.vigil_exe, "run", pipe, "--json", "-q", "-j", std::to_string(opts.threads), "--scores-out", r.scores};
            for (const auto &d : opts.plugin_dirs) argv.insert(argv.end(), {"-P", d});
        }
        fs::remove(r.scores);  // a stale file must not pass for this run's scores
        r.pid = spawn(argv, r.out, r.err);
        running.push_back(r);
    };

    auto finish = [&](Running &r, int status, const rusage &ru) {
        const Cell &c = *r.cell;
        const double wall = std::chrono::duration<double>(Clock::now() - r.start).count();
        json rec = base_record(c, opts.threads);
        rec["wall_seconds"] = wall;
        rec["peak_rss_mib"] = static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux: KiB; the child's own figure replaces it
        rec["finished"] = now_utc();
        rec["log"] = {{"stdout", fs::relative(r.out, opts.out_dir).string()}, {"stderr", fs::relative(r.err, opts.out_dir).string()}};
        const std::string err = read_all(r.err);
        std::string failure;
        if (r.timed_out) failure = "timed out after " + duration(opts.timeout);
        else if (WIFSIGNALED(status)) failure = std::string("killed by signal ") + strsignal(WTERMSIG(status));
        else if (WEXITSTATUS(status) != 0) failure = "exit code " + std::to_string(WEXITSTATUS(status));
        if (failure.empty()) {
            try {
                if (c.peer) read_peer(rec, read_all(r.out), r.scores, c, reg);
                else read_vigil(rec, read_all(r.out));
                rec["scores"] = r.scores_rel;
                rec["status"] = "ok";
            } catch (const std::exception &e) {
                failure = std::string("unreadable result: ") + e.what();
            }
        }
        if (!failure.empty()) {
            rec["status"] = "failed";
            rec["failure"] = failure;
            rec["error"] = tail(err);
            if (WIFEXITED(status)) rec["exit_code"] = WEXITSTATUS(status);
            ++sum.failed;
        }
        results.put(rec);
        results.save();
        ++done;
        ++sum.ran;
        finished_wall += wall;
        if (opts.quiet) return;
        clear_live();
        char line[512];
        if (failure.empty()) {
            const auto au = auroc_of(rec);
            std::snprintf(line, sizeof line, "[%zu/%zu] %s: AUROC %s, fit %.2f s, score %.2f s, %.0f MiB, %s; %s", done, total,
                          c.id.c_str(), au ? fmt4(*au).c_str() : "-", rec.value("fit_seconds", 0.0),
                          rec.value("score_seconds", 0.0), rec["peak_rss_mib"].get<double>(), rec.value("backend", "").c_str(),
                          eta().c_str());
        } else {
            std::snprintf(line, sizeof line, "[%zu/%zu] %s: FAILED (%s): %s; %s", done, total, c.id.c_str(), failure.c_str(),
                          last_line(err).substr(0, 200).c_str(), eta().c_str());
        }
        std::fprintf(stderr, "%s\n", line);
    };

    bool cancel_sent = false;
    while (next < todo.size() || !running.empty()) {
        if (cancel_requested()) {
            sum.cancelled = true;
            next = todo.size();  // start nothing more
            if (!cancel_sent)    // Ctrl-C on a terminal reached them already; a kill -INT to us did not
                for (auto &r : running) kill(r.pid, SIGINT);
            cancel_sent = true;
        }
        while (next < todo.size() && static_cast<int>(running.size()) < opts.jobs) start(todo[next++]);
        for (size_t i = 0; i < running.size();) {
            int status = 0;
            rusage ru{};
            const pid_t p = wait4(running[i].pid, &status, WNOHANG, &ru);
            if (p == running[i].pid) {
                if (!sum.cancelled) finish(running[i], status, ru);
                running.erase(running.begin() + static_cast<long>(i));
                continue;
            }
            const double el = std::chrono::duration<double>(Clock::now() - running[i].start).count();
            if (opts.timeout > 0 && el > opts.timeout && !running[i].timed_out) {
                running[i].timed_out = true;
                kill(running[i].pid, SIGKILL);
            }
            ++i;
        }
        if (tty && !running.empty() && Clock::now() - last_live > std::chrono::milliseconds(500)) {
            last_live = Clock::now();
            std::string names;
            for (const auto &r : running) names += (names.empty() ? "" : ", ") + r.cell->id;
            const double el = std::chrono::duration<double>(Clock::now() - t0).count();
            std::string line = "[" + std::to_string(done) + "/" + std::to_string(total) + "] " + duration(el) + " elapsed, " + eta() +
                               "; running " + names;
            if (line.size() > 150) line = line.substr(0, 147) + "...";
            std::fprintf(stderr, "\r\033[K%s", line.c_str());
        }
        usleep(50 * 1000);
    }
    clear_live();
    return sum;
}

} // namespace vigil::bench
