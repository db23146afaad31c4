# Fails when a Criterion suite or test sets `.timeout` to anything but LH_TEST_TIMEOUT
# (see tests/support/support.h: mixed timeouts make Criterion 2.4.1 leak in the runner).
# Usage: cmake -DROOT=<source dir> -P check_test_timeouts.cmake
file(GLOB_RECURSE sources ${ROOT}/tests/unit/*.c ${ROOT}/tests/e2e/*.c)
set(bad "")
foreach(f IN LISTS sources)
    file(STRINGS ${f} lines REGEX "(TestSuite|Test|ParameterizedTest)\\(.*\\.timeout *=")
    foreach(line IN LISTS lines)
        if(NOT line MATCHES "\\.timeout *= *LH_TEST_TIMEOUT")
            file(RELATIVE_PATH rel ${ROOT} ${f})
            string(APPEND bad "  ${rel}: ${line}\n")
        endif()
    endforeach()
endforeach()
if(bad)
    message(FATAL_ERROR "Criterion .timeout must be LH_TEST_TIMEOUT:\n${bad}")
endif()
list(LENGTH sources n)
message(STATUS "test timeouts uniform across ${n} test sources")
