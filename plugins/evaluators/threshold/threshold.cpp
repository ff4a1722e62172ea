// threshold.cpp — the `threshold` evaluator: turns scores into decisions
// (anomaly when score >= threshold) and reports how good those decisions are.
//
// Why this plugin exists: a deployed detector needs a threshold, and AUROC
// says nothing about any particular one. The threshold is either fixed by the
// user or chosen by Youden's J (max TPR - FPR) on the evaluated data itself —
// an optimistic, in-sample choice that shows what the scores can achieve at
// best, not a calibrated operating point. The math lives in framework/metrics.
#include <vigil/cpp/plugin.hpp>
#include <vigil/metrics/confusion.hpp>
#include <vigil/metrics/roc.hpp>

#include <string>

namespace {

using vigil::sdk::fail;

const char *kSchema = R"({
  "type": "object",
  "properties": {
    "threshold": {
      "description": "Decision threshold: a sample is predicted anomalous when its score >= threshold. \"youden\" picks the score that maximises Youden's J = TPR - FPR on the evaluated data (ties: the highest such score); a number is used as given.",
      "anyOf": [ {"type": "string", "enum": ["youden"]}, {"type": "number"} ],
      "default": "youden"
    }
  },
  "additionalProperties": false
})";

class ThresholdEvaluator : public vigil::sdk::Evaluator {
public:
    ThresholdEvaluator(const nlohmann::json &p, vigil::sdk::Host) {
        const nlohmann::json t = p.value("threshold", nlohmann::json("youden"));
        if (t.is_number()) {
            fixed_ = true;
            threshold_ = t.get<double>();
        } else if (!(t.is_string() && t.get<std::string>() == "youden")) {
            fail(VIGIL_ERR_INVALID_ARGUMENT, "threshold must be \"youden\" or a number, got " + t.dump());
        }
    }

    void evaluate(const float *scores, const int32_t *labels, size_t n, const vigil_metric_sink &sink) override {
        namespace m = vigil::metrics;
        try {
            double threshold = threshold_;
            if (!fixed_) threshold = m::youden(m::roc_curve(scores, labels, n)).threshold;
            const m::Confusion c = m::confusion_at(scores, labels, n, threshold);
            put(sink, "threshold", threshold);
            put(sink, "accuracy", c.accuracy());
            put(sink, "precision", c.precision());
            put(sink, "recall", c.recall());
            put(sink, "f1", c.f1());
            put(sink, "tpr", c.tpr());
            put(sink, "fpr", c.fpr());
            put(sink, "tp", static_cast<double>(c.tp));
            put(sink, "fp", static_cast<double>(c.fp));
            put(sink, "tn", static_cast<double>(c.tn));
            put(sink, "fn", static_cast<double>(c.fn));
        } catch (const m::InvalidInput &e) {
            fail(VIGIL_ERR_INVALID_ARGUMENT, e.what());
        }
    }

private:
    static void put(const vigil_metric_sink &sink, const char *name, double v) { sink.put(sink.ctx, name, v); }
    bool fixed_ = false;
    double threshold_ = 0.0;
};

} // namespace

VIGIL_PLUGIN(ThresholdEvaluator, "threshold", "1.0.0",
             "Accuracy, precision, recall, F1, TPR/FPR and confusion counts at a fixed or Youden-optimal threshold",
             kSchema)
