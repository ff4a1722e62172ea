// plugin_library.hpp — one plugin shared library, loaded and checked.
//
// Why this file exists: loading a library written by a third party is where
// the host meets untrusted code. Everything that can go wrong there (dlopen
// fails, no entry symbol, wrong ABI, malformed descriptor, an entry that
// throws) is turned into a refusal with a reason here, once, so the registry
// only ever sees well-formed plugins.
#pragma once

#include <vigil/vigil.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace boost::dll {
class shared_library;
}

namespace vigil {

const char *kind_name(vigil_kind k);       // "extractor", "detector", "evaluator"
const char *backend_name(vigil_backend b); // "cpu", "cuda"
std::string status_name(vigil_status s);   // "VIGIL_ERR_IO", ...

// A loaded, validated plugin library. Copyable; copies share the library,
// which stays loaded while any copy (or any object created from it) lives.
struct PluginLibrary {
    std::string path;
    std::shared_ptr<boost::dll::shared_library> library;
    const vigil_plugin_desc *desc = nullptr;  // static data inside `library`
    nlohmann::json schema;                     // parsed params_schema

    std::string name() const { return desc->name; }
    std::string version() const { return desc->version; }
    vigil_kind kind() const { return desc->kind; }
    vigil_backend backend() const { return desc->backend; }
    std::string label() const;  // e.g. "knn (cpu)"

    // Probe score (0 = cannot run here) and the reason when 0.
    int32_t probe(std::string *reason) const;
};

struct LoadOutcome {
    std::optional<PluginLibrary> plugin;
    std::string refusal;  // set when plugin is empty: why the library was refused
};

// Loads `path` and checks it: entry symbol, ABI version, descriptor and
// function-table completeness, schema JSON. Never throws.
LoadOutcome load_plugin_library(const std::string &path) noexcept;

} // namespace vigil
