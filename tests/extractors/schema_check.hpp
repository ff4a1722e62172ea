// schema_check.hpp — checks every extractor test makes of a plugin's
// parameter schema: an object schema, closed (additionalProperties false),
// and every parameter documented with a description and a default that the
// schema itself accepts (checked with the host's validator).
#pragma once

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <vigil/framework/json_schema.hpp>

namespace vigil::test {

inline void check_documented_schema(const char *schema_text) {
    const auto schema = nlohmann::json::parse(schema_text);
    CHECK(schema.at("type") == "object");
    CHECK(schema.at("additionalProperties") == false);
    for (auto it = schema.at("properties").begin(); it != schema.at("properties").end(); ++it) {
        CAPTURE(it.key());
        CHECK(!it->at("description").get<std::string>().empty());
        REQUIRE(it->contains("default"));
        CHECK(vigil::validate_schema(schema, {{it.key(), it->at("default")}}, "").empty());
    }
    CHECK(vigil::validate_schema(schema, {{"no_such_parameter", 1}}, "").size() == 1);
}

} // namespace vigil::test
