# Run as `cmake -DTEST=test_planted_<fault> -DFAULT=leak|oob|race -P expect_sanitizer_failure.cmake`
# (ctest tests planted_leak and planted_oob; planted_race in the tsan preset). TEST is an
# ordinary end-to-end test built against a leakhound binary with a planted fault
# (tests/planted/). It passes only if the test FAILED, and for the planted fault: the support
# library forwarded the spawned binary's sanitizer report (LeakSanitizer for the leak,
# ThreadSanitizer for the race; for the read, ASan's heap-buffer-overflow or UBSan's
# object-size check, whichever stops it first) and its sanitizer exit code.
execute_process(COMMAND ${TEST} --jobs 1 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(FAULT STREQUAL "leak")
    set(want "ERROR: LeakSanitizer")
elseif(FAULT STREQUAL "race")
    set(want "WARNING: ThreadSanitizer: data race")
else()
    set(want "heap-buffer-overflow|with insufficient space for an object")
endif()
if(rc EQUAL 0)
    message(FATAL_ERROR "planted ${FAULT}: the test passed; a sanitizer report of the spawned "
                        "binary went unnoticed:\n${all}")
endif()
foreach(needle "support: sanitizer report from spawned process" "${want}"
               "exited with sanitizer exit code")
    string(REGEX MATCH "${needle}" at "${all}")
    if(NOT at)
        message(FATAL_ERROR "planted ${FAULT}: the test failed, but its output lacks "
                            "'${needle}':\n${all}")
    endif()
endforeach()
message(STATUS "planted ${FAULT}: the suite failed on the spawned binary's report, as it must")
