# Debian packages the test suite needs (read by .ci/run; later issues add chromium and Mesa's Vulkan driver).
APT_PACKAGES=()
