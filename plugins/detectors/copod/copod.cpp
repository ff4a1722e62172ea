// copod.cpp — the `copod` detector: COPOD, copula-based outlier detection
// (Li, Zhao, Botta, Ionescu & Hu, ICDM 2020, Algorithm 1).
//
// Fit: per feature j, the training column sorted once (stored run-length
// encoded: distinct values ascending with their counts — the sorted column
// without repeats) and the training skewness
//     b_j = m3 / m2^(3/2),  m_k = (1/N) Σ_i (t_ij − mean_j)^k   (scipy.stats.skew, bias=True),
// computed in double. A constant feature (m2 = 0, e.g. an image border) has
// no skewness; we define b_j = 0 there.
// Score of a sample x (Algorithm 1, steps 7–9):
//     p_l = Σ_j −log F̂_j(x_j)      left tails
//     p_r = Σ_j −log F̄_j(x_j)      right tails
//     p_s = Σ_j −log(b_j < 0 ? F̂_j(x_j) : F̄_j(x_j))   skewness-corrected
//     O(x) = max(p_l, p_r, p_s)      higher = more anomalous
// "otherwise" in step 7 (Ŵ = Û if b < 0, else V̂) means b_j = 0 — a constant
// or exactly symmetric feature — takes the right tail. For a constant feature
// of value c that adds log(N + 1) for every x > c and nothing otherwise.
//
// The ECDFs. The paper computes F̂ on the data being scored (transductive);
// PyOD's decision_function concatenates the training set with the whole test
// batch, so a sample's score would depend on the other test samples. Vigil
// scores each sample against the training set alone, with that sample added:
//     F̂_j(x) = (1 + #{i : t_ij ≤ x}) / (N + 1),   F̄_j(x) = (1 + #{i : t_ij ≥ x}) / (N + 1)
// — the paper's ECDF over the training set plus the scored point (the same
// as +1/(N+1) smoothing of the training ECDF). Hence: ties count on both
// sides (≤ and ≥, as the paper's indicator functions), a value outside the
// training range gets 1/(N+1) on its side and 1 on the other, no term is
// ever log(0), and scores are finite and independent of the batch.
// Terms are looked up as neglog[count] (ecdf.hpp), one table per model.
//
// Degenerate data: N = 1 works (every F is 1/2 or 1); all samples identical
// means every feature is constant (b = 0, right tails): training-like
// samples score 0, others log(N + 1) per feature above the constant; more
// features than samples is fine. NaN/Inf are refused.
//
// Variants: the cpu and cuda libraries share this file; scoring is
// score_cpu.cpp (OpenMP) or score_cuda.cpp + tail_kernel.cu, both adding in
// ecdf.hpp's order, so they agree bit for bit.
#include <vigil/classic/polled_for.hpp>
#include "scorer.hpp"

#include <vigil/compute/backend.hpp>

#include <omp.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <cmath>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;
namespace cp = vigil::copod;

const char *kSchema = R"json({"type": "object", "additionalProperties": false, "properties": {}})json";

constexpr uint32_t kMagic = 0x44504356;  // "VCPD"
constexpr uint32_t kFormat = 1;
constexpr int64_t kGather = 16;  // features fitted together (one cache line of each row)

// Radix-sortable key of a float: unsigned order of keys = numeric order of
// the values (−0 sorts just below +0; they compare equal and are merged).
inline uint32_t sort_key(float v) {
    uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    return u ^ ((u >> 31) ? 0xFFFFFFFFu : 0x80000000u);
}
inline float from_key(uint32_t k) {
    const uint32_t u = (k >> 31) ? (k ^ 0x80000000u) : ~k;
    float v;
    std::memcpy(&v, &u, sizeof v);
    return v;
}

