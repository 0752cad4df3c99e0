# bpf_object(NAME SOURCE HEADERS): compiles SOURCE with clang -target bpf into NAME.bpf.o,
# generates NAME.skel.h (struct NAME_bpf) with bpftool, and exposes an INTERFACE target NAME_skel.
find_program(BPF_CLANG NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)
execute_process(COMMAND uname -m OUTPUT_VARIABLE BPF_HOST_ARCH OUTPUT_STRIP_TRAILING_WHITESPACE)

function(bpf_object name source headers)
  set(out_dir ${CMAKE_BINARY_DIR}/bpf)
  set(obj ${out_dir}/${name}.bpf.o)
  set(skel ${out_dir}/${name}.skel.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
    COMMAND ${BPF_CLANG} -target bpf -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter
            -I${CMAKE_SOURCE_DIR}/include -I${CMAKE_SOURCE_DIR}/bpf
            -I/usr/include/${BPF_HOST_ARCH}-linux-gnu
            -c ${source} -o ${obj}
    DEPENDS ${source} ${headers}
    COMMENT "BPF ${name}.bpf.c"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name}_bpf > ${skel}
    DEPENDS ${obj}
    COMMENT "skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${out_dir})
endfunction()
