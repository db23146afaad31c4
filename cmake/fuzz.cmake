# SPDX-License-Identifier: MIT
# Fuzzing: libFuzzer harnesses (tests/fuzz/fuzz_<name>.c, each defining
# LLVMFuzzerTestOneInput) and their corpus-replay regression tests. Included at the end of
# the top-level CMakeLists.txt, after lh_core and the test block.
#
#   -DLH_FUZZ=ON (clang only): lh_core and everything else is compiled with
#   -fsanitize=fuzzer-no-link,address,undefined; each harness links -fsanitize=fuzzer into a
#   libFuzzer binary `fuzz_<name>` (bench/fuzz.sh runs them).
#
#   Otherwise, when tests are built: the same harness sources are linked with
#   tests/fuzz/replay.c into `fuzzreplay_<name>`, a plain executable that feeds every file of
#   fixtures/fuzz/<name>/ and fixtures/fuzz/<name>-crashes/ to the harness once, registered
#   as the ctest test `fuzz_<name>`, so CI replays the seed corpora and saved crash
#   reproducers under the default ASan+UBSan build in seconds.
#
# It does not generate corpora or run the fuzzers for long: that is bench/fuzz.sh.
option(LH_FUZZ "Build the libFuzzer harnesses in tests/fuzz (clang)" OFF)

file(GLOB LH_FUZZ_HARNESSES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
set(LH_FUZZ_COMMON ${CMAKE_SOURCE_DIR}/tests/fuzz/common.c)

if(LH_FUZZ)
    if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "LH_FUZZ needs clang (configure with -DCMAKE_C_COMPILER=clang)")
    endif()
    # Coverage instrumentation and sanitizers for every object (lh_core, the harnesses);
    # only the harness executables pull in libFuzzer's main.
    target_compile_options(lh_sanitizers INTERFACE
        -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
        -fno-omit-frame-pointer)
    target_link_options(lh_sanitizers INTERFACE -fsanitize=address,undefined)
    foreach(src IN LISTS LH_FUZZ_HARNESSES)
        get_filename_component(name ${src} NAME_WE)
        add_executable(${name} ${src} ${LH_FUZZ_COMMON})
        target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
        target_compile_definitions(${name} PRIVATE LH_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
        target_link_options(${name} PRIVATE -fsanitize=fuzzer)
        target_link_libraries(${name} PRIVATE lh_core lh_test_warnings)
    endforeach()
elseif(LH_BUILD_TESTS)
    foreach(src IN LISTS LH_FUZZ_HARNESSES)
        get_filename_component(name ${src} NAME_WE)
        string(REGEX REPLACE "^fuzz_" "" short ${name})
        add_executable(fuzzreplay_${short} ${src} ${LH_FUZZ_COMMON}
                                           ${CMAKE_SOURCE_DIR}/tests/fuzz/replay.c)
        target_include_directories(fuzzreplay_${short} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
        target_compile_definitions(fuzzreplay_${short} PRIVATE
            LH_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
        target_link_libraries(fuzzreplay_${short} PRIVATE lh_core lh_test_warnings)
        add_test(NAME ${name}
                 COMMAND fuzzreplay_${short} ${CMAKE_SOURCE_DIR}/fixtures/fuzz/${short}
                         ${CMAKE_SOURCE_DIR}/fixtures/fuzz/${short}-crashes)
        set_tests_properties(${name} PROPERTIES
            FAIL_REGULAR_EXPRESSION "${LH_SAN_FAIL}"
            ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=print_stacktrace=1"
            TIMEOUT 300)
    endforeach()
endif()
