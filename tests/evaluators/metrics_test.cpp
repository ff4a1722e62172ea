// metrics_test.cpp — framework/metrics (vigil_metrics) against hand-computed
// cases, with the arithmetic written out, and against scikit-learn's values
// in tests/reference/metrics_reference.json.
#include "reference_cases.hpp"

#include <doctest/doctest.h>
#include <vigil/metrics/confusion.hpp>
#include <vigil/metrics/roc.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace vigil::metrics;

namespace {

std::string message_of(void (*f)()) {
    try {
        f();
    } catch (const InvalidInput &e) {
        return e.what();
    }
    return "(no InvalidInput thrown)";
}

} // namespace

// ---------------------------------------------------------------------------
// Case A, no ties (sklearn's documentation example):
//   scores 0.1 0.4 0.35 0.8, labels 0 0 1 1  ->  P = 2, N = 2.
//   Descending: 0.8(1) 0.4(0) 0.35(1) 0.1(0); points (tps, fps):
//     t=0.8 (1,0)  t=0.4 (1,1)  t=0.35 (2,1)  t=0.1 (2,2)
//   AUROC: 2*area = sum dfps*(tps_i + tps_{i-1}) = 0 + 1*(1+1) + 0 + 1*(2+2) = 6,
//          AUROC = 6 / (2*P*N) = 6/8 = 0.75  (pairs: 0.8>0.1, 0.8>0.4, 0.35>0.1 -> 3/4).
//   AP:    points adding positives: t=0.8 (R .5, P 1/1), t=0.35 (R 1, P 2/3)
//          AP = 0.5*1 + 0.5*2/3 = 5/6.
//   FPR@95: first TPR >= 0.95 is t=0.35 (TPR 1) -> FPR 1/2.
//   Youden: J = .5, 0, .5, 0 -> tie between t=0.8 and t=0.35; the first wins: 0.8.
// ---------------------------------------------------------------------------
TEST_CASE("ROC metrics on a small case without ties") {
    const double s[] = {0.1, 0.4, 0.35, 0.8};
    const int32_t y[] = {0, 0, 1, 1};
    const RocCurve c = roc_curve(s, y, 4);
    REQUIRE(c.size() == 4);
    CHECK(c.thresholds == std::vector<double>{0.8, 0.4, 0.35, 0.1});
    CHECK(c.tps == std::vector<int64_t>{1, 1, 2, 2});
    CHECK(c.fps == std::vector<int64_t>{0, 1, 1, 2});
    CHECK(c.positives == 2);
    CHECK(c.negatives == 2);
    CHECK(auroc(c) == 0.75);
    CHECK(average_precision(c) == doctest::Approx(5.0 / 6.0).epsilon(1e-15));
    CHECK(fpr_at_tpr(c, 0.95) == 0.5);
    CHECK(fpr_at_tpr(c, 0.5) == 0.0); // t=0.8 already has TPR 1/2
    const YoudenPoint j = youden(c);
    CHECK(j.index == 0);
    CHECK(j.threshold == 0.8);
    CHECK(j.tpr == 0.5);
    CHECK(j.fpr == 0.0);
    CHECK(j.j == 0.5);
}