// Sort keys ascending: LSD radix sort, digits of 11, 11 and 10 bits, a digit
// skipped when every key shares it (pixel data share most high bits).
void radix_sort(std::vector<uint32_t> &keys, std::vector<uint32_t> &tmp) {
    const size_t n = keys.size();
    tmp.resize(n);
    std::vector<uint32_t> count(2048);
    for (int shift : {0, 11, 22}) {
        const uint32_t mask = shift == 22 ? 0x3FFu : 0x7FFu;
        std::fill(count.begin(), count.end(), 0u);
        for (uint32_t k : keys) ++count[(k >> shift) & mask];
        if (count[(keys[0] >> shift) & mask] == n) continue;
        uint32_t sum = 0;
        for (uint32_t &c : count) {
            const uint32_t c0 = c;
            c = sum;
            sum += c0;
        }
        for (uint32_t k : keys) tmp[count[(k >> shift) & mask]++] = k;
        keys.swap(tmp);
    }
}

// One feature's fit: the training skewness, then the sorted column run-length
// encoded. `col` holds the column, `keys`/`tmp` are scratch.
void fit_column(const float *col, int64_t n, std::vector<uint32_t> &keys, std::vector<uint32_t> &tmp, double &skew,
                std::vector<float> &values, std::vector<int32_t> &counts) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += col[i];
    const double mean = sum / static_cast<double>(n);
    double m2 = 0.0, m3 = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        const double e = double(col[i]) - mean;
        m2 += e * e;
        m3 += e * e * e;
    }
    m2 /= static_cast<double>(n);
    m3 /= static_cast<double>(n);
    // A constant column: its float values summed in double are exact, so the
    // mean is the value itself and m2 is exactly 0.
    skew = m2 > 0.0 ? m3 / (m2 * std::sqrt(m2)) : 0.0;
    if (!std::isfinite(skew)) skew = 0.0;
    keys.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) keys[static_cast<size_t>(i)] = sort_key(col[i]);
    radix_sort(keys, tmp);
    values.clear();
    counts.clear();
    for (uint32_t k : keys) {
        const float v = from_key(k);
        if (!values.empty() && values.back() == v) {
            ++counts.back();
        } else {
            values.push_back(v == 0.0f ? 0.0f : v);  // −0 and +0 are one value; store +0
            counts.push_back(1);
        }
    }
}

