// bench_matrix.hpp — a `vigil bench` matrix file, validated and expanded into
// the cells that run.
//
// Why this file exists: a benchmark is pipelines × datasets × normal classes
// (one-vs-rest) or ID/OOD pairs × seeds. Every cell must be reproducible on
// its own (its generated pipeline is a complete `vigil run` file, or a peer
// script's command line) and identified by a hash of exactly what it runs, so
// that a results file can be resumed and compared. All mistakes in the matrix
// are reported at once, each naming its JSON path (docs/BENCH.md has the format).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil::bench {

struct Cell {
    std::string id;        // "<pipeline>|<dataset>|<normal class, or all>|s<seed>", unique in the matrix
    std::string pipeline;  // unique pipeline name
    std::string label;     // column header in tables (defaults to the pipeline name)
    std::string group;     // tables are split by group (e.g. the feature set); "" = one table
    std::string dataset;
    std::optional<int32_t> normal;  // one-vs-rest normal class; empty when the sources are used as written
    uint64_t seed = 0;
    bool peer = false;
    // Vigil cell: the complete pipeline document (absolute data paths).
    // Peer cell: {"script", "args", "features", "seed", "normal", "data": {...}}.
    nlohmann::json spec;
    nlohmann::json evaluate;             // evaluators (peer cells: run by `vigil bench` on the peer's scores)
    std::vector<std::string> peer_argv;  // peer cell: the argv after the interpreter, less --scores-out
    std::string hash;       // 16 hex digits, FNV-1a 64 of the canonical spec without "name"
    std::string json_path;  // where the pipeline is defined in the matrix, for messages
};

struct DatasetInfo {
    std::string name;
    bool one_vs_rest = true;
    std::vector<int32_t> classes;          // one-vs-rest: the normal classes benchmarked
    std::vector<std::string> class_names;  // optional, indexed by class
    nlohmann::json test;                   // test source with absolute paths (for thumbnails)
};

struct Matrix {
    std::string path, base_dir, name, description;
    std::string python = "/usr/bin/python3";
    int threads = 1;          // threads per cell
    double cell_timeout = 0;  // seconds; 0 = none
    std::vector<std::string> pipelines;  // in matrix order (table columns)
    std::vector<std::string> groups;     // in first-seen order
    std::vector<DatasetInfo> datasets;   // in matrix order (table rows)
    std::vector<Cell> cells;
    const DatasetInfo &dataset(const std::string &name) const;
};

// Reads, validates and expands MATRIX.json. Throws Error(Pipeline) listing every
// problem (JSON path first), Error(Input) when a dataset's files are missing.
Matrix load_matrix(const std::string &path);

// The pipeline a Vigil cell runs, with absolute data paths.
nlohmann::json runnable_pipeline(const Matrix &m, const Cell &c);

// FNV-1a 64 of `text` as 16 hex digits (identity, not security).
std::string fnv1a_hex(const std::string &text);
// Canonical JSON (keys sorted, no spaces) with "name" removed at the top level.
std::string canonical(const nlohmann::json &spec);

// A cell id made safe as a file name (letters, digits, '-', '_', '.'; others → '_').
std::string file_stem(const std::string &cell_id);

} // namespace vigil::bench
