# VigilPlugin.cmake — vigil_add_plugin(): one method source, one library per backend.
#
#   vigil_add_plugin(<name> SOURCES <files...> [COMPUTE] [NN] [CUDA] [LIBS <targets...>]
#                    [CPU_SOURCES <files...>] [CUDA_SOURCES <files...>]
#                    [TEST_ONLY OUTPUT_DIR <dir>])
#
# Builds vigil-<name>-cpu (always) and vigil-<name>-cuda (when CUDA is given and
# the toolkit was found) as MODULE libraries into ${VIGIL_PLUGIN_BUILD_DIR}.
# Both compile the same SOURCES; the cpu one links vigil_compute_cpu (oneDNN)
# and the cuda one vigil_compute_cuda (cuBLAS/cuDNN) when COMPUTE is given, so
# a method written against vigil/compute/backend.hpp gets the right backend.
# NN does the same for the neural-network engine (framework/nn): the cpu
# variant links vigil_nn_cpu (oneDNN), the cuda one vigil_nn_cuda (cuDNN +
# cuBLAS), so a deep method written against vigil/nn/nn.hpp runs where its
# variant says (vigil::nn::variant_device()).
#
# A method that has its own per-backend code (e.g. a CUDA kernel next to an
# OpenMP loop behind one small interface) lists it separately:
#   CPU_SOURCES   compiled into the cpu variant only;
#   CUDA_SOURCES  compiled into the cuda variant only: .cu files (nvcc, for
#                 ${VIGIL_CUDA_ARCHITECTURES}, C++17, hidden visibility) and
#                 plain C++ files that call the CUDA runtime (its headers come
#                 with vigil_compute_cuda, so give COMPUTE as well).
# Example: vigil_add_plugin(iforest SOURCES iforest.cpp CPU_SOURCES score_cpu.cpp
#                           CUDA_SOURCES score_cuda.cpp walk_kernel.cu COMPUTE CUDA)
# Calls without CPU_SOURCES/CUDA_SOURCES behave as before.
#
# TEST_ONLY builds a plugin for the test suite with exactly the same link
# rules: into OUTPUT_DIR instead of the plugin folder, never installed, and
# not listed in VIGIL_PLUGIN_TARGETS (so `vigil plugins` never sees it).
# Only `vigil_plugin_entry` is exported (linker version script).
function(vigil_add_plugin name)
  cmake_parse_arguments(P "COMPUTE;NN;CUDA;TEST_ONLY" "OUTPUT_DIR" "SOURCES;LIBS;CPU_SOURCES;CUDA_SOURCES" ${ARGN})
  if(P_TEST_ONLY AND NOT P_OUTPUT_DIR)
    message(FATAL_ERROR "vigil_add_plugin(${name}): TEST_ONLY needs OUTPUT_DIR")
  endif()
  set(out_dir ${VIGIL_PLUGIN_BUILD_DIR})
  if(P_TEST_ONLY)
    set(out_dir ${P_OUTPUT_DIR})
  endif()
  set(variants cpu)
  if(P_CUDA AND VIGIL_CUDA_ENABLED)
    list(APPEND variants cuda)
  endif()
  foreach(variant IN LISTS variants)
    set(t vigil-${name}-${variant})
    if(variant STREQUAL "cuda")
      add_library(${t} MODULE ${P_SOURCES} ${P_CUDA_SOURCES})
    else()
      add_library(${t} MODULE ${P_SOURCES} ${P_CPU_SOURCES})
    endif()
    set_target_properties(${t} PROPERTIES
      PREFIX ""
      OUTPUT_NAME ${t}
      LIBRARY_OUTPUT_DIRECTORY ${out_dir}
      CXX_VISIBILITY_PRESET hidden
      VISIBILITY_INLINES_HIDDEN ON)
    target_link_libraries(${t} PRIVATE vigil_sdk ${P_LIBS})
    target_link_options(${t} PRIVATE
      "-Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/plugin.map" "-Wl,--no-undefined")
    if(P_COMPUTE)
      target_link_libraries(${t} PRIVATE vigil_compute_${variant})
    endif()
    if(P_NN)
      target_link_libraries(${t} PRIVATE vigil_nn_${variant})
    endif()
    if(variant STREQUAL "cuda")
      set_target_properties(${t} PROPERTIES BUILD_RPATH "${CUDAToolkit_LIBRARY_DIR}"
                                            INSTALL_RPATH "${CUDAToolkit_LIBRARY_DIR}")
      if(P_CUDA_SOURCES)
        set_target_properties(${t} PROPERTIES CUDA_STANDARD 17 CUDA_STANDARD_REQUIRED ON
          CUDA_VISIBILITY_PRESET hidden CUDA_ARCHITECTURES "${VIGIL_CUDA_ARCHITECTURES}")
        # Host code of .cu files gets the same warnings as the C++ sources.
        target_compile_options(${t} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>)
      endif()
    endif()
    if(NOT P_TEST_ONLY)
      install(TARGETS ${t} LIBRARY DESTINATION ${VIGIL_PLUGIN_INSTALL_DIR})
      set_property(GLOBAL APPEND PROPERTY VIGIL_PLUGIN_TARGETS ${t})
    endif()
  endforeach()
endfunction()
