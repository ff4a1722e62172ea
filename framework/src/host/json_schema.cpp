// json_schema.cpp — a small JSON Schema (draft-07 subset) validator (see json_schema.hpp).
#include <vigil/framework/json_schema.hpp>

#include <cmath>

namespace vigil {
namespace {

using json = nlohmann::json;

std::string type_of(const json &v) {
    switch (v.type()) {
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::string: return "string";
    case json::value_t::boolean: return "boolean";
    case json::value_t::null: return "null";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: {
        const double d = v.get<double>();
        return (std::isfinite(d) && d == std::floor(d)) ? "integer" : "number";
    }
    default: return "unknown";
    }
}

bool is_type(const json &v, const std::string &t) {
    const std::string have = type_of(v);
    return have == t || (t == "number" && have == "integer");
}

std::string show(const json &v) {
    std::string s = v.dump();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

void check(const json &schema, const json &v, const std::string &path, std::vector<std::string> &errors) {
    if (!schema.is_object()) return;
    const std::string where = path.empty() ? "/" : path;
    if (auto it = schema.find("type"); it != schema.end()) {
        bool ok = false;
        std::string want;
        if (it->is_string()) {
            ok = is_type(v, *it);
            want = *it;
        } else if (it->is_array()) {
            for (const auto &t : *it) {
                ok = ok || (t.is_string() && is_type(v, t));
                want += (want.empty() ? "" : " or ") + t.get<std::string>();
            }
        } else {
            ok = true;
        }
        if (!ok) {
            errors.push_back(where + ": expected " + want + ", got " + type_of(v) + " " + show(v));
            return;
        }
    }
    if (auto it = schema.find("enum"); it != schema.end() && it->is_array()) {
        bool found = false;
        for (const auto &e : *it) found = found || e == v;
        if (!found) errors.push_back(where + ": " + show(v) + " is not one of " + show(*it));
    }
    if (auto it = schema.find("const"); it != schema.end() && *it != v)
        errors.push_back(where + ": must be " + show(*it));
    if (v.is_number()) {
        const double d = v.get<double>();
        auto bound = [&](const char *key, auto bad, const char *words) {
            if (auto b = schema.find(key); b != schema.end() && b->is_number() && bad(d, b->get<double>()))
                errors.push_back(where + ": " + show(v) + " must be " + words + " " + show(*b));
        };
        bound("minimum", [](double x, double b) { return x < b; }, ">=");
        bound("maximum", [](double x, double b) { return x > b; }, "<=");
        bound("exclusiveMinimum", [](double x, double b) { return x <= b; }, ">");
        bound("exclusiveMaximum", [](double x, double b) { return x >= b; }, "<");
    }
    if (v.is_string()) {
        const size_t n = v.get<std::string>().size();
        if (auto b = schema.find("minLength"); b != schema.end() && b->is_number() && n < b->get<size_t>())
            errors.push_back(where + ": string shorter than " + show(*b));
        if (auto b = schema.find("maxLength"); b != schema.end() && b->is_number() && n > b->get<size_t>())
            errors.push_back(where + ": string longer than " + show(*b));
    }
    if (v.is_array()) {
        if (auto b = schema.find("minItems"); b != schema.end() && b->is_number() && v.size() < b->get<size_t>())
            errors.push_back(where + ": needs at least " + show(*b) + " items");
        if (auto b = schema.find("maxItems"); b != schema.end() && b->is_number() && v.size() > b->get<size_t>())
            errors.push_back(where + ": allows at most " + show(*b) + " items");
        if (auto items = schema.find("items"); items != schema.end() && items->is_object())
            for (size_t i = 0; i < v.size(); ++i) check(*items, v[i], path + "/" + std::to_string(i), errors);
    }
    if (v.is_object()) {
        const auto props = schema.find("properties");
        if (auto req = schema.find("required"); req != schema.end() && req->is_array())
            for (const auto &r : *req)
                if (r.is_string() && !v.contains(r.get<std::string>()))
                    errors.push_back(where + ": missing required key '" + r.get<std::string>() + "'");
        const auto addl = schema.find("additionalProperties");
        for (auto it = v.begin(); it != v.end(); ++it) {
            const std::string child = path + "/" + it.key();
            if (props != schema.end() && props->is_object() && props->contains(it.key())) {
                check((*props)[it.key()], it.value(), child, errors);
            } else if (addl != schema.end()) {
                if (addl->is_boolean() && !addl->get<bool>()) {
                    std::string known;
                    if (props != schema.end() && props->is_object())
                        for (auto p = props->begin(); p != props->end(); ++p) known += (known.empty() ? "" : ", ") + p.key();
                    errors.push_back(child + ": unknown key '" + it.key() + "'" +
                                     (known.empty() ? std::string(" (no keys are accepted here)") : " (known: " + known + ")"));
                } else if (addl->is_object()) {
                    check(*addl, it.value(), child, errors);
                }
            }
        }
    }
    auto count_matches = [&](const json &alts, std::vector<std::string> &first_errors) {
        int matches = 0;
        for (const auto &alt : alts) {
            std::vector<std::string> e;
            check(alt, v, path, e);
            if (e.empty()) ++matches;
            else if (first_errors.empty()) first_errors = e;
        }
        return matches;
    };
    if (auto it = schema.find("anyOf"); it != schema.end() && it->is_array()) {
        std::vector<std::string> first;
        if (count_matches(*it, first) == 0)
            errors.push_back(where + ": " + show(v) + " matches none of the allowed forms" +
                             (first.empty() ? "" : " (e.g. " + first.front() + ")"));
    }
    if (auto it = schema.find("oneOf"); it != schema.end() && it->is_array()) {
        std::vector<std::string> first;
        const int m = count_matches(*it, first);
        if (m != 1)
            errors.push_back(where + ": " + show(v) + (m == 0 ? " matches none of the allowed forms" : " is ambiguous between forms") +
                             (first.empty() || m != 0 ? "" : " (e.g. " + first.front() + ")"));
    }
}

} // namespace

std::vector<std::string> validate_schema(const json &schema, const json &value, const std::string &path) {
    std::vector<std::string> errors;
    check(schema, value, path, errors);
    return errors;
}

json apply_defaults(const json &schema, const json &value) {
    json out = value;
    if (!schema.is_object() || !out.is_object()) return out;
    const auto props = schema.find("properties");
    if (props == schema.end() || !props->is_object()) return out;
    for (auto p = props->begin(); p != props->end(); ++p) {
        if (!out.contains(p.key())) {
            if (p->is_object() && p->contains("default")) out[p.key()] = (*p)["default"];
        } else if (out[p.key()].is_object()) {
            out[p.key()] = apply_defaults(*p, out[p.key()]);
        }
    }
    return out;
}

} // namespace vigil
