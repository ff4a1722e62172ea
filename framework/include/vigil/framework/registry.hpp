// registry.hpp — every plugin found in the search path, grouped by (kind, name),
// and the load-time choice of backend between a name's variants.
//
// Why this file exists: DESIGN.md "CPU and GPU implementations, chosen at load
// time": a method ships as vigil-<name>-cpu.so and vigil-<name>-cuda.so; the
// host picks one per name — `auto` takes the highest probe score (cuda with a
// usable device beats cpu), a forced device that cannot run is an error that
// says why.
#pragma once

#include <vigil/framework/plugin_library.hpp>

#include <map>
#include <string>
#include <vector>

namespace vigil {

enum class DeviceChoice { Auto, Cpu, Cuda };
DeviceChoice parse_device(const std::string &s);  // "auto" | "cpu" | "cuda"; throws Usage error
const char *device_name(DeviceChoice d);

// A library that was found but not registered, and why.
struct Refusal {
    std::string path;
    std::string reason;
};

// One backend variant of a plugin name, with its probe result.
struct Variant {
    PluginLibrary lib;
    int32_t score = 0;        // probe score; 0 = cannot run here
    std::string unusable_why; // probe's reason when score == 0
};

struct PluginGroup {
    vigil_kind kind;
    std::string name;
    std::vector<Variant> variants;  // at most one per backend, cpu first
};

struct Selection {
    const Variant *variant = nullptr;
    std::string why;  // human explanation of the choice, e.g. "cuda: no usable CUDA device: ...; cpu chosen"
};

class Registry {
public:
    // Ordered search path: --plugin-dir folders, then $VIGIL_PLUGIN_PATH
    // (colon-separated), then the build's own plugin folder and the installed
    // plugin folder (those that exist).
    static std::vector<std::string> default_search_path(const std::vector<std::string> &extra_dirs);

    // Load every vigil-*.so in `dirs` (in order; the first library of a
    // given kind/name/backend wins, later ones are refused as shadowed).
    void scan(const std::vector<std::string> &dirs);
    // Load one library file (also used by tests).
    void add_library(const std::string &path);

    const std::vector<Refusal> &refusals() const { return refusals_; }
    std::vector<const PluginGroup *> groups() const;
    const PluginGroup *find(vigil_kind kind, const std::string &name) const;
    std::vector<std::string> names(vigil_kind kind) const;

    // A pipeline-wide device choice as it applies to one plugin: `wanted`
    // when the plugin has a variant for that backend, else Auto (a plugin
    // built for cpu only runs on cpu under a global "cuda").
    DeviceChoice device_for(vigil_kind kind, const std::string &name, DeviceChoice wanted) const;

    // Choose the variant to run. Throws vigil::Error (Plugin) with a clear
    // message if the name is unknown or the forced device cannot run.
    Selection select(vigil_kind kind, const std::string &name, DeviceChoice device) const;

private:
    std::map<std::pair<vigil_kind, std::string>, PluginGroup> groups_;
    std::vector<Refusal> refusals_;
};

// The closest known name to `name` (edit distance ≤ 3), or "" — for "did you mean".
std::string closest_name(const std::string &name, const std::vector<std::string> &candidates);

} // namespace vigil