// ---------------------------------------------------------------------------
// Case B, ties across classes:
//   scores 0.5 0.5 0.5 0.2 0.2 0.9, labels 1 0 0 1 0 1  ->  P = 3, N = 3.
//   Descending groups: {0.9: 1}, {0.5: 1 0 0}, {0.2: 1 0}; points (tps, fps):
//     t=0.9 (1,0)  t=0.5 (2,2)  t=0.2 (3,3)
//   AUROC: 2*area = 0 + 2*(2+1) + 1*(3+2) = 11 -> 11/18.
//     Mann-Whitney with ties = 1/2: 0.9 beats 3 negatives (3); 0.5 ties two
//     0.5s (2 * 1/2) and beats 0.2 (1); 0.2 ties one 0.2 (1/2): 5.5/9 = 11/18.
//   AP: t=0.9 adds 1 positive at precision 1/1, t=0.5 adds 1 at 2/4, t=0.2 adds 1 at 3/6:
//       AP = (1 + 1/2 + 1/2) / 3 = 2/3.
//   FPR@95: t=0.2 (TPR 1) -> FPR 1; FPR at TPR >= 0.6: t=0.5 (TPR 2/3) -> 2/3.
//   Youden: J = 1/3 - 0, 2/3 - 2/3, 1 - 1 = 1/3, 0, 0 -> threshold 0.9.
//   Confusion at 0.5 (predict anomaly when score >= 0.5): predicted 0.5 0.5 0.5 0.9
//     -> tp 2 (idx 0, 5), fp 2 (idx 1, 2), tn 1 (idx 4), fn 1 (idx 3);
//     accuracy 3/6, precision 2/4, recall 2/3, F1 = 2*2/(2*2+2+1) = 4/7, FPR 2/3.
// ---------------------------------------------------------------------------
TEST_CASE("ROC metrics with tied scores: a tie group is one threshold") {
    const float s[] = {0.5f, 0.5f, 0.5f, 0.2f, 0.2f, 0.9f};
    const int32_t y[] = {1, 0, 0, 1, 0, 1};
    const RocCurve c = roc_curve(s, y, 6);
    REQUIRE(c.size() == 3);
    CHECK(c.tps == std::vector<int64_t>{1, 2, 3});
    CHECK(c.fps == std::vector<int64_t>{0, 2, 3});
    CHECK(c.thresholds[1] == static_cast<double>(0.5f));
    CHECK(auroc(c) == doctest::Approx(11.0 / 18.0).epsilon(1e-15));
    CHECK(average_precision(c) == doctest::Approx(2.0 / 3.0).epsilon(1e-15));
    CHECK(fpr_at_tpr(c, 0.95) == 1.0);
    CHECK(fpr_at_tpr(c, 0.6) == doctest::Approx(2.0 / 3.0).epsilon(1e-15));
    const YoudenPoint j = youden(c);
    CHECK(j.threshold == static_cast<double>(0.9f));
    CHECK(j.j == doctest::Approx(1.0 / 3.0).epsilon(1e-15));

    const Confusion m = confusion_at(s, y, 6, 0.5);
    CHECK(m.tp == 2);
    CHECK(m.fp == 2);
    CHECK(m.tn == 1);
    CHECK(m.fn == 1);
    CHECK(m.accuracy() == 0.5);
    CHECK(m.precision() == 0.5);
    CHECK(m.recall() == doctest::Approx(2.0 / 3.0).epsilon(1e-15));
    CHECK(m.tpr() == m.recall());
    CHECK(m.f1() == doctest::Approx(4.0 / 7.0).epsilon(1e-15));
    CHECK(m.fpr() == doctest::Approx(2.0 / 3.0).epsilon(1e-15));
}

TEST_CASE("all scores tied: one point, AUROC 1/2, AP = prevalence") {
    // One group (tps, fps) = (2, 3): 2*area = 3*(2+0) = 6 -> 6/(2*2*3) = 1/2;
    // AP = 2 * (2/5) / 2 = 2/5.
    const double s[] = {1, 1, 1, 1, 1};
    const int32_t y[] = {0, 1, 0, 1, 0};
    const RocCurve c = roc_curve(s, y, 5);
    REQUIRE(c.size() == 1);
    CHECK(auroc(c) == 0.5);
    CHECK(average_precision(c) == 0.4);
    CHECK(fpr_at_tpr(c, 0.95) == 1.0);
    CHECK(youden(c).threshold == 1.0);
}

TEST_CASE("-0 and +0 are one threshold") {
    const double s[] = {0.0, -0.0, 1.0};
    const int32_t y[] = {0, 1, 1};
    const RocCurve c = roc_curve(s, y, 3);
    REQUIRE(c.size() == 2);
    CHECK(c.tps == std::vector<int64_t>{1, 2});
    CHECK(c.fps == std::vector<int64_t>{0, 1});
}