class Copod : public vigil::sdk::Detector {
public:
    Copod(const nlohmann::json &params, vigil::sdk::Host host) : host_(host) {
        // COPOD has no parameters (the schema says so; this guards other hosts).
        require(params.is_object(), "copod: parameters must be a JSON object");
        if (!params.empty())
            fail(VIGIL_ERR_INVALID_ARGUMENT, "unknown parameter '" + params.begin().key() + "' (copod takes no parameters)");
        vigil::compute::require_device();
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        const float *data = x.f32();
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        require(n >= 1, "needs at least 1 training sample, got 0");
        require(d >= 1, "training samples have no features");
        require(n < INT32_MAX, "copod supports at most 2^31 - 2 training samples");
        const unsigned threads = host_.threads();
        std::vector<std::vector<float>> values(static_cast<size_t>(d));
        std::vector<std::vector<int32_t>> counts(static_cast<size_t>(d));
        std::vector<double> skew(static_cast<size_t>(d));
        // One item = kGather features: their columns gathered from the rows
        // (one cache line of each row), then fitted one by one.
        const int64_t groups = (d + kGather - 1) / kGather;
        struct Scratch {
            std::vector<float> cols;
            std::vector<uint32_t> keys, tmp;
        };
        std::vector<Scratch> scratch(threads);  // one per OpenMP thread of the team
        vigil::classic::polled_for(host_, threads, groups, "copod fit", static_cast<uint64_t>(d),
                       [&](int64_t done) { return static_cast<uint64_t>(std::min(d, done * kGather)); },
                       [&](int64_t g) {
                           Scratch &sc = scratch[static_cast<size_t>(omp_get_thread_num())];
                           std::vector<float> &cols = sc.cols;
                           const int64_t a = g * kGather, w = std::min(kGather, d - a);
                           cols.resize(static_cast<size_t>(n * w));
                           for (int64_t i = 0; i < n; ++i)
                               for (int64_t c = 0; c < w; ++c) cols[static_cast<size_t>(c * n + i)] = data[i * d + a + c];
                           for (int64_t c = 0; c < w; ++c)
                               fit_column(cols.data() + c * n, n, sc.keys, sc.tmp, skew[a + c], values[a + c], counts[a + c]);
                       });
        auto m = std::make_unique<cp::Model>();
        m->n = n;
        m->d = d;
        m->start.reserve(static_cast<size_t>(d) + 1);
        m->start.push_back(0);
        for (const auto &v : values) m->start.push_back(m->start.back() + static_cast<int64_t>(v.size()));
        m->values.reserve(static_cast<size_t>(m->start.back()));
        std::vector<int32_t> all_counts;
        all_counts.reserve(static_cast<size_t>(m->start.back()));
        for (int64_t j = 0; j < d; ++j) {
            m->values.insert(m->values.end(), values[j].begin(), values[j].end());
            all_counts.insert(all_counts.end(), counts[j].begin(), counts[j].end());
            std::vector<float>().swap(values[j]);
        }
        m->skewness = std::move(skew);
        derive(*m, all_counts);
        set_state(std::move(m));
        int64_t constant = 0, left = 0;
        for (int64_t j = 0; j < d; ++j) {
            constant += model_->start[j + 1] - model_->start[j] == 1;
            left += model_->left_tail[j];
        }
        host_.info("copod: " + std::to_string(n) + " samples, " + std::to_string(d) + " features (" +
                   std::to_string(constant) + " constant, " + std::to_string(left) +
                   " negatively skewed: left tail in the skew-corrected sum)");
    }

    void score(const vigil::sdk::TensorRef &x, float *scores) override {
        require(model_ != nullptr, "score called before fit (or load)", VIGIL_ERR_STATE);
        const float *data = x.f32();
        require(x.sample_size() == model_->d, "samples have " + std::to_string(x.sample_size()) +
                                                  " features, but the model was fitted on " +
                                                  std::to_string(model_->d));
        x.require_finite();
        const int64_t m = x.samples();
        if (m == 0) return;
        std::vector<double> sums(static_cast<size_t>(m) * 3);
        scorer_->tail_sums(data, m, sums.data());
        for (int64_t i = 0; i < m; ++i) {
            const double *s = sums.data() + 3 * i;
            scores[i] = static_cast<float>(std::max(s[0], std::max(s[1], s[2])));
        }
    }

    void save(vigil::sdk::Writer &w) override {
        require(model_ != nullptr, "save called before fit", VIGIL_ERR_STATE);
        const cp::Model &m = *model_;
        std::vector<int32_t> counts(m.values.size());
        for (int64_t j = 0; j < m.d; ++j)
            for (int64_t p = m.start[j]; p < m.start[j + 1]; ++p)
                counts[static_cast<size_t>(p)] = m.below[static_cast<size_t>(p + j + 1)] - m.below[static_cast<size_t>(p + j)];
        w.pod(kMagic);
        w.pod(kFormat);
        w.pod<int64_t>(m.n);
        w.pod<int64_t>(m.d);
        w.vec(m.start);
        w.vec(m.values);
        w.vec(counts);
        w.vec(m.skewness);
    }

