# Warning flags as an INTERFACE target; LH_WERROR turns them into errors (CI).
add_library(lh_warnings INTERFACE)
target_compile_options(lh_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wconversion -Wno-sign-conversion)
if(LH_WERROR)
    target_compile_options(lh_warnings INTERFACE -Werror)
endif()

# Test sources: Criterion's macros trip -Wconversion under gcc 12.
add_library(lh_test_warnings INTERFACE)
target_compile_options(lh_test_warnings INTERFACE -Wall -Wextra -Wshadow -Wformat=2)
if(LH_WERROR)
    target_compile_options(lh_test_warnings INTERFACE -Werror)
endif()
