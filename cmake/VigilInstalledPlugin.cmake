# VigilInstalledPlugin.cmake — vigil_add_external_plugin(), for plugins built
# OUT OF TREE against an installed Vigil SDK. Installed next to VigilConfig.cmake
# and included by it: call find_package(Vigil REQUIRED) first.
#
#   vigil_add_external_plugin(<name> <backend>
#                             SOURCES <files...>
#                             [LIBS <targets or libraries...>]
#                             [OUTPUT_DIRECTORY <dir>]
#                             [INSTALL])
#
#   <name>     the plugin's method name, [a-z0-9_]+; use the same string as the
#              descriptor's `name` (VIGIL_PLUGIN(..., "<name>", ...)).
#   <backend>  cpu or cuda; must match the descriptor's backend. For cuda, the
#              calling project enables the CUDA language itself.
#
# Creates the MODULE library target vigil-<name>-<backend>, written as
# vigil-<name>-<backend>.so into OUTPUT_DIRECTORY (default:
# ${CMAKE_BINARY_DIR}/plugins, a folder to hand to `vigil --plugin-dir`).
# Everything is compiled with hidden visibility and linked with the SDK's
# version script, so the library exports exactly one symbol,
# vigil_plugin_entry; --no-undefined makes a missing dependency a link error
# rather than a load-time refusal. C++ sources are compiled as C++17 or newer.
# INSTALL adds install(TARGETS ... DESTINATION ${VIGIL_PLUGIN_INSTALL_DIR}).
#
# The target is an ordinary CMake target: add include directories, definitions
# or libraries to it with the usual target_* commands.
include_guard(GLOBAL)

if(CMAKE_VERSION VERSION_LESS 3.16)
  message(FATAL_ERROR "Vigil: vigil_add_external_plugin() needs CMake 3.16 or newer")
endif()

# Captured at include time: inside the function CMAKE_CURRENT_LIST_DIR is the caller's.
set(_VIGIL_PLUGIN_VERSION_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/vigil_plugin.map")

function(vigil_add_external_plugin name backend)
  cmake_parse_arguments(P "INSTALL" "OUTPUT_DIRECTORY" "SOURCES;LIBS" ${ARGN})
  if(P_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "vigil_add_external_plugin(${name}): unexpected arguments: ${P_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT name MATCHES "^[a-z0-9_]+$")
    message(FATAL_ERROR "vigil_add_external_plugin: plugin name '${name}' must match [a-z0-9_]+ "
                        "(the host refuses other descriptor names)")
  endif()
  if(NOT backend STREQUAL "cpu" AND NOT backend STREQUAL "cuda")
    message(FATAL_ERROR "vigil_add_external_plugin(${name}): backend must be cpu or cuda, got '${backend}'")
  endif()
  if(NOT P_SOURCES)
    message(FATAL_ERROR "vigil_add_external_plugin(${name}): no SOURCES given")
  endif()
  if(NOT TARGET Vigil::sdk)
    message(FATAL_ERROR "vigil_add_external_plugin(${name}): Vigil::sdk is missing; call find_package(Vigil) first")
  endif()
  if(NOT P_OUTPUT_DIRECTORY)
    set(P_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/plugins)
  endif()

  set(t vigil-${name}-${backend})
  add_library(${t} MODULE ${P_SOURCES})
  set_target_properties(${t} PROPERTIES
    PREFIX ""
    SUFFIX ".so"
    OUTPUT_NAME ${t}
    LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIRECTORY}
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    CUDA_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  get_property(_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("CXX" IN_LIST _languages)
    target_compile_features(${t} PRIVATE cxx_std_17)
  endif()
  target_link_libraries(${t} PRIVATE Vigil::sdk ${P_LIBS})
  target_link_options(${t} PRIVATE
    "LINKER:--version-script=${_VIGIL_PLUGIN_VERSION_SCRIPT}"
    "LINKER:--no-undefined")
  set_property(TARGET ${t} APPEND PROPERTY LINK_DEPENDS "${_VIGIL_PLUGIN_VERSION_SCRIPT}")
  if(P_INSTALL)
    install(TARGETS ${t} LIBRARY DESTINATION ${VIGIL_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