    void load(vigil::sdk::Reader &r) override {
        if (r.pod<uint32_t>() != kMagic) fail(VIGIL_ERR_IO, "not a copod state (bad magic)");
        const uint32_t format = r.pod<uint32_t>();
        if (format != kFormat)
            fail(VIGIL_ERR_IO, "copod state format " + std::to_string(format) + " is not supported (this plugin reads " +
                                   std::to_string(kFormat) + ")");
        auto m = std::make_unique<cp::Model>();
        m->n = r.pod<int64_t>();
        m->d = r.pod<int64_t>();
        m->start = r.vec<int64_t>();
        m->values = r.vec<float>();
        std::vector<int32_t> counts = r.vec<int32_t>();
        m->skewness = r.vec<double>();
        r.expect_end();
        const auto bad = [](const std::string &why) { fail(VIGIL_ERR_IO, "copod state is malformed: " + why); };
        if (m->n < 1 || m->n >= INT32_MAX) bad("sample count " + std::to_string(m->n));
        if (m->d < 1 || m->start.size() != static_cast<size_t>(m->d) + 1) bad("feature count " + std::to_string(m->d));
        if (m->start.front() != 0 || m->start.back() != static_cast<int64_t>(m->values.size()) ||
            counts.size() != m->values.size() || m->skewness.size() != static_cast<size_t>(m->d))
            bad("array lengths do not match");
        for (int64_t j = 0; j < m->d; ++j) {
            const int64_t a = m->start[j], b = m->start[j + 1];
            if (b <= a || b > static_cast<int64_t>(m->values.size())) bad("feature " + std::to_string(j) + " has no values");
            int64_t total = 0;
            for (int64_t p = a; p < b; ++p) {
                const float v = m->values[static_cast<size_t>(p)];
                if (!std::isfinite(v) || (p > a && !(v > m->values[static_cast<size_t>(p - 1)])))
                    bad("values of feature " + std::to_string(j) + " are not finite and ascending");
                if (counts[static_cast<size_t>(p)] < 1) bad("a count of feature " + std::to_string(j) + " is below 1");
                total += counts[static_cast<size_t>(p)];
            }
            if (total != m->n) bad("counts of feature " + std::to_string(j) + " do not add up to the sample count");
            if (!std::isfinite(m->skewness[static_cast<size_t>(j)])) bad("non-finite skewness");
        }
        derive(*m, counts);
        set_state(std::move(m));
    }

private:
    // below, neglog and left_tail from the counts, n and the skewness.
    static void derive(cp::Model &m, const std::vector<int32_t> &counts) {
        m.below.assign(m.values.size() + static_cast<size_t>(m.d), 0);
        for (int64_t j = 0; j < m.d; ++j) {
            int32_t acc = 0;
            for (int64_t p = m.start[j]; p < m.start[j + 1]; ++p) {
                m.below[static_cast<size_t>(p + j)] = acc;
                acc += counts[static_cast<size_t>(p)];
            }
            m.below[static_cast<size_t>(m.start[j + 1] + j)] = acc;
        }
        m.neglog.resize(static_cast<size_t>(m.n) + 1);
        const double top = std::log(static_cast<double>(m.n) + 1.0);
        for (int64_t c = 0; c <= m.n; ++c) m.neglog[static_cast<size_t>(c)] = top - std::log(static_cast<double>(c) + 1.0);
        m.left_tail.resize(static_cast<size_t>(m.d));
        for (int64_t j = 0; j < m.d; ++j) m.left_tail[static_cast<size_t>(j)] = m.skewness[static_cast<size_t>(j)] < 0 ? 1 : 0;
    }

    void set_state(std::unique_ptr<cp::Model> m) {
        auto sc = cp::make_tail_scorer(*m, host_);  // first: a failure leaves the previous model intact
        scorer_.reset();
        model_ = std::move(m);
        scorer_ = std::move(sc);
    }

    vigil::sdk::Host host_;
    std::unique_ptr<cp::Model> model_;
    std::unique_ptr<cp::TailScorer> scorer_;  // refers to *model_
};

} // namespace

VIGIL_VARIANT_PLUGIN(Copod, "copod", "1.0.0",
                     "COPOD (Li et al. 2020): sum of empirical-copula tail log-probabilities per feature, the larger of "
                     "left, right and skewness-corrected; higher = more anomalous",
                     kSchema)
