// cli_common.cpp — shared option handling and output for the `vigil` verbs.
#include "cli_common.hpp"

#include <vigil/framework/error.hpp>
#include <vigil/framework/host_services.hpp>
#include <vigil/framework/json_schema.hpp>
#include <vigil/framework/progress.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

namespace vigil::cli {

void Common::add_to(po::options_description &d) {
    d.add_options()
        ("plugin-dir,P", po::value(&plugin_dirs)->composing(),
         "extra folder to search for vigil-*.so plugins (repeatable; searched before $VIGIL_PLUGIN_PATH and the built-in folders)")
        ("device,d", po::value(&device), "backend for every stage: auto (cuda if usable, else cpu), cpu or cuda; overrides the pipeline's \"device\"")
        ("seed", po::value(&seed), "random seed handed to every plugin (overrides the pipeline's \"seed\", default 0)")
        ("threads,j", po::value(&threads), "threads each plugin may use (overrides the pipeline's \"threads\", default 2)")
        ("quiet,q", po::bool_switch(&quiet), "no progress line and no plugin log below warnings")
        ("verbose,v", po::bool_switch(&verbose), "also show plugins' debug messages");
}

Overrides Common::overrides() const {
    Overrides o;
    if (!device.empty()) o.device = parse_device(device);
    if (seed >= 0) o.seed = static_cast<uint64_t>(seed);
    if (threads != 0) {
        if (threads < 1 || threads > 1024) throw Error(ErrorKind::Usage, "--threads must be in 1..1024");
        o.threads = static_cast<uint32_t>(threads);
    }
    return o;
}

Registry Common::registry() const {
    progress::enable(!quiet);
    set_log_threshold(verbose ? VIGIL_LOG_DEBUG : quiet ? VIGIL_LOG_WARN : VIGIL_LOG_INFO);
    Registry r;
    r.scan(Registry::default_search_path(plugin_dirs));
    // Refused libraries are worth a warning: the user may be missing a plugin.
    if (!quiet)
        for (const auto &ref : r.refusals())
            std::fprintf(stderr, "warning: plugin %s refused: %s\n", ref.path.c_str(), ref.reason.c_str());
    return r;
}

bool parse(int argc, char **argv, const std::string &usage, po::options_description &opts,
           const po::positional_options_description &pos, po::variables_map &vm) {
    bool help = false;
    opts.add_options()("help,h", po::bool_switch(&help), "show this help");
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error &e) {
        if (help) {
            std::cout << usage << "\n" << opts << "\n";
            return false;
        }
        throw Error(ErrorKind::Usage, std::string(e.what()) + " (see --help)");
    }
    if (help) {
        std::cout << usage << "\n" << opts << "\n";
        return false;
    }
    return true;
}

void print_metrics_table(const std::vector<MetricSet> &metrics) {
    std::printf("%-12s %-16s %s\n", "evaluator", "metric", "value");
    for (const auto &m : metrics)
        for (const auto &[name, value] : m.values) std::printf("%-12s %-16s %.6g\n", m.evaluator.c_str(), name.c_str(), value);
}

nlohmann::json metrics_json(const std::vector<MetricSet> &metrics) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto &m : metrics) {
        nlohmann::json o = nlohmann::json::object();
        for (const auto &[name, value] : m.values) o[name] = value;
        j[m.evaluator] = o;
    }
    return j;
}

void write_scores_csv(const std::string &path, const std::vector<float> &scores, const std::vector<int32_t> &labels,
                      const std::vector<std::string> &names) {
    const std::string tmp = path + ".tmp";
    FILE *f = std::fopen(tmp.c_str(), "w");
    if (!f) throw_input(path + ": cannot create scores file");
    const bool has_names = names.size() == scores.size() && !names.empty();
    const bool has_labels = labels.size() == scores.size() && !labels.empty();
    std::fprintf(f, "index%s,score%s\n", has_names ? ",name" : "", has_labels ? ",label" : "");
    for (size_t i = 0; i < scores.size(); ++i) {
        std::fprintf(f, "%zu", i);
        if (has_names) {
            // Quote names (file paths) per RFC 4180.
            std::string q = "\"";
            for (char c : names[i]) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
            std::fprintf(f, ",%s\"", q.c_str());
        }
        std::fprintf(f, ",%.9g", static_cast<double>(scores[i]));
        if (has_labels) std::fprintf(f, ",%d", labels[i]);
        std::fputc('\n', f);
    }
    const bool ok = std::fflush(f) == 0 && !std::ferror(f);
    std::fclose(f);
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) throw_input(path + ": failed writing scores file");
}

