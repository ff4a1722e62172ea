// cmd_plugins.cpp — `vigil plugins`: every plugin name, its variants, and the
// variant `auto` (or --device) would choose here, with the reason.
#include "cli_common.hpp"

#include <vigil/framework/error.hpp>

#include <cstdio>
#include <iostream>

namespace vigil::cli {

int cmd_plugins(int argc, char **argv) {
    Common common;
    bool as_json = false;
    po::options_description opts("vigil plugins options");
    opts.add_options()("json", po::bool_switch(&as_json), "print JSON instead of a table");
    common.add_to(opts);
    po::variables_map vm;
    if (!parse(argc, argv,
               "usage: vigil plugins [--json] [--device auto|cpu|cuda] [-P DIR]...\n\n"
               "Lists every plugin found in the search path: kind, name, version, the cpu/cuda variants\n"
               "present, and which variant would run here and why. Libraries that were refused are\n"
               "listed with the reason.",
               opts, {}, vm))
        return 0;
    Common quiet = common;
    quiet.quiet = true;  // refusals are part of this listing, not warnings
    const Registry reg = quiet.registry();
    const DeviceChoice dev = common.device.empty() ? DeviceChoice::Auto : parse_device(common.device);

    nlohmann::json out = {{"plugins", nlohmann::json::array()}, {"refused", nlohmann::json::array()}};
    for (const PluginGroup *g : reg.groups()) {
        nlohmann::json p = {{"kind", kind_name(g->kind)}, {"name", g->name}, {"variants", nlohmann::json::array()}};
        for (const auto &v : g->variants) {
            p["version"] = v.lib.version();
            p["description"] = v.lib.desc->description ? v.lib.desc->description : "";
            p["params_schema"] = v.lib.schema;
            p["variants"].push_back({{"backend", backend_name(v.lib.backend())},
                                     {"version", v.lib.version()},
                                     {"path", v.lib.path},
                                     {"probe_score", v.score},
                                     {"usable", v.score > 0},
                                     {"unusable_reason", v.unusable_why}});
        }
        try {
            const Selection s = reg.select(g->kind, g->name, dev);
            p["chosen"] = backend_name(s.variant->lib.backend());
            p["why"] = s.why;
        } catch (const Error &e) {
            p["chosen"] = nullptr;
            p["why"] = e.what();
        }
        out["plugins"].push_back(p);
    }
    for (const auto &r : reg.refusals()) out["refused"].push_back({{"path", r.path}, {"reason", r.reason}});

    if (as_json) {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::printf("%-10s %-14s %-8s %-10s %-7s %s\n", "kind", "name", "version", "variants", "chosen", "why");
    for (const auto &p : out["plugins"]) {
        std::string variants;
        for (const auto &v : p["variants"]) variants += (variants.empty() ? "" : ",") + v["backend"].get<std::string>();
        std::printf("%-10s %-14s %-8s %-10s %-7s %s\n", p["kind"].get<std::string>().c_str(),
                    p["name"].get<std::string>().c_str(), p["version"].get<std::string>().c_str(), variants.c_str(),
                    p["chosen"].is_null() ? "-" : p["chosen"].get<std::string>().c_str(), p["why"].get<std::string>().c_str());
    }
    if (!out["refused"].empty()) {
        std::printf("\nrefused libraries:\n");
        for (const auto &r : out["refused"])
            std::printf("  %s: %s\n", r["path"].get<std::string>().c_str(), r["reason"].get<std::string>().c_str());
    }
    if (out["plugins"].empty()) std::printf("(no plugins found; use --plugin-dir or VIGIL_PLUGIN_PATH)\n");
    return 0;
}

} // namespace vigil::cli
