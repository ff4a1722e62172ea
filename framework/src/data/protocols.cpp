// protocols.cpp — the evaluation protocols on loaded data: one-vs-rest class
// filter and relabelling, in-distribution vs OOD pairs, and sample limits.
#include "file_bytes.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <algorithm>

namespace vigil::data {

Dataset keep_classes(Dataset ds, const std::vector<int32_t> &classes) {
    if (ds.labels.empty()) throw_input(ds.origin + ": cannot keep classes of unlabelled data");
    std::vector<int64_t> idx;
    for (size_t i = 0; i < ds.labels.size(); ++i)
        if (std::find(classes.begin(), classes.end(), ds.labels[i]) != classes.end()) idx.push_back(static_cast<int64_t>(i));
    if (idx.size() == ds.labels.size()) return ds;
    Dataset out;
    out.x = ds.x.gather(idx);
    out.labels.reserve(idx.size());
    for (auto i : idx) {
        out.labels.push_back(ds.labels[i]);
        if (!ds.names.empty()) out.names.push_back(ds.names[i]);
    }
    out.class_names = std::move(ds.class_names);
    out.origin = std::move(ds.origin);
    return out;
}

Dataset one_vs_rest(Dataset ds, const std::vector<int32_t> &normal) {
    if (ds.labels.empty()) throw_input(ds.origin + ": cannot relabel unlabelled data");
    for (auto &l : ds.labels) l = std::find(normal.begin(), normal.end(), l) != normal.end() ? 0 : 1;
    ds.class_names = {"normal", "anomalous"};
    return ds;
}

Dataset id_vs_ood(Dataset in, Dataset ood) {
    if (!in.x.empty() && !ood.x.empty() && in.x.sample_shape() != ood.x.sample_shape())
        throw_input("cannot pair in-distribution data " + in.origin + " (per-sample shape " +
                    detail::shape_text(in.x.sample_shape()) + ") with OOD data " + ood.origin + " (per-sample shape " +
                    detail::shape_text(ood.x.sample_shape()) + "): the shapes must match");
    if (!in.x.empty() && !ood.x.empty() && in.x.dtype() != ood.x.dtype()) {
        // uint8 next to float data: compare values, not encodings.
        in.x = in.x.to_float32();
        ood.x = ood.x.to_float32();
    }
    const size_t n_in = static_cast<size_t>(in.x.samples()), n_ood = static_cast<size_t>(ood.x.samples());
    Dataset out;
    out.x = Tensor::concat(in.x, ood.x);
    out.labels.assign(n_in, 0);
    out.labels.resize(n_in + n_ood, 1);
    if (!in.names.empty() || !ood.names.empty()) {
        in.names.resize(n_in);
        ood.names.resize(n_ood);
        out.names = std::move(in.names);
        out.names.insert(out.names.end(), ood.names.begin(), ood.names.end());
    }
    out.class_names = {"in-distribution", "ood"};
    out.origin = in.origin + " vs " + ood.origin;
    return out;
}

Dataset limit(Dataset ds, int64_t n) {
    if (n < 0) throw_input(ds.origin + ": a sample limit must be >= 0, got " + std::to_string(n));
    if (n >= ds.x.samples()) return ds;
    ds.x = ds.x.slice(0, n);
    if (!ds.labels.empty()) ds.labels.resize(static_cast<size_t>(n));
    if (!ds.names.empty()) ds.names.resize(static_cast<size_t>(n));
    return ds;
}

} // namespace vigil::data
