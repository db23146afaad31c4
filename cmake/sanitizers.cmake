# Sanitizers as an INTERFACE target, selected with LH_SANITIZE=address,undefined | thread.
add_library(lh_sanitizers INTERFACE)
if(LH_SANITIZE)
    target_compile_options(lh_sanitizers INTERFACE
        -fsanitize=${LH_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(lh_sanitizers INTERFACE -fsanitize=${LH_SANITIZE})
endif()
