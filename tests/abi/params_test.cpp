// params_test.cpp — vigil/cpp/params.hpp: what a plugin reads from its JSON
// parameters and the messages it gives for bad ones (a host may skip schemas).
#include <vigil/cpp/params.hpp>

#include <doctest/doctest.h>

#include <functional>

using vigil::sdk::Params;

namespace {
std::string error_of(const std::function<void()> &f) {
    try {
        f();
    } catch (const vigil::sdk::Error &e) {
        CHECK(e.code() == VIGIL_ERR_INVALID_ARGUMENT);
        return e.what();
    }
    return "";
}
} // namespace

TEST_CASE("Params reads values and defaults") {
    const auto j = nlohmann::json::parse(R"({"k": 7, "nu": 0.25, "kernel": "rbf", "whiten": true, "gamma": null})");
    const Params p(j, "demo", {"k", "nu", "kernel", "whiten", "gamma", "absent"});
    CHECK(p.integer("k", 5, 1, 10) == 7);
    CHECK(p.integer("absent", 5, 1, 10) == 5);
    CHECK(p.number("nu", 0.5, 0, 1, true) == 0.25);
    CHECK(p.number("k", 0.5, 0, 10) == 7.0);  // integers are numbers
    CHECK(p.choice("kernel", "linear", {"linear", "rbf"}) == "rbf");
    CHECK(p.boolean("whiten", false));
    CHECK_FALSE(p.has("gamma"));  // null counts as absent
    CHECK(p.number("gamma", 2.0, 0, 10) == 2.0);
}

TEST_CASE("Params names the parameter and the rule it broke") {
    const auto j = nlohmann::json::parse(R"({"k": 0, "nu": 0, "kernel": "cubic", "whiten": 1, "x": 1.5})");
    CHECK(error_of([&] { Params(j, "demo", {"k"}); }) ==  // keys are checked in JSON (sorted) order
          "unknown parameter 'kernel' (demo takes k)");
    const Params p(j, "demo", {"k", "nu", "kernel", "whiten", "x"});
    CHECK(error_of([&] { p.integer("k", 5, 1, 10); }) == "parameter k must be an integer in 1..10, got 0");
    CHECK(error_of([&] { p.integer("x", 5, 1, 10); }) == "parameter x must be an integer in 1..10, got 1.5");
    CHECK(error_of([&] { p.number("nu", 0.5, 0, 1, true); }) == "parameter nu must be a number in (0, 1], got 0");
    CHECK(error_of([&] { p.number("x", 0.5, 0, HUGE_VAL); }) == "");
    CHECK(error_of([&] { p.choice("kernel", "rbf", {"linear", "rbf"}); }) ==
          R"(parameter kernel must be one of "linear", "rbf", got "cubic")");
    CHECK(error_of([&] { p.boolean("whiten", false); }) == "parameter whiten must be true or false, got 1");
    CHECK(error_of([&] { Params(nlohmann::json::array(), "demo", {}); }) == "demo: parameters must be a JSON object");
}