TEST_CASE("Youden's J is compared exactly: equal J ties go to the highest threshold") {
    // P = N = 10. Groups: 0.9 -> 3 positives + 1 negative, (tps, fps) = (3, 1), J = 0.3 - 0.1;
    //                     0.8 -> 1 + 1, (4, 2), J = 0.4 - 0.2; 0.5 -> 6 + 8, (10, 10), J = 0.
    // Both first points have J = 1/5 exactly, but in doubles 0.3 - 0.1 < 0.4 - 0.2,
    // which would make a float argmax pick 0.8.
    std::vector<double> s;
    std::vector<int32_t> y;
    auto add = [&](double v, int pos, int neg) {
        for (int i = 0; i < pos; ++i) s.push_back(v), y.push_back(1);
        for (int i = 0; i < neg; ++i) s.push_back(v), y.push_back(0);
    };
    add(0.9, 3, 1);
    add(0.8, 1, 1);
    add(0.5, 6, 8);
    const RocCurve c = roc_curve(s.data(), y.data(), s.size());
    REQUIRE(c.size() == 3);
    CHECK(c.tpr(0) - c.fpr(0) < c.tpr(1) - c.fpr(1)); // the float trap this guards against
    CHECK(youden(c).threshold == 0.9);
}

TEST_CASE("Youden when no threshold beats chance: the highest threshold with J = 0") {
    // Anomalies scored below every normal: (tps, fps) = (0,1) (0,2) (2,2): J = -1/2, -1, 0.
    // Only the last real threshold reaches J = 0 (sklearn's sentinel is not a candidate).
    const double s[] = {3, 2, 1, 1};
    const int32_t y[] = {0, 0, 1, 1};
    const RocCurve c = roc_curve(s, y, 4);
    CHECK(auroc(c) == 0.0);
    const YoudenPoint j = youden(c);
    CHECK(j.threshold == 1.0);
    CHECK(j.j == 0.0);
}

TEST_CASE("confusion rates with empty denominators are 0, as sklearn's zero_division") {
    const double s[] = {0.1, 0.2, 0.3};
    const int32_t y[] = {0, 1, 1};
    const Confusion none = confusion_at(s, y, 3, 1.0); // nothing predicted anomalous
    CHECK(none.tp == 0);
    CHECK(none.fn == 2);
    CHECK(none.tn == 1);
    CHECK(none.precision() == 0.0);
    CHECK(none.recall() == 0.0);
    CHECK(none.f1() == 0.0);
    CHECK(none.accuracy() == doctest::Approx(1.0 / 3.0).epsilon(1e-15));
    const int32_t normal_only[] = {0, 0, 0};
    const Confusion c = confusion_at(s, normal_only, 3, 0.2); // one class is fine here
    CHECK(c.fp == 2);
    CHECK(c.tn == 1);
    CHECK(c.recall() == 0.0);
    CHECK(c.fpr() == doctest::Approx(2.0 / 3.0).epsilon(1e-15));
    const Confusion empty = confusion_at(static_cast<const double *>(nullptr), nullptr, 0, 0.0);
    CHECK(empty.accuracy() == 0.0);
}

