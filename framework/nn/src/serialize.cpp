// serialize.cpp — module state through the SDK Writer/Reader (format in serialize.hpp).
#include "autograd.hpp"

#include <vigil/nn/serialize.hpp>

#include <cstring>

namespace vigil::nn {

namespace {
constexpr char kMagic[4] = {'V', 'N', 'N', '1'};
constexpr uint32_t kVersion = 1;

struct Entry {
    std::string name;
    uint8_t kind;
    Tensor t;
};
std::vector<Entry> entries(const Module &m) {
    std::vector<Entry> out;
    for (auto &p : m.named_parameters()) out.push_back({p.first, 0, p.second});
    for (auto &b : m.named_buffers()) out.push_back({b.first, 1, b.second});
    return out;
}
[[noreturn]] void bad(const std::string &what) { sdk::fail(VIGIL_ERR_IO, "model state: " + what); }
} // namespace

void save_state(const Module &m, sdk::Writer &w) {
    const auto es = entries(m);
    w.bytes(kMagic, 4);
    w.pod<uint32_t>(kVersion);
    w.pod<uint64_t>(es.size());
    for (const Entry &e : es) {
        w.str(e.name);
        w.pod<uint8_t>(e.kind);
        w.pod<uint8_t>(static_cast<uint8_t>(e.t.dtype()));
        w.pod<uint32_t>(static_cast<uint32_t>(e.t.rank()));
        for (int64_t d : e.t.shape()) w.pod<int64_t>(d);
        Tensor host = e.t.detach().to(Device::cpu);
        w.bytes(host.raw(), static_cast<size_t>(host.numel()) * dtype_size(host.dtype()));
    }
}

void load_state(Module &m, sdk::Reader &r) {
    char magic[4];
    r.bytes(magic, 4);
    if (std::memcmp(magic, kMagic, 4) != 0) bad("not a vigil::nn state (bad magic)");
    const uint32_t version = r.pod<uint32_t>();
    if (version != kVersion) bad("format version " + std::to_string(version) + " is not supported");
    const auto es = entries(m);
    const uint64_t n = r.pod<uint64_t>();
    if (n != es.size()) bad("holds " + std::to_string(n) + " entries, the model has " + std::to_string(es.size()));
    // Read everything before writing anything, so a malformed state leaves the model untouched.
    std::vector<Tensor> loaded;
    for (const Entry &e : es) {
        const std::string name = r.str();
        if (name != e.name) bad("entry '" + name + "' where the model has '" + e.name + "'");
        const uint8_t kind = r.pod<uint8_t>();
        if (kind != e.kind) bad("'" + name + "' is a " + (kind ? "buffer" : "parameter") + " in the state");
        const uint8_t dt = r.pod<uint8_t>();
        if (dt > static_cast<uint8_t>(DType::i32)) bad("'" + name + "' has an unknown dtype");
        const uint32_t rank = r.pod<uint32_t>();
        if (rank > 8) bad("'" + name + "' has rank " + std::to_string(rank));
        Shape s(rank);
        for (auto &d : s) d = r.pod<int64_t>();
        if (s != e.t.shape()) bad("'" + name + "' has shape " + shape_str(s) + ", the model " + shape_str(e.t.shape()));
        const DType dtype = static_cast<DType>(dt);
        const uint64_t bytes = static_cast<uint64_t>(shape_numel(s)) * dtype_size(dtype);
        if (bytes > r.remaining()) bad("truncated at '" + name + "'");
        Tensor host = Tensor::empty(s, dtype);
        r.bytes(host.raw(), static_cast<size_t>(bytes));
        loaded.push_back(host);
    }
    NoGrad ng;
    for (size_t i = 0; i < es.size(); ++i) {
        Tensor t = es[i].t;
        t.copy_(loaded[i]);
    }
}

int copy_matching_state(Module &dst, const Module &src) {
    const auto from = entries(src);
    int copied = 0;
    NoGrad ng;
    for (Entry &e : entries(dst))
        for (const Entry &f : from)
            if (f.name == e.name && f.kind == e.kind && f.t.shape() == e.t.shape()) {
                e.t.copy_(f.t);
                ++copied;
                break;
            }
    return copied;
}

} // namespace vigil::nn
