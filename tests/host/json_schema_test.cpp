// json_schema_test.cpp — the parameter validator reports every violation with
// its JSON path, and fills defaults.
#include <doctest/doctest.h>
#include <vigil/framework/json_schema.hpp>

using vigil::apply_defaults;
using vigil::validate_schema;
using json = nlohmann::json;

namespace {
const json kSchema = json::parse(R"({
  "type": "object", "additionalProperties": false, "required": ["k"],
  "properties": {
    "k": {"type": "integer", "minimum": 1, "default": 5},
    "mode": {"enum": ["kth", "mean"], "default": "kth"},
    "gamma": {"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"enum": ["scale"]}]},
    "sizes": {"type": "array", "items": {"type": "integer"}, "maxItems": 2},
    "inner": {"type": "object", "properties": {"eps": {"type": "number", "default": 0.1}}}
  }})");
}

TEST_CASE("valid parameters produce no errors") {
    CHECK(validate_schema(kSchema, json{{"k", 3}, {"mode", "mean"}, {"gamma", "scale"}}, "/p").empty());
    CHECK(validate_schema(kSchema, json{{"k", 3.0}}, "/p").empty());  // 3.0 is an integer in JSON Schema
}

TEST_CASE("each violation names its path") {
    const auto e = validate_schema(kSchema, json{{"k", 0}, {"mode", "median"}, {"gamma", -1}, {"sizes", {1, "x", 3}}, {"bogus", 1}}, "/stages/0/params");
    REQUIRE(e.size() == 6);
    CHECK(e[0] == "/stages/0/params/bogus: unknown key 'bogus' (known: gamma, inner, k, mode, sizes)");
    CHECK(e[1] == "/stages/0/params/gamma: -1 matches none of the allowed forms (e.g. /stages/0/params/gamma: -1 must be > 0)");
    CHECK(e[2] == "/stages/0/params/k: 0 must be >= 1");
    CHECK(e[3] == "/stages/0/params/mode: \"median\" is not one of [\"kth\",\"mean\"]");
    CHECK(e[4] == "/stages/0/params/sizes: allows at most 2 items");
    CHECK(e[5] == "/stages/0/params/sizes/1: expected integer, got string \"x\"");
}

TEST_CASE("missing required keys and wrong types are reported") {
    const auto e = validate_schema(kSchema, json{{"k", "five"}}, "/p");
    REQUIRE(e.size() == 1);
    CHECK(e[0] == "/p/k: expected integer, got string \"five\"");
    const auto m = validate_schema(kSchema, json::object(), "/p");
    REQUIRE(m.size() == 1);
    CHECK(m[0] == "/p: missing required key 'k'");
}

TEST_CASE("defaults are filled in, recursively, without overriding given values") {
    const json d = apply_defaults(kSchema, json{{"k", 7}, {"inner", json::object()}});
    CHECK(d["k"] == 7);
    CHECK(d["mode"] == "kth");
    CHECK(d["inner"]["eps"] == 0.1);
    CHECK_FALSE(d.contains("gamma"));
}
