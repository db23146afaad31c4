# Debian package with CPack (`cpack -G DEB` in a release build tree): the binary, the man
# page, the bash completion and the git hook templates, as `cmake --install` lays them out.
#
# Depends: dpkg-shlibdeps finds the libraries the binary links (PCRE2, Vectorscan, libyaml,
# zlib, libcrypto, jansson, libc). It cannot see the three that are dlopened on first use
# (libgit2 for the git commands, libcurl for revocation, libmicrohttpd for `serve`; see
# src/util/dynlib.c and its users), so they are added here: the Debian package that holds
# each SONAME on the build machine, at least the version built against. Without them a
# package would install cleanly and `leakhound history` would fail at its first call.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME leakhound)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "leakhound")
set(CPACK_PACKAGE_CONTACT "leakhound maintainers <leakhound@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "secret scanner for files, git history and commits, with checksum-validated rules")
set(CPACK_PACKAGE_DESCRIPTION
    "leakhound finds API keys, tokens and private keys in files, git history, staged changes and CI ranges, confirms token formats that carry a checksum offline, and reports as text, JSON, SARIF, GitHub annotations or a GitLab secret detection report. Its rules are built in; git hooks for pre-commit and pre-push are installed in /usr/share/leakhound/hooks.")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "git")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

# SONAMEs loaded with dlopen, as the sources name them
string(REGEX MATCH "^[0-9]+\\.[0-9]+" lh_git2_abi "${GIT2_VERSION}")
set(LH_DLOPEN_SONAMES "libgit2.so.${lh_git2_abi}" "libcurl.so.4" "libmicrohttpd.so.12")
set(lh_dlopen_dirs ${GIT2_LIBRARY_DIRS} ${CURL_LIBRARY_DIRS} ${MHD_LIBRARY_DIRS}
    /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE} /usr/lib /lib/${CMAKE_LIBRARY_ARCHITECTURE})

find_program(LH_DPKG_QUERY dpkg-query)
set(lh_depends "")
foreach(soname IN LISTS LH_DLOPEN_SONAMES)
    unset(lh_lib CACHE)
    find_file(lh_lib NAMES ${soname} PATHS ${lh_dlopen_dirs} NO_DEFAULT_PATH)
    set(pkg "")
    if(LH_DPKG_QUERY AND lh_lib)
        get_filename_component(lh_real "${lh_lib}" REALPATH)
        foreach(candidate IN ITEMS "${lh_lib}" "${lh_real}")
            if(pkg STREQUAL "")
                execute_process(COMMAND ${LH_DPKG_QUERY} -S "${candidate}"
                                OUTPUT_VARIABLE owner ERROR_QUIET RESULT_VARIABLE rc
                                OUTPUT_STRIP_TRAILING_WHITESPACE)
                if(rc EQUAL 0)
                    string(REGEX REPLACE "[:,].*$" "" pkg "${owner}")
                endif()
            endif()
        endforeach()
    endif()
    if(pkg STREQUAL "")
        message(WARNING "package: no Debian package owns ${soname} here; the .deb will not "
                        "depend on it (it is dlopened, so dpkg-shlibdeps cannot tell)")
        continue()
    endif()
    execute_process(COMMAND ${LH_DPKG_QUERY} -W -f=\${Version} ${pkg}
                    OUTPUT_VARIABLE ver ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    # the upstream part: a later Debian revision or security update still satisfies it
    string(REGEX REPLACE "-[^-]*$" "" ver "${ver}")
    if(ver STREQUAL "")
        list(APPEND lh_depends "${pkg}")
    else()
        list(APPEND lh_depends "${pkg} (>= ${ver})")
    endif()
endforeach()
unset(lh_lib CACHE)
list(JOIN lh_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
message(STATUS "package: dlopened libraries: ${CPACK_DEBIAN_PACKAGE_DEPENDS}")
include(CPack)
