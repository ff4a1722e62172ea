// batches_test.cpp — nn::Batches: every epoch visits every sample once, in
// a seeded order; batches hold the right samples and labels; the remainder
// and drop_last follow torch's DataLoader; misuse is a clear error.
#include <doctest/doctest.h>
#include <vigil/nn/nn.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

using namespace vigil::nn;

namespace {
// Sample i of shape [2, 3] holds 100·i + k at position k.
std::vector<float> samples(int64_t n) {
    std::vector<float> x(static_cast<size_t>(n * 6));
    for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < 6; ++k) x[static_cast<size_t>(i * 6 + k)] = static_cast<float>(100 * i + k);
    return x;
}
} // namespace

TEST_CASE("Batches: an epoch visits every sample once, batches hold those samples") {
    const std::vector<float> x = samples(23);
    std::vector<int32_t> y(23);
    std::iota(y.begin(), y.end(), 1000);
    Batches data(x.data(), 23, {2, 3}, 5);
    CHECK(data.count() == 5);
    CHECK(data.size(4) == 3);  // 23 = 4·5 + 3
    Generator gen(11);
    data.shuffle(gen);
    std::vector<int64_t> seen;
    for (int64_t b = 0; b < data.count(); ++b) {
        const Tensor t = data.batch(b);
        const auto idx = data.indices(b);
        REQUIRE(t.shape() == Shape{data.size(b), 2, 3});
        const Tensor l = data.labels(b, y.data());
        REQUIRE(l.dtype() == DType::i32);
        for (int64_t i = 0; i < data.size(b); ++i) {
            for (int64_t k = 0; k < 6; ++k) CHECK(t.data<float>()[i * 6 + k] == static_cast<float>(100 * idx[i] + k));
            CHECK(l.data<int32_t>()[i] == 1000 + idx[i]);
        }
        seen.insert(seen.end(), idx.begin(), idx.end());
    }
    std::vector<int64_t> sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> all(23);
    std::iota(all.begin(), all.end(), 0);
    CHECK(sorted == all);
    CHECK(seen != all);  // shuffled (a fixed seed: this order is not the identity)

    // Same seed, same order; the next epoch of the same generator differs.
    Generator again(11);
    Batches other(x.data(), 23, {2, 3}, 5);
    other.shuffle(again);
    CHECK(other.indices(0) == data.indices(0));
    data.shuffle(gen);
    other.shuffle(again);
    CHECK(other.indices(2) == data.indices(2));
    data.in_order();
    CHECK(data.indices(1) == std::vector<int64_t>{5, 6, 7, 8, 9});
}

TEST_CASE("Batches: drop_last, and errors that name the problem") {
    const std::vector<float> x = samples(23);
    Batches dropped(x.data(), 23, {6}, 5, true);
    CHECK(dropped.count() == 4);
    CHECK(dropped.size(3) == 5);
    auto message = [](auto &&f) {
        try {
            f();
        } catch (const std::exception &e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK(message([&] { dropped.batch(4); }).find("batch 4 of 4 requested") != std::string::npos);
    CHECK(message([&] { Batches(x.data(), 23, {6}, 0); }).find("batch size must be at least 1, got 0") != std::string::npos);
    CHECK(message([&] { dropped.labels(0, nullptr); }).find("no labels") != std::string::npos);
    Batches empty(nullptr, 0, {6}, 4);
    CHECK(empty.count() == 0);
}
