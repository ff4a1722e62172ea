// cli_common.hpp — what every `vigil` verb shares: common options, the plugin
// registry, output helpers and the verb table.
#pragma once

#include <vigil/framework/pipeline.hpp>
#include <vigil/framework/registry.hpp>

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace vigil::cli {

namespace po = boost::program_options;

// Options every verb accepts (plugin search path, device, seed, threads, verbosity).
struct Common {
    std::vector<std::string> plugin_dirs;
    std::string device;
    long long seed = -1;
    int threads = 0;
    bool quiet = false, verbose = false;
    void add_to(po::options_description &d);
    Overrides overrides() const;
    // Applies verbosity and scans the plugin search path.
    Registry registry() const;
};

// Parses argv for a verb; returns false when --help was printed.
bool parse(int argc, char **argv, const std::string &usage, po::options_description &opts,
           const po::positional_options_description &pos, po::variables_map &vm);

void print_metrics_table(const std::vector<MetricSet> &metrics);
nlohmann::json metrics_json(const std::vector<MetricSet> &metrics);
// Writes "index[,name],score[,label]" with scores printed exactly (%.9g).
void write_scores_csv(const std::string &path, const std::vector<float> &scores, const std::vector<int32_t> &labels,
                      const std::vector<std::string> &names);

// Reads the "score" and "label" columns of a CSV written by `vigil score`/`run`
// (or a bench peer); Error(Input) naming file and line for anything else.
void read_scores_csv(const std::string &path, std::vector<float> &scores, std::vector<int32_t> &labels);
// Runs evaluators given as a pipeline's "evaluate" list (names or
// {"evaluator", "params"}) on scores and labels, schema defaults filled in.
std::vector<MetricSet> evaluate_scores(const Registry &reg, const nlohmann::json &evaluate, const std::vector<float> &scores,
                                       const std::vector<int32_t> &labels);

int cmd_bench(int argc, char **argv);
int cmd_plugins(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_eval(int argc, char **argv);

} // namespace vigil::cli
