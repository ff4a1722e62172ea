// roc.cpp — the `roc` evaluator: how well the scores rank anomalies above
// normal samples, independent of any threshold.
//
// Why this plugin exists: AUROC, AUPR and FPR at 95% TPR are the numbers the
// anomaly/OOD literature reports (Hendrycks & Gimpel 2017 and successors);
// `vigil eval` and `vigil bench` report them for every pipeline. The math
// lives in framework/metrics (shared with `threshold`); this file only maps
// the ABI's labels (0 normal, 1 anomaly) onto it.
#include <vigil/cpp/plugin.hpp>
#include <vigil/metrics/roc.hpp>

#include <vector>

namespace {

using vigil::sdk::fail;

const char *kSchema = R"({
  "type": "object",
  "description": "Threshold-free metrics of anomaly scores (higher = more anomalous) against labels 0 = normal, 1 = anomaly.",
  "properties": {},
  "additionalProperties": false
})";

class RocEvaluator : public vigil::sdk::Evaluator {
public:
    RocEvaluator(const nlohmann::json &, vigil::sdk::Host) {}

    void evaluate(const float *scores, const int32_t *labels, size_t n, const vigil_metric_sink &sink) override {
        namespace m = vigil::metrics;
        try {
            // roc_curve validates: finite scores, labels in {0, 1}.
            const m::RocCurve out = m::roc_curve(scores, labels, n);
            m::require_both_classes({out.negatives, out.positives}, "AUROC");
            // "In" direction: normal samples are the positives, ranked by the
            // negated score (sklearn: average_precision_score(1 - y, -s)).
            std::vector<float> neg(scores, scores + n);
            std::vector<int32_t> flipped(labels, labels + n);
            for (size_t i = 0; i < n; ++i) {
                neg[i] = -neg[i];
                flipped[i] = 1 - flipped[i];
            }
            const m::RocCurve in = m::roc_curve(neg.data(), flipped.data(), n);
            put(sink, "auroc", m::auroc(out));
            put(sink, "aupr_out", m::average_precision(out)); // anomaly = positive
            put(sink, "aupr_in", m::average_precision(in));   // normal = positive
            put(sink, "fpr_at_95_tpr", m::fpr_at_tpr(out, 0.95));
            put(sink, "n_normal", static_cast<double>(out.negatives));
            put(sink, "n_anomalous", static_cast<double>(out.positives));
        } catch (const m::InvalidInput &e) {
            fail(VIGIL_ERR_INVALID_ARGUMENT, e.what());
        }
    }

private:
    static void put(const vigil_metric_sink &sink, const char *name, double v) { sink.put(sink.ctx, name, v); }
};

} // namespace

VIGIL_PLUGIN(RocEvaluator, "roc", "1.0.0",
             "AUROC, AUPR (anomaly and normal as positive class) and FPR at 95% TPR, as scikit-learn computes them",
             kSchema)
