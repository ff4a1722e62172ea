// model_file.cpp — saving and loading a fitted pipeline as one file.
//
// Format (all integers little-endian):
//   8 bytes  magic "VIGILMDL"
//   uint32   format version (1)
//   uint64   header length H, then H bytes of UTF-8 JSON:
//            {"format":1, "vigil_version", "abi", "pipeline": <spec as written>,
//             "base_dir", "settings": {"seed","threads"},
//             "stages": [{"kind","name","version","abi","backend","params","state_bytes"}],
//             "evaluators": [{"name","params"}]}
//   for each stage: uint64 length L, then L bytes of the plugin's saved state
//   uint32   CRC-32 (zlib) of every byte before it
// Loading verifies magic, version, length and checksum before any plugin
// sees a byte, then recreates each stage with its saved (complete) params.
#include <vigil/framework/error.hpp>
#include <vigil/framework/pipeline.hpp>

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <sstream>

using json = nlohmann::json;

namespace vigil {
namespace {

constexpr char kMagic[8] = {'V', 'I', 'G', 'I', 'L', 'M', 'D', 'L'};
constexpr uint32_t kFormat = 1;

template <class T> void put(std::string &b, T v) { b.append(reinterpret_cast<const char *>(&v), sizeof v); }

struct Cursor {
    const std::string &bytes;
    size_t pos = 0;
    const std::string &path;
    template <class T> T get(const char *what) {
        if (bytes.size() - pos < sizeof(T)) throw_input(path + ": model file is truncated (while reading " + what + ")");
        T v;
        std::memcpy(&v, bytes.data() + pos, sizeof v);
        pos += sizeof v;
        return v;
    }
    std::string take(uint64_t n, const char *what) {
        if (bytes.size() - pos < n) throw_input(path + ": model file is truncated (while reading " + what + ")");
        std::string s = bytes.substr(pos, n);
        pos += n;
        return s;
    }
};

json evaluators_json(const PipelineSpec &spec) {
    json a = json::array();
    for (const auto &e : spec.evaluators) a.push_back({{"name", e.name}, {"params", e.params}});
    return a;
}

} // namespace

void FittedPipeline::save(const std::string &path) const {
    json header = {{"format", kFormat},
                   {"vigil_version", VIGIL_VERSION},
                   {"abi", std::to_string(VIGIL_ABI_VERSION_MAJOR) + "." + std::to_string(VIGIL_ABI_VERSION_MINOR)},
                   {"pipeline", spec_.document},
                   {"base_dir", spec_.base_dir},
                   {"settings", {{"seed", spec_.settings.seed}, {"threads", spec_.settings.threads}}},
                   {"evaluators", evaluators_json(spec_)}};
    std::vector<std::vector<uint8_t>> states;
    json stages = json::array();
    for (const auto &st : stages_) {
        states.push_back(st.extractor ? st.extractor->save() : st.detector->save());
        const PluginLibrary &lib = st.library();
        stages.push_back({{"kind", kind_name(lib.kind())},
                          {"name", lib.name()},
                          {"version", lib.version()},
                          {"abi", std::to_string(VIGIL_ABI_MAJOR_OF(lib.desc->abi_version)) + "." +
                                      std::to_string(VIGIL_ABI_MINOR_OF(lib.desc->abi_version))},
                          {"backend", backend_name(lib.backend())},
                          {"params", st.spec.params},
                          {"json_path", st.spec.json_path},
                          {"state_bytes", states.back().size()}});
    }
    header["stages"] = stages;
    const std::string h = header.dump();

    std::string b(kMagic, sizeof kMagic);
    put<uint32_t>(b, kFormat);
    put<uint64_t>(b, h.size());
    b += h;
    for (const auto &s : states) {
        put<uint64_t>(b, s.size());
        b.append(reinterpret_cast<const char *>(s.data()), s.size());
    }
    put<uint32_t>(b, static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef *>(b.data()), static_cast<uInt>(b.size()))));

    // Write to a temporary name, then rename: a failed save never leaves a half model.
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw_input(path + ": cannot create model file");
        out.write(b.data(), static_cast<std::streamsize>(b.size()));
        if (!out) throw_input(path + ": failed writing model file");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw_input(path + ": cannot move model file into place");
}

