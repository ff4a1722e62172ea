# VigilPlugin.cmake — vigil_add_plugin(): one method source, one library per backend.
#
#   vigil_add_plugin(<name> SOURCES <files...> [COMPUTE] [CUDA] [LIBS <targets...>])
#
# Builds vigil-<name>-cpu (always) and vigil-<name>-cuda (when CUDA is given and
# the toolkit was found) as MODULE libraries into ${VIGIL_PLUGIN_BUILD_DIR}.
# Both compile the same SOURCES; the cpu one links vigil_compute_cpu (oneDNN)
# and the cuda one vigil_compute_cuda (cuBLAS/cuDNN) when COMPUTE is given, so
# a method written against vigil/compute/backend.hpp gets the right backend.
# Only `vigil_plugin_entry` is exported (linker version script).
function(vigil_add_plugin name)
  cmake_parse_arguments(P "COMPUTE;CUDA" "" "SOURCES;LIBS" ${ARGN})
  set(variants cpu)
  if(P_CUDA AND VIGIL_CUDA_ENABLED)
    list(APPEND variants cuda)
  endif()
  foreach(variant IN LISTS variants)
    set(t vigil-${name}-${variant})
    add_library(${t} MODULE ${P_SOURCES})
    set_target_properties(${t} PROPERTIES
      PREFIX ""
      OUTPUT_NAME ${t}
      LIBRARY_OUTPUT_DIRECTORY ${VIGIL_PLUGIN_BUILD_DIR}
      CXX_VISIBILITY_PRESET hidden
      VISIBILITY_INLINES_HIDDEN ON)
    target_link_libraries(${t} PRIVATE vigil_sdk ${P_LIBS})
    target_link_options(${t} PRIVATE
      "-Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/plugin.map" "-Wl,--no-undefined")
    if(P_COMPUTE)
      target_link_libraries(${t} PRIVATE vigil_compute_${variant})
    endif()
    if(variant STREQUAL "cuda")
      set_target_properties(${t} PROPERTIES BUILD_RPATH "${CUDAToolkit_LIBRARY_DIR}"
                                            INSTALL_RPATH "${CUDAToolkit_LIBRARY_DIR}")
    endif()
    install(TARGETS ${t} LIBRARY DESTINATION ${VIGIL_PLUGIN_INSTALL_DIR})
    set_property(GLOBAL APPEND PROPERTY VIGIL_PLUGIN_TARGETS ${t})
  endforeach()
endfunction()
