# Target wrappers (abseil's absl_cc_library / leveldb's leveldb_test): every orgtwin target gets
# the same warnings, include root (src/) and sanitizer flags.
#
#   ot_library(NAME <n> SRCS ... [DEPS ...])   -> static library orgtwin_<n>, alias orgtwin::<n>
#   ot_test(NAME <n> SRCS ... [DEPS ...])      -> gtest binary, registered with ctest
#   ot_bench(NAME <n> SRCS ... [DEPS ...])     -> Google Benchmark binary
#   ot_fuzz(NAME <n> SRCS ... [DEPS ...] [CORPUS dir]) -> libFuzzer binary when OT_BUILD_FUZZERS,
#       and always a ctest case that replays the committed corpus through the same entry point.

set(OT_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(OT_WERROR)
  list(APPEND OT_WARNINGS -Werror)
endif()

function(ot_apply_common target)
  target_compile_options(${target} PRIVATE ${OT_WARNINGS})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  if(OT_SANITIZE)
    # UBSan only prints and carries on by default; -fno-sanitize-recover makes any finding fail
    # the test that hit it, whoever runs the binary (ASan already aborts on its first report).
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                                             -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

function(ot_library)
  cmake_parse_arguments(OT "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(orgtwin_${OT_NAME} STATIC ${OT_SRCS})
  add_library(orgtwin::${OT_NAME} ALIAS orgtwin_${OT_NAME})
  ot_apply_common(orgtwin_${OT_NAME})
  target_link_libraries(orgtwin_${OT_NAME} PUBLIC ${OT_DEPS})
endfunction()

function(ot_test)
  cmake_parse_arguments(OT "" "NAME" "SRCS;DEPS" ${ARGN})
  if(NOT OT_BUILD_TESTS)
    return()
  endif()
  add_executable(${OT_NAME} ${OT_SRCS})
  ot_apply_common(${OT_NAME})
  target_link_libraries(${OT_NAME} PRIVATE ${OT_DEPS} GTest::gmock GTest::gtest_main)
  if(OT_SANITIZE)
    # One ctest per binary: a sanitized process takes about a second to start and exit (shadow
    # memory, LeakSanitizer's exit scan), which over a thousand single-test processes is most of
    # the run. The binary runs all its tests and reports each failing one by name.
    add_test(NAME ${OT_NAME} COMMAND ${OT_NAME} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(${OT_NAME} PROPERTIES LABELS unit)
  else()
    gtest_discover_tests(${OT_NAME} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                         PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
  endif()
endfunction()

function(ot_bench)
  cmake_parse_arguments(OT "" "NAME" "SRCS;DEPS" ${ARGN})
  if(NOT OT_BUILD_BENCHMARKS)
    return()
  endif()
  add_executable(${OT_NAME} ${OT_SRCS})
  ot_apply_common(${OT_NAME})
  target_link_libraries(${OT_NAME} PRIVATE ${OT_DEPS} benchmark::benchmark)
endfunction()

# A fuzz target defines LLVMFuzzerTestOneInput. The replay runner (tests/fuzz/replay_main.cc)
# feeds every file of CORPUS to it, so the corpus and crash regressions run under plain ctest.
function(ot_fuzz)
  cmake_parse_arguments(OT "" "NAME;CORPUS" "SRCS;DEPS" ${ARGN})
  if(OT_BUILD_TESTS)
    add_executable(${OT_NAME}_replay ${OT_SRCS} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cc)
    ot_apply_common(${OT_NAME}_replay)
    target_link_libraries(${OT_NAME}_replay PRIVATE ${OT_DEPS})
    add_test(NAME ${OT_NAME}_corpus COMMAND ${OT_NAME}_replay ${OT_CORPUS})
    set_tests_properties(${OT_NAME}_corpus PROPERTIES LABELS fuzz-replay)
  endif()
  if(OT_BUILD_FUZZERS)
    add_executable(${OT_NAME} ${OT_SRCS})
    ot_apply_common(${OT_NAME})
    target_compile_options(${OT_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${OT_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${OT_NAME} PRIVATE ${OT_DEPS})
  endif()
endfunction()
