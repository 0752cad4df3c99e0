# Layers keep their types: the BPF ABI (xpeer/bpf_abi.h, its structs and enums, and
# datapath/counters.h over them) stays in loader/compiler, loader/datapath and the Dataplane
# implementation that wraps datapath (loader/controller/kernel_dataplane.cpp). Everything above uses the
# model's types. Run: cmake -DSOURCE_DIR=<repo> -P bpf_abi_layers.cmake
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "bpf_abi_layers: set SOURCE_DIR to the repository")
endif()
file(GLOB_RECURSE sources RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/loader/*.h ${SOURCE_DIR}/loader/*.cpp)
set(offending "")
foreach(source ${sources})
  if(source MATCHES "^loader/(compiler|datapath)/" OR source STREQUAL "loader/controller/kernel_dataplane.cpp")
    continue()
  endif()
  file(STRINGS ${SOURCE_DIR}/${source} hits REGEX "bpf_abi\\.h|datapath/counters\\.h|xp_counters|XP_DIR_")
  if(hits)
    list(GET hits 0 first)
    string(STRIP "${first}" first)
    string(APPEND offending "\n  ${source}: ${first}")
  endif()
endforeach()
if(offending)
  message(FATAL_ERROR "BPF ABI types outside loader/compiler, loader/datapath and loader/controller/kernel_dataplane.cpp "
                      "(use the model's types, e.g. LinkCounters, VerdictCounts):${offending}")
endif()
list(LENGTH sources checked)
message(STATUS "bpf_abi_layers: ${checked} loader files, the ABI only where it belongs")