TEST_CASE("invalid input is refused with a message naming the element or the missing class") {
    CHECK(message_of([] {
              const float s[] = {0.1f, 0.2f, std::numeric_limits<float>::quiet_NaN()};
              const int32_t y[] = {0, 1, 1};
              roc_curve(s, y, 3);
          }) == "score at index 2 is NaN; scores must be finite");
    CHECK(message_of([] {
              const double s[] = {-std::numeric_limits<double>::infinity(), 0.0};
              const int32_t y[] = {0, 1};
              roc_curve(s, y, 2);
          }) == "score at index 0 is -Inf; scores must be finite");
    CHECK(message_of([] {
              const double s[] = {0.1, 0.2};
              const int32_t y[] = {1, 2};
              confusion_at(s, y, 2, 0.0);
          }) == "label at index 1 is 2; labels must be 0 (normal) or 1 (anomaly)");
    CHECK(message_of([] {
              const double s[] = {0.1, 0.2, 0.3};
              const int32_t y[] = {0, 0, 0};
              auroc(roc_curve(s, y, 3));
          }) == "AUROC needs both normal (0) and anomalous (1) samples; got only 3 normal (0) samples");
    CHECK(message_of([] {
              const double s[] = {0.1};
              const int32_t y[] = {1};
              youden(roc_curve(s, y, 1));
          }) == "Youden's threshold needs both normal (0) and anomalous (1) samples; got only 1 anomalous (1) sample");
    CHECK(message_of([] { auroc(roc_curve(static_cast<const double *>(nullptr), nullptr, 0)); }) ==
          "AUROC needs both normal (0) and anomalous (1) samples; got no samples");
    CHECK(message_of([] {
              const double s[] = {0.1, 0.2};
              const int32_t y[] = {0, 1};
              fpr_at_tpr(roc_curve(s, y, 2), 1.5);
          }).find("[0, 1]") != std::string::npos);
}

TEST_CASE("matches scikit-learn on the reference sets") {
    const auto cases = vigil::test::reference_cases();
    REQUIRE(cases.size() >= 7);
    for (const auto &rc : cases) {
        CAPTURE(rc.name);
        const auto &e = rc.expected;
        const size_t n = rc.scores.size();
        const RocCurve c = roc_curve(rc.scores.data(), rc.labels.data(), n);
        CHECK(c.size() == e.at("roc_points").get<size_t>());
        CHECK(c.negatives == e.at("n_normal").get<int64_t>());
        CHECK(c.positives == e.at("n_anomalous").get<int64_t>());
        CHECK(std::fabs(auroc(c) - e.at("auroc").get<double>()) <= vigil::test::kRefTol);
        CHECK(std::fabs(average_precision(c) - e.at("aupr_out").get<double>()) <= vigil::test::kRefTol);
        CHECK(std::fabs(fpr_at_tpr(c, 0.95) - e.at("fpr_at_95_tpr").get<double>()) <= vigil::test::kRefTol);

        // AUPR-in: normal is the positive class, ranked by the negated score.
        std::vector<float> neg(rc.scores);
        std::vector<int32_t> flip(rc.labels);
        for (size_t i = 0; i < n; ++i) {
            neg[i] = -neg[i];
            flip[i] = 1 - flip[i];
        }
        CHECK(std::fabs(average_precision(roc_curve(neg.data(), flip.data(), n)) - e.at("aupr_in").get<double>()) <=
              vigil::test::kRefTol);

        for (const char *block : {"youden", "fixed"}) {
            CAPTURE(block);
            const auto &b = e.at(block);
            const double t = b.at("threshold").get<double>();
            if (std::string(block) == "youden") {
                const YoudenPoint j = youden(c);
                CHECK(j.threshold == t); // the same score, exactly
                CHECK(std::fabs(j.j - b.at("j").get<double>()) <= vigil::test::kRefTol);
            }
            const Confusion m = confusion_at(rc.scores.data(), rc.labels.data(), n, t);
            CHECK(m.tp == b.at("tp").get<int64_t>());
            CHECK(m.fp == b.at("fp").get<int64_t>());
            CHECK(m.tn == b.at("tn").get<int64_t>());
            CHECK(m.fn == b.at("fn").get<int64_t>());
            CHECK(std::fabs(m.accuracy() - b.at("accuracy").get<double>()) <= vigil::test::kRefTol);
            CHECK(std::fabs(m.precision() - b.at("precision").get<double>()) <= vigil::test::kRefTol);
            CHECK(std::fabs(m.recall() - b.at("recall").get<double>()) <= vigil::test::kRefTol);
            CHECK(std::fabs(m.f1() - b.at("f1").get<double>()) <= vigil::test::kRefTol);
            CHECK(std::fabs(m.tpr() - b.at("tpr").get<double>()) <= vigil::test::kRefTol);
            CHECK(std::fabs(m.fpr() - b.at("fpr").get<double>()) <= vigil::test::kRefTol);
        }
    }
}