// Reads the "score" and "label" columns of a CSV written by `vigil score`/`run`.
void read_scores_csv(const std::string &path, std::vector<float> &scores, std::vector<int32_t> &labels) {
    std::ifstream in(path);
    if (!in) throw_input(path + ": cannot open scores file");
    std::string line;
    if (!std::getline(in, line)) throw_input(path + ": empty scores file");
    std::vector<std::string> head;
    {
        std::stringstream ss(line);
        std::string c;
        while (std::getline(ss, c, ',')) head.push_back(c);
    }
    int si = -1, li = -1;
    for (size_t i = 0; i < head.size(); ++i) {
        if (head[i] == "score") si = static_cast<int>(i);
        if (head[i] == "label") li = static_cast<int>(i);
    }
    if (si < 0 || li < 0) throw_input(path + ": needs a header with 'score' and 'label' columns");
    size_t lineno = 1;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.empty()) continue;
        // Split on commas outside double quotes (names may hold commas).
        std::vector<std::string> cells(1);
        bool q = false;
        for (char c : line) {
            if (c == '"') q = !q;
            else if (c == ',' && !q) cells.emplace_back();
            else cells.back() += c;
        }
        if (cells.size() != head.size())
            throw_input(path + ":" + std::to_string(lineno) + ": expected " + std::to_string(head.size()) + " columns, got " +
                        std::to_string(cells.size()));
        char *end = nullptr;
        const float s = std::strtof(cells[si].c_str(), &end);
        if (end == cells[si].c_str() || *end || !std::isfinite(s))
            throw_input(path + ":" + std::to_string(lineno) + ": score '" + cells[si] + "' is not a finite number");
        const long l = std::strtol(cells[li].c_str(), &end, 10);
        if (end == cells[li].c_str() || *end || (l != 0 && l != 1))
            throw_input(path + ":" + std::to_string(lineno) + ": label '" + cells[li] + "' must be 0 (normal) or 1 (anomaly)");
        scores.push_back(s);
        labels.push_back(static_cast<int32_t>(l));
    }
}

std::vector<MetricSet> evaluate_scores(const Registry &reg, const nlohmann::json &evaluate, const std::vector<float> &scores,
                                       const std::vector<int32_t> &labels) {
    PipelineSpec spec;
    for (size_t i = 0; i < evaluate.size(); ++i) {
        const nlohmann::json &e = evaluate[i];
        const std::string path = "/evaluate/" + std::to_string(i);
        EvaluatorSpec es;
        es.json_path = path;
        if (e.is_string()) {
            es.name = e.get<std::string>();
            es.params = nlohmann::json::object();
        } else if (e.is_object() && e.contains("evaluator") && e["evaluator"].is_string()) {
            es.name = e["evaluator"].get<std::string>();
            es.params = e.value("params", nlohmann::json::object());
        } else {
            throw Error(ErrorKind::Pipeline, path + ": must be an evaluator name or {\"evaluator\": NAME, \"params\": {...}}");
        }
        // Fill the evaluator's defaults from its schema, as a pipeline would.
        const Selection s = reg.select(VIGIL_KIND_EVALUATOR, es.name, DeviceChoice::Auto);
        const std::vector<std::string> errs = validate_schema(s.variant->lib.schema, es.params, path);
        if (!errs.empty()) throw Error(ErrorKind::Usage, errs.front());
        es.params = apply_defaults(s.variant->lib.schema, es.params);
        spec.evaluators.push_back(es);
    }
    return run_evaluators(spec, reg, scores, labels);
}

} // namespace vigil::cli
