// registry.cpp — plugin discovery, grouping of variants and backend choice.
#include <vigil/framework/error.hpp>
#include <vigil/framework/registry.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace vigil {

DeviceChoice parse_device(const std::string &s) {
    if (s == "auto") return DeviceChoice::Auto;
    if (s == "cpu") return DeviceChoice::Cpu;
    if (s == "cuda") return DeviceChoice::Cuda;
    throw Error(ErrorKind::Usage, "unknown device '" + s + "' (expected auto, cpu or cuda)");
}

const char *device_name(DeviceChoice d) {
    switch (d) {
    case DeviceChoice::Cpu: return "cpu";
    case DeviceChoice::Cuda: return "cuda";
    default: return "auto";
    }
}

std::vector<std::string> Registry::default_search_path(const std::vector<std::string> &extra_dirs) {
    std::vector<std::string> dirs = extra_dirs;
    if (const char *env = std::getenv("VIGIL_PLUGIN_PATH")) {
        std::stringstream ss(env);
        std::string d;
        while (std::getline(ss, d, ':'))
            if (!d.empty()) dirs.push_back(d);
    }
    // The folder next to the running executable's installation
    // (<prefix>/bin/vigil -> <prefix>/<libdir>/vigil/plugins) works wherever the
    // install prefix was moved to; then the build tree and the configured prefix.
    std::vector<std::string> builtin;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) builtin.push_back((exe.parent_path().parent_path() / VIGIL_PLUGIN_RELATIVE_DIR).string());
    builtin.push_back(VIGIL_DEFAULT_PLUGIN_DIR);
    builtin.push_back(VIGIL_INSTALLED_PLUGIN_DIR);
    for (const auto &d : builtin) {
        if (!fs::is_directory(d, ec)) continue;
        bool seen = false;
        for (const auto &x : dirs) seen = seen || fs::equivalent(x, d, ec);
        if (!seen) dirs.push_back(d);
    }
    return dirs;
}

void Registry::scan(const std::vector<std::string> &dirs) {
    for (const auto &dir : dirs) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) {
            refusals_.push_back({dir, "plugin folder does not exist"});
            continue;
        }
        std::vector<std::string> files;
        for (const auto &e : fs::directory_iterator(dir, ec)) {
            const std::string f = e.path().filename().string();
            if (f.rfind("vigil-", 0) == 0 && e.path().extension() == ".so") files.push_back(e.path().string());
        }
        std::sort(files.begin(), files.end());  // deterministic order
        for (const auto &f : files) add_library(f);
    }
}

void Registry::add_library(const std::string &path) {
    LoadOutcome o = load_plugin_library(path);
    if (!o.plugin) {
        refusals_.push_back({path, o.refusal});
        return;
    }
    PluginLibrary &p = *o.plugin;
    auto key = std::make_pair(p.kind(), p.name());
    auto &g = groups_[key];
    g.kind = p.kind();
    g.name = p.name();
    for (const auto &v : g.variants)
        if (v.lib.backend() == p.backend()) {
            refusals_.push_back({path, "shadowed by " + v.lib.path + " (same " + kind_name(p.kind()) + " '" +
                                           p.name() + "', backend " + backend_name(p.backend()) + ")"});
            return;
        }
    Variant v;
    v.score = p.probe(&v.unusable_why);
    v.lib = std::move(p);
    g.variants.push_back(std::move(v));
    std::sort(g.variants.begin(), g.variants.end(),
              [](const Variant &a, const Variant &b) { return a.lib.backend() < b.lib.backend(); });
}

std::vector<const PluginGroup *> Registry::groups() const {
    std::vector<const PluginGroup *> out;
    for (const auto &kv : groups_) out.push_back(&kv.second);
    return out;
}

const PluginGroup *Registry::find(vigil_kind kind, const std::string &name) const {
    auto it = groups_.find({kind, name});
    return it == groups_.end() ? nullptr : &it->second;
}

std::vector<std::string> Registry::names(vigil_kind kind) const {
    std::vector<std::string> out;
    for (const auto &kv : groups_)
        if (kv.first.first == kind) out.push_back(kv.first.second);
    return out;
}

DeviceChoice Registry::device_for(vigil_kind kind, const std::string &name, DeviceChoice wanted) const {
    const PluginGroup *g = find(kind, name);
    if (wanted == DeviceChoice::Auto || !g) return wanted;
    for (const auto &v : g->variants)
        if (std::string(backend_name(v.lib.backend())) == device_name(wanted)) return wanted;
    return DeviceChoice::Auto;
}

Selection Registry::select(vigil_kind kind, const std::string &name, DeviceChoice device) const {
    const PluginGroup *g = find(kind, name);
    if (!g) {
        std::string msg = std::string("unknown ") + kind_name(kind) + " '" + name + "'";
        const auto known = names(kind);
        if (auto near = closest_name(name, known); !near.empty()) msg += " (did you mean '" + near + "'?)";
        std::string list;
        for (const auto &n : known) list += (list.empty() ? "" : ", ") + n;
        msg += "; known " + std::string(kind_name(kind)) + "s: " + (list.empty() ? "none" : list);
        throw_plugin(msg);
    }
    Selection s;
    std::string notes;
    for (const auto &v : g->variants) {
        const std::string b = backend_name(v.lib.backend());
        if (device != DeviceChoice::Auto && b != device_name(device)) continue;
        if (v.score <= 0) {
            notes += (notes.empty() ? "" : "; ") + b + " variant cannot run here: " + v.unusable_why;
            continue;
        }
        if (!s.variant || v.score > s.variant->score) s.variant = &v;
    }
    if (!s.variant) {
        std::string msg = std::string(kind_name(kind)) + " '" + name + "': ";
        if (device != DeviceChoice::Auto && notes.empty())
            msg += std::string("no ") + device_name(device) + " variant is installed";
        else
            msg += notes.empty() ? "no variant can run here" : notes;
        throw_plugin(msg);
    }
    const std::string chosen = backend_name(s.variant->lib.backend());
    if (device != DeviceChoice::Auto)
        s.why = chosen + " (forced by device=" + device_name(device) + ")";
    else if (g->variants.size() == 1)
        s.why = chosen + " (only variant)";
    else if (!notes.empty())
        s.why = chosen + " (" + notes + ")";
    else
        s.why = chosen + " (highest probe score " + std::to_string(s.variant->score) + " of " +
                std::to_string(g->variants.size()) + " usable variants)";
    return s;
}

std::string closest_name(const std::string &name, const std::vector<std::string> &candidates) {
    std::string best;
    size_t best_d = 4;
    for (const auto &c : candidates) {
        // Levenshtein distance, two rows.
        std::vector<size_t> prev(c.size() + 1), cur(c.size() + 1);
        for (size_t j = 0; j <= c.size(); ++j) prev[j] = j;
        for (size_t i = 1; i <= name.size(); ++i) {
            cur[0] = i;
            for (size_t j = 1; j <= c.size(); ++j)
                cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (name[i - 1] == c[j - 1] ? 0 : 1)});
            std::swap(prev, cur);
        }
        if (prev[c.size()] < best_d) {
            best_d = prev[c.size()];
            best = c;
        }
    }
    return best;
}

} // namespace vigil
