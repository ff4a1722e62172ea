// csv.cpp — CSV feature tables: one sample per row, numbers separated by commas,
// an optional header row and an optional integer label column.
#include "file_bytes.hpp"
#include "peek.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace vigil::data {
namespace detail {

std::vector<std::string> split_csv_line(const std::string &line) {
    std::vector<std::string> cells(1);
    for (char c : line) {
        if (c == ',') cells.emplace_back();
        else if (c != '\r') cells.back() += c;
    }
    for (auto &c : cells) {
        const auto a = c.find_first_not_of(" \t"), z = c.find_last_not_of(" \t");
        c = a == std::string::npos ? std::string() : c.substr(a, z - a + 1);
        if (c.size() >= 2 && c.front() == '"' && c.back() == '"') c = c.substr(1, c.size() - 2);
    }
    return cells;
}

} // namespace detail

namespace {

constexpr const char *kBom = "\xEF\xBB\xBF";

// The whole cell as a number; locale-independent ("1.5" everywhere). Accepts
// nan / inf so that they can be named as such.
bool parse_number(const std::string &s, double &v) {
    const char *b = s.data(), *e = s.data() + s.size();
    if (b != e && *b == '+') ++b;
    if (b == e) return false;
    const auto r = std::from_chars(b, e, v);
    return r.ec == std::errc() && r.ptr == e;
}

bool is_blank(const std::string &line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

// The layout the first non-blank row implies under `opt`.
detail::CsvLayout layout_of(const std::vector<std::string> &first, const CsvOptions &opt, const std::string &path) {
    detail::CsvLayout l;
    l.columns = first.size();
    if (opt.header == "true") l.header = true;
    else if (opt.header == "false") l.header = false;
    else if (opt.header == "auto") {
        double v;
        for (const auto &c : first) l.header = l.header || (!c.empty() && !parse_number(c, v));
    } else {
        throw_input(path + ": header option must be \"auto\", \"true\" or \"false\", got '" + opt.header + "'");
    }
    if (l.header) l.header_names = first;
    if (opt.label_column.empty()) return l;
    for (size_t i = 0; l.header && i < first.size() && l.label_column < 0; ++i)
        if (first[i] == opt.label_column) l.label_column = static_cast<int>(i);
    if (l.label_column >= 0) return l;
    const bool digits = opt.label_column.find_first_not_of("0123456789") == std::string::npos && opt.label_column.size() < 9;
    if (!digits) {
        std::string names;
        for (const auto &n : l.header_names) names += (names.empty() ? "" : ", ") + n;
        throw_input(path + ": label column '" + opt.label_column + "' not found " +
                    (l.header ? "in the header (columns: " + names + ")" : "(the file has no header row; give a 0-based index)"));
    }
    const long idx = std::stol(opt.label_column);
    if (idx >= static_cast<long>(l.columns))
        throw_input(path + ": label column " + opt.label_column + " is out of range (the table has " + std::to_string(l.columns) +
                    " columns, 0-based indices 0.." + std::to_string(l.columns - 1) + ")");
    l.label_column = static_cast<int>(idx);
    return l;
}

} // namespace

namespace detail {

CsvLayout peek_csv(const std::string &path, const CsvOptions &opt) {
    for (size_t n = size_t(1) << 16;; n *= 4) {
        std::string head = read_prefix(path, n);
        const bool whole = head.size() < n;
        if (head.compare(0, 3, kBom) == 0) head.erase(0, 3);
        size_t pos = 0;
        while (pos < head.size()) {
            const size_t nl = head.find('\n', pos);
            if (nl == std::string::npos && !whole) break;  // line continues beyond the prefix
            const std::string line = head.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
            if (!is_blank(line)) return layout_of(split_csv_line(line), opt, path);
            if (nl == std::string::npos) break;
            pos = nl + 1;
        }
        if (whole) throw_input(path + ": empty CSV file");
        if (n >= (size_t(1) << 26)) throw_input(path + ": the first line is longer than 64 MiB; not a CSV table?");
    }
}

} // namespace detail

Dataset read_csv(const std::string &path, const CsvOptions &opt) {
    std::string text = detail::read_all(path);
    if (text.compare(0, 3, kBom) == 0) text.erase(0, 3);
    // One pass, values straight into a flat buffer: tables of millions of cells stay cheap.
    detail::CsvLayout layout;
    bool have_layout = false;
    size_t layout_line = 0;
    int64_t d = 0, n = 0;
    std::vector<float> values;
    std::vector<int32_t> labels;
    size_t ln = 0;
    for (size_t pos = 0; pos < text.size();) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        ++ln;
        const std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (is_blank(line)) continue;
        const std::vector<std::string> row = detail::split_csv_line(line);
        if (!have_layout) {
            layout = layout_of(row, opt, path);
            have_layout = true;
            layout_line = ln;
            d = static_cast<int64_t>(layout.columns) - (layout.label_column >= 0 ? 1 : 0);
            if (d <= 0) throw_input(path + ": the CSV has no feature columns (only the label column)");
            if (layout.header) continue;
        }
        const std::string where = path + ":" + std::to_string(ln);
        if (row.size() != layout.columns)
            throw_input(where + ": expected " + std::to_string(layout.columns) + " columns (as on line " +
                        std::to_string(layout_line) + "), got " + std::to_string(row.size()));
        for (size_t c = 0; c < row.size(); ++c) {
            auto cell = [&] {
                return where + ": column " + std::to_string(c + 1) +
                       (layout.header ? " ('" + layout.header_names[c] + "')" : std::string());
            };
            double v;
            if (row[c].empty()) throw_input(cell() + ": empty cell");
            if (!parse_number(row[c], v)) throw_input(cell() + ": '" + row[c] + "' is not a number");
            if (std::isnan(v)) throw_input(cell() + ": '" + row[c] + "' is NaN; NaN input is rejected");
            if (!std::isfinite(v)) throw_input(cell() + ": '" + row[c] + "' is infinite; non-finite input is rejected");
            if (static_cast<int>(c) == layout.label_column) {
                if (v != std::floor(v) || v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
                    throw_input(cell() + ": label '" + row[c] + "' is not a 32-bit integer");
                labels.push_back(static_cast<int32_t>(v));
            } else {
                if (std::fabs(v) > std::numeric_limits<float>::max())
                    throw_input(cell() + ": '" + row[c] + "' is outside the float32 range");
                values.push_back(static_cast<float>(v));
            }
        }
        ++n;
    }
    std::string().swap(text);
    if (!have_layout) throw_input(path + ": empty CSV file");
    if (n == 0) throw_input(path + ": the CSV has a header row but no data rows");
    Dataset ds;
    ds.origin = path;
    ds.x = Tensor(VIGIL_DTYPE_FLOAT32, {n, d});
    std::copy(values.begin(), values.end(), ds.x.data<float>());
    ds.labels = std::move(labels);
    return ds;
}

} // namespace vigil::data
