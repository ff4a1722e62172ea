// plugin_library.cpp — Boost.DLL loading and ABI checks of one plugin library.
#include <vigil/framework/plugin_library.hpp>

#include <boost/dll/shared_library.hpp>
#include <dlfcn.h>

#include <cctype>
#include <cstddef>
#include <cstring>

namespace vigil {

const char *kind_name(vigil_kind k) {
    switch (k) {
    case VIGIL_KIND_EXTRACTOR: return "extractor";
    case VIGIL_KIND_DETECTOR: return "detector";
    case VIGIL_KIND_EVALUATOR: return "evaluator";
    default: return "unknown";
    }
}

const char *backend_name(vigil_backend b) {
    switch (b) {
    case VIGIL_BACKEND_CPU: return "cpu";
    case VIGIL_BACKEND_CUDA: return "cuda";
    default: return "unknown";
    }
}

std::string status_name(vigil_status s) {
    switch (s) {
    case VIGIL_OK: return "VIGIL_OK";
    case VIGIL_ERR_INVALID_ARGUMENT: return "VIGIL_ERR_INVALID_ARGUMENT";
    case VIGIL_ERR_STATE: return "VIGIL_ERR_STATE";
    case VIGIL_ERR_IO: return "VIGIL_ERR_IO";
    case VIGIL_ERR_NO_DEVICE: return "VIGIL_ERR_NO_DEVICE";
    case VIGIL_ERR_OUT_OF_MEMORY: return "VIGIL_ERR_OUT_OF_MEMORY";
    case VIGIL_ERR_CANCELLED: return "VIGIL_ERR_CANCELLED";
    case VIGIL_ERR_UNSUPPORTED: return "VIGIL_ERR_UNSUPPORTED";
    case VIGIL_ERR_INTERNAL: return "VIGIL_ERR_INTERNAL";
    default: return "status " + std::to_string(s);
    }
}

std::string PluginLibrary::label() const { return name() + " (" + backend_name(backend()) + ")"; }

int32_t PluginLibrary::probe(std::string *reason) const {
    char buf[512] = {0};
    int32_t score = 0;
    try {
        score = desc->probe(buf, sizeof buf);
    } catch (...) {
        if (reason) *reason = "probe threw an exception";
        return 0;
    }
    buf[sizeof buf - 1] = '\0';
    if (reason) *reason = score > 0 ? std::string() : (buf[0] ? std::string(buf) : std::string("probe returned 0"));
    return score < 0 ? 0 : score;
}

namespace {

bool valid_name(const char *s) {
    if (!s || !*s || std::strlen(s) > 64) return false;
    for (const char *p = s; *p; ++p)
        if (!(std::islower(static_cast<unsigned char>(*p)) || std::isdigit(static_cast<unsigned char>(*p)) || *p == '_'))
            return false;
    return true;
}

// Minimum struct sizes of ABI 1.0: a table must hold at least these slots.
constexpr size_t kMinDesc = offsetof(vigil_plugin_desc, iface) + sizeof(void *);

std::string check_iface(const vigil_plugin_desc *d) {
    if (!d->iface) return "descriptor has no function table";
    switch (d->kind) {
    case VIGIL_KIND_DETECTOR: {
        auto *t = static_cast<const vigil_detector_iface *>(d->iface);
        if (t->struct_size < sizeof(vigil_detector_iface)) return "detector function table is too small";
        if (!t->create || !t->destroy || !t->fit || !t->score || !t->save || !t->load)
            return "detector function table has an empty required slot (create, destroy, fit, score, save, load)";
        return {};
    }
    case VIGIL_KIND_EXTRACTOR: {
        auto *t = static_cast<const vigil_extractor_iface *>(d->iface);
        if (t->struct_size < sizeof(vigil_extractor_iface)) return "extractor function table is too small";
        if (!t->create || !t->destroy || !t->output_shape || !t->transform)
            return "extractor function table has an empty required slot (create, destroy, output_shape, transform)";
        if ((t->save == nullptr) != (t->load == nullptr)) return "extractor provides only one of save and load";
        return {};
    }
    case VIGIL_KIND_EVALUATOR: {
        auto *t = static_cast<const vigil_evaluator_iface *>(d->iface);
        if (t->struct_size < sizeof(vigil_evaluator_iface)) return "evaluator function table is too small";
        if (!t->create || !t->destroy || !t->evaluate)
            return "evaluator function table has an empty required slot (create, destroy, evaluate)";
        return {};
    }
    default: return "unknown plugin kind " + std::to_string(d->kind);
    }
}

} // namespace

LoadOutcome load_plugin_library(const std::string &path) noexcept {
    LoadOutcome out;
    try {
        auto lib = std::make_shared<boost::dll::shared_library>();
        boost::dll::fs::error_code ec;
        lib->load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
        if (ec) {
            const char *why = dlerror();  // Boost.DLL's message is generic; dlerror names the cause
            out.refusal = "cannot load library: " + (why ? std::string(why) : ec.message());
            return out;
        }
        if (!lib->has(VIGIL_PLUGIN_ENTRY_SYMBOL)) {
            out.refusal = "not a Vigil plugin: it does not export the entry symbol '" VIGIL_PLUGIN_ENTRY_SYMBOL "'";
            return out;
        }
        auto entry = lib->get<const vigil_plugin_desc *(uint32_t)>(VIGIL_PLUGIN_ENTRY_SYMBOL);
        const vigil_plugin_desc *d = nullptr;
        try {
            d = entry(VIGIL_ABI_VERSION);
        } catch (...) {
            out.refusal = "the entry function threw an exception";
            return out;
        }
        if (!d) {
            out.refusal = "the entry function returned no descriptor (the plugin refused this host)";
            return out;
        }
        if (d->struct_size < kMinDesc) {
            out.refusal = "descriptor is too small (" + std::to_string(d->struct_size) + " bytes)";
            return out;
        }
        const uint32_t major = VIGIL_ABI_MAJOR_OF(d->abi_version), minor = VIGIL_ABI_MINOR_OF(d->abi_version);
        const std::string theirs = std::to_string(major) + "." + std::to_string(minor);
        const std::string ours = std::to_string(VIGIL_ABI_VERSION_MAJOR) + "." + std::to_string(VIGIL_ABI_VERSION_MINOR);
        if (major != VIGIL_ABI_VERSION_MAJOR) {
            out.refusal = "built for Vigil ABI " + theirs + ", but this host speaks ABI " + ours +
                          " (major versions differ: rebuild the plugin against this SDK)";
            return out;
        }
        if (minor > VIGIL_ABI_VERSION_MINOR) {
            out.refusal = "built for Vigil ABI " + theirs + ", newer than this host's ABI " + ours + " (upgrade Vigil)";
            return out;
        }
        if (!valid_name(d->name)) {
            out.refusal = "descriptor name is missing or not of the form [a-z0-9_]+";
            return out;
        }
        if (!d->version || !*d->version) {
            out.refusal = "descriptor has no version";
            return out;
        }
        if (d->backend != VIGIL_BACKEND_CPU && d->backend != VIGIL_BACKEND_CUDA) {
            out.refusal = "descriptor names an unknown backend " + std::to_string(d->backend);
            return out;
        }
        if (!d->probe) {
            out.refusal = "descriptor has no probe function";
            return out;
        }
        if (auto why = check_iface(d); !why.empty()) {
            out.refusal = why;
            return out;
        }
        PluginLibrary p;
        p.path = path;
        p.desc = d;
        const char *schema = d->params_schema && *d->params_schema ? d->params_schema : "{}";
        p.schema = nlohmann::json::parse(schema, nullptr, false);
        if (p.schema.is_discarded() || !p.schema.is_object()) {
            out.refusal = "its parameter schema is not a JSON object";
            return out;
        }
        p.library = std::move(lib);
        out.plugin = std::move(p);
    } catch (const std::exception &e) {
        out.refusal = std::string("cannot load library: ") + e.what();
    } catch (...) {
        out.refusal = "cannot load library: unknown error";
    }
    return out;
}

} // namespace vigil
