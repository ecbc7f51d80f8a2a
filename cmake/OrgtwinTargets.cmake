# Target wrappers (abseil's absl_cc_library / leveldb's leveldb_test): every orgtwin target gets
# the same warnings, include root (src/) and sanitizer flags.
#
#   ot_library(NAME <n> SRCS ... [DEPS ...])   -> static library orgtwin_<n>, alias orgtwin::<n>
#   ot_test(NAME <n> SRCS ... [DEPS ...] [LAUNCHER cmd...] [ALSO_ON_POSTGRES])
#                                             -> gtest binary, registered with ctest (and once
#                                                more as <n>_postgres on a PostgreSQL store)
#   ot_bench(NAME <n> SRCS ... [DEPS ...])     -> Google Benchmark binary
#   ot_fuzz(NAME <n> SRCS ... [DEPS ...] [CORPUS dir]) -> libFuzzer binary when OT_BUILD_FUZZERS,
#       and always a ctest case that replays the committed corpus through the same entry point.

set(OT_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(OT_WERROR)
  list(APPEND OT_WARNINGS -Werror)
endif()

# A unity build (CMAKE_UNITY_BUILD, on in `make build` and `make test`) compiles a target's files
# a batch at a time, so the heavy headers (Boost, the standard library) are parsed once per batch
# instead of once per file: the release build and clang-tidy take about half the time. A one-file
# target gains nothing, and GCC would see its only file as an included one (-Wsubobject-linkage
# on the types of its anonymous namespace), so it is built as itself.
function(ot_unity_for_batches target)
  get_target_property(sources ${target} SOURCES)
  list(LENGTH sources source_count)
  if(source_count LESS 2)
    set_target_properties(${target} PROPERTIES UNITY_BUILD OFF)
  endif()
endfunction()

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
  ot_use_precompiled_header(${target})
  # Folders add sources to some targets later (target_sources), so the batch check waits for
  # the end of the configuration (EVAL: a deferred call expands its arguments when it runs).
  cmake_language(EVAL CODE "cmake_language(DEFER DIRECTORY [[${PROJECT_SOURCE_DIR}]] \
                                          CALL ot_unity_for_batches [[${target}]])")
endfunction()

# The precompiled header (cmake/precompiled.h) is compiled once, by orgtwin_pch, and reused by
# every target below (REUSE_FROM): about a third off each file's compile in the ASan build.
# - Clang only. With GCC 12 a precompiled <string> brings back -Warray-bounds false positives
#   in inlined std::string code (six files of ours fail -Werror with it, none without), so the
#   GCC release build parses its headers as before.
# - Clang accepts the header where a target defines macros it was built without (Boost's linking
#   macros, GTEST_HAS_PTHREAD), and refuses it, loudly, where a macro it uses has another value
#   or a language option differs.
# - The tidy preset turns precompiled headers off (CMAKE_DISABLE_PRECOMPILE_HEADERS), so each file
#   is checked with its own includes.
function(ot_use_precompiled_header target)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    return()
  endif()
  if(NOT TARGET orgtwin_pch)
    add_library(orgtwin_pch STATIC ${PROJECT_SOURCE_DIR}/cmake/precompiled.cc)
    ot_apply_common(orgtwin_pch)
    target_precompile_headers(orgtwin_pch PRIVATE ${PROJECT_SOURCE_DIR}/cmake/precompiled.h)
  endif()
  # Clang refuses a precompiled header built with other thread support than the file's, and
  # only the targets linking RE2 get -pthread from its pkg-config flags.
  target_compile_options(${target} PRIVATE -pthread)
  if(NOT target STREQUAL "orgtwin_pch")
    target_precompile_headers(${target} REUSE_FROM orgtwin_pch)
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
  cmake_parse_arguments(OT "ALSO_ON_POSTGRES" "NAME" "SRCS;DEPS;LAUNCHER" ${ARGN})
  if(NOT OT_BUILD_TESTS OR NOT OT_BUILD_UNIT_TESTS)
    return()
  endif()
  add_executable(${OT_NAME} ${OT_SRCS})
  ot_apply_common(${OT_NAME})
  target_link_libraries(${OT_NAME} PRIVATE ${OT_DEPS} GTest::gmock GTest::gtest_main)
  if(OT_ALSO_ON_POSTGRES)
    # The same tests once more with their stores on PostgreSQL (testing/test_store.h): a
    # throwaway server for the run, one ctest.
    add_test(NAME ${OT_NAME}_postgres
             COMMAND ${PROJECT_SOURCE_DIR}/scripts/with-postgres.sh $<TARGET_FILE:${OT_NAME}>
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(${OT_NAME}_postgres PROPERTIES ENVIRONMENT OT_TEST_STORE=postgres
                         LABELS "unit;postgres")
  endif()
  if(OT_LAUNCHER)
    # LAUNCHER command...: the binary runs under it, as one ctest (the launcher sets up what every
    # test of the binary shares once, e.g. scripts/with-postgres.sh a database server).
    add_test(NAME ${OT_NAME} COMMAND ${OT_LAUNCHER} $<TARGET_FILE:${OT_NAME}>
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(${OT_NAME} PROPERTIES LABELS unit)
  elseif(OT_SANITIZE)
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
  if(OT_BUILD_TESTS AND OT_BUILD_UNIT_TESTS)
    add_executable(${OT_NAME}_replay ${OT_SRCS} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cc)
    ot_apply_common(${OT_NAME}_replay)
    target_link_libraries(${OT_NAME}_replay PRIVATE ${OT_DEPS})
    add_test(NAME ${OT_NAME}_corpus COMMAND ${OT_NAME}_replay ${OT_CORPUS})
    set_tests_properties(${OT_NAME}_corpus PROPERTIES LABELS fuzz-replay)
  endif()
  if(OT_BUILD_FUZZERS)
    add_executable(${OT_NAME} ${OT_SRCS})
    ot_apply_common(${OT_NAME})
    # libFuzzer's instrumentation is not in the shared precompiled header's options.
    set_target_properties(${OT_NAME} PROPERTIES DISABLE_PRECOMPILE_HEADERS ON)
    target_compile_options(${OT_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${OT_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${OT_NAME} PRIVATE ${OT_DEPS})
  endif()
endfunction()

# The engine libraries (structure/, playbook/, verify/, export/) are clients of the twin, not back
# doors into it (DESIGN.md section 2): they may link orgtwin::client, orgtwin::policy,
# orgtwin::common and each other, and no other orgtwin target -- not the gateway, services,
# store or server -- so the same engine runs against real AWS. Third-party targets (Boost::json,
# yaml-cpp) are fine.
#
#   ot_engine_library(NAME <n> SRCS ... [DEPS ...])  -> ot_library, after checking DEPS
#
# The rule is checked twice: on DEPS at once, and at the end of configuration over the whole
# link closure (so a later target_link_libraries(orgtwin_<n> ... orgtwin::store) or a forbidden
# target reached through an allowed one fails too). A violation stops configuration with
# FATAL_ERROR. tests/cmake/engine_rule/ proves it (ctest -R engine_library_rule).
set(OT_ENGINE_ALLOWED_DEPS orgtwin::client orgtwin::policy orgtwin::common orgtwin::structure
    orgtwin::playbook)

# The orgtwin targets reachable from `target` through LINK_LIBRARIES / INTERFACE_LINK_LIBRARIES,
# as orgtwin::<name>, in `out_var`.
function(ot_orgtwin_link_closure target out_var)
  set(seen "")
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue current)
    if(NOT TARGET ${current})
      continue()
    endif()
    get_target_property(aliased ${current} ALIASED_TARGET)
    if(aliased)
      set(current ${aliased})
    endif()
    if(current IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${current})
    get_target_property(type ${current} TYPE)
    set(links "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct ${current} LINK_LIBRARIES)
      if(direct)
        list(APPEND links ${direct})
      endif()
    endif()
    get_target_property(interface ${current} INTERFACE_LINK_LIBRARIES)
    if(interface)
      list(APPEND links ${interface})
    endif()
    foreach(link ${links})
      # Drop generator expressions such as $<LINK_ONLY:...> wrappers' heads.
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" link "${link}")
      list(APPEND queue ${link})
    endforeach()
  endwhile()
  set(result "")
  foreach(t ${seen})
    if(t MATCHES "^orgtwin_(.+)$")
      list(APPEND result "orgtwin::${CMAKE_MATCH_1}")
    endif()
  endforeach()
  set(${out_var} ${result} PARENT_SCOPE)
endfunction()

# FATAL_ERROR when `target` links an orgtwin target other than the allowed ones directly, or
# reaches one of OT_ENGINE_FORBIDDEN_DEPS by any path (also through an allowed target: this is
# what keeps orgtwin::client itself free of the gateway). Reaching what the allowed targets build
# on (protocol/, model/, auth/) is fine.
set(OT_ENGINE_FORBIDDEN_DEPS orgtwin::gateway orgtwin::services orgtwin::twin_state orgtwin::store
    orgtwin::http_server orgtwin::cli orgtwin::client_inprocess)

function(ot_forbid_links target)
  ot_orgtwin_link_closure(${target} reached)
  foreach(dep ${reached})
    if(dep IN_LIST OT_ENGINE_FORBIDDEN_DEPS)
      message(FATAL_ERROR "${target} reaches ${dep}, which the engine must not link: engine "
                          "libraries may link only ${OT_ENGINE_ALLOWED_DEPS} (DESIGN.md section 2)")
    endif()
  endforeach()
endfunction()

function(ot_check_engine_links target)
  get_target_property(direct ${target} LINK_LIBRARIES)
  foreach(dep ${direct})
    if(dep MATCHES "^orgtwin(::|_)" AND NOT dep IN_LIST OT_ENGINE_ALLOWED_DEPS)
      message(FATAL_ERROR "engine library ${target} links ${dep}: engine libraries may link only "
                          "${OT_ENGINE_ALLOWED_DEPS} (DESIGN.md section 2)")
    endif()
  endforeach()
  ot_forbid_links(${target})
endfunction()

function(ot_engine_library)
  cmake_parse_arguments(OT "" "NAME" "SRCS;DEPS" ${ARGN})
  foreach(dep ${OT_DEPS})
    if(dep MATCHES "^orgtwin(::|_)" AND NOT dep IN_LIST OT_ENGINE_ALLOWED_DEPS)
      message(FATAL_ERROR "ot_engine_library(${OT_NAME}) links ${dep}: engine libraries may link "
                          "only ${OT_ENGINE_ALLOWED_DEPS} (DESIGN.md section 2)")
    endif()
  endforeach()
  ot_library(NAME ${OT_NAME} SRCS ${OT_SRCS} DEPS ${OT_DEPS})
  # Again once every directory is configured: links added later, and transitive ones.
  # (A deferred call evaluates its arguments when it runs, so the name is baked in with EVAL.)
  cmake_language(EVAL CODE "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]] CALL ot_check_engine_links [[orgtwin_${OT_NAME}]])")
endfunction()