FittedPipeline FittedPipeline::load(const std::string &path, const Registry &reg, const Overrides &ov) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(path + ": cannot open model file");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    if (bytes.size() < sizeof kMagic + 4 + 8 + 4 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        throw_input(path + ": not a Vigil model file (bad magic)");
    uint32_t stored_crc;
    std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
    const uint32_t crc = static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef *>(bytes.data()), static_cast<uInt>(bytes.size() - 4)));
    if (crc != stored_crc) throw_input(path + ": model file is corrupted or truncated (checksum mismatch)");

    const std::string body = bytes.substr(0, bytes.size() - 4);
    Cursor c{body, sizeof kMagic, path};
    const uint32_t format = c.get<uint32_t>("format version");
    if (format != kFormat)
        throw_input(path + ": model file format " + std::to_string(format) + " is not supported (this Vigil reads format " +
                    std::to_string(kFormat) + ")");
    const uint64_t hlen = c.get<uint64_t>("header length");
    const json header = json::parse(c.take(hlen, "header"), nullptr, false);
    if (header.is_discarded() || !header.is_object() || !header.contains("stages"))
        throw_input(path + ": model file header is not valid JSON");

    FittedPipeline fp;
    try {
        PipelineSpec &spec = fp.spec_;
        spec.document = header.at("pipeline");
        spec.base_dir = header.at("base_dir").get<std::string>();
        spec.settings.seed = header.at("settings").at("seed").get<uint64_t>();
        spec.settings.threads = header.at("settings").at("threads").get<uint32_t>();
        if (ov.seed) spec.settings.seed = *ov.seed;
        if (ov.threads) spec.settings.threads = *ov.threads;
        spec.device = ov.device.value_or(DeviceChoice::Auto);
        for (const auto &e : header.at("evaluators")) spec.evaluators.push_back({e.at("name"), e.at("params"), ""});
        for (const auto &sj : header.at("stages")) {
            StageSpec s;
            s.kind = sj.at("kind") == "extractor" ? VIGIL_KIND_EXTRACTOR : VIGIL_KIND_DETECTOR;
            s.name = sj.at("name").get<std::string>();
            s.params = sj.at("params");
            s.device = reg.device_for(s.kind, s.name, spec.device);
            s.json_path = sj.value("json_path", "");
            spec.stages.push_back(s);
        }
    } catch (const json::exception &e) {
        throw_input(path + ": model file header is incomplete: " + e.what());
    }

    for (size_t i = 0; i < fp.spec_.stages.size(); ++i) {
        const StageSpec &s = fp.spec_.stages[i];
        const json &sj = header["stages"][i];
        const uint64_t n = c.get<uint64_t>("stage state length");
        const std::string st = c.take(n, "stage state");
        const std::vector<uint8_t> state(st.begin(), st.end());
        const Selection sel = reg.select(s.kind, s.name, s.device);
        const PluginLibrary &lib = sel.variant->lib;
        const std::string saved_ver = sj.at("version").get<std::string>();
        if (saved_ver.substr(0, saved_ver.find('.')) != lib.version().substr(0, lib.version().find('.')))
            throw_plugin(path + ": stage " + std::to_string(i) + " was saved by " + s.name + " " + saved_ver +
                         ", but the installed plugin is version " + lib.version() + " (major versions differ)");
        Stage stage;
        stage.spec = s;
        stage.backend_why = sel.why;
        if (s.kind == VIGIL_KIND_EXTRACTOR) {
            stage.extractor = std::make_unique<ExtractorObject>(lib, s.params, fp.spec_.settings);
            stage.extractor->load(state);
        } else {
            stage.detector = std::make_unique<DetectorObject>(lib, s.params, fp.spec_.settings);
            stage.detector->load(state);
        }
        fp.stages_.push_back(std::move(stage));
    }
    if (c.pos != body.size()) throw_input(path + ": model file has trailing bytes");
    return fp;
}

} // namespace vigil
