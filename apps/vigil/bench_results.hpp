// bench_results.hpp — the results file of `vigil bench` and the tables made
// from it (CSV for machines, Markdown for people).
//
// Why this file exists: the results file is the one record of a benchmark —
// resumption reads it, the regression gate compares two of them, and every
// table and report is rendered from it (never from memory of a run), so a
// report regenerated later shows exactly what was measured.
#pragma once

#include "bench_matrix.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace vigil::bench {

// {"format": "vigil-bench-results/1", "matrix": {...}, "host": {...}, "cells": {id: record}}
// A record: id, pipeline, label, group, dataset, normal, seed, kind (vigil|peer),
// status (ok|failed), pipeline_hash, spec, metrics {evaluator: {metric: value}},
// fit/score/load/wall_seconds, peak_rss_mib, backend, plugins, n_train, n_test,
// scores (CSV path relative to the results file), error (failed cells), finished.
struct Results {
    nlohmann::json doc;
    std::string path;
    // A missing file is an empty result set; an unreadable or foreign one is Error(Input).
    static Results load(const std::string &path);
    // Written to a temporary file and renamed into place: a kill never leaves half a file.
    void save() const;
    const nlohmann::json *cell(const std::string &id) const;
    void put(const nlohmann::json &record);
};

// The AUROC of a finished record (roc evaluator), if any.
std::optional<double> auroc_of(const nlohmann::json &record);
// fit + score seconds of a finished record.
double model_seconds(const nlohmann::json &record);

// mean ± sample std over seeds of one (pipeline, dataset, class) unit.
struct Summary {
    int n_ok = 0, n_failed = 0, n_missing = 0;
    double mean = 0, std = 0;     // AUROC
    double seconds = 0;           // mean fit + score seconds
    double peak_rss_mib = 0;      // max over seeds
};
Summary summarize(const Matrix &m, const Results &r, const std::string &pipeline, const std::string &dataset,
                  const std::optional<int32_t> &normal);

// Row label of a unit: "3 (Dress)" or the dataset name for an ID/OOD pair.
std::string unit_label(const DatasetInfo &d, const std::optional<int32_t> &normal);

// "evaluator.metric" of every metric found in the matrix's finished cells,
// in first-seen order: the metric columns of the CSV and the report's cell table.
std::vector<std::string> metric_columns(const Matrix &m, const Results &r);

// One row per cell of the matrix, every metric as a column.
void write_csv(const std::string &path, const Matrix &m, const Results &r);
// Per dataset and group: rows = normal classes, columns = pipelines, AUROC
// mean ± std over seeds with the best per row in bold; then mean rows.
std::string markdown(const Matrix &m, const Results &r);

// Atomic text write (temporary file + rename), Error(Input) naming the path on failure.
void write_file_atomic(const std::string &path, const std::string &text);

} // namespace vigil::bench
