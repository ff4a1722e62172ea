// csv.cpp — CSV feature tables: one sample per row, numbers separated by commas,
// an optional header row and an optional integer label column.
#include "file_bytes.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace vigil::data {
namespace {

std::vector<std::string> split(const std::string &line) {
    std::vector<std::string> cells(1);
    for (char c : line) {
        if (c == ',') cells.emplace_back();
        else if (c != '\r') cells.back() += c;
    }
    for (auto &c : cells) {  // trim spaces
        const auto a = c.find_first_not_of(" \t"), z = c.find_last_not_of(" \t");
        c = a == std::string::npos ? std::string() : c.substr(a, z - a + 1);
    }
    return cells;
}

bool parse_number(const std::string &s, double &v) {
    if (s.empty()) return false;
    char *end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return end && *end == '\0';
}

} // namespace

Dataset read_csv(const std::string &path, const CsvOptions &opt) {
    const std::string text = detail::read_all(path);
    std::stringstream ss(text);
    std::string line;
    std::vector<std::vector<std::string>> rows;
    std::vector<size_t> line_no;
    size_t ln = 0;
    while (std::getline(ss, line)) {
        ++ln;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        rows.push_back(split(line));
        line_no.push_back(ln);
    }
    if (rows.empty()) throw_input(path + ": empty CSV file");
    bool header;
    if (opt.header == "true") header = true;
    else if (opt.header == "false") header = false;
    else {
        double v;
        header = false;
        for (const auto &c : rows[0]) header = header || !parse_number(c, v);
    }
    const size_t cols = rows[0].size();
    int label_col = -1;
    if (!opt.label_column.empty()) {
        if (header)
            for (size_t i = 0; i < cols; ++i)
                if (rows[0][i] == opt.label_column) label_col = static_cast<int>(i);
        if (label_col < 0) {
            double v;
            if (parse_number(opt.label_column, v) && v >= 0 && v < cols && v == std::floor(v)) label_col = static_cast<int>(v);
            else throw_input(path + ": label column '" + opt.label_column + "' not found" + (header ? " in the header" : ""));
        }
    }
    const size_t first = header ? 1 : 0;
    const int64_t n = static_cast<int64_t>(rows.size() - first);
    if (n == 0) throw_input(path + ": CSV has a header but no data rows");
    const int64_t d = static_cast<int64_t>(cols) - (label_col >= 0 ? 1 : 0);
    if (d <= 0) throw_input(path + ": CSV has no feature columns");
    Dataset ds;
    ds.origin = path;
    ds.x = Tensor(VIGIL_DTYPE_FLOAT32, {n, d});
    if (label_col >= 0) ds.labels.resize(static_cast<size_t>(n));
    for (int64_t r = 0; r < n; ++r) {
        const auto &row = rows[first + r];
        const std::string where = path + ":" + std::to_string(line_no[first + r]);
        if (row.size() != cols)
            throw_input(where + ": expected " + std::to_string(cols) + " columns, got " + std::to_string(row.size()));
        int64_t j = 0;
        for (size_t c = 0; c < cols; ++c) {
            double v;
            if (!parse_number(row[c], v) || !std::isfinite(v))
                throw_input(where + ": column " + std::to_string(c + 1) + ": '" + row[c] + "' is not a finite number");
            if (static_cast<int>(c) == label_col) {
                if (v != std::floor(v)) throw_input(where + ": label '" + row[c] + "' is not an integer");
                ds.labels[r] = static_cast<int32_t>(v);
            } else {
                ds.x.data<float>()[r * d + j++] = static_cast<float>(v);
            }
        }
    }
    return ds;
}

} // namespace vigil::data
