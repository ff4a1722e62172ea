// json_schema.hpp — validation of plugin parameters against their JSON Schema.
//
// Why this file exists: a pipeline's parameters are checked before any work
// starts, each error naming its JSON path. Plugins describe parameters with a
// subset of JSON Schema draft-07, documented in docs/WRITING_A_PLUGIN.md:
// type (string or array), properties, required, additionalProperties (bool or
// schema), enum, const, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
// minLength, maxLength, items, minItems, maxItems, anyOf, oneOf, default,
// description. Other keywords are ignored.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigil {

// Every violation of `schema` by `value`, each "<path>: <what is wrong>".
// `path` is the JSON pointer of `value` in the user's file (e.g. "/stages/0/params").
std::vector<std::string> validate_schema(const nlohmann::json &schema, const nlohmann::json &value,
                                         const std::string &path);

// `value` completed with the schema's defaults (recursively for nested objects).
nlohmann::json apply_defaults(const nlohmann::json &schema, const nlohmann::json &value);

} // namespace vigil
