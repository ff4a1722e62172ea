// raw_c_plugin.cpp — a plugin written against the C headers alone (no SDK
// helpers), switchable into three faults: a descriptor of another ABI major
// (RAW_ABI), an entry that returns NULL (RAW_NULL), and a fit that lets a C++
// exception escape across the C ABI (RAW_ESCAPE) — which a correct plugin
// never does, and the host must survive.
#include <vigil/vigil.h>

#include <stdexcept>

namespace {

struct Obj {
    int fitted = 0;
};

vigil_status create(const char *, const vigil_host *, vigil_handle *out) {
    *out = reinterpret_cast<vigil_handle>(new Obj);
    return VIGIL_OK;
}
void destroy(vigil_handle h) { delete reinterpret_cast<Obj *>(h); }
vigil_status fit(vigil_handle h, const vigil_tensor *, const vigil_tensor *) {
#ifdef RAW_ESCAPE
    throw std::runtime_error("escaped");
#endif
    reinterpret_cast<Obj *>(h)->fitted = 1;
    return VIGIL_OK;
}
vigil_status score(vigil_handle, const vigil_tensor *x, float *s) {
    for (int64_t i = 0; i < x->shape[0]; ++i) s[i] = 0.0f;
    return VIGIL_OK;
}
vigil_status save(vigil_handle, const vigil_writer *) { return VIGIL_OK; }
vigil_status load(vigil_handle, const vigil_reader *) { return VIGIL_OK; }
int32_t probe(char *, size_t) { return 100; }

const vigil_detector_iface kIface = {sizeof(vigil_detector_iface), create, destroy, fit, score, save, load};

} // namespace

extern "C" VIGIL_PLUGIN_EXPORT const vigil_plugin_desc *vigil_plugin_entry(uint32_t) {
    static const vigil_plugin_desc d = {sizeof(vigil_plugin_desc), RAW_ABI, "mock_raw", "1.0.0", VIGIL_KIND_DETECTOR,
                                        VIGIL_BACKEND_CPU, "raw C plugin", "{}", probe, &kIface};
#ifdef RAW_NULL
    return d.struct_size ? nullptr : &d;  // always NULL; keeps `d` used
#else
    return &d;
#endif
}
